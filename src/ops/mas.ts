import source from '../../shaders/mas.wgsl';
import { type Engine, grid } from '../gpu/engine.js';
import { describeShape, FlowgpuError } from '../gpu/errors.js';
import type { Tensor } from '../gpu/tensor.js';

const family = 'mas';
const WG = 64;

/**
 * Monotonic alignment search: the most likely monotonic, surjective path through `value`
 * `[Tx, Ty]` (tokens × frames), as Glow-TTS's `maximum_path` (same DP, same tie rule: on a tie
 * the path stays on the same token). Only the first `tokens` rows and `frames` columns take part
 * (the rest is masked and stays 0 in the result). Returns a 0/1 f32 path `[Tx, Ty]`.
 */
export function maximumPath(e: Engine, value: Tensor, tokens?: number, frames?: number): Tensor {
  const label = 'maximumPath';
  if (value.shape.length !== 2) throw new FlowgpuError(`${label}: value must be [tokens, frames], got ${describeShape(value.shape)}`);
  const [rows, cols] = [value.dim(0), value.dim(1)];
  const tx = tokens ?? rows;
  const ty = frames ?? cols;
  if (tx > rows || ty > cols || tx < 0 || ty < 0) {
    throw new FlowgpuError(`${label}: ${tx} tokens × ${ty} frames do not fit in ${describeShape(value.shape)}`);
  }
  if (tx > ty) {
    throw new FlowgpuError(`${label}: ${tx} tokens cannot be aligned to only ${ty} frames (every token needs at least one frame)`);
  }
  const scratch = e.empty([rows, cols], 'f32', 'mas-scratch');
  const path = e.empty([rows, cols], 'f32', label);
  e.dispatch({
    kernel: { family, source, entry: 'dp', constants: { WG } },
    params: [tx, ty, cols, rows],
    bindings: [value, scratch, path],
    workgroups: [1],
  });
  scratch.release();
  return path;
}

/** Valid lengths of a 0/1 mask `[Tx, Ty]` as the original reads them: tokens = Σ mask[:, 0],
 *  frames = Σ mask[0, :]. */
export function maskLengths(mask: ArrayLike<number>, rows: number, cols: number): { tokens: number; frames: number } {
  let tokens = 0;
  let frames = 0;
  for (let i = 0; i < rows; i++) tokens += mask[i * cols]! ? 1 : 0;
  for (let j = 0; j < cols; j++) frames += mask[j]! ? 1 : 0;
  return { tokens, frames };
}

/**
 * Gaussian log-likelihood of every frame of `z` `[D, Ty]` under every token's mean `m` and
 * log-std `logs` `[D, Tx]` (summed over D): `[Tx, Ty]`, Glow-TTS's `logp` before MAS.
 * `logs` omitted means 0 (mean-only models).
 */
export function gaussianLogLikelihood(e: Engine, m: Tensor, logs: Tensor | undefined, z: Tensor): Tensor {
  const label = 'gaussianLogLikelihood';
  if (m.shape.length !== 2 || z.shape.length !== 2 || m.dim(0) !== z.dim(0)) {
    throw new FlowgpuError(`${label}: means ${describeShape(m.shape)} and z ${describeShape(z.shape)} must be [D, Tx] and [D, Ty]`);
  }
  if (logs && logs.size !== m.size) throw new FlowgpuError(`${label}: logs ${describeShape(logs.shape)} does not match ${describeShape(m.shape)}`);
  const [d, tx, ty] = [m.dim(0), m.dim(1), z.dim(1)];
  const out = e.empty([tx, ty], 'f32', label);
  e.dispatch({
    kernel: { family, source, entry: 'loglik', constants: { WG, LOGS: logs ? 1 : 0 } },
    params: [d, tx, ty],
    bindings: [m, logs, z, out],
    workgroups: grid(e, Math.ceil((tx * ty) / WG)),
  });
  return out;
}
