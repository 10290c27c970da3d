// HiFi-GAN V1 generator (jik876/hifi-gan config_v1.json, random weights) on a mel of 2 s (172
// frames; 16 without --full), in samples per second, with PyTorch CPU on the same weights and
// mel (tools/bench/hifigan_torch.py) when a python3 with torch is around.
import type { Engine } from '../gpu/engine.js';
import type { Checkpoint, HostTensor } from '../io/host-tensor.js';
import { mulberry32 } from '../math/random.js';
import { HiFiGAN } from '../models/hifigan.js';
import { type Benchmark, type BenchOptions, type Row, timedLoad, wants } from './harness.js';
import { modelRows, vocoderBench } from './torch.js';

/** jik876/hifi-gan config_v1.json (the generator's part). */
export const HIFIGAN_V1 = {
  resblock: '1', upsample_rates: [8, 8, 2, 2], upsample_kernel_sizes: [16, 16, 4, 4], upsample_initial_channel: 512,
  resblock_kernel_sizes: [3, 7, 11], resblock_dilation_sizes: [[1, 3, 5], [1, 3, 5], [1, 3, 5]], num_mels: 80,
};

/** A V1-shaped generator state dict (weight norm folded) of seeded uniform ±1/√fan-in weights. */
export function randomHifigan(cfg = HIFIGAN_V1, seed = 1): Checkpoint {
  const u = mulberry32(seed);
  const tensors = new Map<string, HostTensor>();
  const put = (name: string, shape: number[], fanIn: number): void => {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = (u() * 2 - 1) / Math.sqrt(fanIn);
    tensors.set(name, { dtype: 'f32', shape, data });
  };
  const conv = (p: string, out: number, inp: number, k: number): void => {
    put(`${p}.weight`, [out, inp, k], inp * k);
    put(`${p}.bias`, [out], inp * k);
  };
  const c0 = cfg.upsample_initial_channel;
  conv('conv_pre', c0, cfg.num_mels, 7);
  const nk = cfg.resblock_kernel_sizes.length;
  cfg.upsample_rates.forEach((_, i) => {
    const ch = c0 >> (i + 1);
    const k = cfg.upsample_kernel_sizes[i]!;
    put(`ups.${i}.weight`, [2 * ch, ch, k], 2 * ch * k); // ConvTranspose1d: [in, out, k]
    put(`ups.${i}.bias`, [ch], 2 * ch * k);
    cfg.resblock_kernel_sizes.forEach((kr, j) => {
      cfg.resblock_dilation_sizes[j]!.forEach((_d, di) => {
        conv(`resblocks.${i * nk + j}.convs1.${di}`, ch, ch, kr);
        conv(`resblocks.${i * nk + j}.convs2.${di}`, ch, ch, kr);
      });
    });
  });
  conv('conv_post', 1, c0 >> cfg.upsample_rates.length, 7);
  return { tensors, metadata: { model: 'hifigan', config: JSON.stringify(cfg) } };
}

/** Multiply-adds ×2 of one generator pass over `frames` mel frames. */
export function hifiganFlops(cfg = HIFIGAN_V1, frames: number): number {
  const c0 = cfg.upsample_initial_channel;
  let t = frames;
  let macs = c0 * cfg.num_mels * 7 * t;
  cfg.upsample_rates.forEach((r, i) => {
    const ch = c0 >> (i + 1);
    macs += 2 * ch * ch * cfg.upsample_kernel_sizes[i]! * t; // each input sample feeds k outputs
    t *= r;
    cfg.resblock_kernel_sizes.forEach((kr, j) => { macs += 2 * cfg.resblock_dilation_sizes[j]!.length * ch * ch * kr * t; });
  });
  macs += (c0 >> cfg.upsample_rates.length) * 7 * t;
  return 2 * macs;
}

/** Mel frames without --full (software adapters take tens of seconds per frame-second here). */
const QUICK_FRAMES = 16;

async function run(e: Engine, o: BenchOptions): Promise<Row[]> {
  const frames = o.quick ? QUICK_FRAMES : 172;
  const kernel = 'hifigan V1 generator (random weights)';
  const shape = `80×${frames} mel → ${frames * 256} samples`;
  if (!wants(o, kernel, shape)) return [];
  const ckpt = randomHifigan();
  const { model, loadNote } = await timedLoad(() => HiFiGAN.load(e, ckpt));
  try {
    return await modelRows(o, {
      name: 'hifigan', kernel, shape, flops: hifiganFlops(HIFIGAN_V1, frames), loadNote, script: 'hifigan_torch.py', ckpt,
      ...vocoderBench(frames, (mel, n) => model.infer(mel, n)),
    });
  } finally {
    model.release();
  }
}

export const hifiganBenchmark: Benchmark = { name: 'hifigan', run };
