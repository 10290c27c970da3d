// Plain-TS reference for reductions over one axis, in float64.

export function reduceRef(x: ArrayLike<number>, shape: number[], axis: number, op: 'sum' | 'mean' | 'max'): Float64Array {
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const n = shape[axis]!;
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const y = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let s = op === 'max' ? -Infinity : 0;
      for (let l = 0; l < n; l++) {
        const v = x[(o * n + l) * inner + i]!;
        s = op === 'max' ? Math.max(s, v) : s + v;
      }
      y[o * inner + i] = op === 'mean' ? s / n : s;
    }
  }
  return y;
}
