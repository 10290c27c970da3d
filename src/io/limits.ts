// What an untrusted file may make a reader spend: memory beyond the file's own bytes is budgeted
// as a multiple of the file size, under absolute caps a caller with a large, trusted file can raise.
// SECURITY.md states these promises; the fuzz harness (tools/fuzz.mjs) checks them.

import { FlowgpuError } from '../gpu/errors.js';

export interface ReadLimits {
  /** Bytes that strided (non-contiguous) tensors may be gathered into, as a multiple of the file
   *  size (default 2). Contiguous tensors are views of the file and cost nothing. */
  expansion?: number;
  /** Absolute cap on those gathered bytes, whatever the file size (default 4 GiB). */
  maxGatherBytes?: number;
  /** Containers (lists, tuples, dicts, objects) one pickle may build (default 524 288, about 100 MiB at worst; a whole WaveGlow module needs about 10 000). */
  maxPickleObjects?: number;
}

export const DEFAULT_LIMITS: Required<ReadLimits> = {
  expansion: 2,
  maxGatherBytes: 4 * 1024 ** 3,
  maxPickleObjects: 1 << 19,
};

export function resolveLimits(limits: ReadLimits = {}): Required<ReadLimits> {
  const out = { ...DEFAULT_LIMITS };
  for (const k of Object.keys(DEFAULT_LIMITS) as (keyof ReadLimits)[]) {
    const v = limits[k];
    if (v === undefined) continue;
    if (!(typeof v === 'number' && v >= 0 && !Number.isNaN(v))) {
      throw new FlowgpuError(`read limit ${k} must be a non-negative number, not ${String(v)}`);
    }
    out[k] = v;
  }
  return out;
}

/** A running total of bytes a file may still make the reader allocate. */
export class ByteBudget {
  private left: number;
  constructor(fileBytes: number, private readonly limits: Required<ReadLimits>) {
    this.left = Math.min(limits.maxGatherBytes, limits.expansion * fileBytes);
  }
  /** Spends `bytes` for `what`, or refuses with the sizes involved and the limit to raise. */
  take(bytes: number, what: string): void {
    if (!(bytes <= this.left)) {
      throw new FlowgpuError(
        `${what} would need ${bytes} bytes of memory, more than this file may make flowgpu allocate ` +
          `(${this.left} left of ${this.limits.expansion}× the file size, at most ${this.limits.maxGatherBytes} bytes). ` +
          'The checkpoint is damaged or hostile; if you trust it, raise the read limits `expansion` / `maxGatherBytes`.',
      );
    }
    this.left -= bytes;
  }
}
