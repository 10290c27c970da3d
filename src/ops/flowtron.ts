// Flowtron's fused kernels (shaders/flowtron.wgsl): the pieces of one autoregressive decoder
// step (LSTM cell, additive attention with softmax, context and gate, dense mat-vec, 1x1 conv +
// inverse affine).
import source from '../../shaders/flowtron.wgsl';
import type { Engine } from '../gpu/engine.js';
import { describeShape, FlowgpuError } from '../gpu/errors.js';
import { f32 } from '../gpu/params.js';
import type { Tensor } from '../gpu/tensor.js';

const family = 'flowtron';
const MAX_Q = 1024;

/** Work split of the mat-vec style kernels: output units per workgroup × invocations per unit. */
export interface StepTuning {
  units: number;
  ksplit: number;
  /** Workgroup size of the attention kernel (a power of two ≤ 256). */
  attnWg: number;
  /** Compute the query with a separate wide mat-vec (GPUs) instead of inside the one-workgroup attention. */
  separateQuery?: boolean;
  /** One kernel for the previous frame's conv + inverse affine, the attention LSTM and partial queries (GPUs). */
  fused?: boolean;
}

/** CPU drivers pay for barriers: no split-K there; GPUs get a split-K reduction. Both use the fused
 *  attention-LSTM step (6 dispatches per frame and flow with 2 LSTM layers). */
export function defaultTuning(e: Engine): StepTuning {
  return e.isSoftware ? { units: 64, ksplit: 1, attnWg: 64, fused: true } : { units: 16, ksplit: 16, attnWg: 256, fused: true };
}

function checkTuning(t: StepTuning): void {
  if (t.units * t.ksplit > 256 || t.attnWg > 256 || (t.attnWg & (t.attnWg - 1)) !== 0) {
    throw new FlowgpuError(`flowtron: bad kernel tuning ${JSON.stringify(t)} (units·ksplit ≤ 256, attnWg a power of two ≤ 256)`);
  }
}

/** An LSTM layer's weights in the fused cell's layout. */
export interface CellWeights {
  /** `[K1 + K2 + H, H, 4]`: for input row k (W_ih's columns, split into the x1 and x2 parts, then
   *  W_hh's) and unit j, the four gate weights i, f, g, o side by side. */
  w: Tensor;
  /** `[4H]`: b_ih + b_hh. */
  bias: Tensor;
  hidden: number;
  k1: number;
  k2: number;
}

/** Host-side packing of PyTorch LSTM weights (W_ih `[4H, K]`, W_hh `[4H, H]`) for `lstmCellFused`. */
export function packLstm(wih: Float32Array, whh: Float32Array, bih: Float32Array, bhh: Float32Array, hidden: number): { w: Float32Array; bias: Float32Array; k: number } {
  const h4 = 4 * hidden;
  const k = wih.length / h4;
  const w = new Float32Array((k + hidden) * h4);
  for (let g = 0; g < 4; g++) {
    for (let j = 0; j < hidden; j++) {
      const r = g * hidden + j;
      for (let c = 0; c < k; c++) w[(c * hidden + j) * 4 + g] = wih[r * k + c]!;
      for (let c = 0; c < hidden; c++) w[((k + c) * hidden + j) * 4 + g] = whh[r * hidden + c]!;
    }
  }
  const bias = new Float32Array(h4);
  for (let i = 0; i < h4; i++) bias[i] = bih[i]! + bhh[i]!;
  return { w, bias, k };
}

/** `[R, C]` → `[C, R]` on the host (for transposed step-kernel weights). */
export function transposeHost(x: Float32Array, rows: number, cols: number): Float32Array {
  const y = new Float32Array(x.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) y[c * rows + r] = x[r * cols + c]!;
  return y;
}

export interface CellIo {
  /** First input (K1 values from `off1`). */
  x1: Tensor;
  off1?: number;
  /** Second input (K2 values from `off2`); any tensor when K2 = 0. */
  x2?: Tensor;
  off2?: number;
  hIn: Tensor;
  hInOff?: number;
  /** Cell state `[H]`, updated in place. */
  c: Tensor;
  hOut: Tensor;
  hOutOff?: number;
  /** Optional second destination of h (e.g. a row of a sequence). */
  seq?: Tensor;
  seqOff?: number;
}

/** One fused LSTM step: gates = W·[x1; x2; h] + b (i, f, g, o), c in place, h to `hOut` (and `seq`). */
export function lstmCellFused(e: Engine, cw: CellWeights, io: CellIo, tuning: StepTuning): void {
  checkTuning(tuning);
  const h = cw.hidden;
  if (io.hIn === io.hOut || io.hIn.buffer === io.hOut.buffer) throw new Error('lstm cell: hIn and hOut must be different buffers');
  e.dispatch({
    kernel: { family, source, entry: 'lstm_cell', constants: { UNITS: tuning.units, KSPLIT: tuning.ksplit, SEQ: io.seq ? 1 : 0 } },
    params: [h, cw.k1, cw.k2, io.off1 ?? 0, io.off2 ?? 0, io.hInOff ?? 0, io.hOutOff ?? 0, io.seqOff ?? 0],
    bindings: [cw.w, cw.bias, io.x1, io.x2, io.hIn, io.c, io.hOut, io.seq],
    workgroups: [Math.ceil(h / tuning.units)],
  });
}

export interface AttentionWeights {
  /** Query weight transposed, `[H, A]`. */
  wqT: Tensor;
  /** `[v (A) ; gate weight (H + A) ; gate bias]` (gate part optional). */
  small: Tensor;
  hidden: number;
  attn: number;
}

export interface AttentionIo {
  /** `[Tx, 2A]`: keys then values of the encoder outputs. */
  kv: Tensor;
  tx: number;
  /** Query source: frame r reads H values from `hOff + r·hStride`. */
  h: Tensor;
  hOff?: number;
  hStride?: number;
  /** Frames `row0 … row0 + frames − 1` (one workgroup each). */
  row0: number;
  frames?: number;
  /** Precomputed queries `[frames, A]` (then `h` only feeds the gate). */
  q?: Tensor;
  /** Or partial queries to sum: `n` rows of A values from `off` (from `attnCellFused`). */
  qParts?: { src: Tensor; off: number; n: number };
  /** `[*, Tx]`: softmax weights written at row `row0 + r`. */
  attn: Tensor;
  /** Context of frame r written at `ctxOff + r·A`. */
  ctx: Tensor;
  ctxOff?: number;
  /** With a gate: logits written at index `row0 + r`. */
  gate?: Tensor;
  temperature?: number;
}

/** Additive attention `softmax_j(v·tanh(Wq·h + K_j)/temperature)`, context `Σ α_j V_j`, optional gate logit. */
export function additiveAttention(e: Engine, aw: AttentionWeights, io: AttentionIo, tuning: StepTuning): void {
  checkTuning(tuning);
  if (aw.attn > MAX_Q) throw new FlowgpuError(`attention: ${aw.attn} attention channels exceed the kernel's limit of ${MAX_Q}`);
  if (io.tx < 1) throw new FlowgpuError('attention: the text is empty');
  const frames = io.frames ?? 1;
  // Invocations per token score: the largest power of two with split·Tx ≤ the workgroup size.
  let split = 1;
  while (split * 2 * io.tx <= tuning.attnWg) split *= 2;
  e.dispatch({
    kernel: { family, source, entry: 'attention', constants: { WG: tuning.attnWg, GATE: io.gate ? 1 : 0 } },
    params: [io.tx, aw.attn, aw.hidden, io.hOff ?? 0, io.hStride ?? 0, io.row0, io.ctxOff ?? 0, f32(1 / (io.temperature ?? 1)),
      io.q ? 1 : io.qParts ? 2 : 0, io.qParts?.off ?? 0, io.qParts?.n ?? 0, split],
    bindings: [io.q ?? io.qParts?.src ?? aw.wqT, io.kv, aw.small, io.h, io.attn, io.ctx, io.gate],
    workgroups: [frames],
  });
}

/** The fused attention-LSTM step's packed weights (`packAttnCell`). */
export interface AttnCellWeights {
  /** `[LSTM Wᵀ (M + H rows × 4H) ; Wqᵀ [H, A] ; convᵀ [H, 2M] ; conv bias [2M]]`. */
  w: Tensor;
  /** `[4H]`: b_ih + b_hh. */
  bias: Tensor;
  hidden: number;
  mel: number;
  attn: number;
}

/** Host packing for `attnCellFused`: the packed LSTM (`packLstm`, input = the M-channel frame), Wq `[A, H]`, conv `[2M, H]`, bias `[2M]`. */
export function packAttnCell(lstmW: Float32Array, wq: Float32Array, conv: Float32Array, convB: Float32Array, hidden: number, mel: number, attn: number): Float32Array {
  const n = lstmW.length + hidden * attn + hidden * 2 * mel + 2 * mel;
  const out = new Float32Array(Math.ceil(n / 4) * 4); // read as vec4
  out.set(lstmW, 0);
  out.set(transposeHost(wq, attn, hidden), lstmW.length);
  out.set(transposeHost(conv, 2 * mel, hidden), lstmW.length + hidden * attn);
  out.set(convB, lstmW.length + hidden * attn + hidden * 2 * mel);
  return out;
}

/** Workgroups (= partial query rows) of `attnCellFused` for a hidden size. */
export const attnCellParts = (hidden: number, tuning: StepTuning): number => Math.ceil(hidden / tuning.units);

export interface AttnCellIo {
  /** The previous step's dense output `[H]` (unused when `first`). */
  d: Tensor;
  /** Residual rows; the previous frame's z is at `zOff`. */
  z: Tensor;
  zOff: number;
  /** Output rows; the previous frame is written at `oOff`. */
  out: Tensor;
  oOff: number;
  /** Step 0: the previous frame is zeros (nothing is written). */
  first: boolean;
  /** `[H + parts·A]`: h then partial queries (read: the first H). */
  hIn: Tensor;
  hOut: Tensor;
  c: Tensor;
}

/** Previous frame's conv + inverse affine (written once), attention-LSTM cell, and partial queries into `hOut[H…]`. */
export function attnCellFused(e: Engine, cw: AttnCellWeights, io: AttnCellIo, tuning: StepTuning): void {
  checkTuning(tuning);
  const [h, m, a] = [cw.hidden, cw.mel, cw.attn];
  if (m > 256) throw new FlowgpuError(`flowtron: ${m} mel channels exceed the fused step's limit of 256`);
  const parts = attnCellParts(h, tuning);
  if (io.hOut.size < h + parts * a) throw new FlowgpuError(`attn cell: hOut ${describeShape(io.hOut.shape)} must hold ${h} + ${parts}·${a} values`);
  const lstmLen = (m + h) * 4 * h;
  e.dispatch({
    kernel: { family, source, entry: 'attn_cell', constants: { UNITS: tuning.units, KSPLIT: tuning.ksplit } },
    params: [h, m, a, io.zOff, io.oOff, lstmLen, lstmLen + h * a, lstmLen + h * a + h * 2 * m, io.first ? 1 : 0],
    bindings: [cw.w, cw.bias, io.d, io.z, io.hIn, io.c, io.hOut, io.out],
    workgroups: [parts],
  });
}

/** A torch Linear in `matvec`'s layout: Wᵀ `[K, N4]` and the bias `[N4]`, N padded to a multiple of 4. */
export interface MatvecWeights {
  w: Tensor;
  b: Tensor;
  k: number;
  n: number;
}

/** Host packing for `matvec` of a torch Linear weight `[N, K]` (and bias `[N]`, zeros when absent). */
export function packMatvec(w: Float32Array, n: number, k: number, bias?: Float32Array): { w: Float32Array; b: Float32Array } {
  const n4 = Math.ceil(n / 4) * 4;
  const wt = new Float32Array(k * n4);
  for (let r = 0; r < n; r++) for (let c = 0; c < k; c++) wt[c * n4 + r] = w[r * k + c]!;
  const b = new Float32Array(n4);
  if (bias) b.set(bias.subarray(0, n));
  return { w: wt, b };
}

/** `y[yOff + n] = act(Σ_k W[n, k]·x[xOff + k] + b[n])` (each invocation makes 4 outputs). */
export function matvec(e: Engine, mv: MatvecWeights, x: Tensor, y: Tensor, tuning: StepTuning, o: { act?: 'none' | 'tanh'; xOff?: number; yOff?: number } = {}): Tensor {
  checkTuning(tuning);
  const n4 = Math.ceil(mv.n / 4);
  if (mv.w.size !== mv.k * n4 * 4 || mv.b.size !== n4 * 4) throw new FlowgpuError(`matvec: weights ${describeShape(mv.w.shape)} / bias ${describeShape(mv.b.shape)} are not packed for ${mv.n}×${mv.k}`);
  e.dispatch({
    kernel: { family, source, entry: 'matvec', constants: { UNITS: tuning.units, KSPLIT: tuning.ksplit, ACT: o.act === 'tanh' ? 1 : 0 } },
    params: [mv.k, mv.n, o.xOff ?? 0, o.yOff ?? 0],
    bindings: [mv.w, mv.b, x, y],
    workgroups: [Math.ceil(n4 / tuning.units)],
  });
  return y;
}

/** 1x1 conv (wT `[H, 2M]`, bias `[2M]`) of d `[H]` → (log_s, b); `out[oOff + m] = (z[zOff + m] − b_m)/exp(log_s_m)`. */
export function affineInverse(e: Engine, wT: Tensor, bias: Tensor, d: Tensor, z: Tensor, out: Tensor, zOff: number, oOff: number, tuning: StepTuning): void {
  checkTuning(tuning);
  const [h, m2] = [wT.dim(0), wT.dim(1)];
  const m = m2 / 2;
  e.dispatch({
    kernel: { family, source, entry: 'affine_inv', constants: { UNITS: tuning.units, KSPLIT: tuning.ksplit } },
    params: [m, h, zOff, oOff],
    bindings: [wT, bias, d, z, out],
    workgroups: [Math.ceil(m / tuning.units)],
  });
}
