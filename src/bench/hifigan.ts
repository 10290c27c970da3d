// HiFi-GAN generator (random weights) on a mel of 2 s: V1 (jik876/hifi-gan config_v1.json) on 172
// frames with --full; without, V3 (config_v3.json, ~14× less work per frame) on 16 frames, since
// V1's load alone (it compiles and warms up on 155 frames) takes minutes on a software GL adapter.
// In samples per second, with PyTorch CPU on the same weights and mel
// (tools/bench/hifigan_torch.py) when a python3 with torch is around.
import type { Engine } from '../gpu/engine.js';
import type { Checkpoint, HostTensor } from '../io/host-tensor.js';
import { mulberry32 } from '../math/random.js';
import { HiFiGAN } from '../models/hifigan.js';
import { type Benchmark, type BenchOptions, type Row, timedLoad, wants } from './harness.js';
import { modelRows, vocoderBench } from './torch.js';

/** The generator's part of a jik876/hifi-gan config. */
export interface HifiganConfig {
  resblock: '1' | '2';
  upsample_rates: number[];
  upsample_kernel_sizes: number[];
  upsample_initial_channel: number;
  resblock_kernel_sizes: number[];
  resblock_dilation_sizes: number[][];
  num_mels: number;
}

/** jik876/hifi-gan config_v1.json. */
export const HIFIGAN_V1: HifiganConfig = {
  resblock: '1', upsample_rates: [8, 8, 2, 2], upsample_kernel_sizes: [16, 16, 4, 4], upsample_initial_channel: 512,
  resblock_kernel_sizes: [3, 7, 11], resblock_dilation_sizes: [[1, 3, 5], [1, 3, 5], [1, 3, 5]], num_mels: 80,
};

/** jik876/hifi-gan config_v3.json. */
export const HIFIGAN_V3: HifiganConfig = {
  resblock: '2', upsample_rates: [8, 8, 4], upsample_kernel_sizes: [16, 16, 8], upsample_initial_channel: 256,
  resblock_kernel_sizes: [3, 5, 7], resblock_dilation_sizes: [[1, 2], [2, 6], [3, 12]], num_mels: 80,
};

/** Convolutions per dilation in a residual block: ResBlock1 has two (convs1, convs2), ResBlock2 one. */
const convsPerDilation = (cfg: HifiganConfig): number => (cfg.resblock === '1' ? 2 : 1);

/** A generator state dict (weight norm folded) of seeded uniform ±1/√fan-in weights. */
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
        const names = cfg.resblock === '1' ? ['convs1', 'convs2'] : ['convs'];
        for (const n of names) conv(`resblocks.${i * nk + j}.${n}.${di}`, ch, ch, kr);
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
    cfg.resblock_kernel_sizes.forEach((kr, j) => { macs += convsPerDilation(cfg) * cfg.resblock_dilation_sizes[j]!.length * ch * ch * kr * t; });
  });
  macs += (c0 >> cfg.upsample_rates.length) * 7 * t;
  return 2 * macs;
}

async function run(e: Engine, o: BenchOptions): Promise<Row[]> {
  const frames = o.quick ? 16 : 172;
  const [version, cfg] = o.quick ? ['V3', HIFIGAN_V3] : ['V1', HIFIGAN_V1];
  const kernel = `hifigan ${version} generator (random weights)`;
  const shape = `80×${frames} mel → ${frames * 256} samples`;
  if (!wants(o, kernel, shape)) return [];
  const ckpt = randomHifigan(cfg);
  const { model, loadNote } = await timedLoad(() => HiFiGAN.load(e, ckpt));
  try {
    return await modelRows(o, {
      name: 'hifigan', kernel, shape, flops: hifiganFlops(cfg, frames), loadNote, script: 'hifigan_torch.py', ckpt,
      ...vocoderBench(frames, (mel, n) => model.infer(mel, n)),
    });
  } finally {
    model.release();
  }
}

export const hifiganBenchmark: Benchmark = { name: 'hifigan', run };
