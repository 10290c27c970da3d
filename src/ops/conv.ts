import source from '../../shaders/conv.wgsl';
import subgroupSource from '../../shaders/conv_subgroup.wgsl';
import type { Engine } from '../gpu/engine.js';
import { describeShape, FlowgpuError } from '../gpu/errors.js';
import { typedKernel } from '../gpu/precision.js';
import type { Tensor } from '../gpu/tensor.js';
import { type Activation, pickTile, type Tile } from './matmul.js';
import { SUBGROUP_CHANNEL_GROUPS, subgroupColumnGroups, vec4Channels } from './subgroup.js';

const ACT: Record<Activation, number> = { none: 0, relu: 1, tanh: 2, sigmoid: 3 };

export interface Conv1dOptions {
  stride?: number;
  /** Symmetric padding, or [left, right]. */
  padding?: number | [number, number];
  dilation?: number;
  groups?: number;
  /** Applied after the bias. */
  activation?: Activation;
  /** Leaky ReLU slope applied to every input value as it is loaded (fused pre-activation). */
  inputLeakySlope?: number;
  /** Added to the output after the activation (shaped like the output; a fused skip connection). */
  residual?: Tensor;
  out?: Tensor;
  /** Override the register tile (tests, tuning); default `pickTile`. */
  tile?: Tile;
}

/** A Conv1d weight stored for conv_subgroup.wgsl (`transposeForSubgroups` of `[Cout, Cin·K]`),
 *  with the `[Cout, Cin, K]` shape it came from: models that check `useSubgroupKernels` pass it
 *  instead of the PyTorch layout, so only one copy is on the GPU. */
export interface TransposedConvWeight {
  tensor: Tensor;
  shape: readonly [number, number, number];
}

export interface ConvTranspose1dOptions {
  stride?: number;
  padding?: number;
  outputPadding?: number;
  groups?: number;
  activation?: Activation;
  /** Leaky ReLU slope applied to every input value as it is loaded. */
  inputLeakySlope?: number;
  out?: Tensor;
  tile?: Tile;
}

interface Batched {
  batch: number;
  c: number;
  t: number;
  batched: boolean;
}

function splitInput(label: string, x: Tensor): Batched {
  if (x.shape.length === 2) return { batch: 1, c: x.dim(0), t: x.dim(1), batched: false };
  if (x.shape.length === 3) return { batch: x.dim(0), c: x.dim(1), t: x.dim(2), batched: true };
  throw new FlowgpuError(`${label}: input must be [Cin, T] or [B, Cin, T], got ${describeShape(x.shape)}`);
}

function positiveInt(label: string, name: string, v: number, min = 1): void {
  if (!Number.isInteger(v) || v < min) throw new FlowgpuError(`${label}: ${name} must be an integer ≥ ${min}, got ${v}`);
}

function checkBias(label: string, bias: Tensor | undefined, cout: number): void {
  if (bias && bias.size !== cout) {
    throw new FlowgpuError(`${label}: bias ${describeShape(bias.shape)} should have ${cout} elements (Cout)`);
  }
}

function output(e: Engine, label: string, shape: number[], out?: Tensor): Tensor {
  const y = out ?? e.empty(shape, 'f32', label);
  const n = shape.reduce((a, b) => a * b, 1);
  if (y.size !== n) throw new FlowgpuError(`${label}: output ${describeShape(y.shape)} is not ${describeShape(shape)}`);
  return y;
}

/**
 * PyTorch `Conv1d`: x `[Cin, T]` or `[B, Cin, T]`, w `[Cout, Cin/groups, K]` → `[Cout, Tout]`
 * (or `[B, Cout, Tout]`), Tout = ⌊(T + padL + padR − dilation·(K−1) − 1) / stride⌋ + 1.
 * A `TransposedConvWeight` runs the subgroup kernel (stride 1, one group, fixed-size subgroups).
 */
export function conv1d(e: Engine, x: Tensor, w: Tensor | TransposedConvWeight, bias?: Tensor, o: Conv1dOptions = {}): Tensor {
  const label = 'conv1d';
  const { batch, c: cin, t: tin, batched } = splitInput(label, x);
  if (w.shape.length !== 3) throw new FlowgpuError(`${label}: weight must be [Cout, Cin/groups, K], got ${describeShape(w.shape)}`);
  const [cout, cinG, ksz] = w.shape as [number, number, number];
  const stride = o.stride ?? 1;
  const dil = o.dilation ?? 1;
  const groups = o.groups ?? 1;
  const [padL, padR] = typeof o.padding === 'number' ? [o.padding, o.padding] : (o.padding ?? [0, 0]);
  positiveInt(label, 'stride', stride);
  positiveInt(label, 'dilation', dil);
  positiveInt(label, 'groups', groups);
  positiveInt(label, 'padding', padL, 0);
  positiveInt(label, 'padding', padR, 0);
  if (cin % groups !== 0 || cout % groups !== 0 || cinG * groups !== cin) {
    throw new FlowgpuError(
      `${label}: input ${describeShape(x.shape)} has ${cin} channels but weight ${describeShape(w.shape)} with groups=${groups} ` +
        `expects ${cinG * groups} (Cout ${cout} must also divide by groups)`,
    );
  }
  checkBias(label, bias, cout);
  const span = dil * (ksz - 1) + 1;
  const padded = tin + padL + padR;
  if (ksz < 1 || padded < span) {
    throw new FlowgpuError(`${label}: input ${describeShape(x.shape)} padded to ${padded} is shorter than the kernel span ${span} (weight ${describeShape(w.shape)}, dilation ${dil})`);
  }
  const tout = Math.floor((padded - span) / stride) + 1;
  const coutG = cout / groups;
  const y = output(e, label, batched ? [batch, cout, tout] : [cout, tout], o.out);
  if (o.residual && o.residual.size !== y.size) {
    throw new FlowgpuError(`${label}: residual ${describeShape(o.residual.shape)} is not shaped like the output ${describeShape(y.shape)}`);
  }
  // Output positions per dispatch: the y workgroup count is limited (65535 on most adapters).
  const chunked = (colsPerWg: number, dispatch: (c0: number, cols: number) => void): void => {
    const chunk = e.limits.maxComputeWorkgroupsPerDimension * colsPerWg;
    for (let c0 = 0; c0 < tout; c0 += chunk) dispatch(c0, Math.ceil(Math.min(chunk, tout - c0) / colsPerWg));
  };
  const fused = fusions(bias, o.activation, o.inputLeakySlope, Boolean(o.residual));
  if ('tensor' in w) {
    if (stride !== 1 || groups !== 1 || e.subgroupSize === 0 || o.tile) {
      throw new FlowgpuError(`${label}: a transposed weight runs only the subgroup kernel: stride 1, one group, no tile, an adapter with fixed-size subgroups`);
    }
    if (w.tensor.size !== cin * ksz * vec4Channels(cout)) {
      throw new FlowgpuError(`${label}: transposed weight ${describeShape(w.tensor.shape)} is not that of ${describeShape(w.shape)}`);
    }
    const [sg, ch] = [e.subgroupSize, subgroupColumnGroups(e, tout)];
    chunked(sg * ch, (c0, cols) => e.dispatch({
      kernel: { family: 'conv_subgroup', source: subgroupSource, entry: 'conv1d', constants: { SG: sg, CH: ch, ...fused } },
      params: [cout, tout, cin, ksz, tin, dil, padL, c0],
      bindings: [x, w.tensor, bias, y, o.residual],
      workgroups: [Math.ceil(cout / (4 * SUBGROUP_CHANNEL_GROUPS * sg)), cols, batch],
    }));
    return y;
  }
  const tile = o.tile ?? pickConvTile(e, coutG, tout, cinG * ksz);
  chunked(tile.wx * tile.tn, (c0, cols) => e.dispatch({
    kernel: { ...typedKernel('conv', source, { wtype: w.dtype }), entry: 'conv1d', constants: { ...tileConstants(tile), ...fused } },
    params: [coutG, tout, cinG, ksz, tin, stride, dil, padL, groups, 0, c0],
    bindings: [x, w, bias, y, o.residual],
    workgroups: [Math.ceil(coutG / (tile.wy * tile.tm)), cols, batch * groups],
  }));
  return y;
}

/**
 * PyTorch `ConvTranspose1d` (dilation 1): x `[Cin, T]` or `[B, Cin, T]`, w `[Cin, Cout/groups, K]`
 * → `[Cout, Tout]`, Tout = (T − 1)·stride − 2·padding + K + outputPadding.
 */
export function convTranspose1d(e: Engine, x: Tensor, w: Tensor, bias?: Tensor, o: ConvTranspose1dOptions = {}): Tensor {
  const label = 'convTranspose1d';
  const { batch, c: cin, t: tin, batched } = splitInput(label, x);
  if (w.shape.length !== 3) throw new FlowgpuError(`${label}: weight must be [Cin, Cout/groups, K], got ${describeShape(w.shape)}`);
  const [wcin, coutG, ksz] = w.shape as [number, number, number];
  const stride = o.stride ?? 1;
  const pad = o.padding ?? 0;
  const outPad = o.outputPadding ?? 0;
  const groups = o.groups ?? 1;
  positiveInt(label, 'stride', stride);
  positiveInt(label, 'groups', groups);
  positiveInt(label, 'padding', pad, 0);
  positiveInt(label, 'outputPadding', outPad, 0);
  if (outPad >= stride) throw new FlowgpuError(`${label}: outputPadding ${outPad} must be smaller than stride ${stride}`);
  if (wcin !== cin || cin % groups !== 0) {
    throw new FlowgpuError(
      `${label}: input ${describeShape(x.shape)} has ${cin} channels but weight ${describeShape(w.shape)} expects ${wcin} ` +
        `(weight layout [Cin, Cout/groups, K], groups=${groups})`,
    );
  }
  const cout = coutG * groups;
  checkBias(label, bias, cout);
  const tout = (tin - 1) * stride - 2 * pad + ksz + outPad;
  if (tin < 1 || tout < 1) {
    throw new FlowgpuError(`${label}: input ${describeShape(x.shape)} with weight ${describeShape(w.shape)}, stride ${stride}, padding ${pad} gives no output`);
  }
  const y = output(e, label, batched ? [batch, cout, tout] : [cout, tout], o.out);
  const ncols = Math.ceil(tout / stride);
  const tile = o.tile ?? pickConvTile(e, coutG, ncols, (cin / groups) * Math.ceil(ksz / stride) * stride);
  e.dispatch({
    kernel: { ...typedKernel('conv', source, { wtype: w.dtype }), entry: 'conv_transpose1d', constants: { ...tileConstants(tile), ...fusions(bias, o.activation, o.inputLeakySlope) } },
    params: [coutG, tout, cin / groups, ksz, tin, stride, 1, pad, groups, ncols, 0],
    bindings: [x, w, bias, y, undefined],
    workgroups: [stride, Math.ceil(ncols / (tile.wx * tile.tn)), Math.ceil(coutG / (tile.wy * tile.tm)) * batch * groups],
  });
  return y;
}

/** matmul's tile for the implicit GEMM (M = Cout/groups, N = output positions, K = taps); on a
 *  GPU, one output channel per group (depthwise) puts the whole workgroup along time. */
function pickConvTile(e: Engine, coutG: number, cols: number, k: number): Tile {
  const t = pickTile(e, coutG, cols, k);
  return coutG === 1 && t.wy > 1 ? { wx: 64, wy: 1, tm: 1, tn: 4 } : t;
}

/** The constants of the fusions both conv kernels take: bias, activation, input leaky ReLU, residual. */
function fusions(bias: Tensor | undefined, act: Activation | undefined, leakySlope?: number, residual = false): Record<string, number> {
  const c: Record<string, number> = { BIAS: bias ? 1 : 0, ACT: ACT[act ?? 'none'], RESIDUAL: residual ? 1 : 0 };
  if (leakySlope !== undefined) Object.assign(c, { PRE_LEAKY: 1, PRE_SLOPE: leakySlope });
  return c;
}

function tileConstants(t: Tile): Record<string, number> {
  if (t.tm < 1 || t.tm > 16 || t.tn < 1 || t.tn > 8) throw new FlowgpuError(`conv: tile ${t.tm}×${t.tn} is outside 1..16 × 1..8`);
  return { WG_X: t.wx, WG_Y: t.wy, TM: t.tm, TN: t.tn };
}
