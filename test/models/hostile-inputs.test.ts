// Issue 13, class 7 (and 8's empty reference): non-finite data is refused where it enters a
// model — mels into every vocoder, styles, reference mels, reference audio, speaker embeddings —
// with a FlowgpuError that says what holds it, instead of a NaN mel or a silent WAV.

import type { Engine } from '../../src/gpu/engine.js';
import { FlowgpuError } from '../../src/gpu/errors.js';
import { loadCheckpoint, toFloat32, withPrefix } from '../../src/io/checkpoint.js';
import { CSET } from '../../src/models/cset.js';
import { Flowtron } from '../../src/models/flowtron.js';
import { GlowTTS } from '../../src/models/glowtts.js';
import { GriffinLim } from '../../src/models/griffinlim.js';
import { HiFiGAN } from '../../src/models/hifigan.js';
import { assert } from '../helpers/check.js';
import { getEngine } from '../helpers/engine.js';
import { goldenTensor, ints, readGolden } from '../helpers/files.js';

async function refuses(fn: () => unknown, pattern: RegExp, what: string): Promise<void> {
  try {
    await fn();
  } catch (e) {
    assert(e instanceof FlowgpuError, `${what}: expected a FlowgpuError, got ${String((e as Error)?.stack ?? e)}`);
    assert(pattern.test(e.message), `${what}: "${e.message}" does not match ${pattern}`);
    return;
  }
  throw new Error(`${what}: expected a FlowgpuError matching ${pattern}, but it succeeded`);
}

const nans = (n: number) => new Float32Array(n).fill(NaN);
/** Finite values with one NaN (or ±Infinity) at `at`. */
function oneBad(n: number, at: number, v = NaN): Float32Array {
  const x = new Float32Array(n).fill(-4);
  x[at] = v;
  return x;
}

describe('hostile input: 7. non-finite inputs are refused where they enter', () => {
  let e: Engine;
  before(async () => {
    e = await getEngine();
  });

  it('HiFi-GAN and Griffin-Lim refuse a NaN mel (as WaveGlow does)', async () => {
    const hifigan = await HiFiGAN.load(e, withPrefix(loadCheckpoint(await readGolden('hifigan-small.safetensors')), 'weights.'));
    try {
      await refuses(() => hifigan.infer(oneBad(hifigan.nMel * 4, 9), 4), /HiFi-GAN: the mel holds 1 non-finite value .*first at index 9/, 'HiFi-GAN');
      await refuses(() => hifigan.infer(oneBad(hifigan.nMel * 4, 0, -Infinity), 4), /the mel holds 1 non-finite value/, 'HiFi-GAN −∞');
    } finally {
      hifigan.release();
    }
    const gl = await GriffinLim.load(e);
    try {
      await refuses(() => gl.infer(nans(gl.nMel * 3), 3), /GriffinLim: the mel holds \d+ non-finite values/, 'Griffin-Lim');
    } finally {
      gl.release();
    }
  });

  it('Flowtron refuses an all-NaN style, reference mel and reference audio', async () => {
    const golden = loadCheckpoint(await readGolden('flowtron-small.safetensors'));
    const model = await Flowtron.load(e, golden);
    try {
      const ids = Array.from(golden.tensors.get('input.text')!.data as BigInt64Array, Number);
      const M = model.config.nMel;
      await refuses(() => model.synthesize(ids, { style: nans(M * 5), maxFrames: 5 }), /flowtron: the style holds \d+ non-finite values/, 'style');
      await refuses(() => model.styleFromReferences([{ mel: nans(M * 5), frames: 5, ids }]), /the reference mel holds \d+ non-finite values/, 'reference mel');
      await refuses(() => model.styleFromReferences([{ audio: nans(4096), ids }]), /reference 0's audio holds 4096 non-finite values/, 'reference audio');
    } finally {
      model.release();
    }
  });

  it('Glow-TTS align refuses a NaN mel', async () => {
    const tts = await GlowTTS.load(e, withPrefix(loadCheckpoint(await readGolden('glowtts-small.safetensors')), 'weights.'));
    try {
      const C = tts.config.outChannels;
      await refuses(() => tts.align(oneBad(C * 8, 5), [1, 2, 3]), /Glow-TTS align: the mel holds 1 non-finite value/, 'align');
    } finally {
      tts.release();
    }
  });

  it('XSpkEmoTrans refuses a NaN speaker embedding or reference mel, and names an empty reference', async () => {
    const golden = loadCheckpoint(await readGolden('cset-small.safetensors'));
    const model = await CSET.load(e, withPrefix(golden, 'weights.'));
    try {
      const ids = ints(goldenTensor(golden, 'input.text'));
      const spk = toFloat32(goldenTensor(golden, 'input.speaker_embedding'));
      const ref = goldenTensor(golden, 'input.ref_mel');
      const frames = ref.shape[1]!;
      await refuses(() => model.synthesize(ids, { speakerEmbedding: nans(spk.length), emotion: 0 }), /the speaker embedding holds \d+ non-finite values/, 'speaker');
      await refuses(
        () => model.synthesize(ids, { speakerEmbedding: spk, referenceMel: { data: nans(toFloat32(ref).length), frames } }),
        /the reference mel holds \d+ non-finite values/, 'reference mel',
      );
      await refuses(
        () => model.synthesize(ids, { speakerEmbedding: spk, referenceMel: { data: new Float32Array(0), frames: 0 } }),
        /the reference mel is empty \(no values\)/, 'empty reference',
      );
    } finally {
      model.release();
    }
  });
});
