import source from '../../shaders/flowstep.wgsl';
import { type Engine, grid } from '../gpu/engine.js';
import { describeShape, FlowgpuError } from '../gpu/errors.js';
import { f32 } from '../gpu/params.js';
import type { Tensor } from '../gpu/tensor.js';

const family = 'flowstep';
const WG = 256;

function check2d(label: string, x: Tensor): [number, number] {
  if (x.shape.length !== 2) throw new FlowgpuError(`${label}: input must be [C, T], got ${describeShape(x.shape)}`);
  return [x.dim(0), x.dim(1)];
}

/** Glow's squeeze: `[C, T]` → `[C·n, T/n]` with row s·C + c holding frame n·t + s (a trailing
 *  partial group of frames is dropped, as the original does). */
export function squeezeFrames(e: Engine, x: Tensor, n: number): Tensor {
  const [c, t] = check2d('squeeze', x);
  const tq = Math.floor(t / n);
  const y = e.empty([c * n, tq], 'f32', 'squeeze');
  if (n === 1) {
    e.copy(x, y, c * t);
    return y;
  }
  e.dispatch({
    kernel: { family, source, entry: 'squeeze', constants: { WG } },
    params: [c, tq, n, t],
    bindings: [x, y],
    workgroups: grid(e, Math.ceil(y.size / WG)),
  });
  return y;
}

/** Inverse of `squeezeFrames`: `[C·n, T]` → `[C, T·n]`. */
export function unsqueezeFrames(e: Engine, x: Tensor, n: number): Tensor {
  const [cn, t] = check2d('unsqueeze', x);
  if (cn % n !== 0) throw new FlowgpuError(`unsqueeze: ${cn} channels do not split by ${n}`);
  const c = cn / n;
  const y = e.empty([c, t * n], 'f32', 'unsqueeze');
  if (n === 1) {
    e.copy(x, y, cn * t);
    return y;
  }
  e.dispatch({
    kernel: { family, source, entry: 'unsqueeze', constants: { WG } },
    params: [c, t, n, 0],
    bindings: [x, y],
    workgroups: grid(e, Math.ceil(y.size / WG)),
  });
  return y;
}

export interface ActNormInvConvOptions {
  /** Reverse (inference) direction: `w` must then be the inverse matrix. */
  reverse: boolean;
  /** Frames from here on are written as 0. */
  length?: number;
}

/**
 * Glow-TTS's ActNorm and InvConvNear fused. Forward: `W·(bias + exp(logs)·x)` per channel group;
 * reverse: `(W⁻¹·x − bias)·exp(−logs)`. `logs`, `bias` have C elements; `w` is
 * `[nSplit, nSplit]`, shared by the C/nSplit groups (see shaders/flowstep.wgsl for the grouping).
 */
export function actNormInvConv(e: Engine, x: Tensor, logs: Tensor, bias: Tensor, w: Tensor, o: ActNormInvConvOptions): Tensor {
  const label = 'actNormInvConv';
  const [c, t] = check2d(label, x);
  const ns = w.dim(0);
  if (w.shape.length !== 2 || w.dim(1) !== ns || ns % 2 !== 0 || c % ns !== 0) {
    throw new FlowgpuError(`${label}: matrix ${describeShape(w.shape)} must be square with an even size dividing ${c} channels`);
  }
  if (logs.size !== c || bias.size !== c) {
    throw new FlowgpuError(`${label}: logs ${describeShape(logs.shape)} and bias ${describeShape(bias.shape)} need ${c} elements`);
  }
  const y = e.empty([c, t], 'f32', label);
  e.dispatch({
    kernel: { family, source, entry: 'actnorm_invconv', constants: { WG, REVERSE: o.reverse ? 1 : 0 } },
    params: [c, t, Math.min(o.length ?? t, t), ns],
    bindings: [x, logs, bias, w, y],
    workgroups: grid(e, Math.ceil(y.size / WG)),
  });
  return y;
}

/**
 * Length-regulated prior sample: `z[c, t] = m[c, idx[t]] + exp(logs[c, idx[t]])·noise[c, t]·scale`
 * with `idx` an i32 `[T]` token index per frame (negative: a zero frame). `logs` omitted = 0.
 */
export function expandPrior(e: Engine, m: Tensor, logs: Tensor | undefined, idx: Tensor, noise: Tensor, scale: number): Tensor {
  const label = 'expandPrior';
  const [c, tx] = check2d(label, m);
  const t = idx.size;
  if (idx.dtype !== 'i32') throw new FlowgpuError(`${label}: frame→token indices must be i32, got ${idx.dtype}`);
  if (noise.size !== c * t) throw new FlowgpuError(`${label}: noise ${describeShape(noise.shape)} should be [${c}, ${t}]`);
  if (logs && logs.size !== m.size) throw new FlowgpuError(`${label}: logs ${describeShape(logs.shape)} does not match means ${describeShape(m.shape)}`);
  const z = e.empty([c, t], 'f32', label);
  e.dispatch({
    kernel: { family, source, entry: 'expand', constants: { WG, LOGS: logs ? 1 : 0 } },
    params: [c, tx, t, f32(scale)],
    bindings: [m, logs, idx, noise, z],
    workgroups: grid(e, Math.ceil(z.size / WG)),
  });
  return z;
}
