// The real-FFT plan shared by the STFT family (shaders/lib/fft.wgsl): which sizes an adapter can
// transform in workgroup memory, the workgroup size for a size, and the twiddle table.

import type { Engine } from '../gpu/engine.js';
import { FlowgpuError } from '../gpu/errors.js';
import type { Tensor } from '../gpu/tensor.js';

/** Threads per FFT workgroup at most: 4 butterflies each at n_fft 1024. On lavapipe 64 ran Griffin-Lim
 *  twice as fast as 256 (fewer invocations to switch at each barrier); 16 was no faster. */
const MAX_WG = 64;

export interface FftPlan {
  nFft: number;
  /** Threads of one workgroup (one workgroup transforms one frame). */
  wg: number;
}

/** Bytes of workgroup memory an n_fft-point real FFT takes (n_fft/2 complex f32 values). */
export function fftWorkgroupBytes(nFft: number): number {
  return 4 * nFft;
}

/**
 * The plan for `nFft` on an adapter with these limits; throws a FlowgpuError naming the limit
 * when `nFft` is not a power of two ≥ 4 or does not fit the adapter's workgroup memory.
 */
export function fftPlan(limits: Pick<GPUSupportedLimits, 'maxComputeWorkgroupStorageSize' | 'maxComputeInvocationsPerWorkgroup' | 'maxComputeWorkgroupSizeX'>, nFft: number, what = 'FFT'): FftPlan {
  if (!Number.isInteger(nFft) || nFft < 4 || (nFft & (nFft - 1)) !== 0) {
    throw new FlowgpuError(`${what}: n_fft ${nFft} must be a power of two ≥ 4 (flowgpu's FFT is radix-2); use 512, 1024, 2048, …`);
  }
  const bytes = fftWorkgroupBytes(nFft);
  if (bytes > limits.maxComputeWorkgroupStorageSize) {
    const most = 2 ** Math.floor(Math.log2(limits.maxComputeWorkgroupStorageSize / 4));
    throw new FlowgpuError(`${what}: n_fft ${nFft} needs ${bytes} bytes of workgroup memory, this adapter allows ${limits.maxComputeWorkgroupStorageSize} (n_fft ≤ ${most})`);
  }
  const wg = Math.min(MAX_WG, nFft / 4, limits.maxComputeInvocationsPerWorkgroup, limits.maxComputeWorkgroupSizeX);
  return { nFft, wg };
}

/** e^{-2πij/n} for j ≤ n/2 as [re, im] pairs, computed in float64. */
export function twiddles(n: number): Float32Array {
  const t = new Float32Array(2 * (n / 2 + 1));
  for (let j = 0; j <= n / 2; j++) {
    t[2 * j] = Math.cos((2 * Math.PI * j) / n);
    t[2 * j + 1] = -Math.sin((2 * Math.PI * j) / n);
  }
  return t;
}

const tables = new WeakMap<Engine, Map<number, Tensor>>();

/** The twiddle table of `twiddles(n)` on the GPU, uploaded once per engine. */
export function twiddleTensor(e: Engine, n: number): Tensor {
  let byN = tables.get(e);
  if (!byN) tables.set(e, (byN = new Map()));
  let t = byN.get(n);
  if (!t) {
    t = e.persistent(twiddles(n), [n / 2 + 1, 2], `fft.twiddles.${n}`);
    byN.set(n, t);
  }
  return t;
}
