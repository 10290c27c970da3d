// Plain-TS reference of one WaveNet layer (WaveGlow / Glow-TTS WN), in float64.

export interface WaveNetLayerRef {
  acts: Float32Array; // [H, T]
  h: Float32Array; // h after the residual
  skip: Float32Array; // skip after this layer
}

/**
 * h `[H, T]`, cond `[Cc, T]`, in_layer `[2H, H, K]` (dilation d, 'same' padding), cond rows
 * `[2H, Cc]`, bias `[2H]`; res/skip `[R + S, H]` + bias; skip `[S, T]` (added to unless `first`).
 */
export function waveNetLayerRef(
  h: Float32Array, cond: Float32Array | null, inW: Float32Array, condW: Float32Array | null, bias: Float32Array,
  rsW: Float32Array, rsB: Float32Array, skip: Float32Array, o: { hidden: number; t: number; k: number; d: number; resRows: number; first: boolean },
): WaveNetLayerRef {
  const { hidden: H, t: T, k: K, d, resRows: R } = o;
  const cc = cond ? cond.length / T : 0;
  const pad = (d * (K - 1)) / 2;
  const a = new Float64Array(2 * H * T);
  for (let r = 0; r < 2 * H; r++) {
    for (let t = 0; t < T; t++) {
      let s = bias[r]!;
      for (let ci = 0; ci < H; ci++) {
        for (let k = 0; k < K; k++) {
          const ti = t + k * d - pad;
          if (ti >= 0 && ti < T) s += inW[(r * H + ci) * K + k]! * h[ci * T + ti]!;
        }
      }
      for (let j = 0; j < cc; j++) s += condW![r * cc + j]! * cond![j * T + t]!;
      a[r * T + t] = s;
    }
  }
  const acts = new Float32Array(H * T);
  for (let i = 0; i < H * T; i++) acts[i] = Math.tanh(a[i]!) / (1 + Math.exp(-a[H * T + i]!));
  const S = rsB.length - R;
  const hOut = h.slice();
  const skipOut = o.first ? new Float32Array(S * T) : skip.slice();
  for (let r = 0; r < R + S; r++) {
    for (let t = 0; t < T; t++) {
      let v = rsB[r]!;
      for (let c = 0; c < H; c++) v += rsW[r * H + c]! * acts[c * T + t]!;
      if (r < R) hOut[r * T + t]! += v;
      else skipOut[(r - R) * T + t]! += v;
    }
  }
  return { acts, h: hOut, skip: skipOut };
}
