// f16 weights in kernel tests: the weights' f16 bits to upload and the values those bits hold (the
// reference's weights), and the adapter split: where shader-f16 is missing, the clear error.
import type { Engine } from '../../src/gpu/engine.js';
import { f16ToF32, f32ArrayToF16 } from '../../src/io/dtype.js';
import { assert, assertEqual, assertRejects, relMaxError } from './check.js';

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

/** Prints an f16 run's error against a golden (README.md's table quotes these lines) and fails when
 *  max |a − b| / max |b| exceeds `bound`: loose enough for any adapter's rounding, far below the
 *  O(1) error of a wrong kernel. */
export function reportHalf(what: string, actual: ArrayLike<number>, expected: ArrayLike<number>, bound: number): void {
  assertEqual(actual.length, expected.length, `${what} length`);
  let abs = 0;
  for (let i = 0; i < expected.length; i++) abs = Math.max(abs, Math.abs(actual[i]! - expected[i]!));
  const rel = relMaxError(actual, expected);
  console.log(`      f16 ${what}: max abs err ${abs.toExponential(2)}, max abs err / max |ref| ${rel.toExponential(2)} (bound ${bound})`);
  assert(rel <= bound, `f16 ${what}: max abs err / max |ref| = ${rel} > ${bound}`);
}

/** Loads a model at precision 'f16' and runs `check` on it where the adapter has shader-f16;
 *  elsewhere asserts the load's error, which says to use precision 'f32'. */
export async function atHalf<T extends { release(): void }>(e: Engine, load: () => Promise<T>, check: (m: T) => Promise<void>): Promise<void> {
  if (!e.hasF16) {
    await assertRejects(load, /precision 'f16' needs the WebGPU feature 'shader-f16'.*load with precision 'f32'/s, 'an f16 load without shader-f16');
    return;
  }
  const m = await load();
  try {
    await check(m);
  } finally {
    m.release();
  }
}

/** The relative bound of every golden at precision 'f16': about 10× the worst measured (HiFi-GAN V3-like,
 *  2.2e-3; README.md lists each), far below the O(1) error of a wrong kernel. */
export const HALF_BOUND = 2e-2;
