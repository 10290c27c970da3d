// Element sizes, typed views over raw little-endian bytes, and float conversions shared by the
// checkpoint readers and writers.

import type { DType, HostData, HostTensor } from './host-tensor.js';

export const DTYPE_SIZE: Record<DType, number> = {
  f32: 4, f16: 2, bf16: 2, f64: 8, i64: 8, i32: 4, i16: 2, i8: 1, u8: 1, bool: 1,
};

type TypedCtor = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): HostData; new (length: number): HostData };

const CTOR: Record<DType, TypedCtor> = {
  f32: Float32Array, f16: Uint16Array, bf16: Uint16Array, f64: Float64Array, i64: BigInt64Array,
  i32: Int32Array, i16: Int16Array, i8: Int8Array, u8: Uint8Array, bool: Uint8Array,
};

/** A typed array of `count` elements over `bytes` (which holds at least that many): a view when
 *  the bytes are aligned for the element type, otherwise one aligned copy. */
export function viewAs(dtype: DType, bytes: Uint8Array, count: number): HostData {
  const size = DTYPE_SIZE[dtype];
  if (bytes.byteOffset % size === 0) return new CTOR[dtype](bytes.buffer, bytes.byteOffset, count);
  const out = new CTOR[dtype](count);
  new Uint8Array(out.buffer).set(bytes.subarray(0, count * size));
  return out;
}

export function allocate(dtype: DType, count: number): HostData {
  return new CTOR[dtype](count);
}

/** The raw bytes of a tensor's data (a view, no copy). */
export function tensorBytes(t: HostTensor): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/** The byte arrays one after another in one new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

export function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Rounds a float32 value to the nearest float16 (ties to even), as PyTorch's `.half()` does. */
export function f32ToF16(value: number): number {
  f32Scratch[0] = value;
  const x = u32Scratch[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mant & ((1 << shift) - 1);
    let h = mant >>> shift;
    if (rest > half || (rest === half && (h & 1))) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1))) h++; // may carry into the exponent: still correct
  return sign | h;
}

function bf16ToF32(b: number): number {
  u32Scratch[0] = b << 16;
  return f32Scratch[0]!;
}

/** Any tensor's values as float32 (the same array when it already is f32). */
export function toFloat32(t: HostTensor): Float32Array {
  const d = t.data;
  if (t.dtype === 'f32') return d as Float32Array;
  const out = new Float32Array(d.length);
  if (t.dtype === 'f16' || t.dtype === 'bf16') {
    const conv = t.dtype === 'f16' ? f16ToF32 : bf16ToF32;
    for (let i = 0; i < d.length; i++) out[i] = conv((d as Uint16Array)[i]!);
  } else {
    for (let i = 0; i < d.length; i++) out[i] = Number(d[i]!);
  }
  return out;
}

/** Float32 values rounded to float16 bits (ties to even). */
export function f32ArrayToF16(src: Float32Array): Uint16Array {
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = f32ToF16(src[i]!);
  return out;
}

export function toFloat16(t: HostTensor): HostTensor {
  return { dtype: 'f16', shape: t.shape, data: f32ArrayToF16(toFloat32(t)) };
}
