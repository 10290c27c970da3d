import source from '../../shaders/random.wgsl';
import { type Engine, grid } from '../gpu/engine.js';
import { describeShape, FlowgpuError } from '../gpu/errors.js';
import { f32 } from '../gpu/params.js';
import type { Tensor } from '../gpu/tensor.js';

const family = 'random';
const WG = 256;
const TWO32 = 2 ** 32;

export interface RandnOptions {
  /** Index of the first value in the seed's stream (default 0). Draw n values at offset k, the
   *  next draw at offset k + n, and no value repeats; the same (seed, offset) always gives the same values. */
  offset?: number;
  /** Standard deviation (default 1; e.g. WaveGlow's sigma). */
  scale?: number;
  /** Mean (default 0). */
  mean?: number;
  out?: Tensor;
}

function split64(label: string, v: number, what: string): [number, number] {
  if (!Number.isSafeInteger(v) || v < 0) throw new FlowgpuError(`${label}: ${what} ${v} must be a non-negative safe integer`);
  return [v % TWO32, Math.floor(v / TWO32)];
}

function stream(e: Engine, entry: 'randn' | 'bits', shape: readonly number[], seed: number, offset: number, out: Tensor | undefined, scale: number, mean: number): Tensor {
  const label = entry === 'bits' ? 'randomBits' : 'randn';
  const dtype = entry === 'bits' ? 'u32' : 'f32';
  const [keyLo, keyHi] = split64(label, seed, 'seed');
  const count = shape.reduce((a, b) => a * b, 1);
  const [offLo, offHi] = split64(label, offset, 'offset');
  split64(label, offset + count, 'offset + count');
  const y = out ?? e.empty(shape, dtype, label);
  if (y.size !== count || y.dtype !== dtype) throw new FlowgpuError(`${label}: output ${y} is not ${dtype} ${describeShape(shape)}`);
  e.dispatch({
    kernel: { family, source, entry, constants: { WG } },
    params: [count, offLo, offHi, keyLo, keyHi, f32(scale), f32(mean)],
    bindings: [y],
    workgroups: grid(e, Math.ceil(count / WG)),
  });
  return y;
}

/**
 * Normal samples `N(mean, scale²)` of `shape`, from a counter-based generator (Philox4x32-10 +
 * Box–Muller, see shaders/random.wgsl): reproducible across calls, runtimes and GPUs up to
 * float rounding of log/cos/sin. `seed` and `offset` are integers in [0, 2^53).
 */
export function randn(e: Engine, shape: readonly number[], seed: number, o: RandnOptions = {}): Tensor {
  return stream(e, 'randn', shape, seed, o.offset ?? 0, o.out, o.scale ?? 1, o.mean ?? 0);
}

/**
 * The generator's raw u32 words (the stream `randn` transforms; exact on every device): element
 * n = offset + i is word n mod 4 of Philox4x32-10(counter ⌊n / 4⌋, key seed).
 */
export function randomBits(e: Engine, shape: readonly number[], seed: number, o: { offset?: number; out?: Tensor } = {}): Tensor {
  return stream(e, 'bits', shape, seed, o.offset ?? 0, o.out, 1, 0);
}
