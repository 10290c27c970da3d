// One error type for everything a user can get wrong: the message says what and what to do.
import type { Tensor } from './tensor.js';

export class FlowgpuError extends Error {
  override name = 'FlowgpuError';
}

export function describeShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** WebGPU forbids binding one buffer as an output and an input of the same dispatch: a clear
 *  error when a caller's `out` is one of the op's inputs. */
export function checkOutNotInput(label: string, out: Tensor | undefined, inputs: readonly (Tensor | undefined)[]): void {
  if (out && inputs.some((t) => t?.buffer === out.buffer)) {
    throw new FlowgpuError(`${label}: out shares its buffer with an input; write to a separate tensor`);
  }
}
