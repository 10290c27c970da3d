// WaveGlow end to end: the published 256-channel config (random weights) on 2 s of mel (172
// frames; without --full: 4 frames, for software adapters), in samples per second and real-time factor.
// When a python3 with torch is around (Node only), tools/bench/waveglow_torch.py runs the same
// weights and mel on the CPU, and the row's note gives the speed ratio and the output difference.
import type { Engine } from '../gpu/engine.js';
import type { Checkpoint, HostTensor } from '../io/host-tensor.js';
import { WaveGlow, type WaveGlowConfig } from '../models/waveglow.js';
import { type Benchmark, type BenchOptions, type Row, timedLoad, wants } from './harness.js';
import { mulberry32 } from '../math/random.js';
import { modelRows, vocoderBench } from './torch.js';

/** NVIDIA/waveglow config.json. */
export const PUBLISHED_WAVEGLOW = {
  n_mel_channels: 80, n_flows: 12, n_group: 8, n_early_every: 4, n_early_size: 2,
  WN_config: { n_layers: 8, n_channels: 256, kernel_size: 3 },
};

type WaveGlowJson = typeof PUBLISHED_WAVEGLOW;

/**
 * A WaveGlow state dict (weight norm folded) with seeded random weights scaled so the reverse
 * flows stay finite: 1/√fan-in for the convolutions, a small `end`, and 1x1 convolutions that
 * are a random orthonormal matrix plus a perturbation (so their inverse is not a transpose).
 */
export function randomWaveGlow(cfg: WaveGlowJson = PUBLISHED_WAVEGLOW, seed = 1): Checkpoint {
  const u = mulberry32(seed);
  const rand = (): number => u() * 2 - 1;
  const tensors = new Map<string, HostTensor>();
  const put = (name: string, shape: number[], scale: number): void => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = rand() * scale;
    tensors.set(name, { dtype: 'f32', shape, data });
  };
  const { n_mel_channels: nMel, n_flows: nFlows, n_group: g } = cfg;
  const { n_layers: nl, n_channels: nc, kernel_size: ks } = cfg.WN_config;
  put('upsample.weight', [nMel, nMel, 1024], 1 / Math.sqrt(nMel * 4));
  put('upsample.bias', [nMel], 0.1);
  let rem = g;
  for (let k = 0; k < nFlows; k++) {
    if (k % cfg.n_early_every === 0 && k > 0) rem -= cfg.n_early_size;
    const half = rem / 2;
    const p = `WN.${k}.`;
    for (let i = 0; i < nl; i++) {
      put(`${p}in_layers.${i}.weight`, [2 * nc, nc, ks], 1 / Math.sqrt(nc * ks));
      put(`${p}in_layers.${i}.bias`, [2 * nc], 0.1);
      const rs = i < nl - 1 ? 2 * nc : nc;
      put(`${p}res_skip_layers.${i}.weight`, [rs, nc, 1], 1 / Math.sqrt(nc));
      put(`${p}res_skip_layers.${i}.bias`, [rs], 0.1);
    }
    put(`${p}start.weight`, [nc, half, 1], 1 / Math.sqrt(half));
    put(`${p}start.bias`, [nc], 0.1);
    put(`${p}end.weight`, [2 * half, nc, 1], 0.01 / Math.sqrt(nc));
    put(`${p}end.bias`, [2 * half], 0.01);
    put(`${p}cond_layer.weight`, [2 * nc * nl, nMel * g, 1], 1 / Math.sqrt(nMel * g));
    put(`${p}cond_layer.bias`, [2 * nc * nl], 0.1);
    // Gram–Schmidt of a random matrix, then a 5% perturbation.
    const w = new Float64Array(rem * rem).map(() => rand());
    for (let r = 0; r < rem; r++) {
      for (let q = 0; q < r; q++) {
        let dot = 0;
        for (let c = 0; c < rem; c++) dot += w[r * rem + c]! * w[q * rem + c]!;
        for (let c = 0; c < rem; c++) w[r * rem + c]! -= dot * w[q * rem + c]!;
      }
      let norm = 0;
      for (let c = 0; c < rem; c++) norm += w[r * rem + c]! ** 2;
      for (let c = 0; c < rem; c++) w[r * rem + c]! /= Math.sqrt(norm);
    }
    tensors.set(`convinv.${k}.conv.weight`, { dtype: 'f32', shape: [rem, rem, 1], data: Float32Array.from(w, (v) => v + 0.05 * rand()) });
  }
  return { tensors, metadata: { model: 'waveglow', config: JSON.stringify(cfg) } };
}

/** Multiply-adds ×2 of one inference over `frames` mel frames, as the original computes it (flowgpu
 *  folds `end` into the skip convolutions at load and does ~7% fewer with the published config). */
export function waveglowFlops(c: WaveGlowConfig, frames: number): number {
  const tg = (c.upsampleStride * frames) / c.nGroup;
  const nc = c.nChannels;
  let perStep = 0;
  let rem = c.nGroup;
  for (let k = 0; k < c.nFlows; k++) {
    if (k % c.nEarlyEvery === 0 && k > 0) rem -= c.nEarlySize;
    const half = rem / 2;
    perStep += nc * half + 2 * nc * c.nLayers * c.nMel * c.nGroup + c.nLayers * 2 * nc * nc * c.kernelSize +
      ((c.nLayers - 1) * 2 * nc + nc) * nc + 2 * half * nc + rem * rem;
  }
  const upsample = c.nMel * c.nMel * (c.upsampleKernel / c.upsampleStride) * c.upsampleStride * frames;
  return 2 * (perStep * tg + upsample);
}

async function run(e: Engine, o: BenchOptions): Promise<Row[]> {
  // Without --full 4 frames (1024 samples): a software adapter takes ~5 s per frame here.
  const frames = o.quick ? 4 : 172;
  const kernel = 'waveglow infer (256 ch, random weights)';
  const shape = `80×${frames} mel → ${frames * 256} samples`;
  if (!wants(o, kernel, shape)) return [];
  const ckpt = randomWaveGlow();
  const { model, loadNote } = await timedLoad(() => WaveGlow.load(e, ckpt));
  try {
    return await modelRows(o, {
      name: 'waveglow', kernel, shape, flops: waveglowFlops(model.config, frames), loadNote, script: 'waveglow_torch.py', ckpt, args: ['--sigma', '0'],
      ...vocoderBench(frames, (mel, n) => model.infer(mel, n, { sigma: 0 })),
    });
  } finally {
    model.release();
  }
}

export const waveglowBenchmark: Benchmark = { name: 'waveglow', run };
