import source from '../../shaders/reduce.wgsl';
import { type Engine, grid } from '../gpu/engine.js';
import { describeShape, FlowgpuError } from '../gpu/errors.js';
import type { Tensor } from '../gpu/tensor.js';

const family = 'reduce';
const OPS = { sum: 0, mean: 1, max: 2 } as const;
/** With inner = 1, rows at least this long get a workgroup each when there are few of them. */
const ROW_WG_MIN_LEN = 256;
const ROW_WG_MAX_ROWS = 1024;

export interface ReduceOptions {
  out?: Tensor;
  /** Force a kernel (tests): 'cols' a thread per output, 'rows' a workgroup per output (needs the last axis). */
  kernel?: 'cols' | 'rows';
  /** Workgroup size (power of two ≤ 256). */
  workgroup?: number;
}

function reduce(e: Engine, op: keyof typeof OPS, x: Tensor, axis: number, o: ReduceOptions): Tensor {
  const label = op;
  if (x.dtype !== 'f32') throw new FlowgpuError(`${label}: input ${x} must be f32`);
  const rank = x.shape.length;
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new FlowgpuError(`${label}: axis ${axis} is out of range for ${describeShape(x.shape)}`);
  const len = x.shape[a]!;
  if (len === 0 && op !== 'sum') throw new FlowgpuError(`${label}: axis ${axis} of ${describeShape(x.shape)} is empty`);
  const outer = x.shape.slice(0, a).reduce((p, q) => p * q, 1);
  const inner = x.shape.slice(a + 1).reduce((p, q) => p * q, 1);
  const shape = x.shape.filter((_, i) => i !== a);
  const y = o.out ?? e.empty(shape, 'f32', label);
  if (y.size !== outer * inner) throw new FlowgpuError(`${label}: output ${describeShape(y.shape)} is not ${describeShape(shape)}`);
  const wg = o.workgroup ?? 64;
  if (!(wg >= 1 && wg <= 256 && (wg & (wg - 1)) === 0)) throw new Error(`${label}: workgroup ${wg} is not a power of two ≤ 256`);
  let kernel = o.kernel ?? (inner === 1 && len >= ROW_WG_MIN_LEN && outer <= ROW_WG_MAX_ROWS ? 'rows' : 'cols');
  if (kernel === 'rows' && inner !== 1) kernel = 'cols';
  e.dispatch({
    label,
    kernel: { family, source, entry: kernel, constants: { WG: wg, OP: OPS[op] } },
    params: [outer, len, inner],
    bindings: [x, y],
    workgroups: grid(e, kernel === 'rows' ? outer : Math.ceil((outer * inner) / wg)),
  });
  return y;
}

/** Sum over `axis` (negative counts from the end); the axis is dropped (torch `sum(dim)`). */
export const sum = (e: Engine, x: Tensor, axis: number, o: ReduceOptions = {}): Tensor => reduce(e, 'sum', x, axis, o);
/** Mean over `axis`; the axis is dropped. */
export const mean = (e: Engine, x: Tensor, axis: number, o: ReduceOptions = {}): Tensor => reduce(e, 'mean', x, axis, o);
/** Maximum over `axis`; the axis is dropped. */
export const max = (e: Engine, x: Tensor, axis: number, o: ReduceOptions = {}): Tensor => reduce(e, 'max', x, axis, o);
