// Plain-TS references for layer norm and instance norm, in float64.

/** Normalises x viewed as [outer, len, inner] over len; affine index = l or (o mod channels). */
export function normRef(
  x: Float32Array, outer: number, len: number, inner: number,
  o: { gamma?: Float32Array; beta?: Float32Array; eps: number; byRow?: number; unbiased?: boolean; epsOnStd?: boolean },
): Float32Array {
  const y = new Float32Array(x.length);
  for (let a = 0; a < outer; a++) {
    for (let i = 0; i < inner; i++) {
      const at = (l: number): number => (a * len + l) * inner + i;
      let s = 0;
      for (let l = 0; l < len; l++) s += x[at(l)]!;
      const mean = s / len;
      let sq = 0;
      for (let l = 0; l < len; l++) sq += (x[at(l)]! - mean) ** 2;
      const v = sq / (o.unbiased ? Math.max(len - 1, 1) : len);
      const r = o.epsOnStd ? 1 / (Math.sqrt(v) + o.eps) : 1 / Math.sqrt(v + o.eps);
      for (let l = 0; l < len; l++) {
        const k = o.byRow ? a % o.byRow : l;
        y[at(l)] = (x[at(l)]! - mean) * r * (o.gamma ? o.gamma[k]! : 1) + (o.beta ? o.beta[k]! : 0);
      }
    }
  }
  return y;
}
