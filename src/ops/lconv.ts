// Ops of XSpkEmoTrans' (SCLN-)LConv blocks on channels-first [C, T] tensors: fairseq's
// LightweightConv, GLU over channels, LayerNorm / speaker-conditional LayerNorm (SCLN) over
// channels, and the column gather behind length regulation. Kernels: shaders/lconv.wgsl.
import source from '../../shaders/lconv.wgsl';
import { type Engine, grid } from '../gpu/engine.js';
import { describeShape, FlowgpuError } from '../gpu/errors.js';
import { f32 } from '../gpu/params.js';
import type { Tensor } from '../gpu/tensor.js';

const family = 'lconv';
const WG = 64;

function channelsFirst(x: Tensor, label: string): [number, number] {
  if (x.shape.length !== 2) throw new FlowgpuError(`${label}: input must be channels-first [C, T], got ${describeShape(x.shape)}`);
  return [x.dim(0), x.dim(1)];
}

export interface LightweightConvOptions {
  /** Left padding (fairseq `padding_l`); defaults to K // 2 (centred for odd K). */
  paddingL?: number;
  /** Softmax over the K taps of each head first (fairseq `weight_softmax`, default true). */
  weightSoftmax?: boolean;
  /** Added to the output (the block's residual), same shape as x. */
  residual?: Tensor;
}

/**
 * fairseq `LightweightConv` (no bias) on x `[C, T]`: weight `[H, 1, K]` or `[H, K]`; channel c
 * uses head ⌊c / (C/H)⌋; `y[c, t] = Σ_k softmax(w[h])[k] · x[c, t + k − padding_l]` (zero outside).
 */
export function lightweightConv(e: Engine, x: Tensor, weight: Tensor, o: LightweightConvOptions = {}): Tensor {
  const label = 'lightweightConv';
  const [c, t] = channelsFirst(x, label);
  const heads = weight.dim(0);
  const taps = weight.dim(-1);
  if (weight.size !== heads * taps || (weight.shape.length === 3 && weight.dim(1) !== 1) || weight.shape.length < 2) {
    throw new FlowgpuError(`${label}: weight must be [H, 1, K] or [H, K], got ${describeShape(weight.shape)}`);
  }
  if (c % heads !== 0) throw new FlowgpuError(`${label}: ${c} channels do not split into ${heads} heads`);
  const padL = o.paddingL ?? Math.floor(taps / 2);
  if (!Number.isInteger(padL) || padL < 0 || padL >= taps) throw new FlowgpuError(`${label}: padding_l ${padL} must be in [0, ${taps})`);
  if (o.residual && o.residual.size !== x.size) {
    throw new FlowgpuError(`${label}: residual ${describeShape(o.residual.shape)} does not match ${describeShape(x.shape)}`);
  }
  const y = e.empty([c, t], 'f32', label);
  e.dispatch({
    kernel: { family, source, entry: 'lconv', constants: { WG, WEIGHT_SOFTMAX: o.weightSoftmax === false ? 0 : 1, RESIDUAL: o.residual ? 1 : 0 } },
    params: [c, t, heads, taps, padL],
    bindings: [x, weight, o.residual, y],
    workgroups: grid(e, Math.ceil((c * t) / WG)),
  });
  return y;
}

/** nn.GLU over channels of x `[2C, T]`: `x[:C] · sigmoid(x[C:])` → `[C, T]`. */
export function glu(e: Engine, x: Tensor): Tensor {
  const label = 'glu';
  const [c2, t] = channelsFirst(x, label);
  if (c2 % 2 !== 0) throw new FlowgpuError(`${label}: channel count ${c2} is odd`);
  const c = c2 / 2;
  const y = e.empty([c, t], 'f32', label);
  e.dispatch({
    kernel: { family, source, entry: 'glu', constants: { WG } },
    params: [c, t],
    bindings: [x, y],
    workgroups: grid(e, Math.ceil((c * t) / WG)),
  });
  return y;
}

interface ChannelNormArgs {
  x: Tensor;
  residual?: Tensor;
  gain: Tensor;
  gainOffset: number;
  bias: Tensor;
  biasOffset: number;
  eps: number;
  scln: boolean;
  label: string;
}

function channelNorm(e: Engine, a: ChannelNormArgs): Tensor {
  const [c, t] = channelsFirst(a.x, a.label);
  if (a.residual && a.residual.size !== a.x.size) {
    throw new FlowgpuError(`${a.label}: residual ${describeShape(a.residual.shape)} does not match ${describeShape(a.x.shape)}`);
  }
  if (a.gain.size < a.gainOffset + c || a.bias.size < a.biasOffset + c) {
    throw new FlowgpuError(`${a.label}: gain ${describeShape(a.gain.shape)} / bias ${describeShape(a.bias.shape)} are too short for ${c} channels`);
  }
  const y = e.empty([c, t], 'f32', a.label);
  e.dispatch({
    kernel: { family, source, entry: 'chnorm', constants: { WG, RESIDUAL: a.residual ? 1 : 0, SCLN: a.scln ? 1 : 0 } },
    params: [c, t, f32(a.eps), a.gainOffset, a.biasOffset],
    bindings: [a.x, a.residual, a.gain, a.bias, y],
    workgroups: grid(e, Math.ceil(t / WG)),
  });
  return y;
}

/** nn.LayerNorm over the channels of each frame of x `[C, T]` (of `x + residual` when given). */
export function layerNormChannels(e: Engine, x: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-5, residual?: Tensor): Tensor {
  return channelNorm(e, { x, residual, gain: gamma, gainOffset: 0, bias: beta, biasOffset: 0, eps, scln: false, label: 'layerNorm' });
}

/**
 * Speaker-conditional layer norm on x `[C, T]` (of `x + residual` when given):
 * `y = g ⊙ (x − μ) / (σ + eps) + b` per frame, σ the unbiased std over channels, and `affine`
 * `[2C]` = `Linear(speaker)` split as `[b | g]` (bias first, as in the original).
 */
export function scln(e: Engine, x: Tensor, affine: Tensor, eps = 1e-8, residual?: Tensor): Tensor {
  const c = x.dim(0);
  if (affine.size !== 2 * c) throw new FlowgpuError(`scln: affine vector ${describeShape(affine.shape)} should have 2·${c} elements`);
  return channelNorm(e, { x, residual, gain: affine, gainOffset: c, bias: affine, biasOffset: 0, eps, scln: true, label: 'scln' });
}

/** `y[:, t] = x[:, index[t]]` for x `[C, Tin]` and an i32 index `[Tout]` → `[C, Tout]`. */
export function gatherColumns(e: Engine, x: Tensor, index: Tensor): Tensor {
  const label = 'gatherColumns';
  const [c, tin] = channelsFirst(x, label);
  if (index.dtype !== 'i32') throw new FlowgpuError(`${label}: index must be i32, got ${index.dtype}`);
  const tout = index.size;
  const y = e.empty([c, tout], 'f32', label);
  if (tout === 0 || c === 0) return y;
  if (tin === 0) throw new FlowgpuError(`${label}: cannot gather from an empty input`);
  e.dispatch({
    kernel: { family, source, entry: 'gather_cols', constants: { WG } },
    params: [c, tin, tout],
    bindings: [x, index, y],
    workgroups: grid(e, Math.ceil((c * tout) / WG)),
  });
  return y;
}

/** `round(exp(log_d) − 1)` clamped at 0, in float32 with torch.round's half-to-even. */
export function roundDurations(logD: ArrayLike<number>, scale = 1): Int32Array {
  const out = new Int32Array(logD.length);
  for (let i = 0; i < logD.length; i++) {
    const v = Math.fround(Math.fround(Math.fround(Math.exp(logD[i]!)) - 1) * scale);
    out[i] = Math.max(0, roundHalfEven(v));
  }
  return out;
}

export function roundHalfEven(v: number): number {
  if (!Number.isFinite(v)) return v > 0 ? 2 ** 31 - 1 : 0;
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** Length regulation: frame i of x `[C, T]` repeated `durations[i]` times → `[C, Σd]`. */
export function lengthRegulate(e: Engine, x: Tensor, durations: ArrayLike<number>): Tensor {
  const t = x.dim(-1);
  if (durations.length !== t) throw new FlowgpuError(`lengthRegulate: ${durations.length} durations for ${t} frames`);
  let total = 0;
  for (let i = 0; i < t; i++) total += Math.max(0, durations[i]!);
  const idx = new Int32Array(total);
  let at = 0;
  for (let i = 0; i < t; i++) for (let r = 0; r < durations[i]!; r++) idx[at++] = i;
  if (total === 0) return e.empty([x.dim(0), 0], 'f32', 'lengthRegulate');
  return gatherColumns(e, x, e.upload(idx, [total], 'lengthRegulate.index'));
}
