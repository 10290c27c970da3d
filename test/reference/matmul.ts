// Plain-TS references for matmul and linear, in float64.

export function matmulRef(
  a: Float32Array, b: Float32Array, m: number, n: number, k: number,
  o: { transA?: boolean; transB?: boolean; bias?: Float32Array; biasOnRows?: boolean; act?: (x: number) => number } = {},
): Float32Array {
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        const av = o.transA ? a[p * m + i]! : a[i * k + p]!;
        const bv = o.transB ? b[j * k + p]! : b[p * n + j]!;
        s += av * bv;
      }
      if (o.bias) s += o.biasOnRows ? o.bias[i]! : o.bias[j]!;
      out[i * n + j] = o.act ? o.act(s) : s;
    }
  }
  return out;
}
