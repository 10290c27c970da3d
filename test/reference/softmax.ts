// Plain-TS reference for the masked, scaled softmax over rows, in float64.

/** `mask` holds maskRows·L values (0 = masked); row r uses mask row r mod maskRows. A maskValue of
 *  -Infinity drops masked positions (probability 0; a fully masked row is all zeros). */
export function softmaxRef(
  x: Float32Array, rows: number, len: number,
  o: { scale?: number; mask?: ArrayLike<number>; maskValue?: number } = {},
): Float32Array {
  const y = new Float32Array(rows * len);
  const maskRows = o.mask ? o.mask.length / len : 1;
  const mv = o.maskValue ?? -1e4;
  for (let r = 0; r < rows; r++) {
    const s: number[] = [];
    for (let l = 0; l < len; l++) {
      const masked = o.mask ? o.mask[(r % maskRows) * len + l] === 0 : false;
      s.push(masked ? mv : x[r * len + l]! * (o.scale ?? 1));
    }
    const m = Math.max(...s);
    if (m === -Infinity) continue; // all excluded → zeros
    const ex = s.map((v) => Math.exp(v - m));
    const z = ex.reduce((a, b) => a + b, 0);
    for (let l = 0; l < len; l++) y[r * len + l] = ex[l]! / z;
  }
  return y;
}
