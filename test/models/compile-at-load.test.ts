// Every model compiles its pipelines in load(): the first inference after it compiles none.
// Each model gets a new engine (the shared one's cache holds other tests' pipelines) and inputs
// of other lengths than its load-time warm-up (WARM_UP_LENGTHS).
import type { Engine } from '../../src/gpu/engine.js';
import { loadCheckpoint, withPrefix } from '../../src/io/checkpoint.js';
import type { Checkpoint } from '../../src/io/host-tensor.js';
import { CSET } from '../../src/models/cset.js';
import { Flowtron } from '../../src/models/flowtron.js';
import { GlowTTS } from '../../src/models/glowtts.js';
import { GriffinLim } from '../../src/models/griffinlim.js';
import { HiFiGAN } from '../../src/models/hifigan.js';
import { WaveGlow } from '../../src/models/waveglow.js';
import { assertEqual } from '../helpers/check.js';
import { newEngine } from '../helpers/engine.js';
import { readGolden } from '../helpers/files.js';

interface Loaded {
  release(): void;
}

async function compilesDuringFirstCall<M extends Loaded>(
  file: string, load: (e: Engine, ckpt: Checkpoint) => Promise<M>, first: (m: M) => Promise<unknown>,
): Promise<number> {
  const ckpt = loadCheckpoint(await readGolden(file));
  const e = await newEngine();
  try {
    const model = await load(e, ckpt);
    const before = e.pipelines.compiled;
    await first(model);
    const after = e.pipelines.compiled;
    model.release();
    return after - before;
  } finally {
    e.destroy();
  }
}

const ramp = (n: number, vocab: number): number[] => Array.from({ length: n }, (_, i) => 1 + ((i * 7) % (vocab - 1)));

describe('compile at load', () => {
  it('WaveGlow: the first infer (with the denoiser) compiles nothing', async () => {
    const n = await compilesDuringFirstCall('waveglow-small.safetensors', (e, c) => WaveGlow.load(e, withPrefix(c, 'weights.')),
      (m) => m.infer(new Float32Array(m.config.nMel * 20).fill(-4), 20, { sigma: 0.6, denoise: 0.1 }));
    assertEqual(n, 0, 'pipelines compiled during the first infer');
  });

  it('Glow-TTS: the first synthesize compiles nothing', async () => {
    const n = await compilesDuringFirstCall('glowtts-small.safetensors', (e, c) => GlowTTS.load(e, withPrefix(c, 'weights.')),
      (m) => m.synthesize(ramp(17, m.config.nVocab), { seed: 3 }));
    assertEqual(n, 0, 'pipelines compiled during the first synthesize');
  });

  it('Flowtron: the first synthesize compiles nothing', async () => {
    const n = await compilesDuringFirstCall('flowtron-small.safetensors', (e, c) => Flowtron.load(e, c),
      (m) => m.synthesize(ramp(9, m.config.nText), { maxFrames: 6, gateThreshold: 0.5, sigma: 0.5, seed: 2 }));
    assertEqual(n, 0, 'pipelines compiled during the first synthesize');
  });

  it('XSpkEmoTrans: the first synthesize compiles nothing', async () => {
    const n = await compilesDuringFirstCall('cset-small.safetensors', (e, c) => CSET.load(e, withPrefix(c, 'weights.')),
      (m) => m.synthesize(ramp(17, m.config.vocab), { speakerEmbedding: new Float32Array(m.config.speakerDim).fill(0.1), emotion: 1 }));
    assertEqual(n, 0, 'pipelines compiled during the first synthesize');
  });

  it('HiFi-GAN: the first vocode compiles nothing', async () => {
    const n = await compilesDuringFirstCall('hifigan-small.safetensors', (e, c) => HiFiGAN.load(e, withPrefix(c, 'weights.')),
      (m) => m.infer(new Float32Array(m.config.numMels * 23).fill(-3), 23));
    assertEqual(n, 0, 'pipelines compiled during the first vocode');
  });

  it('Griffin-Lim: the first infer compiles nothing', async () => {
    const n = await compilesDuringFirstCall('hifigan-small.safetensors', (e) => GriffinLim.load(e),
      (m) => m.infer(new Float32Array(m.nMel * 23).fill(-3), 23, { iterations: 5 }));
    assertEqual(n, 0, 'pipelines compiled during the first infer');
  });
});
