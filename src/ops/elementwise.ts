import source from '../../shaders/elementwise.wgsl';
import { type Engine, grid } from '../gpu/engine.js';
import { describeShape, FlowgpuError } from '../gpu/errors.js';
import { f32 } from '../gpu/params.js';
import type { Tensor } from '../gpu/tensor.js';

const WG = 256;
const family = 'elementwise';

export const UnaryOp = { affine: 0, exp: 1, tanh: 2, sigmoid: 3, relu: 4, leakyRelu: 5, logClamp: 6, neg: 7 } as const;
export const BinaryOp = { add: 0, sub: 1, mul: 2, div: 3, max: 4 } as const;
export type UnaryName = keyof typeof UnaryOp;
export type BinaryName = keyof typeof BinaryOp;

function unaryOp(e: Engine, op: UnaryName, x: Tensor, a = 1, b = 0, out?: Tensor): Tensor {
  const y = out ?? e.empty(x.shape, 'f32', op);
  if (y.size !== x.size) throw new FlowgpuError(`${op}: output ${describeShape(y.shape)} does not match input ${describeShape(x.shape)}`);
  e.dispatch({
    label: op,
    kernel: { family, source, entry: 'unary', constants: { WG, UNARY: UnaryOp[op] } },
    params: [x.size, f32(a), f32(b)],
    bindings: [x, y],
    workgroups: grid(e, Math.ceil(x.size / WG)),
  });
  return y;
}

export const exp = (e: Engine, x: Tensor, out?: Tensor): Tensor => unaryOp(e, 'exp', x, 1, 0, out);
export const tanh = (e: Engine, x: Tensor, out?: Tensor): Tensor => unaryOp(e, 'tanh', x, 1, 0, out);
export const sigmoid = (e: Engine, x: Tensor, out?: Tensor): Tensor => unaryOp(e, 'sigmoid', x, 1, 0, out);
export const relu = (e: Engine, x: Tensor, out?: Tensor): Tensor => unaryOp(e, 'relu', x, 1, 0, out);
export const neg = (e: Engine, x: Tensor, out?: Tensor): Tensor => unaryOp(e, 'neg', x, 1, 0, out);
export const leakyRelu = (e: Engine, x: Tensor, slope: number, out?: Tensor): Tensor => unaryOp(e, 'leakyRelu', x, slope, 0, out);
/** `x · scale + shift`. */
export const affine = (e: Engine, x: Tensor, scale: number, shift = 0, out?: Tensor): Tensor => unaryOp(e, 'affine', x, scale, shift, out);
/** `log(max(x, eps))` (Tacotron 2's dynamic range compression). */
export const logClamp = (e: Engine, x: Tensor, eps: number, out?: Tensor): Tensor => unaryOp(e, 'logClamp', x, eps, 0, out);

/** NumPy broadcasting of two shapes (rank ≤ 4): the output shape and each input's strides. */
export function broadcast(a: readonly number[], b: readonly number[], label: string): { shape: number[]; sa: number[]; sb: number[] } {
  const rank = Math.max(a.length, b.length);
  if (rank > 4) throw new FlowgpuError(`${label}: rank ${rank} > 4 is not supported`);
  const pa = [...Array(4 - a.length).fill(1), ...a];
  const pb = [...Array(4 - b.length).fill(1), ...b];
  const shape = pa.map((d, i) => {
    const o = pb[i]!;
    if (d !== o && d !== 1 && o !== 1) {
      throw new FlowgpuError(`${label}: shapes ${describeShape(a)} and ${describeShape(b)} do not broadcast`);
    }
    return Math.max(d, o);
  });
  const strides = (p: number[]): number[] => {
    const s = [0, 0, 0, 0];
    let acc = 1;
    for (let i = 3; i >= 0; i--) {
      s[i] = p[i] === 1 ? 0 : acc;
      acc *= p[i]!;
    }
    return s;
  };
  return { shape: shape.slice(4 - rank), sa: strides(pa), sb: strides(pb) };
}

export function binary(e: Engine, op: BinaryName, a: Tensor, b: Tensor, out?: Tensor): Tensor {
  const { shape, sa, sb } = broadcast(a.shape, b.shape, op);
  const y = out ?? e.empty(shape, 'f32', op);
  const n = shape.reduce((p, q) => p * q, 1);
  if (y.size !== n) throw new FlowgpuError(`${op}: output ${describeShape(y.shape)} does not match ${describeShape(shape)}`);
  const s4 = [...Array(4 - shape.length).fill(1), ...shape];
  e.dispatch({
    label: op,
    kernel: { family, source, entry: 'binary', constants: { WG, BINARY: BinaryOp[op] } },
    params: [n, shape.length, ...s4, ...sa, ...sb],
    bindings: [a, b, y],
    workgroups: grid(e, Math.ceil(n / WG)),
  });
  return y;
}

export const add = (e: Engine, a: Tensor, b: Tensor, out?: Tensor): Tensor => binary(e, 'add', a, b, out);
export const sub = (e: Engine, a: Tensor, b: Tensor, out?: Tensor): Tensor => binary(e, 'sub', a, b, out);
export const mul = (e: Engine, a: Tensor, b: Tensor, out?: Tensor): Tensor => binary(e, 'mul', a, b, out);
export const div = (e: Engine, a: Tensor, b: Tensor, out?: Tensor): Tensor => binary(e, 'div', a, b, out);

/**
 * WaveNet's gated activation on channels-first `[2C, T]` input: `tanh(x[:C]) · sigmoid(x[C:])`,
 * optionally of `x + b` (WaveGlow adds the conditioning slice) → `[C, T]`.
 */
export function gatedTanhSigmoid(e: Engine, x: Tensor, b?: Tensor, out?: Tensor): Tensor {
  const [c2, t] = [x.dim(-2), x.dim(-1)];
  if (x.shape.length !== 2 || c2 % 2 !== 0) throw new FlowgpuError(`gate: input must be [2C, T], got ${describeShape(x.shape)}`);
  if (b && b.size !== x.size) throw new FlowgpuError(`gate: addend ${describeShape(b.shape)} does not match ${describeShape(x.shape)}`);
  const c = c2 / 2;
  const y = out ?? e.empty([c, t], 'f32', 'gate');
  e.dispatch({
    kernel: { family, source, entry: 'gate', constants: { WG } },
    params: [c, t, b ? 1 : 0],
    bindings: [x, b, y],
    workgroups: grid(e, Math.ceil((c * t) / WG)),
  });
  return y;
}
