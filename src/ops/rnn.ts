import source from '../../shaders/rnn.wgsl';
import { type Engine, grid } from '../gpu/engine.js';
import { describeShape, FlowgpuError } from '../gpu/errors.js';
import type { Tensor } from '../gpu/tensor.js';
import { add } from './elementwise.js';
import { linear } from './matmul.js';

const family = 'rnn';

function checkVector(label: string, name: string, t: Tensor | undefined, n: number): void {
  if (t && t.size !== n) throw new FlowgpuError(`${label}: ${name} ${describeShape(t.shape)} should have ${n} elements`);
  if (t && t.dtype !== 'f32') throw new FlowgpuError(`${label}: ${name} ${t} must be f32`);
}

interface CellCommon {
  /** The input projection for this step: `[G·H]`, or `[T, G·H]` with `xProjRow` picking the step. */
  xProj: Tensor;
  xProjRow?: number;
  /** Hidden state `[H]` (read only: the new state goes to `hOut`). */
  h: Tensor;
  /** Also write h' into `seq` at elements `[seqOffset, seqOffset + H)` (a row of a sequence output). */
  seq?: Tensor;
  seqOffset?: number;
  /** Kernel shape: `units` hidden units per workgroup, `ksplit` invocations per unit (a power of
   *  two; > 1 adds a workgroup reduction), units·ksplit ≤ 256. Default: 64×1 on CPU adapters
   *  (no barriers), 4×32 on GPUs (coalesced row reads). */
  tuning?: RnnTuning;
}

export interface RnnTuning {
  units: number;
  ksplit: number;
}

/** The default cell kernel shape for this adapter. */
export function rnnTuning(e: Engine): RnnTuning {
  return e.isSoftware ? { units: 64, ksplit: 1 } : { units: 4, ksplit: 32 };
}

function cellSetup(e: Engine, label: string, gates: number, o: CellCommon, whh: Tensor): { H: number; xOff: number; seqOff: number; tuning: RnnTuning; v4: boolean } {
  const H = o.h.size;
  if (whh.shape.length !== 2 || whh.dim(0) !== gates * H || whh.dim(1) !== H) {
    throw new FlowgpuError(`${label}: whh ${describeShape(whh.shape)} should be [${gates * H}, ${H}] for h ${describeShape(o.h.shape)}`);
  }
  if (H === 0) throw new FlowgpuError(`${label}: hidden size is 0`);
  const row = o.xProjRow ?? 0;
  const xOff = row * gates * H;
  if (!Number.isInteger(row) || row < 0 || o.xProj.dim(-1) !== gates * H || xOff + gates * H > o.xProj.size) {
    throw new FlowgpuError(
      `${label}: xProj ${describeShape(o.xProj.shape)} row ${row} is not a [${gates * H}] gate projection for hidden size ${H}`,
    );
  }
  const seqOff = o.seqOffset ?? 0;
  if (o.seq && (!Number.isInteger(seqOff) || seqOff < 0 || seqOff + H > o.seq.size)) {
    throw new FlowgpuError(`${label}: seq ${describeShape(o.seq.shape)} has no room for ${H} values at ${seqOff}`);
  }
  const tuning = o.tuning ?? rnnTuning(e);
  const { units, ksplit } = tuning;
  if (!(Number.isInteger(units) && units >= 1 && ksplit >= 1 && (ksplit & (ksplit - 1)) === 0 && units * ksplit <= 256)) {
    throw new Error(`${label}: tuning ${units}×${ksplit} needs units ≥ 1, ksplit a power of two, units·ksplit ≤ 256`);
  }
  for (const t of [o.xProj, o.h, whh]) if (t.dtype !== 'f32') throw new FlowgpuError(`${label}: ${t} must be f32`);
  // vec4 loads need 16-byte aligned rows and a 16-byte aligned h.
  const v4 = H % 4 === 0 && whh.offset % 4 === 0 && o.h.offset % 4 === 0;
  return { H, xOff, seqOff, tuning, v4 };
}

export interface LstmCellArgs extends CellCommon {
  /** Cell state `[H]` (read only: the new state goes to `cOut`). */
  c: Tensor;
  /** `[4H, H]`, torch `weight_hh_l{k}` (gate rows i, f, g, o). */
  whh: Tensor;
  /** `[4H]` added to the gates, for an `xProj` computed without biases (leave it out when
   *  xProj already holds `b_ih + b_hh`). */
  bias?: Tensor;
  /** Where h' and c' go (default: new tensors). Must not be `h` or `c`. */
  hOut?: Tensor;
  cOut?: Tensor;
}

/**
 * One LSTM step with fused gates: `a = xProj + W_hh·h (+ bias)`, PyTorch gate order i, f, g, o;
 * `c' = σ(a_f)·c + σ(a_i)·tanh(a_g)`, `h' = σ(a_o)·tanh(c')`. One dispatch; h and c stay on the GPU.
 * Returns the new state (fresh tensors, or `hOut`/`cOut`).
 */
export function lstmCell(e: Engine, a: LstmCellArgs): { h: Tensor; c: Tensor } {
  const label = 'lstmCell';
  const s = cellSetup(e, label, 4, a, a.whh);
  checkVector(label, 'c', a.c, s.H);
  checkVector(label, 'bias', a.bias, 4 * s.H);
  const hOut = a.hOut ?? e.empty([s.H], 'f32', 'lstm.h');
  const cOut = a.cOut ?? e.empty([s.H], 'f32', 'lstm.c');
  checkVector(label, 'hOut', hOut, s.H);
  checkVector(label, 'cOut', cOut, s.H);
  e.dispatch({
    label,
    kernel: { family, source, entry: s.v4 ? 'lstm_v4' : 'lstm', constants: { UNITS: s.tuning.units, KSPLIT: s.tuning.ksplit } },
    params: [s.H, s.xOff, s.seqOff, a.bias ? 1 : 0, a.seq ? 1 : 0],
    bindings: [a.xProj, a.h, a.whh, a.bias, a.c, hOut, cOut, a.seq],
    workgroups: grid(e, Math.ceil(s.H / s.tuning.units)),
  });
  return { h: hOut, c: cOut };
}

export interface GruCellArgs extends CellCommon {
  /** `[3H, H]`, torch `weight_hh_l{k}` (gate rows r, z, n). */
  whh: Tensor;
  /** `[3H]`, torch `bias_hh_l{k}`: stays separate because `b_hn` sits inside `r ⊙ (W_hn·h + b_hn)`.
   *  `xProj` should hold `W_ih·x + b_ih`. */
  bhh?: Tensor;
  hOut?: Tensor;
}

/**
 * One GRU step (PyTorch r, z, n): `r = σ(x_r + W_hr·h + b_hr)`, `z = σ(x_z + W_hz·h + b_hz)`,
 * `n = tanh(x_n + r ⊙ (W_hn·h + b_hn))`, `h' = (1 − z) ⊙ n + z ⊙ h`. Returns h' (`hOut` or new).
 */
export function gruCell(e: Engine, a: GruCellArgs): Tensor {
  const label = 'gruCell';
  const s = cellSetup(e, label, 3, a, a.whh);
  checkVector(label, 'bhh', a.bhh, 3 * s.H);
  const hOut = a.hOut ?? e.empty([s.H], 'f32', 'gru.h');
  checkVector(label, 'hOut', hOut, s.H);
  e.dispatch({
    label,
    kernel: { family, source, entry: s.v4 ? 'gru_v4' : 'gru', constants: { UNITS: s.tuning.units, KSPLIT: s.tuning.ksplit } },
    params: [s.H, s.xOff, s.seqOff, a.bhh ? 1 : 0, a.seq ? 1 : 0],
    bindings: [a.xProj, a.h, a.whh, a.bhh, hOut, a.seq],
    workgroups: grid(e, Math.ceil(s.H / s.tuning.units)),
  });
  return hOut;
}

/** torch `nn.LSTM`/`nn.GRU` weights of one layer and direction. */
export interface RnnWeights {
  /** `[G·H, In]` */
  wih: Tensor;
  /** `[G·H, H]` */
  whh: Tensor;
  bih?: Tensor;
  bhh?: Tensor;
}

export interface RnnOptions {
  /** Run from the last step to the first (the backward half of a bidirectional RNN); y[t] is
   *  still the output at input step t. */
  reverse?: boolean;
  /** Initial state (default zeros). */
  h0?: Tensor;
  c0?: Tensor;
  /** Write the outputs into `out` `[T, W]` (W ≥ H) at columns `[outColumn, outColumn + H)`
   *  (e.g. both halves of a BiLSTM into one `[T, 2H]`). Default: a new `[T, H]`. */
  out?: Tensor;
  outColumn?: number;
  tuning?: RnnTuning;
}

function sequenceSetup(label: string, x: Tensor, w: RnnWeights, gates: number, o: RnnOptions): { T: number; H: number; width: number; col: number } {
  if (x.shape.length !== 2) throw new FlowgpuError(`${label}: input must be [T, In], got ${describeShape(x.shape)}`);
  const [T, inF] = [x.dim(0), x.dim(1)];
  const H = w.whh.dim(-1);
  if (w.wih.shape.length !== 2 || w.wih.dim(0) !== gates * H || w.wih.dim(1) !== inF) {
    throw new FlowgpuError(`${label}: wih ${describeShape(w.wih.shape)} should be [${gates * H}, ${inF}] for input ${describeShape(x.shape)} and whh ${describeShape(w.whh.shape)}`);
  }
  checkVector(label, 'bih', w.bih, gates * H);
  checkVector(label, 'bhh', w.bhh, gates * H);
  checkVector(label, 'h0', o.h0, H);
  const width = o.out ? o.out.dim(-1) : H;
  const col = o.outColumn ?? 0;
  if (o.out && (o.out.size !== T * width || col < 0 || col + H > width)) {
    throw new FlowgpuError(`${label}: out ${describeShape(o.out.shape)} has no [${T}, ${H}] block at column ${col}`);
  }
  return { T, H, width, col };
}

/**
 * A whole LSTM layer in one direction over `x` `[T, In]`: one matmul for `x·W_ihᵀ + b_ih + b_hh`
 * over all steps, then T fused cell dispatches. Returns `y` `[T, H]` (or `out`) and the final
 * state. Nothing is read back.
 */
export function lstm(e: Engine, x: Tensor, w: RnnWeights, o: RnnOptions = {}): { y: Tensor; h: Tensor; c: Tensor } {
  const label = 'lstm';
  const { T, H, width, col } = sequenceSetup(label, x, w, 4, o);
  checkVector(label, 'c0', o.c0, H);
  return e.tidy(() => {
    const bias = w.bih && w.bhh ? add(e, w.bih, w.bhh) : (w.bih ?? w.bhh);
    const xProj = linear(e, x, w.wih, bias);
    const y = o.out ?? e.empty([T, H], 'f32', 'lstm.y');
    const zeros = (): Tensor => e.upload(new Float32Array(H), [H], 'lstm.state0');
    let h = o.h0 ?? zeros();
    let c = o.c0 ?? zeros();
    const hs = [e.empty([H], 'f32', 'lstm.h'), e.empty([H], 'f32', 'lstm.h')];
    const cs = [e.empty([H], 'f32', 'lstm.c'), e.empty([H], 'f32', 'lstm.c')];
    for (let i = 0; i < T; i++) {
      const t = o.reverse ? T - 1 - i : i;
      const next = lstmCell(e, {
        xProj, xProjRow: t, h, c, whh: w.whh, hOut: hs[i % 2], cOut: cs[i % 2],
        seq: y, seqOffset: t * width + col, tuning: o.tuning,
      });
      h = next.h;
      c = next.c;
    }
    return { y, h, c };
  });
}

/**
 * A whole GRU layer in one direction over `x` `[T, In]`: one matmul for `x·W_ihᵀ + b_ih`, then
 * T fused cell dispatches (b_hh applied inside). Returns `y` `[T, H]` (or `out`) and the final h.
 */
export function gru(e: Engine, x: Tensor, w: RnnWeights, o: RnnOptions = {}): { y: Tensor; h: Tensor } {
  const label = 'gru';
  const { T, H, width, col } = sequenceSetup(label, x, w, 3, o);
  return e.tidy(() => {
    const xProj = linear(e, x, w.wih, w.bih);
    const y = o.out ?? e.empty([T, H], 'f32', 'gru.y');
    let h = o.h0 ?? e.upload(new Float32Array(H), [H], 'gru.state0');
    const hs = [e.empty([H], 'f32', 'gru.h'), e.empty([H], 'f32', 'gru.h')];
    for (let i = 0; i < T; i++) {
      const t = o.reverse ? T - 1 - i : i;
      h = gruCell(e, { xProj, xProjRow: t, h, whh: w.whh, bhh: w.bhh, hOut: hs[i % 2], seq: y, seqOffset: t * width + col, tuning: o.tuning });
    }
    return { y, h };
  });
}
