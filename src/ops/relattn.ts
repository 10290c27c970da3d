import source from '../../shaders/relattn.wgsl';
import type { Engine } from '../gpu/engine.js';
import { describeShape, FlowgpuError } from '../gpu/errors.js';
import { f32 } from '../gpu/params.js';
import type { Tensor } from '../gpu/tensor.js';

const family = 'relattn';
const WG = 64;

export interface RelAttentionOptions {
  heads: number;
  /** Relative key/value tables `[headsRel, 2·window+1, d]` (Glow-TTS `emb_rel_k`/`emb_rel_v`);
   *  omit both for plain scaled dot-product attention. `headsRel` 1 shares them between heads. */
  relK?: Tensor;
  relV?: Tensor;
  /** Valid frames; frames from here on are masked (−1e4 before the softmax). Default: all. */
  length?: number;
  /** Keep only |j − i| ≤ blockLength (Glow-TTS `block_length`). */
  blockLength?: number;
  /** Add −log(1 + |i − j|) to the scores (`proximal_bias`). */
  proximalBias?: boolean;
  /** Return the attention probabilities `[heads, T, T]` too (else they are released). */
  keepProbs?: boolean;
}

/**
 * Multi-head self-attention with relative-position keys and values on channels-first q, k, v
 * `[C, T]` (C = heads · d): the core of Glow-TTS's `MultiHeadAttention.attention`, between the
 * q/k/v projections and `conv_o`. Returns `[C, T]` (and the probabilities if asked).
 */
export function relAttention(e: Engine, q: Tensor, k: Tensor, v: Tensor, o: RelAttentionOptions): { out: Tensor; probs?: Tensor } {
  const label = 'relAttention';
  if (q.shape.length !== 2) throw new FlowgpuError(`${label}: q must be [C, T], got ${describeShape(q.shape)}`);
  const [c, t] = [q.dim(0), q.dim(1)];
  for (const [n, x] of [['k', k], ['v', v]] as const) {
    if (x.size !== c * t) throw new FlowgpuError(`${label}: ${n} ${describeShape(x.shape)} does not match q ${describeShape(q.shape)}`);
  }
  if (!Number.isInteger(o.heads) || o.heads < 1 || c % o.heads !== 0) {
    throw new FlowgpuError(`${label}: ${c} channels do not split into ${o.heads} heads`);
  }
  const d = c / o.heads;
  const rel = Boolean(o.relK);
  if (Boolean(o.relK) !== Boolean(o.relV)) throw new FlowgpuError(`${label}: give both relative tables or neither`);
  let window = 0;
  let relHeads = 1;
  if (o.relK && o.relV) {
    const s = o.relK.shape;
    if (s.length !== 3 || s[2] !== d || s[1]! % 2 !== 1 || (s[0] !== 1 && s[0] !== o.heads)) {
      throw new FlowgpuError(`${label}: relative table ${describeShape(s)} should be [1 or ${o.heads}, 2·window+1, ${d}]`);
    }
    if (o.relV.size !== o.relK.size) throw new FlowgpuError(`${label}: relative tables ${describeShape(s)} and ${describeShape(o.relV.shape)} differ`);
    window = (s[1]! - 1) / 2;
    relHeads = s[0]!;
  }
  const length = Math.min(o.length ?? t, t);
  const params = [o.heads, d, t, length, window, relHeads, o.blockLength ?? 0, f32(1 / Math.sqrt(d))];
  const constants = { WG, REL: rel ? 1 : 0, PROXIMAL: o.proximalBias ? 1 : 0 };
  const probs = e.empty([o.heads, t, t], 'f32', 'attn-probs');
  e.dispatch({
    kernel: { family, source, entry: 'probs', constants },
    params,
    bindings: [q, k, o.relK, probs],
    workgroups: [Math.ceil((o.heads * t) / WG)],
  });
  const out = e.empty([c, t], 'f32', label);
  e.dispatch({
    kernel: { family, source, entry: 'output', constants },
    params,
    bindings: [probs, v, o.relV, out],
    workgroups: [Math.ceil((c * t) / WG)],
  });
  if (o.keepProbs) return { out, probs };
  probs.release();
  return { out };
}
