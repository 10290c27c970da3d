// Plain-TS references for LSTM and GRU cells and sequences (PyTorch gate orders), in float64.

const sig = (v: number): number => 1 / (1 + Math.exp(-v));

function matvecRow(w: ArrayLike<number>, row: number, h: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < h.length; k++) s += w[row * h.length + k]! * h[k]!;
  return s;
}

/** gates = xProj + W_hh·h (+ bias), order i, f, g, o. */
export function lstmCellRef(
  xProj: ArrayLike<number>, h: ArrayLike<number>, c: ArrayLike<number>, whh: ArrayLike<number>, bias?: ArrayLike<number>,
): { h: Float64Array; c: Float64Array } {
  const H = h.length;
  const h2 = new Float64Array(H);
  const c2 = new Float64Array(H);
  for (let j = 0; j < H; j++) {
    const a = [0, 1, 2, 3].map((g) => xProj[g * H + j]! + matvecRow(whh, g * H + j, h) + (bias ? bias[g * H + j]! : 0));
    c2[j] = sig(a[1]!) * c[j]! + sig(a[0]!) * Math.tanh(a[2]!);
    h2[j] = sig(a[3]!) * Math.tanh(c2[j]!);
  }
  return { h: h2, c: c2 };
}

/** xProj = W_ih·x + b_ih; r, z, n order with b_hn inside r ⊙ (·). */
export function gruCellRef(xProj: ArrayLike<number>, h: ArrayLike<number>, whh: ArrayLike<number>, bhh?: ArrayLike<number>): Float64Array {
  const H = h.length;
  const out = new Float64Array(H);
  for (let j = 0; j < H; j++) {
    const hh = [0, 1, 2].map((g) => matvecRow(whh, g * H + j, h) + (bhh ? bhh[g * H + j]! : 0));
    const r = sig(xProj[j]! + hh[0]!);
    const z = sig(xProj[H + j]! + hh[1]!);
    const n = Math.tanh(xProj[2 * H + j]! + r * hh[2]!);
    out[j] = (1 - z) * n + z * h[j]!;
  }
  return out;
}

function project(x: ArrayLike<number>, inF: number, t: number, wih: ArrayLike<number>, rows: number, biases: (ArrayLike<number> | undefined)[]): Float64Array {
  const xt = Array.from({ length: inF }, (_, k) => x[t * inF + k]!);
  return Float64Array.from({ length: rows }, (_, r) => matvecRow(wih, r, xt) + biases.reduce((s, b) => s + (b ? b[r]! : 0), 0));
}

export interface RnnRefWeights {
  wih: ArrayLike<number>; whh: ArrayLike<number>; bih?: ArrayLike<number>; bhh?: ArrayLike<number>; hidden: number;
}

export function lstmRef(x: ArrayLike<number>, T: number, inF: number, w: RnnRefWeights, reverse = false): { y: Float64Array; h: Float64Array; c: Float64Array } {
  const H = w.hidden;
  const y = new Float64Array(T * H);
  let h: ArrayLike<number> = new Float64Array(H);
  let c: ArrayLike<number> = new Float64Array(H);
  for (let i = 0; i < T; i++) {
    const t = reverse ? T - 1 - i : i;
    const s = lstmCellRef(project(x, inF, t, w.wih, 4 * H, [w.bih, w.bhh]), h, c, w.whh);
    h = s.h;
    c = s.c;
    y.set(s.h, t * H);
  }
  return { y, h: Float64Array.from(h), c: Float64Array.from(c) };
}

export function gruRef(x: ArrayLike<number>, T: number, inF: number, w: RnnRefWeights, reverse = false): { y: Float64Array; h: Float64Array } {
  const H = w.hidden;
  const y = new Float64Array(T * H);
  let h: ArrayLike<number> = new Float64Array(H);
  for (let i = 0; i < T; i++) {
    const t = reverse ? T - 1 - i : i;
    h = gruCellRef(project(x, inF, t, w.wih, 3 * H, [w.bih]), h, w.whh, w.bhh);
    y.set(h, t * H);
  }
  return { y, h: Float64Array.from(h) };
}
