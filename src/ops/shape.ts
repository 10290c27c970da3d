import source from '../../shaders/shape.wgsl';
import { type Engine, grid } from '../gpu/engine.js';
import { describeShape, FlowgpuError } from '../gpu/errors.js';
import { i32, type Param } from '../gpu/params.js';
import type { Tensor } from '../gpu/tensor.js';

const family = 'shape';
const WG = 256;

type V4 = [number, number, number, number];

/** Records `dst[dstBase + c·ds] = src[srcBase + c·ss]` over a rank-4 region (see shaders/shape.wgsl). */
function stridedCopy(
  e: Engine, src: Tensor, dst: Tensor, region: V4, ss: V4, srcBase: number, ds: V4, dstBase: number,
  pad?: { axis: number; lo: number; hi: number; bits: number },
): void {
  const count = region[0] * region[1] * region[2] * region[3];
  if (count === 0) return;
  const params: Param[] = [
    count, region[1], region[2], region[3],
    i32(srcBase), ...ss.map((s) => i32(s)),
    dstBase, ...ds,
    pad?.axis ?? 0, pad?.lo ?? 0, pad?.hi ?? 0, pad?.bits ?? 0,
  ];
  e.dispatch({
    kernel: { family, source, entry: 'copy', constants: { WG, PAD: pad ? 1 : 0 } },
    params,
    bindings: [src, dst],
    workgroups: grid(e, Math.ceil(count / WG)),
  });
}

function resolveAxis(axis: number, rank: number, label: string, shape: readonly number[]): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) {
    throw new FlowgpuError(`${label}: axis ${axis} is out of range for ${describeShape(shape)}`);
  }
  return a;
}

/** [outer, n, inner] around `axis`. */
function around(shape: readonly number[], axis: number): [number, number, number] {
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  return [outer, shape[axis]!, inner];
}

function output(e: Engine, shape: number[], like: Tensor, label: string, out?: Tensor): Tensor {
  const y = out ?? e.empty(shape, like.dtype, label);
  const n = shape.reduce((a, b) => a * b, 1);
  if (y.size !== n || y.dtype !== like.dtype) {
    throw new FlowgpuError(`${label}: output ${y} does not match the result ${describeShape(shape)} (${like.dtype})`);
  }
  return y;
}

/** Joins tensors of equal rank and dtype along `axis` (negative counts from the end); all other dims must match. */
export function concat(e: Engine, xs: readonly Tensor[], axis: number, out?: Tensor): Tensor {
  const label = 'concat';
  if (xs.length === 0) throw new FlowgpuError(`${label}: needs at least one input`);
  const first = xs[0]!;
  const rank = first.shape.length;
  const shapes = xs.map((x) => describeShape(x.shape)).join(', ');
  const a = resolveAxis(axis, rank, label, first.shape);
  for (const x of xs) {
    if (x.shape.length !== rank || x.shape.some((d, i) => i !== a && d !== first.shape[i])) {
      throw new FlowgpuError(`${label}: shapes ${shapes} differ outside axis ${axis}`);
    }
    if (x.dtype !== first.dtype) throw new FlowgpuError(`${label}: dtypes differ (${xs.map((t) => t.dtype).join(', ')})`);
  }
  const total = xs.reduce((s, x) => s + x.shape[a]!, 0);
  const shape = first.shape.slice();
  shape[a] = total;
  const y = output(e, shape, first, label, out);
  const [outer, , inner] = around(shape, a);
  let off = 0;
  for (const x of xs) {
    const len = x.shape[a]!;
    stridedCopy(e, x, y, [1, outer, len, inner], [0, len * inner, inner, 1], 0, [0, total * inner, inner, 1], off * inner);
    off += len;
  }
  return y;
}

/** `x[..., start:end, ...]` along `axis` (a copy). Negative start/end count from the end, as in Python. */
export function slice(e: Engine, x: Tensor, axis: number, start: number, end: number, out?: Tensor): Tensor {
  const label = 'slice';
  const a = resolveAxis(axis, x.shape.length, label, x.shape);
  const [outer, n, inner] = around(x.shape, a);
  const s = start < 0 ? start + n : start;
  const t = end < 0 ? end + n : end;
  if (!Number.isInteger(s) || !Number.isInteger(t) || s < 0 || t > n || s > t) {
    throw new FlowgpuError(`${label}: [${start}, ${end}) is outside axis ${axis} (length ${n}) of ${describeShape(x.shape)}`);
  }
  const shape = x.shape.slice();
  shape[a] = t - s;
  const y = output(e, shape, x, label, out);
  stridedCopy(e, x, y, [1, outer, t - s, inner], [0, n * inner, inner, 1], s * inner, [0, (t - s) * inner, inner, 1], 0);
  return y;
}

/** Reorders the dims of x (rank ≤ 4): output dim k is input dim `perm[k]` (torch `permute`). */
export function permute(e: Engine, x: Tensor, perm: readonly number[], out?: Tensor): Tensor {
  const label = 'permute';
  const rank = x.shape.length;
  if (rank > 4) throw new FlowgpuError(`${label}: rank ${rank} of ${describeShape(x.shape)} > 4 is not supported`);
  const sorted = [...perm].sort((p, q) => p - q);
  if (perm.length !== rank || sorted.some((p, i) => p !== i)) {
    throw new FlowgpuError(`${label}: [${perm.join(', ')}] is not a permutation of the ${rank} dims of ${describeShape(x.shape)}`);
  }
  const inStride = x.shape.map((_, i) => x.shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const shape = perm.map((p) => x.shape[p]!);
  const y = output(e, shape, x, label, out);
  const lead = 4 - rank;
  const region = [...Array(lead).fill(1), ...shape] as V4;
  const ss = [...Array(lead).fill(0), ...perm.map((p) => inStride[p]!)] as V4;
  const ds = region.map((_, i) => region.slice(i + 1).reduce((a, b) => a * b, 1)) as V4;
  stridedCopy(e, x, y, region, ss, 0, ds, 0);
  return y;
}

/** Reverses x along `axis` (torch `flip`). */
export function flip(e: Engine, x: Tensor, axis: number, out?: Tensor): Tensor {
  const label = 'flip';
  const a = resolveAxis(axis, x.shape.length, label, x.shape);
  const [outer, n, inner] = around(x.shape, a);
  const y = output(e, x.shape.slice(), x, label, out);
  stridedCopy(e, x, y, [1, outer, n, inner], [0, n * inner, -inner, 1], (n - 1) * inner, [0, n * inner, inner, 1], 0);
  return y;
}

/** Pads x along `axis` with `before` and `after` copies of `value` (a float for f32 tensors, an integer otherwise). */
export function pad(e: Engine, x: Tensor, axis: number, before: number, after: number, value = 0, out?: Tensor): Tensor {
  const label = 'pad';
  const a = resolveAxis(axis, x.shape.length, label, x.shape);
  if (!Number.isInteger(before) || !Number.isInteger(after) || before < 0 || after < 0) {
    throw new FlowgpuError(`${label}: padding (${before}, ${after}) of ${describeShape(x.shape)} must be non-negative integers`);
  }
  const [outer, n, inner] = around(x.shape, a);
  const m = n + before + after;
  const shape = x.shape.slice();
  shape[a] = m;
  const y = output(e, shape, x, label, out);
  const word = new DataView(new ArrayBuffer(4));
  if (x.dtype === 'f32') word.setFloat32(0, value, true);
  else if (x.dtype === 'i32') word.setInt32(0, value, true);
  else word.setUint32(0, value, true);
  stridedCopy(e, x, y, [1, outer, m, inner], [0, n * inner, inner, 1], -before * inner, [0, m * inner, inner, 1], 0, {
    axis: 2, lo: before, hi: before + n, bits: word.getUint32(0, true),
  });
  return y;
}
