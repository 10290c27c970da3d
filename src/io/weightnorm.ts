// Weight-norm folding: `X.weight = g · v / ‖v‖`, what torch.nn.utils.remove_weight_norm computes.

import { FlowgpuError, describeShape } from '../gpu/errors.js';
import { toFloat32 } from './dtype.js';
import { numel, type HostTensor } from './host-tensor.js';

/** Folds one g/v pair. The norm runs over every dim except the one where g is not 1 (dim 0 for a
 *  Conv1d [out, in, k]; for a ConvTranspose1d's [in, out, k] also dim 0, its input channel). A g
 *  with one element (weight_norm(dim=None), or a single output channel) takes the whole norm.
 *  Computed in float64, rounded once to float32. */
export function foldPair(g: HostTensor, v: HostTensor, name: string): HostTensor {
  const gn = numel(g.shape);
  const dims = g.shape.map((s, d) => (s !== 1 ? d : -1)).filter((d) => d >= 0);
  const bad = () =>
    new FlowgpuError(`${name}: weight_g ${describeShape(g.shape)} does not match weight_v ${describeShape(v.shape)}`);
  let dim = -1;
  if (gn !== 1) {
    if (dims.length !== 1 || g.shape.length !== v.shape.length || g.shape[dims[0]!] !== v.shape[dims[0]!]) throw bad();
    dim = dims[0]!;
  }
  const gd = toFloat32(g);
  const vd = toFloat32(v);
  const len = dim < 0 ? 1 : v.shape[dim]!;
  const inner = dim < 0 ? vd.length : numel(v.shape.slice(dim + 1));
  const outer = vd.length / (len * inner);
  const out = new Float32Array(vd.length);
  for (let j = 0; j < len; j++) {
    let sq = 0;
    for (let o = 0; o < outer; o++) {
      const base = (o * len + j) * inner;
      for (let i = 0; i < inner; i++) sq += vd[base + i]! * vd[base + i]!;
    }
    const scale = gd[j]! / Math.sqrt(sq);
    for (let o = 0; o < outer; o++) {
      const base = (o * len + j) * inner;
      for (let i = 0; i < inner; i++) out[base + i] = vd[base + i]! * scale;
    }
  }
  return { dtype: 'f32', shape: [...v.shape], data: out };
}

/** Replaces every `X.weight_g` / `X.weight_v` pair by `X.weight` (in the pair's place). */
export function foldWeightNorm(tensors: Map<string, HostTensor>): { tensors: Map<string, HostTensor>; folded: string[] } {
  const out = new Map<string, HostTensor>();
  const folded = new Set<string>();
  for (const [k, t] of tensors) {
    const m = /^(.*)\.weight_([gv])$/.exec(k);
    const base = m?.[1];
    const g = base !== undefined ? tensors.get(`${base}.weight_g`) : undefined;
    const v = base !== undefined ? tensors.get(`${base}.weight_v`) : undefined;
    if (base === undefined || !g || !v) {
      out.set(k, t);
      continue;
    }
    if (folded.has(base)) continue; // the pair's second half
    out.set(`${base}.weight`, foldPair(g, v, base));
    folded.add(base);
  }
  return { tensors: out, folded: [...folded] };
}
