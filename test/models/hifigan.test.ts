// HiFi-GAN generator against ../shared/golden/hifigan-small.safetensors (the vendored generator
// after remove_weight_norm, on the CSET output mel; weights stored weight-normed and folded at
// load), from the safetensors and from hifigan-small.pth.tar ({generator: state_dict}) directly.
import type { Engine } from '../../src/gpu/engine.js';
import { loadCheckpoint, toFloat32, withPrefix } from '../../src/io/checkpoint.js';
import type { Checkpoint } from '../../src/io/host-tensor.js';
import { HiFiGAN } from '../../src/models/hifigan.js';
import { assertArrayEqual, assertClose, assertEqual, assertRejects } from '../helpers/check.js';
import { getEngine } from '../helpers/engine.js';
import { atHalf, HALF_BOUND, reportHalf } from '../helpers/half.js';
import { goldenTensor as tensor, readGolden } from '../helpers/files.js';

const TOL = 1e-3;

describe('HiFi-GAN (hifigan-small golden)', () => {
  let e: Engine;
  let golden: Checkpoint;
  let mel: Float32Array;
  let frames: number;
  let audio: Float32Array;

  before(async () => {
    e = await getEngine();
    golden = loadCheckpoint(await readGolden('hifigan-small.safetensors'));
    const m = tensor(golden, 'input.mel');
    frames = m.shape[2]!;
    mel = toFloat32(m);
    audio = toFloat32(tensor(golden, 'output.audio'));
  });

  it('config from the metadata: upsample 8·8·2·2, ResBlock1 kernels 3/7/11', async () => {
    const g = await HiFiGAN.load(e, withPrefix(golden, 'weights.'));
    try {
      assertArrayEqual(g.config.upsampleRates, [8, 8, 2, 2], 'upsample rates');
      assertArrayEqual(g.config.resblockKernels, [3, 7, 11], 'resblock kernels');
      assertEqual(g.config.resblock, '1', 'resblock type');
      assertEqual(g.hopLength, 256, 'hop');
    } finally {
      g.release();
    }
  });

  it('reproduces output.audio from the safetensors weights (weight norm folded at load)', async () => {
    const g = await HiFiGAN.load(e, withPrefix(golden, 'weights.'));
    try {
      const out = await g.infer(mel, frames);
      assertEqual(out.length, frames * 256, 'samples');
      assertClose(out, audio, TOL, 'audio');
    } finally {
      g.release();
    }
  });

  it('reproduces output.audio from hifigan-small.pth.tar read directly', async () => {
    const g = await HiFiGAN.load(e, loadCheckpoint(await readGolden('hifigan-small.pth.tar')));
    try {
      assertClose(await g.infer(mel, frames), audio, TOL, 'audio (pth)');
    } finally {
      g.release();
    }
  });

  it('rejects a mel with the wrong channel count', async () => {
    const g = await HiFiGAN.load(e, withPrefix(golden, 'weights.'));
    try {
      await assertRejects(() => g.infer(new Float32Array(64 * 10), 10), /not \[80, 10\] \(this vocoder takes 80 mel channels\)/);
    } finally {
      g.release();
    }
  });
});

// precision 'f16' (every conv weight as f16; biases f32): the error is measured and printed;
// README.md states it.
describe('HiFi-GAN at precision f16 (hifigan-small golden)', () => {
  it('output.audio within the f16 bound (or the clear error without shader-f16)', async () => {
    const e = await getEngine();
    const golden = loadCheckpoint(await readGolden('hifigan-small.safetensors'));
    const mel = tensor(golden, 'input.mel');
    await atHalf(e, () => HiFiGAN.load(e, withPrefix(golden, 'weights.'), undefined, { precision: 'f16' }), async (m) => {
      reportHalf('HiFi-GAN audio', await m.infer(toFloat32(mel), mel.shape[2]!), toFloat32(tensor(golden, 'output.audio')), HALF_BOUND);
    });
  });
});
