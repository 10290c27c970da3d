// A size-bucketed free list of storage buffers: intermediates of one forward pass reuse the
// buffers of the previous one instead of allocating (allocation is slow on every driver).

import { Usage } from './usage.js';

const STORAGE_USAGE = Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST;
const MIN_BYTES = 256;

/** Rounds up to 1, 1.25, 1.5 or 1.75 × a power of two: at most 25% waste, good reuse. */
export function bucketSize(bytes: number): number {
  const n = Math.max(bytes, MIN_BYTES);
  const p = 2 ** Math.floor(Math.log2(n));
  const step = p / 4;
  return Math.ceil(n / step) * step;
}

export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private liveBytes = 0;
  private freeBytes = 0;
  peakBytes = 0;

  constructor(private readonly device: GPUDevice) {}

  acquire(bytes: number, label: string): GPUBuffer {
    const size = bucketSize(bytes);
    const list = this.free.get(size);
    const reused = list?.pop();
    if (reused) {
      this.freeBytes -= size;
      this.liveBytes += size;
      return reused;
    }
    const buffer = this.device.createBuffer({ size, usage: STORAGE_USAGE, label });
    this.liveBytes += size;
    this.peakBytes = Math.max(this.peakBytes, this.liveBytes + this.freeBytes);
    return buffer;
  }

  release(buffer: GPUBuffer): void {
    const list = this.free.get(buffer.size) ?? [];
    list.push(buffer);
    this.free.set(buffer.size, list);
    this.liveBytes -= buffer.size;
    this.freeBytes += buffer.size;
  }

  /** Destroys every pooled (free) buffer. */
  trim(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
    this.freeBytes = 0;
  }

  stats(): { liveBytes: number; freeBytes: number; peakBytes: number } {
    return { liveBytes: this.liveBytes, freeBytes: this.freeBytes, peakBytes: this.peakBytes };
  }
}
