import source from '../../shaders/gather.wgsl';
import { type Engine, grid } from '../gpu/engine.js';
import { describeShape, FlowgpuError } from '../gpu/errors.js';
import { f32 } from '../gpu/params.js';
import { Tensor } from '../gpu/tensor.js';

const family = 'gather';
const WG = 256;

export interface EmbeddingOptions {
  /** Multiplies every looked-up value (Glow-TTS: √hidden). Default 1. */
  scale?: number;
  /** Return `[D, N]` (channels-first, for conv stacks) instead of `[..., N, D]`. */
  channelsFirst?: boolean;
  out?: Tensor;
  /** Write into columns [column, column + D) of `out` `[..., N, W]` (W ≥ column + D), leaving the
   *  other columns as they are (Flowtron's speaker vector beside the text encoding). */
  column?: number;
}

/**
 * Embedding lookup: `table[ids]` → `[...ids.shape, D]` (or `[D, N]` with `channelsFirst`).
 * `ids` is an i32/u32 tensor, or host ids (`Int32Array`, `number[]`), which are range-checked
 * here and uploaded. On the GPU an out-of-range id gives a row of zeros.
 */
export function embedding(e: Engine, ids: Tensor | Int32Array | readonly number[], table: Tensor, o: EmbeddingOptions = {}): Tensor {
  const label = 'embedding';
  if (table.shape.length !== 2) throw new FlowgpuError(`${label}: table must be [V, D], got ${describeShape(table.shape)}`);
  const [vocab, dim] = [table.dim(0), table.dim(1)];
  let idt: Tensor;
  if (ids instanceof Tensor) {
    if (ids.dtype === 'f32') throw new FlowgpuError(`${label}: ids ${ids} must be i32 or u32, not f32`);
    idt = ids;
  } else {
    const host = ids instanceof Int32Array ? ids : Int32Array.from(ids);
    for (let i = 0; i < host.length; i++) {
      const id = host[i]!;
      if (!(id >= 0 && id < vocab) || (!(ids instanceof Int32Array) && host[i] !== (ids as readonly number[])[i])) {
        const raw = ids instanceof Int32Array ? id : (ids as readonly number[])[i];
        throw new FlowgpuError(`${label}: id ${raw} at position ${i} is outside the table ${describeShape(table.shape)} (valid ids 0..${vocab - 1})`);
      }
    }
    idt = e.upload(host, [host.length], 'embedding.ids');
  }
  const count = idt.size;
  const shape = o.channelsFirst ? [dim, count] : [...idt.shape, dim];
  const y = o.out ?? e.empty(shape, 'f32', label);
  const col = o.column ?? 0;
  const width = o.column === undefined ? dim : y.dim(-1);
  if (o.column !== undefined && (o.channelsFirst || !o.out || col < 0 || col + dim > width || y.size !== count * width)) {
    throw new FlowgpuError(`${label}: ${count} rows of ${dim} at column ${col} do not fit ${o.out ? describeShape(o.out.shape) : 'a new output'} (column needs a row-major out [${count}, ≥ ${col + dim}])`);
  }
  if (y.size !== count * width) throw new FlowgpuError(`${label}: output ${describeShape(y.shape)} is not ${describeShape(shape)}`);
  e.dispatch({
    label,
    kernel: { family, source, entry: 'embedding', constants: { WG, TRANSPOSE: o.channelsFirst ? 1 : 0 } },
    params: [count, dim, vocab, f32(o.scale ?? 1), width, col],
    bindings: [idt, table, y],
    workgroups: grid(e, Math.ceil((count * dim) / WG)),
  });
  if (idt !== ids) idt.release();
  return y;
}
