import { describeShape } from './errors.js';

/** 'f16' holds weights only (the GEMM kernels' half-precision operands), two per 32-bit word. */
export type GpuDType = 'f32' | 'i32' | 'u32' | 'f16';

export function bytesPerElement(dtype: GpuDType): number {
  return dtype === 'f16' ? 2 : 4;
}

/** Bytes a buffer or binding of `count` elements needs: WebGPU sizes are whole 4-byte words. */
export function paddedBytes(count: number, dtype: GpuDType): number {
  return Math.ceil((count * bytesPerElement(dtype)) / 4) * 4;
}

/** Releases a GPU buffer back to its owner; implemented by the engine's pool. */
export interface BufferOwner {
  releaseBuffer(buffer: GPUBuffer): void;
}

/** One GPU buffer shared by a tensor and all its reshapes and views. */
class Storage {
  released = false;
  constructor(readonly owner: BufferOwner, readonly buffer: GPUBuffer) {}
  release(): void {
    if (this.released) return;
    this.released = true;
    this.owner.releaseBuffer(this.buffer);
  }
}

/**
 * A GPU buffer with a shape and a dtype (f16: 2 bytes an element, else 4). Reshapes and views
 * share the storage; `release()` on any of them hands the buffer back to the pool once.
 */
export class Tensor {
  private readonly storage: Storage;

  constructor(
    owner: BufferOwner | Storage,
    buffer: GPUBuffer,
    readonly shape: readonly number[],
    readonly dtype: GpuDType = 'f32',
    /** Start of this tensor in the buffer, in elements. */
    readonly offset = 0,
  ) {
    this.storage = owner instanceof Storage ? owner : new Storage(owner, buffer);
  }

  get buffer(): GPUBuffer {
    return this.storage.buffer;
  }

  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  /** Bytes bound for this tensor: an f16 tensor of odd size ends on a whole word. */
  get byteLength(): number {
    return paddedBytes(this.size, this.dtype);
  }

  get byteOffset(): number {
    return this.offset * bytesPerElement(this.dtype);
  }

  get isReleased(): boolean {
    return this.storage.released;
  }

  dim(i: number): number {
    const d = this.shape[i < 0 ? this.shape.length + i : i];
    if (d === undefined) throw new Error(`tensor ${describeShape(this.shape)} has no dim ${i}`);
    return d;
  }

  /** Same storage, new shape of the same size (free). */
  reshape(shape: readonly number[]): Tensor {
    const n = shape.reduce((a, b) => a * b, 1);
    if (n !== this.size) throw new Error(`reshape ${describeShape(this.shape)} → ${describeShape(shape)}: sizes differ`);
    return new Tensor(this.storage, this.buffer, shape, this.dtype, this.offset);
  }

  /** A view of the elements from `start` with `shape` (free; binding it needs a 256-byte-aligned start). */
  view(start: number, shape: readonly number[]): Tensor {
    const n = shape.reduce((a, b) => a * b, 1);
    if (start + n > this.size) throw new Error(`view [${start}, ${start + n}) is outside ${this}`);
    return new Tensor(this.storage, this.buffer, shape, this.dtype, this.offset + start);
  }

  release(): void {
    this.storage.release();
  }

  toString(): string {
    return `Tensor<${this.dtype}>${describeShape(this.shape)}`;
  }
}
