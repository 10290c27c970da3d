// Model weights on the GPU, uploaded once at load, looked up by their PyTorch state_dict names.
import { toFloat32 } from '../io/checkpoint.js';
import type { Checkpoint, HostTensor } from '../io/host-tensor.js';
import type { Engine } from '../gpu/engine.js';
import { describeShape, FlowgpuError } from '../gpu/errors.js';
import type { Tensor } from '../gpu/tensor.js';
import { transposeForSubgroups } from '../ops/subgroup.js';

export class Weights {
  private readonly uploaded = new Map<string, Tensor>();

  constructor(readonly engine: Engine, readonly checkpoint: Checkpoint, readonly modelName: string) {}

  has(name: string): boolean {
    return this.checkpoint.tensors.has(name);
  }

  /** The host tensor, checked against an expected shape (`-1` matches any size). */
  host(name: string, shape?: readonly number[]): HostTensor {
    const t = this.checkpoint.tensors.get(name);
    if (!t) {
      throw new FlowgpuError(`${this.modelName}: the checkpoint has no tensor "${name}"; is this a ${this.modelName} checkpoint? (flowgpu inspect lists its tensors)`);
    }
    if (shape && (shape.length !== t.shape.length || shape.some((d, i) => d !== -1 && d !== t.shape[i]))) {
      throw new FlowgpuError(`${this.modelName}: tensor "${name}" has shape ${describeShape(t.shape)}, expected ${describeShape(shape)}`);
    }
    return t;
  }

  /** f32 values on the host (for CPU-side folding such as matrix inverses). */
  f32(name: string, shape?: readonly number[]): Float32Array {
    return toFloat32(this.host(name, shape));
  }

  /** The tensor on the GPU (uploaded on first use; persistent until `release`). */
  gpu(name: string, shape?: readonly number[]): Tensor {
    let t = this.uploaded.get(name);
    if (!t) {
      const h = this.host(name, shape);
      t = this.engine.persistent(toFloat32(h), h.shape, name);
      this.uploaded.set(name, t);
    }
    return t;
  }

  /** A `[Cout, Cin, K]` weight stored for the subgroup convolutions (`transposeForSubgroups`:
   *  `[Cin·K, Cout rounded up to 4]`), uploaded on first use. */
  gpuTransposed(name: string): Tensor {
    const key = `${name}#subgroup`;
    let t = this.uploaded.get(key);
    if (!t) {
      const h = this.host(name);
      const rows = h.shape[0]!;
      const cols = h.shape.slice(1).reduce((a, b) => a * b, 1);
      t = this.engine.persistent(transposeForSubgroups(toFloat32(h), rows, cols), [cols, Math.ceil(rows / 4) * 4], key);
      this.uploaded.set(key, t);
    }
    return t;
  }

  /** Uploads a tensor computed at load time (e.g. a folded or inverted weight) under a name. */
  put(name: string, data: Float32Array, shape: readonly number[]): Tensor {
    this.uploaded.get(name)?.release();
    const t = this.engine.persistent(data, shape, name);
    this.uploaded.set(name, t);
    return t;
  }

  release(): void {
    for (const t of this.uploaded.values()) t.release();
    this.uploaded.clear();
  }
}

/** The audio sample rate a checkpoint's metadata states (`sampling_rate` / `sample_rate`), else 22050 Hz (every published config). */
export function sampleRateOf(ckpt: Checkpoint): number {
  const rate = Number(ckpt.metadata['sampling_rate'] ?? ckpt.metadata['sample_rate']);
  return Number.isInteger(rate) && rate > 0 ? rate : 22050;
}
