// Plain-TS references of Glow-TTS's flow steps, following the original's view/permute code.

/** commons.squeeze: x [C, T] → [C·n, T/n] via view(C, T/n, n).permute(2, 0, 1). */
export function squeezeRef(x: Float32Array, c: number, t: number, n: number): Float32Array {
  const tq = Math.floor(t / n);
  const out = new Float32Array(c * n * tq);
  // x_sqz[c, tt, s] = x[c, tt·n + s]; permute(0,3,1,2) → [s, c, tt]
  for (let s = 0; s < n; s++) for (let ch = 0; ch < c; ch++) for (let tt = 0; tt < tq; tt++) out[(s * c + ch) * tq + tt] = x[ch * t + tt * n + s]!;
  return out;
}

/** commons.unsqueeze: x [C·n, T] → [C, T·n] via view(n, C, T).permute(1, 2, 0). */
export function unsqueezeRef(x: Float32Array, cn: number, t: number, n: number): Float32Array {
  const c = cn / n;
  const out = new Float32Array(c * t * n);
  for (let ch = 0; ch < c; ch++) for (let tt = 0; tt < t; tt++) for (let s = 0; s < n; s++) out[ch * t * n + tt * n + s] = x[(s * c + ch) * t + tt]!;
  return out;
}

/** InvConvNear with matrix w [ns, ns] (pass the inverse for reverse), as view(2, C/ns, ns/2, T).permute(0, 2, 1, 3). */
export function invConvRef(x: Float64Array, c: number, t: number, w: ArrayLike<number>, ns: number): Float64Array {
  const hs = ns / 2;
  const g = c / ns;
  // xs[s = a·hs + s2, gi, t] = x[a·(C/2) + gi·hs + s2, t]
  const ch = (s: number, gi: number): number => Math.floor(s / hs) * (c / 2) + gi * hs + (s % hs);
  const out = new Float64Array(c * t);
  for (let gi = 0; gi < g; gi++) for (let so = 0; so < ns; so++) for (let tt = 0; tt < t; tt++) {
    let acc = 0;
    for (let si = 0; si < ns; si++) acc += w[so * ns + si]! * x[ch(si, gi) * t + tt]!;
    out[ch(so, gi) * t + tt] = acc;
  }
  return out;
}

export function actNormInvConvRef(x: Float32Array, c: number, t: number, logs: Float32Array, bias: Float32Array, w: ArrayLike<number>, ns: number, reverse: boolean): Float64Array {
  if (reverse) {
    const y = invConvRef(Float64Array.from(x), c, t, w, ns);
    for (let ch = 0; ch < c; ch++) for (let tt = 0; tt < t; tt++) y[ch * t + tt] = (y[ch * t + tt]! - bias[ch]!) * Math.exp(-logs[ch]!);
    return y;
  }
  const a = new Float64Array(c * t);
  for (let ch = 0; ch < c; ch++) for (let tt = 0; tt < t; tt++) a[ch * t + tt] = bias[ch]! + Math.exp(logs[ch]!) * x[ch * t + tt]!;
  return invConvRef(a, c, t, w, ns);
}

export function couplingRef(x: Float32Array, st: Float32Array, c: number, t: number, reverse: boolean, sigmoidScale = false): Float64Array {
  const half = c / 2;
  const y = Float64Array.from(x);
  for (let ch = half; ch < c; ch++) for (let tt = 0; tt < t; tt++) {
    const m = st[(ch - half) * t + tt]!;
    let logs = st[ch * t + tt]!;
    if (sigmoidScale) logs = Math.log(1e-6 + 1 / (1 + Math.exp(-(logs + 2))));
    const v = x[ch * t + tt]!;
    y[ch * t + tt] = reverse ? (v - m) * Math.exp(-logs) : m + Math.exp(logs) * v;
  }
  return y;
}
