// NumPy .npy read/write (format versions 1, 2, 3). Reads float32/float64/float16 and integer
// arrays into float32 (C or Fortran order); writes little-endian float32 in C order.

import { FlowgpuError } from '../gpu/errors.js';
import { brief } from './describe.js';
import { f16ToF32 } from './dtype.js';

export interface NpyArray {
  shape: number[];
  /** Values in C (row-major) order. */
  data: Float32Array;
  /** The file's dtype descriptor, e.g. '<f4'. */
  descr: string;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

type Getter = (v: DataView, o: number, little: boolean) => number;
// A Map keyed by the file's dtype text ("__proto__" must not reach Object.prototype); with sizes.
const READERS = new Map<string, [number, Getter]>([
  ['f4', [4, (v, o, le) => v.getFloat32(o, le)]], ['f8', [8, (v, o, le) => v.getFloat64(o, le)]],
  ['f2', [2, (v, o, le) => f16ToF32(v.getUint16(o, le))]], ['i1', [1, (v, o) => v.getInt8(o)]],
  ['u1', [1, (v, o) => v.getUint8(o)]], ['i2', [2, (v, o, le) => v.getInt16(o, le)]],
  ['u2', [2, (v, o, le) => v.getUint16(o, le)]], ['i4', [4, (v, o, le) => v.getInt32(o, le)]],
  ['u4', [4, (v, o, le) => v.getUint32(o, le)]], ['i8', [8, (v, o, le) => Number(v.getBigInt64(o, le))]],
]);

export function readNpy(bytes: Uint8Array | ArrayBuffer): NpyArray {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (b.length < 10 || MAGIC.some((m, i) => b[i] !== m)) throw new FlowgpuError('not a .npy file (no \\x93NUMPY magic)');
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const major = b[6]!;
  if (major < 1 || major > 3) throw new FlowgpuError(`.npy: format version ${major} is not one of 1, 2, 3`);
  const start = major === 1 ? 10 : 12;
  if (b.length < start) throw new FlowgpuError(`.npy: the file is truncated (${b.length} bytes, the header length needs ${start})`);
  const headerLen = major === 1 ? v.getUint16(8, true) : v.getUint32(8, true);
  if (start + headerLen > b.length) {
    throw new FlowgpuError(`.npy: the file is truncated (its header says ${headerLen} bytes, ${b.length - start} follow)`);
  }
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(b.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*True/.test(header);
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeText === undefined) throw new FlowgpuError(`.npy: cannot parse the header ${brief(header.trim(), 200)}`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new FlowgpuError(`.npy: bad shape (${shapeText.slice(0, 200)})`);
  const n = shape.reduce((a, c) => a * c, 1);
  const little = descr[0] !== '>';
  const reader = READERS.get(descr.slice(1));
  if (!reader || !'<>|='.includes(descr[0]!)) throw new FlowgpuError(`.npy: dtype ${descr} is not supported (use float32)`);
  const [size, read] = reader;
  const at = start + headerLen;
  if (at + n * size > b.length) throw new FlowgpuError(`.npy: the file is truncated (${b.length - at} data bytes for ${n} × ${size})`);
  const flat = new Float32Array(n);
  for (let i = 0; i < n; i++) flat[i] = read(v, at + i * size, little);
  const data = fortran && shape.length > 1 ? fortranToC(flat, shape) : flat;
  return { shape, data, descr };
}

function fortranToC(x: Float32Array, shape: number[]): Float32Array {
  const out = new Float32Array(x.length);
  const rank = shape.length;
  const idx = new Array<number>(rank).fill(0);
  for (let c = 0; c < x.length; c++) {
    // idx is the C-order multi-index of c; its Fortran offset:
    let f = 0;
    for (let d = rank - 1; d >= 0; d--) f = f * shape[d]! + idx[d]!;
    out[c] = x[f]!;
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

/** A version 1.0 .npy of little-endian float32 in C order. */
export function writeNpy(data: Float32Array, shape: readonly number[]): Uint8Array {
  const n = shape.reduce((a, c) => a * c, 1);
  if (n !== data.length) throw new FlowgpuError(`writeNpy: ${data.length} values do not fill shape [${shape.join(', ')}]`);
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.length * 4);
  out.set(MAGIC);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const body = new DataView(out.buffer, 10 + header.length);
  for (let i = 0; i < data.length; i++) body.setFloat32(i * 4, data[i]!, true);
  return out;
}

export interface Mel {
  mel: Float32Array;
  nMel: number;
  frames: number;
}

/**
 * A mel spectrogram from a .npy: `[n_mel, frames]` or `[1, n_mel, frames]`. With `nMel`, a
 * channel-count mismatch is an error (one naming a transposed `[frames, n_mel]` array as such).
 */
export function readMel(bytes: Uint8Array | ArrayBuffer, nMel?: number): Mel {
  const a = readNpy(bytes);
  let shape = a.shape;
  if (shape.length === 3 && shape[0] === 1) shape = shape.slice(1);
  if (shape.length !== 2) {
    throw new FlowgpuError(`the mel .npy has shape (${a.shape.join(', ')}); expected [n_mel, frames] or [1, n_mel, frames]`);
  }
  const [c, frames] = shape as [number, number];
  if (nMel !== undefined && c !== nMel) {
    const hint = frames === nMel ? ` It looks transposed ([frames, n_mel]): save mel.T instead.` : '';
    throw new FlowgpuError(`the mel has ${c} channels, but this vocoder expects ${nMel} (mel shape [${c}, ${frames}]).${hint}`);
  }
  if (frames === 0 || c === 0) throw new FlowgpuError(`the mel is empty (shape [${c}, ${frames}])`);
  return { mel: a.data, nMel: c, frames };
}
