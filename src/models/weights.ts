// Model weights on the GPU, uploaded once at load, looked up by their PyTorch state_dict names.
// At precision 'f16' the weights of GEMM-shaped ops (matmul, conv, WaveNet: `gemm`, `putGemm`)
// are stored as f16; everything else (biases, norms, embeddings, invertible 1x1 convs) stays f32.
import { toFloat32 } from '../io/checkpoint.js';
import { f32ArrayToF16 } from '../io/dtype.js';
import type { Checkpoint, HostTensor } from '../io/host-tensor.js';
import type { Engine } from '../gpu/engine.js';
import { describeShape, FlowgpuError } from '../gpu/errors.js';
import { checkPrecision, type Precision } from '../gpu/precision.js';
import type { Tensor } from '../gpu/tensor.js';
import type { TransposedConvWeight } from '../ops/conv.js';
import { transposeForSubgroups } from '../ops/subgroup.js';

/** Options every model's `load` takes. */
export interface ModelOptions {
  /** 'f16': GEMM weights stored as f16 (needs shader-f16); default 'f32'. */
  precision?: Precision;
}

export class Weights {
  private readonly uploaded = new Map<string, Tensor>();
  readonly precision: Precision;

  constructor(readonly engine: Engine, readonly checkpoint: Checkpoint, readonly modelName: string, o: ModelOptions = {}) {
    this.precision = checkPrecision(engine, o.precision ?? 'f32', modelName);
  }

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

  /** The tensor on the GPU as f32 (uploaded on first use; persistent until `release`). */
  gpu(name: string, shape?: readonly number[]): Tensor {
    const t = this.uploaded.get(name);
    if (t) return t;
    const h = this.host(name, shape);
    return this.store(name, toFloat32(h), h.shape);
  }

  /** A `[Cout, Cin, K]` Conv1d weight stored for the subgroup convolution (`transposeForSubgroups`),
   *  uploaded on first use, in place of `gpu`/`gemm`'s layout. */
  convTransposed(name: string): TransposedConvWeight {
    const h = this.host(name);
    if (h.shape.length !== 3) throw new FlowgpuError(`${this.modelName}: tensor "${name}" has shape ${describeShape(h.shape)}, expected [Cout, Cin, K]`);
    const shape = h.shape as [number, number, number];
    const key = `${name}#subgroup`;
    const t = this.uploaded.get(key);
    if (t) return { tensor: t, shape };
    const { data, shape: stored } = transposeForSubgroups(toFloat32(h), shape[0], shape[1] * shape[2]);
    return { tensor: this.store(key, data, stored), shape };
  }

  /** A GEMM operand's weight on the GPU: f16 at precision 'f16' (an f16 checkpoint's bits as
   *  stored), else as `gpu`. */
  gemm(name: string, shape?: readonly number[]): Tensor {
    if (this.precision === 'f32') return this.gpu(name, shape);
    const key = `${name}:f16`;
    const t = this.uploaded.get(key);
    if (t) return t;
    const h = this.host(name, shape);
    return this.store(key, h.dtype === 'f16' ? (h.data as Uint16Array) : f32ArrayToF16(toFloat32(h)), h.shape);
  }

  /** Uploads an f32 tensor computed at load time (e.g. a folded or inverted weight) under a name. */
  put(name: string, data: Float32Array, shape: readonly number[]): Tensor {
    return this.store(name, data, shape);
  }

  /** `put` for a GEMM operand's weight: f16 at precision 'f16' (then `gemm(name)` finds it). */
  putGemm(name: string, data: Float32Array, shape: readonly number[]): Tensor {
    if (this.precision === 'f32') return this.put(name, data, shape);
    return this.store(`${name}:f16`, f32ArrayToF16(data), shape);
  }

  private store(name: string, data: Float32Array | Uint16Array, shape: readonly number[]): Tensor {
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
