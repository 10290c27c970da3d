import source from '../../shaders/norm.wgsl';
import { type Engine, grid } from '../gpu/engine.js';
import { describeShape, FlowgpuError } from '../gpu/errors.js';
import { f32 } from '../gpu/params.js';
import type { Tensor } from '../gpu/tensor.js';

const family = 'norm';
/** Rows at least this long (with inner = 1) get a workgroup each; shorter ones a thread each. */
const ROW_WG_MIN_LEN = 256;

export interface LayerNormOptions {
  /** Added to the variance (default 1e-5; Glow-TTS uses 1e-4). */
  eps?: number;
  /** 'channels': x is channels-first `[C, T]` or `[B, C, T]`, normalised over C for each frame
   *  (Glow-TTS `modules.LayerNorm`). 'last': normalised over the last dim of `[..., C]`
   *  (torch `nn.LayerNorm(C)`). Default 'channels'. */
  axis?: 'channels' | 'last';
  /** Divide the sum of squares by C − 1 (torch.std) instead of C (default false: biased). */
  unbiased?: boolean;
  /** `(x − μ) / (σ + eps)` instead of `(x − μ) / √(σ² + eps)` (XSpkEmoTrans SCLN). */
  epsOnStd?: boolean;
  out?: Tensor;
  /** Force a kernel (tests): 'cols' a thread per row, 'rows' a workgroup per row (needs inner = 1). */
  kernel?: 'cols' | 'rows';
  /** Workgroup size (power of two ≤ 256). */
  workgroup?: number;
}

interface NormSpec {
  label: string;
  outer: number;
  len: number;
  inner: number;
  channels: number;
  affineByRow: boolean;
  eps: number;
  unbiased: boolean;
  epsOnStd: boolean;
  kernel?: 'cols' | 'rows';
  workgroup?: number;
}

function normalize(e: Engine, x: Tensor, gamma: Tensor | undefined, beta: Tensor | undefined, s: NormSpec, out?: Tensor): Tensor {
  if (x.dtype !== 'f32') throw new FlowgpuError(`${s.label}: input ${x} must be f32`);
  const affineLen = s.affineByRow ? s.channels : s.len;
  for (const [name, t] of [['gamma', gamma], ['beta', beta]] as const) {
    if (t && t.size !== affineLen) {
      throw new FlowgpuError(`${s.label}: ${name} ${describeShape(t.shape)} should have ${affineLen} elements for input ${describeShape(x.shape)}`);
    }
  }
  if (s.len === 0) throw new FlowgpuError(`${s.label}: cannot normalise over an empty axis of ${describeShape(x.shape)}`);
  const y = out ?? e.empty(x.shape, 'f32', s.label);
  if (y.size !== x.size) throw new FlowgpuError(`${s.label}: output ${describeShape(y.shape)} does not match input ${describeShape(x.shape)}`);
  const wg = s.workgroup ?? 64;
  if (!(wg >= 1 && wg <= 256 && (wg & (wg - 1)) === 0)) throw new Error(`${s.label}: workgroup ${wg} is not a power of two ≤ 256`);
  let kernel = s.kernel ?? (s.inner === 1 && s.len >= ROW_WG_MIN_LEN ? 'rows' : 'cols');
  if (kernel === 'rows' && s.inner !== 1) kernel = 'cols';
  const constants = {
    WG: wg, GAMMA: gamma ? 1 : 0, BETA: beta ? 1 : 0, AFFINE_BY_ROW: s.affineByRow ? 1 : 0,
    UNBIASED: s.unbiased ? 1 : 0, EPS_ON_STD: s.epsOnStd ? 1 : 0,
  };
  e.dispatch({
    label: s.label,
    kernel: { family, source, entry: kernel, constants },
    params: [s.outer, s.len, s.inner, Math.max(s.channels, 1), f32(s.eps)],
    bindings: [x, gamma, beta, y],
    workgroups: grid(e, kernel === 'rows' ? s.outer : Math.ceil((s.outer * s.inner) / wg)),
  });
  return y;
}

/**
 * Layer norm with biased variance: over the channels of channels-first `[C, T]` / `[B, C, T]`
 * (`axis: 'channels'`, default) or over the last dim of `[..., C]` (`axis: 'last'`), then
 * `· gamma[c] + beta[c]` when given (each `[C]`).
 */
export function layerNorm(e: Engine, x: Tensor, gamma?: Tensor, beta?: Tensor, o: LayerNormOptions = {}): Tensor {
  const axis = o.axis ?? 'channels';
  const label = `layerNorm(${axis})`;
  const r = x.shape.length;
  let outer: number;
  let len: number;
  let inner: number;
  if (axis === 'channels') {
    if (r !== 2 && r !== 3) throw new FlowgpuError(`${label}: input must be [C, T] or [B, C, T], got ${describeShape(x.shape)}`);
    [outer, len, inner] = [r === 3 ? x.dim(0) : 1, x.dim(-2), x.dim(-1)];
  } else {
    if (r < 1) throw new FlowgpuError(`${label}: input must have at least one dim, got ${describeShape(x.shape)}`);
    len = x.dim(-1);
    [outer, inner] = [len === 0 ? 0 : x.size / len, 1];
  }
  return normalize(e, x, gamma, beta, {
    label, outer, len, inner, channels: len, affineByRow: false, eps: o.eps ?? 1e-5,
    unbiased: o.unbiased ?? false, epsOnStd: o.epsOnStd ?? false, kernel: o.kernel, workgroup: o.workgroup,
  }, o.out);
}

export interface InstanceNormOptions {
  out?: Tensor;
  kernel?: 'cols' | 'rows';
  workgroup?: number;
}

/**
 * Instance norm (torch `InstanceNorm1d` at inference): each channel of `[C, T]` / `[B, C, T]` is
 * normalised over T with its own mean and biased variance, then `· gamma[c] + beta[c]` when
 * given (each `[C]`).
 */
export function instanceNorm(e: Engine, x: Tensor, gamma?: Tensor, beta?: Tensor, eps = 1e-5, o: InstanceNormOptions = {}): Tensor {
  const label = 'instanceNorm';
  const r = x.shape.length;
  if (r !== 2 && r !== 3) throw new FlowgpuError(`${label}: input must be [C, T] or [B, C, T], got ${describeShape(x.shape)}`);
  const [c, t] = [x.dim(-2), x.dim(-1)];
  return normalize(e, x, gamma, beta, {
    label, outer: x.size === 0 ? 0 : x.size / t, len: t, inner: 1, channels: c, affineByRow: true, eps,
    unbiased: false, epsOnStd: false, kernel: o.kernel, workgroup: o.workgroup,
  }, o.out);
}
