// XSpkEmoTrans against ../shared/golden/cset-small.safetensors (the original PyTorch model run on
// random seeded weights): hard (emotion id) and soft (reference mel) paths, every decoder
// iteration's mel, the rounded durations exactly, and the emotion-token scores; from the
// safetensors weights and from cset-small.pth.tar read directly.
import type { Engine } from '../../src/gpu/engine.js';
import { loadCheckpoint, toFloat32, withPrefix } from '../../src/io/checkpoint.js';
import type { Checkpoint } from '../../src/io/host-tensor.js';
import { CSET, type CsetOutput, transposeMel } from '../../src/models/cset.js';
import { assert, assertArrayEqual, assertClose, assertEqual, assertRejects } from '../helpers/check.js';
import { getEngine } from '../helpers/engine.js';
import { atHalf, HALF_BOUND, reportHalf } from '../helpers/half.js';
import { goldenTensor as tensor, ints, readGolden } from '../helpers/files.js';

const TOL = 1e-3;

describe('XSpkEmoTrans (cset-small golden)', () => {
  let e: Engine;
  let golden: Checkpoint;
  let model: CSET;
  let ids: number[];
  let spk: Float32Array;
  let refMel: { data: Float32Array; frames: number };

  before(async () => {
    e = await getEngine();
    golden = loadCheckpoint(await readGolden('cset-small.safetensors'));
    model = await CSET.load(e, withPrefix(golden, 'weights.'));
    ids = ints(tensor(golden, 'input.text'));
    spk = toFloat32(tensor(golden, 'input.speaker_embedding'));
    const ref = tensor(golden, 'input.ref_mel');
    refMel = { data: toFloat32(ref), frames: ref.shape[1]! };
  });

  function checkPath(out: CsetOutput, path: 'hard' | 'soft', label: string): void {
    const d = ints(tensor(golden, `output.${path}.duration_rounded`));
    assertArrayEqual(Array.from(out.durations), d, `${label} durations`);
    const logD = golden.tensors.get(`output.${path}.log_duration`);
    if (logD) assertClose(out.logDurations, toFloat32(logD), TOL, `${label} log durations`);
    const frames = d.reduce((a, b) => a + b, 0);
    assertEqual(out.frames, frames, `${label} frames`);
    assertClose(out.tokenScores, toFloat32(tensor(golden, `output.${path}.score`)), TOL, `${label} token scores`);
    // The golden mels are the list the original returns at inference (only the last decoder
    // iteration is projected there, so `mel.0` is the output); ours is in the same order.
    let checked = 0;
    for (let i = 0; ; i++) {
      const ref = golden.tensors.get(`output.${path}.mel.${i}`);
      if (!ref) break;
      assert(i < out.mels.length, `${label}: mel ${i} was not returned`);
      assertEqual(ref.shape.join(','), `1,${frames},${out.nMel}`, `${label} mel.${i} shape`);
      // golden [1, frames, 80]; ours [80, frames]
      assertClose(out.mels[i]!, transposeMel(toFloat32(ref), frames, out.nMel), TOL, `${label} mel.${i}`);
      checked++;
    }
    assertEqual(out.mels.length, checked, `${label} number of mels`);
    assert(checked > 0, `${label}: the golden file has no mels`);
  }

  it('hard emotion token (emotion id)', async () => {
    const emotion = ints(tensor(golden, 'input.emotion'))[0]!;
    const out = await model.synthesize(ids, { speakerEmbedding: spk, emotion });
    checkPath(out, 'hard', 'hard');
    // Every iteration on request; the last is the same output.
    const all = await model.synthesize(ids, { speakerEmbedding: spk, emotion, allIterations: true });
    assertArrayEqual(all.iterations, Array.from({ length: all.iterations.length }, (_, i) => i), 'iterations');
    assert(all.iterations.length > 1, 'allIterations returns every decoder iteration');
    assertClose(all.mels.at(-1)!, out.mels[0]!, 1e-6, 'last iteration');
  });

  it('soft emotion tokens (reference mel)', async () => {
    const out = await model.synthesize(ids, { speakerEmbedding: spk, referenceMel: refMel });
    checkPath(out, 'soft', 'soft');
  });

  it('the reference mel may be given channels-first', async () => {
    const out = await model.synthesize(ids, {
      speakerEmbedding: spk,
      referenceMel: { data: transposeMel(refMel.data, refMel.frames, 80), frames: refMel.frames, layout: 'channels' },
    });
    checkPath(out, 'soft', 'soft (channels-first reference)');
  });

  it('from cset-small.pth.tar ({model: state_dict}) read directly', async () => {
    const pth = await CSET.load(e, loadCheckpoint(await readGolden('cset-small.pth.tar')));
    try {
      const emotion = ints(tensor(golden, 'input.emotion'))[0]!;
      checkPath(await pth.synthesize(ids, { speakerEmbedding: spk, emotion }), 'hard', 'pth hard');
      checkPath(await pth.synthesize(ids, { speakerEmbedding: spk, referenceMel: refMel }), 'soft', 'pth soft');
    } finally {
      pth.release();
    }
  });

  it('rejects a speaker embedding of the wrong size', async () => {
    await assertRejects(() => model.synthesize(ids, { speakerEmbedding: new Float32Array(512), emotion: 0 }),
      /speaker embedding has 512 values, this model expects 16/);
  });

  it('rejects an emotion id out of range', async () => {
    await assertRejects(() => model.synthesize(ids, { speakerEmbedding: spk, emotion: 4 }), /emotion id 4 is out of range: this model has 4 emotions/);
    await assertRejects(() => model.synthesize(ids, { speakerEmbedding: spk, emotion: -1 }), /emotion id -1 is out of range/);
  });

  it('rejects a reference mel with the wrong channel count', async () => {
    await assertRejects(() => model.synthesize(ids, { speakerEmbedding: spk, referenceMel: { data: new Float32Array(40 * 64), frames: 40 } }),
      /reference mel has 64 channels, this model expects 80 mel channels/);
  });

  it('needs exactly one of emotion id / reference mel, and valid token ids', async () => {
    await assertRejects(() => model.synthesize(ids, { speakerEmbedding: spk }), /exactly one of an emotion id/);
    await assertRejects(() => model.synthesize(ids, { speakerEmbedding: spk, emotion: 0, referenceMel: refMel }), /exactly one of an emotion id/);
    await assertRejects(() => model.synthesize([1, 2, 5000], { speakerEmbedding: spk, emotion: 0 }), /token id 5000 at position 2 is outside/);
  });
});

// precision 'f16' (projections, FFN convs, attention and token weights as f16; embeddings, norms,
// the reference encoder's conv2d and GRU and the lightweight convs stay f32): the error is measured
// and printed; README.md states it.
describe('XSpkEmoTrans at precision f16 (cset-small golden)', () => {
  it('hard and soft paths: log durations, token scores and mel within the f16 bound (or the clear error without shader-f16)', async () => {
    const e = await getEngine();
    const golden = loadCheckpoint(await readGolden('cset-small.safetensors'));
    const ids = ints(tensor(golden, 'input.text'));
    const speakerEmbedding = toFloat32(tensor(golden, 'input.speaker_embedding'));
    const ref = tensor(golden, 'input.ref_mel');
    await atHalf(e, () => CSET.load(e, withPrefix(golden, 'weights.'), undefined, { precision: 'f16' }), async (m) => {
      for (const path of ['hard', 'soft'] as const) {
        const out = await m.synthesize(ids, path === 'hard'
          ? { speakerEmbedding, emotion: ints(tensor(golden, 'input.emotion'))[0]! }
          : { speakerEmbedding, referenceMel: { data: toFloat32(ref), frames: ref.shape[1]! } });
        const logD = golden.tensors.get(`output.${path}.log_duration`);
        if (logD) reportHalf(`XSpkEmoTrans ${path} log durations`, out.logDurations, toFloat32(logD), HALF_BOUND);
        assertArrayEqual(Array.from(out.durations), ints(tensor(golden, `output.${path}.duration_rounded`)), `${path} durations (they survive f16)`);
        reportHalf(`XSpkEmoTrans ${path} token scores`, out.tokenScores, toFloat32(tensor(golden, `output.${path}.score`)), HALF_BOUND);
        reportHalf(`XSpkEmoTrans ${path} mel`, out.mels[0]!, transposeMel(toFloat32(tensor(golden, `output.${path}.mel.0`)), out.frames, out.nMel), HALF_BOUND);
      }
    });
  });
});
