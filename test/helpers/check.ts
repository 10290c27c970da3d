// Assertions and seeded random data shared by every test, in every runtime (Node, Deno, browser).

import { mulberry32 } from '../../src/math/random.js';

export class AssertionError extends Error {
  override name = 'AssertionError';
}

export function assert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new AssertionError(message);
}

export function assertEqual<T>(actual: T, expected: T, what = 'value'): void {
  if (actual !== expected) throw new AssertionError(`${what}: expected ${String(expected)}, got ${String(actual)}`);
}

export function assertArrayEqual(actual: ArrayLike<number | bigint>, expected: ArrayLike<number | bigint>, what = 'array'): void {
  assertEqual(actual.length, expected.length, `${what} length`);
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] !== expected[i]) throw new AssertionError(`${what}[${i}]: expected ${expected[i]}, got ${actual[i]}`);
  }
}

/** Max |a - b| / max |b|: the golden README's measure. */
export function relMaxError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    if (!(d <= maxDiff)) maxDiff = d; // NaN propagates as a failure
    maxRef = Math.max(maxRef, Math.abs(expected[i]!));
  }
  return maxDiff / Math.max(maxRef, 1e-30);
}

/** Fails when max |a-b| / max|b| exceeds `tol` (or on a NaN, or on a length mismatch). */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what = 'output'): void {
  assertEqual(actual.length, expected.length, `${what} length`);
  const err = relMaxError(actual, expected);
  if (!(err <= tol)) {
    let worst = 0;
    let wi = 0;
    for (let i = 0; i < expected.length; i++) {
      const d = Math.abs(actual[i]! - expected[i]!);
      if (!(d <= worst)) { worst = d; wi = i; if (Number.isNaN(d)) break; }
    }
    throw new AssertionError(`${what}: max abs err / max |ref| = ${err.toExponential(3)} > ${tol} (worst at ${wi}: got ${actual[wi]}, want ${expected[wi]})`);
  }
}

export async function assertRejects(fn: () => unknown, pattern: RegExp, what = 'call'): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (!pattern.test(msg)) throw new AssertionError(`${what}: error "${msg}" does not match ${pattern}`);
    return e as Error;
  }
  throw new AssertionError(`${what}: expected an error matching ${pattern}, but it succeeded`);
}

/** Small deterministic PRNG (mulberry32) so failures reproduce in every runtime. */
export const rng: (seed: number) => () => number = mulberry32;

/** Uniform values in [-scale, scale). */
export function randArray(n: number, seed: number, scale = 1): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (r() * 2 - 1) * scale;
  return out;
}
