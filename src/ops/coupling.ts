import source from '../../shaders/coupling.wgsl';
import { type Engine, grid } from '../gpu/engine.js';
import { describeShape, FlowgpuError } from '../gpu/errors.js';
import type { KernelRef } from '../gpu/pipelines.js';
import type { Tensor } from '../gpu/tensor.js';

const family = 'coupling';
const WG = 256;

export interface CouplingOptions {
  /** true (default): the inverse `(x1 − shift)·exp(−logs)`; false: the forward `x1·exp(logs) + shift`. */
  reverse?: boolean;
  /** First channel of x1 (default ⌊C/2⌋); x1 runs to `x1Start + n1`. */
  x1Start?: number;
  /** Channels in x1 (default C − x1Start). */
  n1?: number;
  /** Which half of `stats` holds the shift: 'shift-first' (WaveGlow [b | s], Glow-TTS [m | logs],
   *  the default) or 'scale-first' (Flowtron [log_s | b]). Overridden by explicit rows. */
  order?: 'shift-first' | 'scale-first';
  /** Row of `stats` holding the shift of x1's row 0 (default from `order`). */
  shiftRow?: number;
  /** Row of `stats` holding the log-scale of x1's row 0 (default from `order`). */
  scaleRow?: number;
  /** Per-frame mask `[T]` multiplied into the transformed rows (Glow-TTS `x_mask`). */
  mask?: Tensor;
  /** `logs = log(1e-6 + sigmoid(logs + 2))` before use (Glow-TTS `sigmoid_scale`). */
  sigmoidScale?: boolean;
  /** x is `[T, C]` and stats `[T, S]` (one frame per row, Flowtron) instead of `[C, T]` / `[S, T]`. */
  timeMajor?: boolean;
  out?: Tensor;
}

export function couplingKernel(reverse: boolean, mask: boolean, sigmoidScale = false, timeMajor = false): KernelRef {
  const flags = { REVERSE: reverse, MASK: mask, SIGMOID_SCALE: sigmoidScale, TIME_MAJOR: timeMajor };
  return { family, source, entry: 'coupling', constants: { WG, ...Object.fromEntries(Object.entries(flags).map(([k, v]) => [k, v ? 1 : 0])) } };
}

/**
 * Affine coupling on channels-first `x` `[C, T]` with the coupling network's output `stats`
 * `[S, T]` (or time-major `[T, C]` / `[T, S]`): channels of x outside x1 are copied, the x1
 * channels become `(x1 − shift)·exp(−logs)` (reverse) or `x1·exp(logs) + shift` (forward).
 * WaveGlow ([b | s]), Glow-TTS ([m | logs], sigmoid scale) and Flowtron ([log_s | b], time-major)
 * differ only by these options. Returns a new tensor shaped like x.
 */
export function affineCoupling(e: Engine, x: Tensor, stats: Tensor, o: CouplingOptions = {}): Tensor {
  const label = 'affineCoupling';
  if (x.shape.length !== 2 || stats.shape.length !== 2) {
    throw new FlowgpuError(`${label}: x and stats must be [C, T], got ${describeShape(x.shape)} and ${describeShape(stats.shape)}`);
  }
  const [c, t] = (o.timeMajor ? [x.dim(1), x.dim(0)] : x.shape) as [number, number];
  const rowsS = o.timeMajor ? stats.dim(1) : stats.dim(0);
  const x1Start = o.x1Start ?? Math.floor(c / 2);
  const n1 = o.n1 ?? c - x1Start;
  const shiftFirst = (o.order ?? 'shift-first') === 'shift-first';
  const shiftRow = o.shiftRow ?? (shiftFirst ? 0 : n1);
  const scaleRow = o.scaleRow ?? (shiftFirst ? n1 : 0);
  if (stats.dim(o.timeMajor ? 0 : 1) !== t) throw new FlowgpuError(`${label}: stats ${describeShape(stats.shape)} and x ${describeShape(x.shape)} differ in frames`);
  if (x1Start < 0 || n1 < 0 || x1Start + n1 > c) throw new FlowgpuError(`${label}: x1 rows [${x1Start}, ${x1Start + n1}) are outside x ${describeShape(x.shape)}`);
  if (shiftRow + n1 > rowsS || scaleRow + n1 > rowsS) {
    throw new FlowgpuError(`${label}: stats ${describeShape(stats.shape)} has no rows [${shiftRow}, ${shiftRow + n1}) and [${scaleRow}, ${scaleRow + n1}) for x1`);
  }
  if (o.mask && o.mask.size !== t) throw new FlowgpuError(`${label}: mask ${describeShape(o.mask.shape)} should have ${t} elements`);
  const y = o.out ?? e.empty(x.shape, 'f32', label);
  if (y.size !== c * t) throw new FlowgpuError(`${label}: output ${describeShape(y.shape)} is not ${describeShape(x.shape)}`);
  e.dispatch({
    kernel: couplingKernel(o.reverse ?? true, Boolean(o.mask), o.sigmoidScale, o.timeMajor),
    params: [c, t, x1Start, n1, shiftRow, scaleRow, rowsS],
    bindings: [x, stats, o.mask, y],
    workgroups: grid(e, Math.ceil((c * t) / WG)),
  });
  return y;
}

export const upsampleKernel: KernelRef = { family, source, entry: 'upsample', constants: { WG } };
export const interleaveKernel: KernelRef = { family, source, entry: 'interleave', constants: { WG } };

export interface UpsampleSqueezeOptions {
  stride: number;
  group: number;
  /** First group step of the window (default 0). */
  t0?: number;
  /** Group steps in the window (default all: ⌊stride·frames / group⌋ − t0). */
  len?: number;
  /** Write into `out` from element `dst` (default: a new `[M·G, len]` tensor). */
  out?: Tensor;
  dst?: number;
}

/**
 * WaveGlow's conditioning: ConvTranspose1d of `mel` `[M, T]` by `weight` `[M, M, K]` (stride S,
 * no padding, bias), trimmed to S·T samples, then unfolded by `group` G into `[M·G, S·T/G]` with
 * row `m·G + j` = sample `G·t + j` of mel channel m. Only a window of group steps is computed.
 */
export function upsampleSqueeze(e: Engine, mel: Tensor, weight: Tensor, bias: Tensor, o: UpsampleSqueezeOptions): Tensor {
  const label = 'upsampleSqueeze';
  if (mel.shape.length !== 2 || weight.shape.length !== 3) {
    throw new FlowgpuError(`${label}: mel must be [M, T] and weight [M, M, K], got ${describeShape(mel.shape)} and ${describeShape(weight.shape)}`);
  }
  const [m, frames] = mel.shape as [number, number];
  const [wi, wo, k] = weight.shape as [number, number, number];
  if (wi !== m || wo !== m || bias.size !== m) {
    throw new FlowgpuError(`${label}: mel ${describeShape(mel.shape)} does not match weight ${describeShape(weight.shape)} / bias ${describeShape(bias.shape)}`);
  }
  const total = Math.floor((o.stride * frames) / o.group);
  const t0 = o.t0 ?? 0;
  const len = o.len ?? total - t0;
  if (t0 < 0 || len < 0 || t0 + len > total) throw new FlowgpuError(`${label}: window [${t0}, ${t0 + len}) is outside the ${total} group steps`);
  if (k < o.stride) throw new FlowgpuError(`${label}: kernel ${k} is shorter than the stride ${o.stride}`);
  const y = o.out ?? e.empty([m * o.group, len], 'f32', label);
  const dst = o.dst ?? 0;
  if (dst + m * o.group * len > y.size) throw new FlowgpuError(`${label}: [${m * o.group}, ${len}] from element ${dst} does not fit the output ${describeShape(y.shape)}`);
  e.dispatch({
    kernel: upsampleKernel,
    params: [m, frames, o.stride, k, o.group, t0, len, dst],
    bindings: [mel, weight, bias, y],
    workgroups: grid(e, Math.ceil((m * o.group * len) / WG)),
  });
  return y;
}

/** Writes columns [c0, c0 + n) of `x` `[C, T]` interleaved (sample `t·C + c`) into `out` from `dst`. */
export function interleave(e: Engine, x: Tensor, out: Tensor, c0 = 0, n = x.dim(1) - c0, dst = 0): void {
  const [c, t] = x.shape as [number, number];
  if (x.shape.length !== 2 || c0 + n > t || dst + n * c > out.size) {
    throw new FlowgpuError(`interleave: columns [${c0}, ${c0 + n}) of ${describeShape(x.shape)} into ${describeShape(out.shape)} at ${dst} are out of bounds`);
  }
  e.dispatch({
    kernel: interleaveKernel,
    params: [c, t, c0, n, dst],
    bindings: [x, out],
    workgroups: grid(e, Math.ceil((c * n) / WG)),
  });
}
