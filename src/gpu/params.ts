// Kernel parameters: plain numbers are u32; wrap floats and signed ints so the bytes written
// match the WGSL `Params` struct field types (all 4-byte scalars, in declaration order).

export class F32 {
  constructor(readonly value: number) {}
}
export class I32 {
  constructor(readonly value: number) {}
}

export const f32 = (v: number): F32 => new F32(v);
export const i32 = (v: number): I32 => new I32(v);

export type Param = number | F32 | I32;

export function writeParams(view: DataView, byteOffset: number, params: readonly Param[], label: string): void {
  params.forEach((p, i) => {
    const at = byteOffset + 4 * i;
    if (p instanceof F32) view.setFloat32(at, p.value, true);
    else if (p instanceof I32) view.setInt32(at, p.value, true);
    else {
      if (!Number.isInteger(p) || p < 0 || p > 0xffffffff) {
        throw new Error(`${label}: parameter ${i} = ${p} is not a u32 (wrap floats in f32(), negatives in i32())`);
      }
      view.setUint32(at, p, true);
    }
  });
}
