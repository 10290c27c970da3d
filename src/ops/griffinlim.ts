// Griffin-Lim phase recovery on the GPU: mel → linear magnitude through the mel basis'
// pseudo-inverse (computed once on the CPU), then fast Griffin-Lim iterations built from the
// Tacotron 2 STFT/iSTFT kernels (ops/stft.ts) and two small kernels (shaders/griffinlim.wgsl).
// Every iteration is recorded on the GPU; nothing is read back until the audio is done.

import source from '../../shaders/griffinlim.wgsl';
import { type Engine, grid } from '../gpu/engine.js';
import { describeShape, FlowgpuError } from '../gpu/errors.js';
import { f32 } from '../gpu/params.js';
import type { KernelRef } from '../gpu/pipelines.js';
import type { Tensor } from '../gpu/tensor.js';
import { istft, stft } from './stft.js';

const family = 'griffinlim';
const WG = 256;
const magnitudeKernel: KernelRef = { family, source, entry: 'magnitude', constants: { WG } };
const initKernel: KernelRef = { family, source, entry: 'init', constants: { WG } };
const updateKernel: KernelRef = { family, source, entry: 'update', constants: { WG } };

/** Every pipeline of this family (for `e.pipelines.prepare`). */
export function griffinLimKernels(): KernelRef[] {
  return [magnitudeKernel, initKernel, updateKernel];
}

/**
 * Moore–Penrose pseudo-inverse `[cols, rows]` of a row-major `[rows, cols]` matrix with rows ≤ cols
 * (a mel basis `[n_mels, bins]`), in float64: `Aᵀ · V · diag(1/λ) · Vᵀ` from the Jacobi eigen-
 * decomposition of `A·Aᵀ`, dropping singular values below `rcond · σ_max` (numpy's default
 * cut-off `max(rows, cols) · ε_f32` unless given).
 */
export function pseudoInverse(a: Float32Array | Float64Array, rows: number, cols: number, rcond = Math.max(rows, cols) * 1.1920929e-7): Float32Array {
  if (a.length !== rows * cols || rows > cols) throw new FlowgpuError(`pseudoInverse: expected a [rows ≤ cols] matrix of ${rows}×${cols}, got ${a.length} values`);
  const g = new Float64Array(rows * rows); // A·Aᵀ
  for (let i = 0; i < rows; i++) {
    for (let j = i; j < rows; j++) {
      let s = 0;
      for (let k = 0; k < cols; k++) s += a[i * cols + k]! * a[j * cols + k]!;
      g[i * rows + j] = s;
      g[j * rows + i] = s;
    }
  }
  const v = new Float64Array(rows * rows);
  for (let i = 0; i < rows; i++) v[i * rows + i] = 1;
  // cyclic Jacobi sweeps until the off-diagonal mass is negligible
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < rows; i++) {
      diag += g[i * rows + i]! ** 2;
      for (let j = i + 1; j < rows; j++) off += g[i * rows + j]! ** 2;
    }
    if (off <= 1e-30 * diag) break;
    for (let p = 0; p < rows; p++) {
      for (let q = p + 1; q < rows; q++) {
        const apq = g[p * rows + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const app = g[p * rows + p]!;
        const aqq = g[q * rows + q]!;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < rows; k++) {
          const gkp = g[k * rows + p]!;
          const gkq = g[k * rows + q]!;
          g[k * rows + p] = c * gkp - s * gkq;
          g[k * rows + q] = s * gkp + c * gkq;
        }
        for (let k = 0; k < rows; k++) {
          const gpk = g[p * rows + k]!;
          const gqk = g[q * rows + k]!;
          g[p * rows + k] = c * gpk - s * gqk;
          g[q * rows + k] = s * gpk + c * gqk;
        }
        for (let k = 0; k < rows; k++) {
          const vkp = v[k * rows + p]!;
          const vkq = v[k * rows + q]!;
          v[k * rows + p] = c * vkp - s * vkq;
          v[k * rows + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  let lmax = 0;
  for (let i = 0; i < rows; i++) lmax = Math.max(lmax, g[i * rows + i]!);
  const cut = (rcond * Math.sqrt(lmax)) ** 2;
  // M = V · diag(1/λ) · Vᵀ  [rows, rows]
  const inv = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const l = g[i * rows + i]!;
    inv[i] = l > cut ? 1 / l : 0;
  }
  const m = new Float64Array(rows * rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < rows; j++) {
      let s = 0;
      for (let k = 0; k < rows; k++) s += v[i * rows + k]! * inv[k]! * v[j * rows + k]!;
      m[i * rows + j] = s;
    }
  }
  // pinv = Aᵀ · M  [cols, rows]
  const out = new Float32Array(cols * rows);
  for (let c = 0; c < cols; c++) {
    for (let j = 0; j < rows; j++) {
      let s = 0;
      for (let i = 0; i < rows; i++) s += a[i * cols + c]! * m[i * rows + j]!;
      out[c * rows + j] = s;
    }
  }
  return out;
}

/** The 32-bit hash of the `init` kernel (lowbias32), for CPU references. */
export function phaseHash(x0: number): number {
  let x = x0 >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

/** The initial phase (radians, as the GPU computes it in f32) of element `i` for `seed`. */
export function initialPhase(i: number, seed: number): number {
  const h = phaseHash((i ^ phaseHash(seed)) >>> 0);
  return Math.fround(6.283185307179586 * Math.fround((h >>> 8) / 16777216));
}

/** Linear magnitude `[bins, frames]` = max(0, pinv `[bins, nMel]` · exp(mel `[nMel, frames]`)). */
export function melToMagnitude(e: Engine, pinv: Tensor, mel: Tensor): Tensor {
  if (pinv.shape.length !== 2 || mel.shape.length !== 2 || pinv.dim(1) !== mel.dim(0)) {
    throw new FlowgpuError(`melToMagnitude: pseudo-inverse ${describeShape(pinv.shape)} does not fit a mel ${describeShape(mel.shape)}`);
  }
  const [bins, nMel] = pinv.shape as [number, number];
  const frames = mel.dim(1);
  const y = e.empty([bins, frames], 'f32', 'gl.magnitude');
  e.dispatch({ kernel: magnitudeKernel, params: [bins, frames, nMel], bindings: [pinv, mel, y], workgroups: grid(e, Math.ceil((bins * frames) / WG)) });
  return y;
}

/**
 * Default iterations: with momentum 0.99, 16 reach the spectral convergence that plain Griffin-Lim
 * needs 64 for on the demo voice's mels (tools/bench/griffinlim-convergence.mjs, README).
 */
export const GRIFFIN_LIM_ITERATIONS = 16;

export interface GriffinLimOptions {
  nFft?: number;
  hop?: number;
  /** Iterations of phase recovery (default `GRIFFIN_LIM_ITERATIONS`). */
  iterations?: number;
  /** Fast Griffin-Lim momentum (default 0.99, torchaudio's; 0 = classic Griffin-Lim). */
  momentum?: number;
  /** Seed of the initial random phase (default 0). */
  seed?: number;
}

/**
 * Griffin-Lim: audio `[(frames − 1)·hop]` whose STFT magnitude approximates `magnitude`
 * `[bins, frames]`. torchaudio's loop: start from `magnitude · e^{iφ}` (φ pseudo-random from the
 * seed); each iteration `rebuilt = stft(istft(spec))`, `a = rebuilt − m/(1+m)·prev`,
 * `spec = magnitude · a/(|a| + 1e-16)`, `prev = rebuilt`; finally `istft(spec)`.
 */
export function griffinLim(e: Engine, magnitude: Tensor, o: GriffinLimOptions = {}): Tensor {
  const nFft = o.nFft ?? 1024;
  const hop = o.hop ?? nFft / 4;
  const iterations = o.iterations ?? GRIFFIN_LIM_ITERATIONS;
  const momentum = o.momentum ?? 0.99;
  const seed = o.seed ?? 0;
  const bins = nFft / 2 + 1;
  if (magnitude.shape.length !== 2 || magnitude.dim(0) !== bins) {
    throw new FlowgpuError(`griffinLim: magnitude must be [${bins}, frames] for n_fft ${nFft}, got ${describeShape(magnitude.shape)}`);
  }
  if (!Number.isInteger(iterations) || iterations < 0) throw new FlowgpuError(`griffinLim: iterations ${iterations} must be a non-negative integer`);
  if (!(momentum >= 0 && momentum < 1)) throw new FlowgpuError(`griffinLim: momentum ${momentum} must be in [0, 1)`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new FlowgpuError(`griffinLim: seed ${seed} must be a u32`);
  const frames = magnitude.dim(1);
  if ((frames - 1) * hop <= nFft / 2) {
    throw new FlowgpuError(`griffinLim: ${frames} frames are too few (the audio must be longer than n_fft/2 = ${nFft / 2} samples)`);
  }
  const n = bins * frames;
  const alpha = momentum / (1 + momentum);
  let spec = e.empty([2, bins, frames], 'f32', 'gl.spec');
  e.dispatch({ kernel: initKernel, params: [n, seed >>> 0], bindings: [magnitude, spec], workgroups: grid(e, Math.ceil(n / WG)) });
  let prev: Tensor | null = null;
  for (let it = 0; it < iterations; it++) {
    const y = istft(e, spec, { nFft, hop });
    const rebuilt = stft(e, y, { nFft, hop, frames });
    const next = e.empty([2, bins, frames], 'f32', 'gl.spec');
    e.dispatch({
      kernel: updateKernel,
      params: [n, f32(prev ? alpha : 0)],
      bindings: [rebuilt, prev ?? undefined, magnitude, next],
      workgroups: grid(e, Math.ceil(n / WG)),
    });
    y.release();
    spec.release();
    prev?.release();
    prev = rebuilt;
    spec = next;
  }
  prev?.release();
  const audio = istft(e, spec, { nFft, hop });
  spec.release();
  return audio;
}
