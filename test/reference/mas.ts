// Plain-TS reference of Glow-TTS's monotonic alignment search: the Cython `maximum_path_each`
// (in-place DP over the feasible band, float32 arithmetic, backtrack with the same tie rule).

export function maximumPathRef(value: Float32Array, rows: number, cols: number, tx: number, ty: number): Float32Array {
  const v = new Float32Array(value); // the DP overwrites it, as the original does
  const path = new Float32Array(rows * cols);
  const neg = -1e9;
  for (let y = 0; y < ty; y++) {
    for (let x = Math.max(0, tx + y - ty); x < Math.min(tx, y + 1); x++) {
      const cur = x === y ? neg : v[x * cols + y - 1]!;
      const prev = x === 0 ? (y === 0 ? 0 : neg) : v[(x - 1) * cols + y - 1]!;
      v[x * cols + y] = Math.fround(Math.max(cur, prev) + v[x * cols + y]!);
    }
  }
  let index = tx - 1;
  for (let y = ty - 1; y >= 0; y--) {
    path[index * cols + y] = 1;
    if (index !== 0 && (index === y || v[index * cols + y - 1]! < v[(index - 1) * cols + y - 1]!)) index--;
  }
  return path;
}

/** Glow-TTS's log-likelihood matrix logp [tx, ty] (float64) of z [d, ty] under m, logs [d, tx]. */
export function logLikelihoodRef(m: Float32Array, logs: Float32Array | null, z: Float32Array, d: number, tx: number, ty: number): Float64Array {
  const out = new Float64Array(tx * ty);
  for (let i = 0; i < tx; i++) for (let j = 0; j < ty; j++) {
    let s = 0;
    for (let c = 0; c < d; c++) {
      const ls = logs ? logs[c * tx + i]! : 0;
      const diff = z[c * ty + j]! - m[c * tx + i]!;
      s += -0.5 * Math.log(2 * Math.PI) - ls - 0.5 * diff * diff * Math.exp(-2 * ls);
    }
    out[i * ty + j] = s;
  }
  return out;
}
