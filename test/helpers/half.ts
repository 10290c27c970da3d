// f16 weights in kernel tests: the weights' f16 bits to upload and the values those bits hold (the
// reference's weights), and the adapter split: where shader-f16 is missing, the clear error.
import type { Engine } from '../../src/gpu/engine.js';
import { f16ToF32, f32ArrayToF16 } from '../../src/io/dtype.js';
import { assertRejects } from './check.js';

/** Max error / max |ref| against the reference run on the f32 weights: the f16 rounding's own
 *  error (≤ 2⁻¹¹ relative per weight, about 5e-4 of the output's scale on these sums), with margin. */
export const HALF_TOL = 2e-3;

export function halfWeights(w: Float32Array): { bits: Uint16Array; rounded: Float32Array } {
  const bits = f32ArrayToF16(w);
  return { bits, rounded: Float32Array.from(bits, f16ToF32) };
}

/** Runs `check` (which dispatches f16 kernels) where the adapter has shader-f16; elsewhere asserts
 *  the error that says to use precision 'f32'. */
export async function onHalf(e: Engine, check: () => Promise<void>): Promise<void> {
  if (e.hasF16) return check();
  await assertRejects(check, /no 'shader-f16' feature.*precision 'f32'/s, 'an f16 kernel without shader-f16');
}
