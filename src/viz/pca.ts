// Principal component analysis of a few hundred points in a few dozen dimensions, on the CPU:
// centre, form the covariance, and take its leading eigenvectors by power iteration with
// deflation (deterministic start, so the same data always gives the same map).

export interface PcaResult {
  /** `[n, k]` row-major projections. */
  points: Float64Array;
  /** `[k, d]` unit principal axes. */
  axes: Float64Array;
  /** Variance along each axis. */
  variance: number[];
  /** Variance of the data in all dimensions (for "explained" percentages). */
  totalVariance: number;
  mean: Float64Array;
}

/** Projects `rows` (n vectors of dimension d) onto their first `k` principal components. */
export function pca(rows: ArrayLike<number>[], k = 2, iterations = 500): PcaResult {
  const n = rows.length;
  if (n === 0) throw new Error('pca: no points');
  const d = rows[0]!.length;
  for (const r of rows) if (r.length !== d) throw new Error(`pca: points differ in dimension (${r.length} vs ${d})`);
  const mean = new Float64Array(d);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j]! += r[j]! / n;
  const cov = new Float64Array(d * d);
  for (const r of rows) {
    for (let a = 0; a < d; a++) {
      const va = r[a]! - mean[a]!;
      for (let b = a; b < d; b++) cov[a * d + b]! += (va * (r[b]! - mean[b]!)) / Math.max(n - 1, 1);
    }
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) cov[a * d + b] = cov[b * d + a]!;
  let totalVariance = 0;
  for (let a = 0; a < d; a++) totalVariance += cov[a * d + a]!;
  const kk = Math.min(k, d);
  const axes = new Float64Array(k * d);
  const variance: number[] = [];
  const work = Float64Array.from(cov);
  for (let c = 0; c < kk; c++) {
    let v = new Float64Array(d);
    for (let j = 0; j < d; j++) v[j] = 1 + 0.01 * ((j * 7919 + c * 104729) % 97);
    let lambda = 0;
    for (let it = 0; it < iterations; it++) {
      const w = new Float64Array(d);
      for (let a = 0; a < d; a++) {
        let s = 0;
        for (let b = 0; b < d; b++) s += work[a * d + b]! * v[b]!;
        w[a] = s;
      }
      const norm = Math.hypot(...w);
      if (norm < 1e-300) break;
      for (let a = 0; a < d; a++) w[a]! /= norm;
      const delta = w.reduce((s, x, a) => s + Math.abs(x - v[a]!), 0);
      v = w;
      lambda = norm;
      if (delta < 1e-12) break;
    }
    // A sign convention so maps do not mirror between runs: the largest component is positive.
    let big = 0;
    for (let a = 1; a < d; a++) if (Math.abs(v[a]!) > Math.abs(v[big]!)) big = a;
    if (v[big]! < 0) for (let a = 0; a < d; a++) v[a] = -v[a]!;
    axes.set(v, c * d);
    variance.push(lambda);
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) work[a * d + b]! -= lambda * v[a]! * v[b]!;
  }
  const points = new Float64Array(n * k);
  rows.forEach((r, i) => {
    for (let c = 0; c < kk; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (r[j]! - mean[j]!) * axes[c * d + j]!;
      points[i * k + c] = s;
    }
  });
  return { points, axes, variance, totalVariance, mean };
}
