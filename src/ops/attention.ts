// Scaled dot-product multi-head attention (FastSpeech-style FFT blocks, the emotion-token
// attention of XSpkEmoTrans). Kernel: shaders/attention.wgsl.
import source from '../../shaders/attention.wgsl';
import { type Engine, grid } from '../gpu/engine.js';
import { describeShape, FlowgpuError } from '../gpu/errors.js';
import { f32 } from '../gpu/params.js';
import type { Tensor } from '../gpu/tensor.js';

const family = 'attention';
const WG = 64;
const MAX_DV = 128;

/** How an operand is stored: channels-first `[H·D, T]` or time-major `[T, H·D]`. */
export type AttentionLayout = 'channels' | 'time';

export interface AttentionOperand {
  t: Tensor;
  /** Element where channel 0 of frame 0 lies (a slice of a fused QKV projection), default 0. */
  offset?: number;
  /** Rows of this operand's channel axis (the full width when it is a slice), default H·D. */
  width?: number;
}

export interface AttentionOptions {
  heads: number;
  /** Score scale, default 1/√d_k. */
  scale?: number;
  /** Keys at index ≥ kvLength are masked (key padding), default all keys. */
  kvLength?: number;
  /** Layout of q, k, v and the output (default 'channels'). */
  layout?: AttentionLayout;
  /** Also return the probabilities `[H, Tq, Tk]`. */
  returnProbs?: boolean;
}

export interface AttentionResult {
  /** `[H·Dv, Tq]` (channels layout) or `[Tq, H·Dv]` (time layout). */
  out: Tensor;
  probs?: Tensor;
}

function norm(x: Tensor | AttentionOperand): AttentionOperand {
  return 'shape' in x ? { t: x } : x;
}

/**
 * `softmax(scale · Q Kᵀ + mask) V` per head. With `layout: 'channels'`, q is `[H·Dk, Tq]`,
 * k `[H·Dk, Tk]`, v `[H·Dv, Tk]` (torch's `[B, T, C]` transposed); with `'time'`, `[T, H·D]`.
 * Operands may be slices of one bigger tensor (`{ t, offset, width }`).
 */
export function attention(
  e: Engine, q: Tensor | AttentionOperand, k: Tensor | AttentionOperand, v: Tensor | AttentionOperand, o: AttentionOptions,
): AttentionResult {
  const label = 'attention';
  const layout = o.layout ?? 'channels';
  const [Q, K, V] = [norm(q), norm(k), norm(v)];
  for (const [n, x] of [['q', Q], ['k', K], ['v', V]] as const) {
    if (x.t.shape.length !== 2) throw new FlowgpuError(`${label}: ${n} must be 2-D, got ${describeShape(x.t.shape)}`);
  }
  // (rows of the channel axis, frames) of each operand's storage
  const dims = (x: AttentionOperand): [number, number] => (layout === 'channels' ? [x.t.dim(0), x.t.dim(1)] : [x.t.dim(1), x.t.dim(0)]);
  const [qc, tq] = dims(Q);
  const [kc, tk] = dims(K);
  const [vc, tv] = dims(V);
  const qw = Q.width ?? qc;
  const kw = K.width ?? kc;
  const vw = V.width ?? vc;
  if (tv !== tk) throw new FlowgpuError(`${label}: k has ${tk} frames but v has ${tv}`);
  if (qw !== kw) throw new FlowgpuError(`${label}: q width ${qw} ≠ k width ${kw}`);
  const h = o.heads;
  if (!Number.isInteger(h) || h < 1 || qw % h !== 0 || vw % h !== 0) {
    throw new FlowgpuError(`${label}: widths q ${qw} / v ${vw} do not split into ${h} heads`);
  }
  const dk = qw / h;
  const dv = vw / h;
  if (dv > MAX_DV) throw new FlowgpuError(`${label}: head size ${dv} > ${MAX_DV}`);
  for (const [n, x, c, w] of [['q', Q, qc, qw], ['k', K, kc, kw], ['v', V, vc, vw]] as const) {
    const off = x.offset ?? 0;
    const inChannels = layout === 'channels' ? Math.floor(off / dims(x)[1]) + w <= c && off % dims(x)[1] === 0 : off + w <= c;
    if (!inChannels) throw new FlowgpuError(`${label}: ${n} slice at ${off} of width ${w} is outside ${describeShape(x.t.shape)}`);
  }
  const strides = (x: AttentionOperand): [number, number] => {
    const [c, t] = dims(x);
    return layout === 'channels' ? [t, 1] : [1, c];
  };
  const [qcs, qts] = strides(Q);
  const [kcs, kts] = strides(K);
  const [vcs, vts] = strides(V);
  const out = e.empty(layout === 'channels' ? [vw, tq] : [tq, vw], 'f32', label);
  const [ocs, ots] = layout === 'channels' ? [tq, 1] : [1, vw];
  const probs = o.returnProbs ? e.empty([h, tq, tk], 'f32', `${label}.probs`) : undefined;
  const kvLen = Math.min(o.kvLength ?? tk, tk);
  if (kvLen < 1 && tk > 0) throw new FlowgpuError(`${label}: every key is masked (kvLength ${o.kvLength})`);
  e.dispatch({
    kernel: { family, source, entry: 'main', constants: { WG, PROBS: probs ? 1 : 0 } },
    params: [
      h, tq, tk, dk, dv, kvLen, f32(o.scale ?? 1 / Math.sqrt(dk)),
      Q.offset ?? 0, qcs, qts, K.offset ?? 0, kcs, kts, V.offset ?? 0, vcs, vts, ocs, ots,
    ],
    bindings: [Q.t, K.t, V.t, out, probs],
    workgroups: grid(e, Math.ceil((h * tq) / WG)),
  });
  return probs ? { out, probs } : { out };
}
