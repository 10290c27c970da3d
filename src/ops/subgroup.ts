// What the subgroup kernels (matmul_subgroup, wavenet_subgroup, conv_subgroup .wgsl) need: a CPU
// driver whose subgroups have one fixed size (lavapipe: 8), where a workgroup can be one
// subgroup; the convolutions also want their weights stored transposed.
import type { Engine } from '../gpu/engine.js';
import { FlowgpuError } from '../gpu/errors.js';

/** Whether the subgroup kernels are the default here: a CPU driver with fixed subgroups of at
 *  least 8 lanes. Lavapipe (8) runs them 2–3× faster than the register tiles; SwiftShader (4
 *  lanes, in Chromium) ran them 1.3–1.8× slower (matmul 512³ 1.43 s against 1.07 s), so it keeps
 *  the register tiles. Models that pass convolution weights for them store them with
 *  `transposeForSubgroups`. */
export function useSubgroupKernels(e: Engine): boolean {
  return e.isSoftware && e.subgroupSize >= 8;
}

/** Channel groups of 4 each lane of the subgroup convolutions owns (their shaders' RG). */
export const SUBGROUP_CHANNEL_GROUPS = 2;

/** `n` output channels rounded up to whole vec4s: the rows of a transposed weight. */
export function vec4Channels(n: number): number {
  return Math.ceil(n / 4) * 4;
}

/** A `[rows, cols]` weight → `[cols, vec4Channels(rows)]` (zero padded): the subgroup kernels'
 *  layout, where 4 consecutive output channels of one reduction row are a vec4. */
export function transposeForSubgroups(w: Float32Array, rows: number, cols: number): { data: Float32Array; shape: [number, number] } {
  if (w.length !== rows * cols) throw new FlowgpuError(`transposeForSubgroups: ${w.length} values are not ${rows}×${cols}`);
  const padded = vec4Channels(rows);
  const data = new Float32Array(cols * padded);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) data[c * padded + r] = w[r * cols + c]!;
  }
  return { data, shape: [cols, padded] };
}

/** Column groups of SG per workgroup for `cols` output columns: 32 columns (a lane's two
 *  channel groups × 32 columns fill the 64-vec4 tile), or one group for inputs of at most SG
 *  columns. Two classes only, so the warm-up lengths compile both and a new length nothing. */
export function subgroupColumnGroups(e: Engine, cols: number): number {
  const sg = e.subgroupSize;
  return cols <= sg ? 1 : 32 / sg;
}
