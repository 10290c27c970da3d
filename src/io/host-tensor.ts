// Tensors on the CPU side: what checkpoint readers produce and models upload.

export type DType = 'f32' | 'f16' | 'bf16' | 'f64' | 'i64' | 'i32' | 'i16' | 'i8' | 'u8' | 'bool';

export type HostData =
  | Float32Array | Float64Array | Uint16Array /* f16, bf16 raw bits */
  | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array /* u8, bool */;

/** A dense, contiguous, row-major tensor in host memory. */
export interface HostTensor {
  dtype: DType;
  shape: number[];
  data: HostData;
}

/** A set of named tensors plus string metadata (safetensors' `__metadata__`). */
export interface Checkpoint {
  tensors: Map<string, HostTensor>;
  metadata: Record<string, string>;
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
