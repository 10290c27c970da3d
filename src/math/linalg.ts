// Small dense linear algebra on the CPU, in float64 (weights prepared once at load time).
import { FlowgpuError } from '../gpu/errors.js';

/**
 * Inverse of the row-major `n×n` matrix `a` by Gauss–Jordan elimination with partial pivoting,
 * in float64. `what` names the matrix in the error thrown when it is singular (a pivot no larger
 * than n·ε·max|a|, or not finite). Used for the inverses of Glow/WaveGlow invertible 1×1 convolutions.
 */
export function invertMatrix(a: ArrayLike<number>, n: number, what = 'matrix'): Float64Array {
  if (!Number.isInteger(n) || n < 1 || a.length !== n * n) {
    throw new FlowgpuError(`invertMatrix: ${what} has ${a.length} values, not the ${n}×${n} = ${n * n} of a square matrix`);
  }
  const w = 2 * n;
  const m = new Float64Array(n * w);
  let scale = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = a[i * n + j]!;
      m[i * w + j] = v;
      scale = Math.max(scale, Math.abs(v));
    }
    m[i * w + n + i] = 1;
  }
  const tol = n * Number.EPSILON * scale;
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r * w + col]!) > Math.abs(m[piv * w + col]!)) piv = r;
    const p = m[piv * w + col]!;
    if (!(Math.abs(p) > tol) || !Number.isFinite(p)) {
      throw new FlowgpuError(`${what}: the ${n}×${n} matrix is singular (pivot ${p} in column ${col}), it has no inverse`);
    }
    if (piv !== col) {
      for (let j = 0; j < w; j++) {
        const t = m[col * w + j]!;
        m[col * w + j] = m[piv * w + j]!;
        m[piv * w + j] = t;
      }
    }
    for (let j = 0; j < w; j++) m[col * w + j]! /= p;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = m[r * w + col]!;
      if (f === 0) continue;
      for (let j = 0; j < w; j++) m[r * w + j]! -= f * m[col * w + j]!;
    }
  }
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) inv[i * n + j] = m[i * w + n + j]!;
  return inv;
}
