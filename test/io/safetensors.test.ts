import { tensorBytes } from '../../src/io/dtype.js';
import type { Checkpoint, HostTensor } from '../../src/io/host-tensor.js';
import { readSafetensors, writeSafetensors } from '../../src/io/safetensors.js';
import { assert, assertArrayEqual, assertEqual, assertRejects } from '../helpers/check.js';
import { bytes } from './fixtures.js';

/** A safetensors file with a hand-written header (data section as given). */
function craft(header: unknown, data: Uint8Array, lengthOverride?: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const len = new Uint8Array(8);
  new DataView(len.buffer).setBigUint64(0, BigInt(lengthOverride ?? json.length), true);
  return bytes(len, json, data);
}

const ALL: [string, HostTensor][] = [
  ['f16', { dtype: 'f16', shape: [3], data: Uint16Array.of(0x3c00, 0xc000, 0x7bff) }],
  ['u8', { dtype: 'u8', shape: [3], data: Uint8Array.of(0, 7, 255) }],
  ['f32', { dtype: 'f32', shape: [2, 2], data: Float32Array.of(1, -2, 3.5, 1e-30) }],
  ['bf16', { dtype: 'bf16', shape: [1], data: Uint16Array.of(0x3f80) }],
  ['f64', { dtype: 'f64', shape: [2], data: Float64Array.of(Math.PI, -0) }],
  ['i64', { dtype: 'i64', shape: [], data: BigInt64Array.of(-(2n ** 40n)) }],
  ['i32', { dtype: 'i32', shape: [1, 1], data: Int32Array.of(-5) }],
  ['i16', { dtype: 'i16', shape: [2], data: Int16Array.of(-32768, 32767) }],
  ['i8', { dtype: 'i8', shape: [1], data: Int8Array.of(-128) }],
  ['bool', { dtype: 'bool', shape: [2], data: Uint8Array.of(1, 0) }],
  ['empty', { dtype: 'f32', shape: [0, 4], data: new Float32Array(0) }],
];

describe('safetensors', () => {
  it('round-trips every dtype and the metadata, reading back zero-copy views', () => {
    const ckpt: Checkpoint = { tensors: new Map(ALL), metadata: { 'flowgpu.model': 'waveglow', note: 'ünïcödé' } };
    const file = writeSafetensors(ckpt);
    const back = readSafetensors(file);
    assertEqual(JSON.stringify(back.metadata), JSON.stringify(ckpt.metadata), 'metadata');
    for (const [k, t] of ALL) {
      const got = back.tensors.get(k)!;
      assertEqual(got.dtype, t.dtype, `${k} dtype`);
      assertArrayEqual(got.shape, t.shape, `${k} shape`);
      assertArrayEqual(tensorBytes(got), tensorBytes(t), `${k} bytes`);
      // larger elements first keeps every tensor aligned, so none needed a copy
      assert(got.data.buffer === file.buffer, `${k} is a view of the file`);
    }
  });

  it('copies a tensor only when the file places it unaligned', () => {
    const file = craft({ a: { dtype: 'F32', shape: [1], data_offsets: [1, 5] }, b: { dtype: 'U8', shape: [1], data_offsets: [0, 1] } }, bytes(9, new Uint8Array(Float32Array.of(2.5).buffer)));
    const t = readSafetensors(file).tensors;
    assert((file.length - 4) % 4 !== 0, 'test setup: "a" (the last 4 bytes) is unaligned');
    assertArrayEqual(t.get('a')!.data as Float32Array, [2.5], 'unaligned f32');
    assert(t.get('a')!.data.buffer !== file.buffer, 'copied');
    assertArrayEqual(t.get('b')!.data as Uint8Array, [9], 'u8');
  });

  it('rejects a header length larger than the file', async () => {
    const file = craft({}, new Uint8Array(0), 1_000_000);
    await assertRejects(() => readSafetensors(file), /header length 1000000 exceeds the 2 bytes after it/);
    await assertRejects(() => readSafetensors(Uint8Array.of(1, 2, 3)), /only 3 bytes/);
  });

  it('rejects headers that lie about offsets, sizes or dtypes', async () => {
    const data = new Uint8Array(16);
    const cases: [unknown, RegExp][] = [
      [{ w: { dtype: 'F32', shape: [4], data_offsets: [8, 24] } }, /"w" claims bytes \[8, 24\) but the data section has 16 bytes/],
      [{ w: { dtype: 'F32', shape: [4], data_offsets: [0, 12] } }, /"w" F32 \[4\] needs 16 bytes, its offsets give 12/],
      [{ w: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } }, /claims bytes \[8, 0\)/],
      [{ a: { dtype: 'F32', shape: [3], data_offsets: [0, 12] }, b: { dtype: 'F32', shape: [2], data_offsets: [8, 16] } }, /"a" and "b" overlap/],
      [{ w: { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] } }, /"w" has dtype "F8_E4M3"; flowgpu reads F32/],
      [{ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, /malformed shape/],
      [{ w: { dtype: 'F32', shape: [1], data_offsets: [0] } }, /malformed data_offsets/],
      [{ __metadata__: { n: 3 } }, /__metadata__\.n is not a string/],
      [[1, 2], /header is not a JSON object/],
    ];
    for (const [header, pattern] of cases) await assertRejects(() => readSafetensors(craft(header, data)), pattern, JSON.stringify(header));
    const broken = craft({}, data);
    broken[9] = 0x7b; // '{{' is not JSON
    await assertRejects(() => readSafetensors(broken), /header is not valid JSON/);
  });

  it('refuses to write a tensor whose data does not match its shape', async () => {
    const t: HostTensor = { dtype: 'f32', shape: [3], data: new Float32Array(2) };
    await assertRejects(() => writeSafetensors({ tensors: new Map([['t', t]]), metadata: {} }), /"t" \[3\] has 8 bytes of data, expected 12/);
  });
});
