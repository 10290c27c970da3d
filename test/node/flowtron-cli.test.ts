// Node-only: the Flowtron command-line paths (tts through the adapter, style, latents) on the
// golden small model, their error messages, and a browser rendering of the latent map.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run as latents } from '../../src/cli/latents.js';
import { run as style } from '../../src/cli/style.js';
import { readNpy, writeNpy } from '../../src/io/npy.js';
import { run as tts } from '../../src/cli/tts.js';
import type { Engine } from '../../src/gpu/engine.js';
import { loadCheckpoint, toFloat32 } from '../../src/io/checkpoint.js';
import type { Checkpoint } from '../../src/io/host-tensor.js';
import { Flowtron } from '../../src/models/flowtron.js';
import { textToIds } from '../../src/text/index.js';
import { assert, assertClose, assertEqual, assertRejects } from '../helpers/check.js';
import { getEngine } from '../helpers/engine.js';
import { pcm16Wav } from './cli-helpers.js';

const MODEL = '../shared/golden/flowtron-small.safetensors';
const TEXTS = ['Humans are walking on the streets?', 'It was a bright cold day in April.', 'The quick brown fox jumps over the lazy dog.'];

describe('flowgpu tts / style / latents with Flowtron', () => {
  let e: Engine;
  let golden: Checkpoint;
  let dir: string;

  before(async () => {
    e = await getEngine();
    golden = loadCheckpoint(new Uint8Array(readFileSync(MODEL)));
    dir = mkdtempSync(join(tmpdir(), 'flowtron-cli-'));
    for (let i = 0; i < 3; i++) {
      const t = golden.tensors.get(`posterior.input.mel.${i}`)!;
      writeFileSync(join(dir, `ref${i}.npy`), writeNpy(toFloat32(t), [80, t.shape[2]!]));
    }
    const full = golden.tensors.get('output.mel_full')!;
    writeFileSync(join(dir, 'ref3.npy'), writeNpy(toFloat32(full), [80, full.shape[2]!]));
    writeFileSync(join(dir, 'bad.npy'), writeNpy(new Float32Array(40 * 7), [40, 7]));
    writeFileSync(join(dir, 'refs.csv'), TEXTS.map((t, i) => `ref${i}.npy,"${t}"`).join('\n') + '\n');
    writeFileSync(join(dir, 'empty.csv'), '# no rows\n\n');
    writeFileSync(join(dir, 'bad.csv'), `bad.npy,${TEXTS[0]}\n`);
    writeFileSync(join(dir, 'tone.wav'), pcm16Wav(Float32Array.from({ length: 8000 }, (_, i) => 0.4 * Math.sin((2 * Math.PI * 330 * i) / 22050)), 22050));
    writeFileSync(join(dir, 'list.csv'), ['path|text|label', ...TEXTS.map((t, i) => `ref${i}.npy|${t}|${i % 2 ? 'sad' : 'happy'}`), `ref3.npy|${TEXTS[0]}|neutral`, `tone.wav|${TEXTS[2]}|neutral`].join('\n') + '\n');
  });

  it('tts: --sigma 0 is deterministic, stops by --max-frames or the gate, writes the attention PNG', async () => {
    const out = join(dir, 'mel.npy');
    const png = join(dir, 'attn.png');
    const args = [MODEL, TEXTS[1]!, '--speaker', '1', '--sigma', '0', '--gate', '0.5', '--max-frames', '24', '-o', out];
    await tts([...args, '--attention-png', png], e);
    const a = readNpy(readFileSync(out));
    assertEqual(a.shape[0], 80, 'mel channels');
    assert(a.shape[1]! >= 1 && a.shape[1]! <= 24, `frames ${a.shape[1]}`);
    assert(a.data.every(Number.isFinite), 'finite mel');
    await tts(args, e);
    assertClose(readNpy(readFileSync(out)).data, a.data, 0, 'sigma 0 repeat');
    const sig = readFileSync(png).subarray(0, 8);
    assertEqual(Buffer.compare(sig, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), 0, 'PNG signature');
    // Same as the API with the front end's ids.
    const model = await Flowtron.load(e, golden);
    const { ids } = await textToIds('flowtron', TEXTS[1]!, { pArpabet: 1 });
    const r = await model.synthesize(ids, { speaker: 1, sigma: 0, gateThreshold: 0.5, maxFrames: 24 });
    assertClose(a.data, r.mel, 1e-6, 'CLI vs API');
    model.release();
  });

  it('style: writes the style mean, which tts --style samples around', async () => {
    const out = join(dir, 'style.npy');
    await style([MODEL, join(dir, 'refs.csv'), '-o', out, '--n-frames', '30', '--speaker', '2'], e);
    const s = readNpy(readFileSync(out));
    assertEqual(s.shape.join(','), '80,30', 'style shape');
    const model = await Flowtron.load(e, golden);
    const refs = await Promise.all(TEXTS.map(async (t, i) => {
      const m = golden.tensors.get(`posterior.input.mel.${i}`)!;
      return { mel: toFloat32(m), frames: m.shape[2], ids: (await textToIds('flowtron', t, { pArpabet: 1 })).ids };
    }));
    const want = await model.styleFromReferences(refs, { nFrames: 30, speaker: 2, lambda: 1e-4 });
    assertClose(s.data, want.mu, 1e-6, 'CLI style vs API');
    model.release();
    const mel = join(dir, 'styled.npy');
    await tts([MODEL, TEXTS[0]!, '--style', out, '--sigma', '0.3', '--gate', '1', '-o', mel], e);
    assertEqual(readNpy(readFileSync(mel)).shape.join(','), '80,30', 'styled mel shape (frames from the style)');
    // Interpolating a style with itself is that style.
    const mixed = join(dir, 'mixed.npy');
    await tts([MODEL, TEXTS[0]!, '--style', out, '--style-b', out, '--style-t', '0.3', '--sigma', '0.3', '--gate', '1', '-o', mixed], e);
    assertClose(readNpy(readFileSync(mixed)).data, readNpy(readFileSync(mel)).data, 1e-6, 'style interpolated with itself');
  });

  it('errors: speaker out of range, empty reference list, wrong mel channel count', async () => {
    await assertRejects(() => tts([MODEL, TEXTS[0]!, '--speaker', '7', '-o', join(dir, 'x.npy')], e), /speaker id 7 is out of range: this model has 3 speakers/);
    await assertRejects(() => style([MODEL, join(dir, 'empty.csv'), '-o', join(dir, 'x.npy')], e), /reference list .*empty/);
    await assertRejects(() => style([MODEL, join(dir, 'bad.csv'), '-o', join(dir, 'x.npy')], e), /reference mel .*bad\.npy has 40 channels .* but this model expects 80 mel channels/);
    await assertRejects(() => latents([join(dir, 'empty.csv'), MODEL, '-o', join(dir, 'x.svg')], e), /empty/);
    // An all-NaN style gives an error, not a NaN mel with exit 0 (issue 13, class 7).
    writeFileSync(join(dir, 'nan-style.npy'), writeNpy(new Float32Array(80 * 6).fill(Number.NaN), [80, 6]));
    await assertRejects(() => tts([MODEL, TEXTS[0]!, '--style', join(dir, 'nan-style.npy'), '--gate', '1', '-o', join(dir, 'nan.npy')], e),
      /the style holds \d+ non-finite values \(NaN or ±Infinity; the first at index \d+\)/);
    assert(!existsSync(join(dir, 'nan.npy')), 'no mel written');
  });

  it('latents: writes an SVG scatter with one point per row and a legend (rendered by Chromium when present)', async () => {
    const svgPath = join(dir, 'map.svg');
    await latents([join(dir, 'list.csv'), MODEL, '-o', svgPath, '--speaker', '2'], e);
    const svg = readFileSync(svgPath, 'utf8');
    assert(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'), 'an SVG document');
    assertEqual((svg.match(/<circle [^>]*><title>/g) ?? []).length, 5, 'points (4 mels and one wav)');
    for (const l of ['happy', 'sad', 'neutral']) assert(svg.includes(`>${l}</text>`), `legend entry ${l}`);
    assert(!/NaN|Infinity/.test(svg), 'finite coordinates');
    const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(existsSync);
    if (chromium) {
      const shot = join(dir, 'map.png');
      execFileSync(chromium, ['--headless=new', '--no-sandbox', '--disable-gpu', `--screenshot=${shot}`, '--window-size=720,540', `file://${svgPath}`], { stdio: 'ignore', timeout: 20000 });
      const png = readFileSync(shot);
      assert(png.length > 1000 && png[1] === 0x50 && png[2] === 0x4e && png[3] === 0x47, 'Chromium rendered the SVG to a PNG');
      writeFileSync(join(tmpdir(), 'flowtron-latents.png'), png);
    }
  });
});
