// A WaveNet layer (WaveGlow's and Glow-TTS's WN) in two dispatches: the gated dilated conv with
// the layer's conditioning rows, and the res/skip 1x1 conv that updates h and the skip sum in
// place. Kernels: shaders/wavenet.wgsl (register tiles), shaders/wavenet_subgroup.wgsl (CPU
// drivers with fixed-size subgroups, on weights stored transposed).
import source from '../../shaders/wavenet.wgsl';
import subgroupSource from '../../shaders/wavenet_subgroup.wgsl';
import type { Engine } from '../gpu/engine.js';
import { describeShape, FlowgpuError } from '../gpu/errors.js';
import type { KernelRef } from '../gpu/pipelines.js';
import { typedKernel } from '../gpu/precision.js';
import type { GpuDType, Tensor } from '../gpu/tensor.js';
import { pickTile, type Tile } from './matmul.js';
import { SUBGROUP_CHANNEL_GROUPS, subgroupColumnGroups, vec4Channels } from './subgroup.js';

/** Tiles of a WaveNet stack, fixed at load (the pipelines are compiled then). */
export interface WaveNetTiles {
  /** gated_conv: `tm` counts the rows of both gate halves (even). */
  gate: Tile;
  resSkip: Tile;
  /** The subgroup kernels instead, SG lanes × `ch` column groups per workgroup (weights stored
   *  by `transposeForSubgroups`, when `useSubgroupKernels`); null: the register tiles. */
  subgroup: { sg: number; ch: number } | null;
}

/**
 * Tiles for a stack of `hidden` channels with `condRows` conditioning rows and kernel `ksz`,
 * sized for windows of about `cols` frames (`pickTile`'s rules; the gate's tile rows hold both
 * halves, so its row count is even). `transposed`: the weights are stored for the subgroup kernels.
 */
export function waveNetTiles(
  e: Engine, hidden: number, condRows: number, ksz: number, resRows: number, skipRows: number, cols: number, transposed = false,
): WaveNetTiles {
  if (transposed && e.subgroupSize === 0) throw new FlowgpuError('waveNetTiles: the subgroup kernels need an adapter with fixed-size subgroups');
  const g = pickTile(e, 2 * hidden, cols, hidden * ksz + condRows);
  return {
    gate: { ...g, tm: Math.max(2, Math.min(16, g.tm - (g.tm % 2))) },
    resSkip: pickTile(e, resRows + skipRows, cols, hidden),
    subgroup: transposed ? { sg: e.subgroupSize, ch: subgroupColumnGroups(e, cols) } : null,
  };
}

function constants(t: Tile, first = false): Record<string, number> {
  if (t.tm < 1 || t.tm > 16 || t.tn < 1 || t.tn > 8) throw new FlowgpuError(`wavenet: tile ${t.tm}×${t.tn} is outside 1..16 × 1..8`);
  return { WG_X: t.wx, WG_Y: t.wy, TM: t.tm, TN: t.tn, FIRST: first ? 1 : 0 };
}

function subgroupKernel(entry: string, s: { sg: number; ch: number }, first = false): KernelRef {
  return { family: 'wavenet_subgroup', source: subgroupSource, entry, constants: { SG: s.sg, CH: s.ch, FIRST: first ? 1 : 0 } };
}

/** `wtype`: the dtype of the layer's weight (f16 at precision 'f16'; the subgroup kernels take f32). */
export function gatedConvKernel(t: WaveNetTiles, wtype: GpuDType = 'f32'): KernelRef {
  if (t.subgroup) return subgroupKernel('gated_conv', t.subgroup);
  if (t.gate.tm % 2 !== 0) throw new FlowgpuError(`gatedConv: tile rows ${t.gate.tm} must be even (half per gate half)`);
  return { ...typedKernel('wavenet', source, { wtype }), entry: 'gated_conv', constants: constants(t.gate) };
}

export function resSkipKernel(t: WaveNetTiles, first: boolean, wtype: GpuDType = 'f32'): KernelRef {
  if (t.subgroup) return subgroupKernel('res_skip', t.subgroup, first);
  return { ...typedKernel('wavenet', source, { wtype }), entry: 'res_skip', constants: constants(t.resSkip, first) };
}

/** `[2H, H, K]` in_layer weight and `[2H, Cc]` conditioning rows → the gated conv's `[2H, H·K + Cc]`. */
export function packGatedWeight(inW: Float32Array, condW: Float32Array | null, hidden: number, ksz: number): Float32Array {
  const hk = hidden * ksz;
  const cc = condW ? condW.length / (2 * hidden) : 0;
  if (inW.length !== 2 * hidden * hk || !Number.isInteger(cc)) {
    throw new FlowgpuError(`packGatedWeight: ${inW.length} in_layer and ${condW?.length ?? 0} cond values do not fit ${hidden} channels, kernel ${ksz}`);
  }
  const out = new Float32Array(2 * hidden * (hk + cc));
  for (let r = 0; r < 2 * hidden; r++) {
    out.set(inW.subarray(r * hk, (r + 1) * hk), r * (hk + cc));
    if (condW) out.set(condW.subarray(r * cc, (r + 1) * cc), r * (hk + cc) + hk);
  }
  return out;
}

export interface GatedConvOptions {
  hidden: number;
  kernelSize: number;
  dilation: number;
  tiles: WaveNetTiles;
  out?: Tensor;
}

/**
 * WaveNet's gated dilated conv: `x` `[H + Cc, T]` (h, then Cc conditioning rows), `w`
 * `[2H, H·K + Cc]` (`packGatedWeight`; transposed for subgroup tiles), `bias` `[2H]` → `tanh(a[:H]) · sigmoid(a[H:])` `[H, T]`
 * with `a = bias + in_layer ⊛ h + cond_w · cond` ('same' padding).
 */
export function gatedConv(e: Engine, x: Tensor, w: Tensor, bias: Tensor, o: GatedConvOptions): Tensor {
  const label = 'gatedConv';
  const { hidden: h, kernelSize: k, dilation: d } = o;
  const [rows, t] = x.shape as [number, number];
  const cc = rows - h;
  if (x.shape.length !== 2 || cc < 0 || w.size !== 2 * h * (h * k + cc) || bias.size !== 2 * h) {
    throw new FlowgpuError(`${label}: x ${describeShape(x.shape)}, weight ${describeShape(w.shape)}, bias ${describeShape(bias.shape)} do not fit ${h} channels, kernel ${k}`);
  }
  if (k % 2 !== 1) throw new FlowgpuError(`${label}: kernel ${k} must be odd for 'same' padding`);
  const y = o.out ?? e.empty([h, t], 'f32', label);
  if (y.size !== h * t) throw new FlowgpuError(`${label}: output ${describeShape(y.shape)} is not [${h}, ${t}]`);
  const { gate: tile, subgroup: sub } = o.tiles;
  e.dispatch({
    kernel: gatedConvKernel(o.tiles, w.dtype),
    params: [h, cc, t, k, d, (d * (k - 1)) / 2, 0, 0],
    bindings: [x, w, bias, y],
    workgroups: sub
      ? [Math.ceil(h / (4 * sub.sg)), Math.ceil(t / (sub.sg * sub.ch))]
      : [Math.ceil(h / (tile.wy * (tile.tm / 2))), Math.ceil(t / (tile.wx * tile.tn))],
  });
  return y;
}

/**
 * WaveNet's res/skip 1x1 conv: `v = w · acts + bias` (`w` `[R + S, H]`, or for subgroup tiles
 * `transposeForSubgroups` of it); rows `[0, R)` are added to `h` `[R, T]` in place (R = 0: the
 * last layer, no residual), rows `[R, R + S)` go to `skip` `[S, T]`, assigned when `first`, else added.
 */
export function resSkipConv(e: Engine, acts: Tensor, w: Tensor, bias: Tensor, h: Tensor | null, skip: Tensor, first: boolean, tiles: WaveNetTiles): void {
  const label = 'resSkipConv';
  const [hid, t] = acts.shape as [number, number];
  const r = h ? h.size / t : 0;
  const s = skip.size / t;
  const sub = tiles.subgroup;
  const wRows = sub ? vec4Channels(r + s) : r + s;
  if (acts.shape.length !== 2 || w.size !== wRows * hid || bias.size !== r + s || !Number.isInteger(r) || !Number.isInteger(s)) {
    throw new FlowgpuError(
      `${label}: acts ${describeShape(acts.shape)}, weight ${describeShape(w.shape)}, bias ${describeShape(bias.shape)}, ` +
        `h ${h ? describeShape(h.shape) : 'none'}, skip ${describeShape(skip.shape)} do not fit`,
    );
  }
  const tile = tiles.resSkip;
  e.dispatch({
    kernel: resSkipKernel(tiles, first, w.dtype),
    params: [hid, 0, t, 1, 1, 0, r, s],
    bindings: [acts, w, bias, h ?? undefined, skip],
    workgroups: sub
      ? [Math.ceil(wRows / (4 * sub.sg * SUBGROUP_CHANNEL_GROUPS)), Math.ceil(t / (sub.sg * sub.ch))]
      : [Math.ceil((r + s) / (tile.wy * tile.tm)), Math.ceil(t / (tile.wx * tile.tn))],
  });
}
