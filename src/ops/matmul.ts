import source from '../../shaders/matmul.wgsl';
import type { Engine } from '../gpu/engine.js';
import { describeShape, FlowgpuError } from '../gpu/errors.js';
import type { Tensor } from '../gpu/tensor.js';

const family = 'matmul';
const TILE = 4;

export type Activation = 'none' | 'relu' | 'tanh' | 'sigmoid';
const ACT: Record<Activation, number> = { none: 0, relu: 1, tanh: 2, sigmoid: 3 };

export interface MatmulOptions {
  /** A is stored [K, M] (its transpose is used). */
  transA?: boolean;
  /** B is stored [N, K] (torch Linear weight layout). */
  transB?: boolean;
  /** Added per output column (length N) or, with `biasOnRows`, per row (length M). */
  bias?: Tensor;
  biasOnRows?: boolean;
  activation?: Activation;
  out?: Tensor;
  /** Workgroup shape; the default suits CPU drivers and GPUs alike. */
  workgroup?: [number, number];
}

/**
 * `op(A) · op(B)` over the last two dims; leading dims are a batch. A batch of 1 on either
 * side broadcasts (a weight shared by every batch entry).
 */
export function matmul(e: Engine, a: Tensor, b: Tensor, o: MatmulOptions = {}): Tensor {
  const label = 'matmul';
  if (a.shape.length < 2 || b.shape.length < 2) {
    throw new FlowgpuError(`${label}: operands need ≥ 2 dims, got ${describeShape(a.shape)} and ${describeShape(b.shape)}`);
  }
  const [ar, ac] = [a.dim(-2), a.dim(-1)];
  const [br, bc] = [b.dim(-2), b.dim(-1)];
  const [m, k] = o.transA ? [ac, ar] : [ar, ac];
  const [kb, n] = o.transB ? [bc, br] : [br, bc];
  if (k !== kb) {
    throw new FlowgpuError(
      `${label}: inner dims differ: A ${describeShape(a.shape)}${o.transA ? 'ᵀ' : ''} · B ${describeShape(b.shape)}${o.transB ? 'ᵀ' : ''}`,
    );
  }
  const batchA = a.size / (m * k);
  const batchB = b.size / (k * n);
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) {
    throw new FlowgpuError(`${label}: batch sizes ${batchA} and ${batchB} differ (${describeShape(a.shape)} · ${describeShape(b.shape)})`);
  }
  const batch = Math.max(batchA, batchB);
  const lead = (batchA >= batchB ? a : b).shape.slice(0, -2);
  const shape = [...lead, m, n];
  const y = o.out ?? e.empty(shape, 'f32', label);
  if (y.size !== batch * m * n) throw new FlowgpuError(`${label}: output ${describeShape(y.shape)} is not ${describeShape(shape)}`);
  const biasMode = o.bias ? (o.biasOnRows ? 2 : 1) : 0;
  if (o.bias && o.bias.size !== (o.biasOnRows ? m : n)) {
    throw new FlowgpuError(`${label}: bias ${describeShape(o.bias.shape)} should have ${o.biasOnRows ? m : n} elements`);
  }
  const [wx, wy] = o.workgroup ?? [8, 8];
  e.dispatch({
    kernel: {
      family, source, entry: 'main',
      constants: { WG_X: wx, WG_Y: wy, TRANS_A: o.transA ? 1 : 0, TRANS_B: o.transB ? 1 : 0, BIAS: biasMode, ACT: ACT[o.activation ?? 'none'] },
    },
    params: [m, n, k, batchA === 1 ? 0 : m * k, batchB === 1 ? 0 : k * n, m * n],
    bindings: [a, b, o.bias ?? a, y],
    workgroups: [Math.ceil(n / (wx * TILE)), Math.ceil(m / (wy * TILE)), batch],
  });
  return y;
}

/** torch `Linear`: `x · Wᵀ + b` with W stored [out, in]; x is [..., in]. */
export function linear(e: Engine, x: Tensor, weight: Tensor, bias?: Tensor, activation: Activation = 'none', out?: Tensor): Tensor {
  const inF = weight.dim(1);
  if (x.dim(-1) !== inF) {
    throw new FlowgpuError(`linear: input ${describeShape(x.shape)} has ${x.dim(-1)} features, weight ${describeShape(weight.shape)} expects ${inF}`);
  }
  const rows = x.size / inF;
  const y = matmul(e, x.reshape([rows, inF]), weight, { transB: true, bias, activation, out: out?.reshape([rows, weight.dim(0)]) });
  return out ?? y.reshape([...x.shape.slice(0, -1), weight.dim(0)]);
}
