// `flowgpu vocode` end to end (Node only): golden WaveGlow weights + mel → WAV read back by sox.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/cli/vocode.js';
import { loadCheckpoint, toFloat32 } from '../../src/io/checkpoint.js';
import { readNpy, writeNpy } from '../../src/io/npy.js';
import { decodeWav } from '../../src/io/wav.js';
import { assert, assertEqual, assertRejects } from '../helpers/check.js';
import { getEngine } from '../helpers/engine.js';

const golden = join(process.cwd(), '../shared/golden');

describe('flowgpu vocode (CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowgpu-vocode-'));
  const weights = join(golden, 'waveglow-small.safetensors');
  const ckpt = loadCheckpoint(readFileSync(weights));
  const mel = toFloat32(ckpt.tensors.get('input.mel')!); // [1, 20, 24]
  const melPath = join(dir, 'mel.npy');
  writeFileSync(melPath, writeNpy(mel, [1, 20, 24]));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a 16-bit WAV that sox reads with the right rate and length', async () => {
    const out = join(dir, 'out.wav');
    await run([weights, melPath, '-o', out, '--sigma', '0.6', '--denoise', '0.1', '--seed', '7'], await getEngine());
    const info = execFileSync('sox', ['--i', out], { encoding: 'utf8' });
    assert(/Sample Rate\s*:\s*22050/.test(info), `sox rate: ${info}`);
    assert(/Channels\s*:\s*1\b/.test(info), `sox channels: ${info}`);
    assert(/=\s*6144 samples/.test(info), `sox length: ${info}`);
    assert(/16-bit/.test(info), `sox precision: ${info}`);
    const w = decodeWav(readFileSync(out));
    assert(w.channels[0]!.some((v) => v !== 0), 'audio is not silent');
  });

  it('writes float WAV and .npy outputs; --sigma 0 is deterministic', async () => {
    const e = await getEngine();
    const wav = join(dir, 'f.wav');
    await run([weights, melPath, '-o', wav, '--float', '--sigma', '0'], e);
    const info = execFileSync('sox', ['--i', wav], { encoding: 'utf8' });
    assert(/32-bit/.test(info) && /=\s*6144 samples/.test(info), `sox: ${info}`);
    const npy = join(dir, 'a.npy');
    await run([weights, melPath, '-o', npy, '--sigma', '0', '--seed', '5'], e);
    const a = readNpy(readFileSync(npy));
    assertEqual(a.shape.join(','), '6144', 'npy shape');
    const w = decodeWav(readFileSync(wav)).channels[0]!;
    for (let i = 0; i < a.data.length; i++) assertEqual(a.data[i], w[i], `sample ${i}`);
  });

  it('runs a torch .pt checkpoint directly', async () => {
    const out = join(dir, 'pt.wav');
    await run([join(golden, 'waveglow-small.zip.pt'), melPath, '-o', out], await getEngine());
    assert(/=\s*6144 samples/.test(execFileSync('sox', ['--i', out], { encoding: 'utf8' })), 'length');
  });

  it('gives clear errors for a wrong channel count, NaNs, an empty mel and bad options', async () => {
    const e = await getEngine();
    const bad = join(dir, 'bad.npy');
    writeFileSync(bad, writeNpy(new Float32Array(80 * 10), [80, 10]));
    await assertRejects(() => run([weights, bad, '-o', join(dir, 'x.wav')], e), /80 channels, but this vocoder expects 20/);
    writeFileSync(bad, writeNpy(new Float32Array(10 * 20), [10, 20]));
    await assertRejects(() => run([weights, bad, '-o', join(dir, 'x.wav')], e), /looks transposed/);
    const nan = mel.slice();
    nan[5] = Number.POSITIVE_INFINITY;
    writeFileSync(bad, writeNpy(nan, [20, 24]));
    await assertRejects(() => run([weights, bad, '-o', join(dir, 'x.wav')], e), /non-finite value \(Infinity\) at channel 0, frame 5/);
    writeFileSync(bad, writeNpy(new Float32Array(0), [20, 0]));
    await assertRejects(() => run([weights, bad, '-o', join(dir, 'x.wav')], e), /empty/);
    await assertRejects(() => run([weights, melPath, '-o', join(dir, 'x.mp3')], e), /must end in \.wav or \.npy/);
    await assertRejects(() => run([weights, melPath, '-o', join(dir, 'x.wav'), '--sigma', '-1'], e), /--sigma must be a number from 0 to 10, got "-1"/);
    await assertRejects(() => run([weights, join(dir, 'missing.npy'), '-o', join(dir, 'x.wav')], e), /cannot read the mel .*missing\.npy: no such file/);
  });
});
