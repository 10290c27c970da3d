import { GlowTTS } from '../../src/models/glowtts.js';
import { loadCheckpoint, toFloat32, withPrefix } from '../../src/io/checkpoint.js';
import type { Checkpoint, HostTensor } from '../../src/io/host-tensor.js';
import { maskLengths, maximumPath } from '../../src/ops/mas.js';
import { assert, assertArrayEqual, assertClose, assertEqual, assertRejects, randArray, relMaxError } from '../helpers/check.js';
import { getEngine } from '../helpers/engine.js';
import { atHalf, HALF_BOUND, reportHalf } from '../helpers/half.js';
import { goldenTensor as get, ints, readGolden } from '../helpers/files.js';

// The golden README's tolerance for Glow-TTS (max abs err / max |ref|).
const TOL = 1e-3;

/** The golden weights grown into a 3-speaker model (gin 6): speaker table, WN cond layers and
 *  the duration predictor's extra input channels, seeded random. */
function multiSpeaker(weights: Checkpoint): Checkpoint {
  const tensors = new Map(weights.tensors);
  const gin = 6;
  let seed = 100;
  const rand = (shape: number[], scale: number): HostTensor => ({ dtype: 'f32', shape, data: randArray(shape.reduce((a, b) => a * b, 1), seed++, scale) });
  tensors.set('emb_g.weight', rand([3, gin], 1));
  for (let b = 0; b < 4; b++) {
    const p = `decoder.flows.${3 * b + 2}.wn.cond_layer`;
    tensors.set(`${p}.weight_v`, rand([2 * 32 * 2, gin, 1], 0.5));
    tensors.set(`${p}.weight_g`, rand([2 * 32 * 2, 1, 1], 0.5));
    tensors.set(`${p}.bias`, rand([2 * 32 * 2], 0.2));
  }
  const dp = toFloat32(tensors.get('encoder.proj_w.conv_1.weight')!);
  const grown = randArray(32 * (32 + gin) * 3, seed++, 0.2);
  for (let o = 0; o < 32; o++) grown.set(dp.subarray(o * 32 * 3, (o + 1) * 32 * 3), o * (32 + gin) * 3);
  tensors.set('encoder.proj_w.conv_1.weight', { dtype: 'f32', shape: [32, 32 + gin, 3], data: grown });
  const config = { ...JSON.parse(weights.metadata['config']!), gin_channels: gin, n_speakers: 3 };
  return { tensors, metadata: { ...weights.metadata, config: JSON.stringify(config) } };
}

function rowSums(a: ArrayLike<number>, rows: number, cols: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < cols; j++) s += a[i * cols + j]!;
    out.push(s);
  }
  return out;
}

describe('Glow-TTS (golden glowtts-small)', () => {
  let golden: Checkpoint;
  let tts: GlowTTS;

  before(async () => {
    golden = loadCheckpoint(await readGolden('glowtts-small.safetensors'));
    tts = await GlowTTS.load(await getEngine(), withPrefix(golden, 'weights.'));
  });

  it('synthesizes output.mel from input.noise, with the golden durations and path', async () => {
    const ids = ints(get(golden, 'input.text'));
    const noise = toFloat32(get(golden, 'input.noise'));
    const r = await tts.synthesize(ids, { noise, noiseScale: 0.667, lengthScale: 1 });
    const attnRef = toFloat32(get(golden, 'output.attn'));
    const framesRef = get(golden, 'output.mel').shape[2]!;
    assertEqual(r.frames, framesRef, 'frames');
    assertEqual(r.nMel, 80, 'mel channels');
    assertClose(r.logw, toFloat32(get(golden, 'output.logw')), 1e-4, 'logw');
    assertArrayEqual(r.attention.data, attnRef, 'attn');
    assertEqual(r.attention.tokens, ids.length, 'attention rows');
    assertArrayEqual(Array.from(r.durations), rowSums(attnRef, ids.length, framesRef), 'durations');
    assertClose(r.mel, toFloat32(get(golden, 'output.mel')), TOL, 'mel');
  });

  it('aligns align.input.mel exactly as the original MAS does', async () => {
    const ids = ints(get(golden, 'input.text'));
    const mel = toFloat32(get(golden, 'align.input.mel'));
    const r = await tts.align(mel, ids, { withLatent: true });
    const ref = toFloat32(get(golden, 'align.output.attn'));
    assertEqual(r.frames, get(golden, 'align.output.attn').shape[2]!, 'frames');
    assertClose(r.z!, toFloat32(get(golden, 'align.output.z')), TOL, 'z');
    assertArrayEqual(r.path, ref, 'path');
    assertArrayEqual(Array.from(r.durations), rowSums(ref, ids.length, r.frames), 'durations');
  });

  it('reproduces mas.output.path from mas.input.value / mas.input.mask', async () => {
    const e = await getEngine();
    const v = get(golden, 'mas.input.value');
    const [, rows, cols] = v.shape as [number, number, number];
    const mask = toFloat32(get(golden, 'mas.input.mask'));
    const value = toFloat32(v).map((x, i) => x * mask[i]!);
    const { tokens, frames } = maskLengths(mask, rows, cols);
    const path = await e.readF32(maximumPath(e, e.upload(value, [rows, cols]), tokens, frames));
    assertArrayEqual(path, toFloat32(get(golden, 'mas.output.path')), 'path');
  });

  it('loads glowtts-small.zip.pt directly and gives the same mel', async () => {
    const e = await getEngine();
    const zip = await GlowTTS.load(e, loadCheckpoint(await readGolden('glowtts-small.zip.pt')));
    const ids = ints(get(golden, 'input.text'));
    const r = await zip.synthesize(ids, { noise: toFloat32(get(golden, 'input.noise')) });
    assertClose(r.mel, toFloat32(get(golden, 'output.mel')), TOL, 'mel');
    zip.release();
  });

  it('multi-speaker (gin): speakers change the durations, and the decoder inverts per speaker', async () => {
    const e = await getEngine();
    const ms = await GlowTTS.load(e, multiSpeaker(withPrefix(golden, 'weights.')));
    const ids = ints(get(golden, 'input.text'));
    const a = await ms.synthesize(ids, { speaker: 0, seed: 1 });
    const b = await ms.synthesize(ids, { speaker: 2, seed: 1 });
    assert(relMaxError(a.logw, b.logw) > 1e-3, 'the speaker reaches the duration predictor');
    const z = randArray(80 * 20, 9);
    for (const speaker of [0, 1]) {
      const back = await e.readF32(ms.decodeForward(ms.decodeReverse(e.upload(z, [80, 20]), speaker), speaker));
      assertClose(back, z, 1e-4, `speaker ${speaker} round trip`);
    }
    const crossed = await e.readF32(ms.decodeForward(ms.decodeReverse(e.upload(z, [80, 20]), 0), 1));
    assert(relMaxError(crossed, z) > 1e-2, 'another speaker does not invert');
    await assertRejects(() => ms.synthesize(ids, { speaker: 3 }), /speaker 3 is outside this model's 3 speakers/);
    await assertRejects(() => tts.synthesize(ids, { speaker: 1 }), /single speaker, not speaker 1/);
    ms.release();
  });

  it('takes text through the Glow-TTS front end (as the ids of text.json would be)', async () => {
    const fromText = await tts.synthesize('Hello world.', { seed: 4 });
    const { ids, unknown } = await tts.textToIds('Hello world.');
    assertArrayEqual(fromText.ids, ids, 'ids spoken');
    assertEqual(fromText.unknown.join(' '), unknown.join(' '), 'dropped symbols');
    const fromIds = await tts.synthesize(ids, { seed: 4 });
    assertEqual(fromText.durations.length, ids.length, 'one duration per token');
    assertArrayEqual(fromText.mel, fromIds.mel, 'mel');
  });

  it('refuses ids outside the vocabulary and an empty text', async () => {
    await assertRejects(() => tts.synthesize([1, 2, 500]), /token id 500 is outside this model's vocabulary of 148/);
    await assertRejects(() => tts.synthesize([]), /no tokens/);
    await assertRejects(() => tts.synthesize('  '), /the text is empty/);
  });

  it('refuses a mel shorter than the text', async () => {
    await assertRejects(() => tts.align(new Float32Array(80 * 4), [1, 2, 3, 4, 5, 6]), /6 tokens need at least 6 mel frames/);
  });
});

// precision 'f16' (encoder, duration predictor and WN GEMM weights as f16; the invertible 1x1
// convs, norms and embeddings stay f32): the error is measured and printed; README.md states it.
describe('Glow-TTS at precision f16 (golden glowtts-small)', () => {
  it('output.logw, output.mel (same durations) and align.output.z within the f16 bound (or the clear error without shader-f16)', async () => {
    const e = await getEngine();
    const golden = loadCheckpoint(await readGolden('glowtts-small.safetensors'));
    await atHalf(e, () => GlowTTS.load(e, withPrefix(golden, 'weights.'), undefined, { precision: 'f16' }), async (m) => {
      const ids = ints(get(golden, 'input.text'));
      const r = await m.synthesize(ids, { noise: toFloat32(get(golden, 'input.noise')), noiseScale: 0.667, lengthScale: 1 });
      reportHalf('Glow-TTS logw', r.logw, toFloat32(get(golden, 'output.logw')), HALF_BOUND);
      assertArrayEqual(r.attention.data, toFloat32(get(golden, 'output.attn')), 'attn (the durations survive f16)');
      reportHalf('Glow-TTS mel', r.mel, toFloat32(get(golden, 'output.mel')), HALF_BOUND);
      const a = await m.align(toFloat32(get(golden, 'align.input.mel')), ids, { withLatent: true });
      reportHalf('Glow-TTS align z', a.z!, toFloat32(get(golden, 'align.output.z')), HALF_BOUND);
      assertArrayEqual(a.path, toFloat32(get(golden, 'align.output.attn')), 'align path');
    });
  });
});
