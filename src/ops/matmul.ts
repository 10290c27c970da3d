import source from '../../shaders/matmul.wgsl';
import subgroupSource from '../../shaders/matmul_subgroup.wgsl';
import type { Engine } from '../gpu/engine.js';
import { describeShape, FlowgpuError } from '../gpu/errors.js';
import type { KernelRef } from '../gpu/pipelines.js';
import { typedKernel } from '../gpu/precision.js';
import type { GpuDType, Tensor } from '../gpu/tensor.js';
import { useSubgroupKernels } from './subgroup.js';
import { type Tile, tileCandidates, type TileTiming, tunedTile, tuneTiles } from './tiles.js';

export type { Tile } from './tiles.js';

/** The family for these operand dtypes: an f16 operand is a weight, read as f16 (the other
 *  operand may be a weight too: a 1x1 conv is W · x). */
function kernel(a: GpuDType, b: GpuDType): { family: string; source: string } {
  return typedKernel('matmul', source, { atype: a, btype: b });
}

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
  /** Workgroup shape and per-invocation tile; the default is chosen per adapter (`pickTile`). */
  workgroup?: [number, number];
  tile?: [number, number];
  /** 'registers': the register-tiled kernel; 'subgroup': vec4 loads shared by subgroup
   *  shuffles (CPU drivers with fixed-size subgroups, shapes of `canUseSubgroupTiles`);
   *  'workgroup': 64×64 blocks staged in workgroup memory (hardware adapters). Default: by
   *  adapter class and shape (`defaultVariant`). */
  variant?: MatmulVariant;
}

export type MatmulVariant = 'registers' | 'subgroup' | 'workgroup';

/** Whether the subgroup kernel can run this product: a fixed subgroup size, A not transposed
 *  and both operands f32 and at least one vec4 (a binding's minimum size). Any M, N, K otherwise: the
 *  choice never follows an input length, so a new length compiles nothing. */
export function canUseSubgroupTiles(e: Engine, a: Tensor, b: Tensor, o: Pick<MatmulOptions, 'transA'>): boolean {
  return e.subgroupSize > 0 && !o.transA && a.size >= 4 && b.size >= 4 && a.dtype === 'f32' && b.dtype === 'f32';
}

/** CPU drivers: the subgroup kernel where `useSubgroupKernels` says so and it applies (3× the
 *  register tiles at 512³ on lavapipe), else register tiles; hardware adapters: workgroup-memory tiles for products that
 *  fill 64×64 blocks. */
function defaultVariant(e: Engine, a: Tensor, b: Tensor, m: number, n: number, k: number, o: MatmulOptions): MatmulVariant {
  if (isSoftwareAdapter(e)) return useSubgroupKernels(e) && canUseSubgroupTiles(e, a, b, o) ? 'subgroup' : 'registers';
  return useWorkgroupTiles(e, m, n, k) ? 'workgroup' : 'registers';
}

/** Hardware adapters take the workgroup-memory kernel for products large enough to fill 64×64
 *  blocks; software adapters (SIMD over invocations, costly barriers) keep the register tiles. */
export function useWorkgroupTiles(e: Engine, m: number, n: number, k: number): boolean {
  return !isSoftwareAdapter(e) && m >= 32 && n >= 32 && m * n * k >= 2 ** 18;
}

/** Software adapters (lavapipe/llvmpipe, SwiftShader, WARP): SIMD over invocations, gathers are costly. */
export function isSoftwareAdapter(e: Engine): boolean {
  return e.isSoftware;
}

/**
 * The tile for an M×N output with K terms. CPU adapters: one row of 16 invocations per
 * workgroup, so the TM loads of the row operand per k are uniform and the TN loads of the
 * column operand are one gather each. 16×8 is the fastest tile measured on lavapipe under Dawn
 * (larger ones spill registers), but it costs ~4 s of CPU to compile (8×8: ~1.2 s, 4×4:
 * ~0.3 s), so the tile grows with the work (MACs) that pays for it. Powers of two keep the
 * variants few. GPUs: 8×8 invocations of 4×4. Large work uses the measured tile of this
 * adapter and runtime once `tuneMatmulTiles` has run (src/ops/tiles.ts). Columns are never
 * padded past the next power of two of N / WG_X (short inputs get narrow tiles).
 */
export function pickTile(e: Engine, m: number, n: number, k = 1): Tile {
  const work = m * n * k;
  const large = work >= 2 ** 24 && m >= 16 && n >= 128;
  const narrow = (t: Tile): Tile => ({ ...t, tn: Math.min(t.tn, 2 ** Math.ceil(Math.log2(Math.max(1, Math.ceil(n / t.wx))))) });
  const measured = tunedTile(e);
  if (large && measured) return narrow(measured);
  if (!isSoftwareAdapter(e)) return narrow({ wx: 8, wy: 8, tm: 4, tn: 4 });
  const level = large ? 2 : work >= 2 ** 18 && m >= 8 ? 1 : 0;
  const tm = m === 1 ? 1 : [4, 8, 16][level]!;
  return narrow({ wx: 16, wy: 1, tm, tn: level ? 8 : 4 });
}

/**
 * Measures matmul `size`³ with each candidate tile on this adapter and runtime (once per
 * process; about a second of compiling on a CPU driver) and makes the fastest the large-work
 * tile of `pickTile`. Returns the timings.
 */
export async function tuneMatmulTiles(e: Engine, size = 256, candidates: readonly Tile[] = tileCandidates(e)): Promise<{ tile: Tile; timings: TileTiming[] }> {
  const a = e.upload(new Float32Array(size * size).fill(0.5), [size, size], 'tune.a');
  const b = e.upload(new Float32Array(size * size).fill(0.25), [size, size], 'tune.b');
  try {
    return await tuneTiles(e, async (t) => {
      const y = matmul(e, a, b, { workgroup: [t.wx, t.wy], tile: [t.tm, t.tn] });
      await e.sync();
      y.release();
    }, candidates);
  } finally {
    a.release();
    b.release();
  }
}

/** Split-K for A·Bᵀ with a few rows (a mat-vec: 2.5× faster on lavapipe at K = 1024). For
 *  many rows `main` measured as fast (its tile reuses each load 16 times). */
function useRowsBt(m: number, k: number): boolean {
  return m <= 4 && k >= 64;
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
  const constants = { TRANS_A: o.transA ? 1 : 0, TRANS_B: o.transB ? 1 : 0, BIAS: biasMode, ACT: ACT[o.activation ?? 'none'] };
  const params = [m, n, k, batchA === 1 ? 0 : m * k, batchB === 1 ? 0 : k * n, m * n];
  if (o.transB && !o.transA && !o.tile && !o.workgroup && useRowsBt(m, k)) {
    // A torch-layout weight with long rows: split K across the workgroup (see rows_bt).
    const wx = isSoftwareAdapter(e) ? 16 : 64;
    const tm = m === 1 ? 1 : 4;
    const tn = 8;
    e.dispatch({
      kernel: { ...kernel(a.dtype, b.dtype), entry: 'rows_bt', constants: { WG_X: wx, TM: tm, TN: tn, ...constants } },
      params, bindings: [a, b, o.bias, y], workgroups: [Math.ceil(n / tn), Math.ceil(m / tm), batch],
    });
    return y;
  }
  const variant = o.variant ?? (o.tile || o.workgroup ? 'registers' : defaultVariant(e, a, b, m, n, k, o));
  if (variant === 'subgroup') {
    if (!canUseSubgroupTiles(e, a, b, o)) {
      throw new FlowgpuError(`${label}: the subgroup kernel needs fixed-size subgroups, A untransposed and f32 operands of ≥ 4 elements`);
    }
    const { kernel, workgroups } = subgroupPlan(e, m, n, { ...o, ...constants });
    e.dispatch({ kernel, params, bindings: [a, b, o.bias, y], workgroups: [...workgroups, batch] });
    return y;
  }
  if (variant === 'workgroup') {
    e.dispatch({
      kernel: { ...kernel(a.dtype, b.dtype), entry: 'tiled', constants },
      params, bindings: [a, b, o.bias, y],
      workgroups: [Math.ceil(n / 64), Math.ceil(m / 64), batch],
    });
    return y;
  }
  const auto = pickTile(e, m, n, k);
  const [wx, wy] = o.workgroup ?? [auto.wx, auto.wy];
  const [tm, tn] = o.tile ?? [auto.tm, auto.tn];
  e.dispatch({
    kernel: matmulKernel({ wx, wy, tm, tn }, o, [a.dtype, b.dtype]),
    params, bindings: [a, b, o.bias, y],
    workgroups: [Math.ceil(m / (wy * tm)), Math.ceil(n / (wx * tn)), batch],
  });
  return y;
}

/** The subgroup kernel's pipeline and grid for an M×N output. Measured on lavapipe (512³, and
 *  64×4096×1024 for Bᵀ): nn best with R = 4 row groups and one vec4 column group per lane; nt
 *  with one row group and 4 columns per lane (its A values are shuffled as whole vec4s, so fewer
 *  rows and more columns share each shuffle). The tile never follows M (an input length), so a
 *  new length compiles nothing; nt's narrows with N (a layer's width). */
function subgroupPlan(
  e: Engine, m: number, n: number, c: { transB?: boolean; BIAS: number; ACT: number },
): { kernel: KernelRef; workgroups: [number, number] } {
  const sg = e.subgroupSize;
  const perLane = c.transB ? n : Math.ceil(n / 4); // columns (nt) or vec4 column groups (nn)
  const r = c.transB ? 1 : 4;
  const tn4 = c.transB ? Math.min(4, 2 ** Math.ceil(Math.log2(Math.ceil(n / sg)))) : 1;
  return {
    kernel: { family: 'matmul_subgroup', source: subgroupSource, entry: c.transB ? 'nt' : 'nn', constants: { SG: sg, R: r, TN4: tn4, BIAS: c.BIAS, ACT: c.ACT } },
    workgroups: [Math.ceil(m / (sg * r)), Math.ceil(perLane / (sg * tn4))],
  };
}

/** The register-tiled pipeline `matmul` runs with tile `t`, options `o` and operand dtypes `ab`
 *  (to compile it ahead). */
export function matmulKernel(t: Tile, o: Pick<MatmulOptions, 'transA' | 'transB' | 'bias' | 'biasOnRows' | 'activation'> = {}, ab: [GpuDType, GpuDType] = ['f32', 'f32']): KernelRef {
  if (t.tm < 1 || t.tm > 16 || t.tn < 1 || t.tn > 8) throw new FlowgpuError(`matmul: tile ${t.tm}×${t.tn} is outside 1..16 × 1..8`);
  const biasMode = o.bias ? (o.biasOnRows ? 2 : 1) : 0;
  return {
    ...kernel(...ab), entry: 'main',
    constants: { WG_X: t.wx, WG_Y: t.wy, TM: t.tm, TN: t.tn, TRANS_A: o.transA ? 1 : 0, TRANS_B: o.transB ? 1 : 0, BIAS: biasMode, ACT: ACT[o.activation ?? 'none'] },
  };
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
