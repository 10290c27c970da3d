import source from '../../shaders/softmax.wgsl';
import { type Engine, grid } from '../gpu/engine.js';
import { describeShape, FlowgpuError } from '../gpu/errors.js';
import { f32 } from '../gpu/params.js';
import type { Tensor } from '../gpu/tensor.js';

const family = 'softmax';
/** Below this many rows, rows at least this long get a workgroup each. */
const WG_ROWS_MAX = 64;
const WG_LEN_MIN = 128;

export interface SoftmaxOptions {
  /** Multiplies x before the softmax (e.g. 1/√d, 1/temperature). Default 1. */
  scale?: number;
  /** `[R, L]`, `[L]`, or `[M, L]` with R a multiple of M (row r uses mask row r mod M, e.g. one
   *  `[T, T]` mask for `[heads·T, T]` scores). Any dtype: a zero value (0, 0.0 or −0.0) masks the
   *  position, anything else keeps it. */
  mask?: Tensor;
  /** The score a masked position gets, after scaling (default −1e4, as Glow-TTS's masked_fill).
   *  `-Infinity` leaves masked positions out entirely: they get probability 0, and a row with no
   *  unmasked position comes out all zeros (torch would give NaN). With a finite value a fully
   *  masked row is uniform (1/L), as in torch. */
  maskValue?: number;
  out?: Tensor;
  /** Force a kernel (tests): 'serial' a thread per row, 'wg' a workgroup per row. */
  kernel?: 'serial' | 'wg';
  /** Workgroup size (power of two ≤ 256). */
  workgroup?: number;
}

/** Softmax over the last dim of x (`[R, L]`, or any rank: leading dims are rows). */
export function softmax(e: Engine, x: Tensor, o: SoftmaxOptions = {}): Tensor {
  const label = 'softmax';
  if (x.dtype !== 'f32') throw new FlowgpuError(`${label}: input ${x} must be f32`);
  if (x.shape.length < 1) throw new FlowgpuError(`${label}: input must have at least one dim, got ${describeShape(x.shape)}`);
  const len = x.dim(-1);
  const rows = len === 0 ? 0 : x.size / len;
  let maskRows = 1;
  if (o.mask) {
    const m = o.mask;
    maskRows = len === 0 ? 1 : m.size / len;
    if (!Number.isInteger(maskRows) || maskRows < 1 || m.dim(-1) !== len || rows % maskRows !== 0) {
      throw new FlowgpuError(
        `${label}: mask ${describeShape(m.shape)} does not fit scores ${describeShape(x.shape)}: it must be [L], [R, L] or [M, L] with R a multiple of M (L = ${len}, R = ${rows})`,
      );
    }
  }
  const y = o.out ?? e.empty(x.shape, 'f32', label);
  if (y.size !== x.size) throw new FlowgpuError(`${label}: output ${describeShape(y.shape)} does not match input ${describeShape(x.shape)}`);
  const maskValue = o.maskValue ?? -1e4;
  const exclude = maskValue === -Infinity;
  if (!exclude && !Number.isFinite(maskValue)) throw new FlowgpuError(`${label}: maskValue must be finite or -Infinity, got ${maskValue}`);
  const wg = o.workgroup ?? 64;
  if (!(wg >= 1 && wg <= 256 && (wg & (wg - 1)) === 0)) throw new Error(`${label}: workgroup ${wg} is not a power of two ≤ 256`);
  const kernel = o.kernel ?? (rows < WG_ROWS_MAX && len >= WG_LEN_MIN ? 'wg' : 'serial');
  e.dispatch({
    label,
    kernel: { family, source, entry: kernel, constants: { WG: wg, MASK: o.mask ? 1 : 0, EXCLUDE: exclude ? 1 : 0 } },
    params: [rows, len, maskRows, f32(o.scale ?? 1), f32(exclude ? 0 : maskValue)],
    bindings: [x, o.mask, y],
    workgroups: grid(e, kernel === 'wg' ? rows : Math.ceil(rows / wg)),
  });
  return y;
}
