import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/cli/tts.js';
import { loadCheckpoint, toFloat32 } from '../../src/io/checkpoint.js';
import { GlowTTS } from '../../src/models/glowtts.js';
import { assert, assertClose, assertEqual, assertRejects } from '../helpers/check.js';
import { getEngine } from '../helpers/engine.js';
import { capture, readNpyF32 } from './cli-helpers.js';

const GOLDEN = '../shared/golden/glowtts-small.safetensors';
const ZIP = '../shared/golden/glowtts-small.zip.pt';

describe('flowgpu tts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowgpu-tts-'));
  const golden = loadCheckpoint(readFileSync(GOLDEN));
  const ids = Array.from(golden.tensors.get('input.text')!.data as BigInt64Array, Number);

  it('writes the golden model\'s mel for --ids (same as the API with the same seed)', async () => {
    const e = await getEngine();
    const out = join(dir, 'ids.npy');
    const log = await capture(() => run([GOLDEN, '--ids', JSON.stringify(ids), '-o', out, '--seed', '3', '--noise-scale', '0.5'], e));
    assert(/wrote .*ids\.npy: mel \[80, \d+\]/.test(log), `log: ${log}`);
    const npy = readNpyF32(readFileSync(out));
    const api = await (await GlowTTS.load(e, (await import('../../src/io/checkpoint.js')).withPrefix(golden, 'weights.'))).synthesize(ids, { seed: 3, noiseScale: 0.5 });
    assertEqual(npy.shape.join(','), `80,${api.frames}`, 'shape');
    assertClose(npy.data, api.mel, 1e-6, 'mel');
  });

  it('speaks text through the Glow-TTS front end, from the .pt checkpoint too', async () => {
    const e = await getEngine();
    const out = join(dir, 'text.npy');
    await capture(() => run([ZIP, 'Hello world.', '-o', out], e));
    const npy = readNpyF32(readFileSync(out));
    assertEqual(npy.shape[0], 80, 'mel channels');
    assert(npy.shape[1]! > 0 && npy.shape[1]! % 2 === 0, `frames ${npy.shape[1]}`);
    assert(npy.data.every(Number.isFinite), 'finite mel');
  });

  it('--precision f16 loads the model with f16 weights (the API\'s mel at f16), or says the adapter lacks shader-f16', async () => {
    const e = await getEngine();
    const out = join(dir, 'f16.npy');
    const args = [GOLDEN, '--ids', JSON.stringify(ids), '-o', out, '--seed', '3', '--precision', 'f16'];
    await assertRejects(() => run([...args.slice(0, -1), 'f8'], e), /--precision must be f32 or f16, got "f8"/);
    if (!e.hasF16) {
      await assertRejects(() => run(args, e), /glowtts-small\.safetensors: Glow-TTS: precision 'f16' needs the WebGPU feature 'shader-f16'/);
      return;
    }
    await capture(() => run(args, e));
    const { withPrefix } = await import('../../src/io/checkpoint.js');
    const m = await GlowTTS.load(e, withPrefix(golden, 'weights.'), undefined, { precision: 'f16' });
    const api = await m.synthesize(ids, { seed: 3 });
    m.release();
    assertClose(readNpyF32(readFileSync(out)).data, api.mel, 1e-6, 'mel at f16');
  });

  it('gives clear errors for bad input', async () => {
    const e = await getEngine();
    const out = join(dir, 'x.npy');
    await assertRejects(() => run([GOLDEN, '   ', '-o', out], e), /the text is empty/);
    await assertRejects(() => run([GOLDEN, '### <>', '-o', out], e), /nothing the glowtts front end can speak/);
    await assertRejects(() => run([GOLDEN, 'hello'], e), /give the output file with -o/);
    await assertRejects(() => run([GOLDEN, '--ids', '[1, 2, 999]', '-o', out], e), /token id 999 is outside this model's vocabulary of 148/);
    await assertRejects(() => run([GOLDEN, '--ids', 'abc', '-o', out], e), /--ids must be a JSON array/);
    await assertRejects(() => run([GOLDEN, 'hi', '--length-scale', '0', '-o', out], e), /--length-scale must be a number above 0 and at most 10, got "0"/);
    await assertRejects(() => run(['../shared/golden/hifigan-small.safetensors', 'hi', '-o', out], e), /hifigan-small\.safetensors: this checkpoint holds a HiFi-GAN model; expected Glow-TTS, Flowtron or XSpkEmoTrans/);
    const junk = join(dir, 'junk.bin');
    writeFileSync(junk, 'hello there, not weights');
    await assertRejects(() => run([junk, 'hi', '-o', out], e), /unrecognised weights file/);
  });

  it('--help lists every model\'s options with their ranges; an option the model does not take is an error', async () => {
    const help = await capture(() => run(['--help']));
    assert(/--noise-scale N\s+Glow-TTS: prior noise scale .*\(a number from 0 to 10\)/.test(help), `help:\n${help}`);
    assert(/--max-frames N\s+Flowtron: .*\(an integer from 1 to 10000\)/.test(help), `help:\n${help}`);
    assert(/--config FILE/.test(help), `help:\n${help}`);
    assert(/--precision f32\|f16\s+f16: the models' GEMM weights stored as f16/.test(help), `help:\n${help}`);
    const e = await getEngine();
    await assertRejects(() => run([GOLDEN, 'hi', '--sigma', '0.5', '-o', join(dir, 'x.npy')], e), /--sigma does not apply to Glow-TTS \(it is for Flowtron\)/);
    await assertRejects(() => run([GOLDEN, 'hi', '--bogus', '-o', join(dir, 'x.npy')], e), /tts: unknown option --bogus/);
    await assertRejects(() => run([GOLDEN, 'hi', 'there', '-o', join(dir, 'x.npy')], e), /unexpected arguments "there" \(give a TTS model and the text \(quote it\)/);
    // The golden checkpoint's weights keep their input/output tensors out of the model.
    assert(toFloat32(golden.tensors.get('input.noise')!).length > 0, 'golden noise');
  });
});
