// safetensors, flowgpu's on-disk weights format: u64 LE header length, JSON header, raw LE data.
// Reading never trusts the header: every offset, size and dtype is checked against the file.

import { FlowgpuError, describeShape } from '../gpu/errors.js';
import { brief } from './describe.js';
import { concatBytes, DTYPE_SIZE, tensorBytes, viewAs } from './dtype.js';
import { numel, type Checkpoint, type DType, type HostTensor } from './host-tensor.js';

// A Map: the dtype name comes from the file, and "__proto__" must not find Object.prototype.
const TO_DTYPE = new Map<string, DType>([
  ['F32', 'f32'], ['F16', 'f16'], ['BF16', 'bf16'], ['F64', 'f64'], ['I64', 'i64'], ['I32', 'i32'], ['I16', 'i16'],
  ['I8', 'i8'], ['U8', 'u8'], ['BOOL', 'bool'],
]);
const FROM_DTYPE = Object.fromEntries([...TO_DTYPE].map(([k, v]) => [v, k])) as Record<DType, string>;

/** The spec's cap on the JSON header; also keeps a lying length from allocating gigabytes. */
const MAX_HEADER = 100 * 1024 * 1024;

function bad(what: string): FlowgpuError {
  return new FlowgpuError(`invalid safetensors file: ${what}`);
}

/** The first key that some object of a (valid) JSON text repeats. JSON.parse silently keeps the
 *  last; a header that names a tensor twice is ambiguous. One linear scan, no recursion. */
export function duplicateJsonKey(json: string): string | undefined {
  const open: (Set<string> | null)[] = []; // per open object its keys; null for an array
  let expectKey = false;
  for (let i = 0; i < json.length; i++) {
    const ch = json[i];
    if (ch === '"') {
      let j = i + 1;
      while (json[j] !== '"') j += json[j] === '\\' ? 2 : 1;
      const keys = open[open.length - 1];
      if (expectKey && keys) {
        const k = JSON.parse(json.slice(i, j + 1)) as string;
        if (keys.has(k)) return k;
        keys.add(k);
        expectKey = false;
      }
      i = j;
    } else if (ch === '{') {
      open.push(new Set());
      expectKey = true;
    } else if (ch === '[') {
      open.push(null);
    } else if (ch === '}' || ch === ']') {
      open.pop();
    } else if (ch === ',') {
      expectKey = !!open[open.length - 1];
    }
  }
  return undefined;
}

export function readSafetensors(bytes: Uint8Array): Checkpoint {
  if (bytes.length < 8) throw bad(`only ${bytes.length} bytes, not even a header length`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = dv.getBigUint64(0, true);
  if (headerLen > BigInt(bytes.length - 8)) {
    throw bad(`header length ${headerLen} exceeds the ${bytes.length - 8} bytes after it (truncated file?)`);
  }
  if (headerLen > BigInt(MAX_HEADER)) throw bad(`header length ${headerLen} is over the 100 MB limit`);
  const dataStart = 8 + Number(headerLen);
  const dataLen = bytes.length - dataStart;

  let header: unknown;
  let json: string;
  try {
    json = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart));
    header = JSON.parse(json);
  } catch (e) {
    throw bad(`header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw bad('header is not a JSON object');
  const twice = duplicateJsonKey(json);
  if (twice !== undefined) throw bad(`the header names ${brief(twice)} twice in one object`);

  const metadata: Record<string, string> = {};
  const spans: { name: string; begin: number; end: number }[] = [];
  const tensors = new Map<string, HostTensor>();
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null) throw bad('__metadata__ is not an object');
      for (const [k, v] of Object.entries(entry)) {
        if (typeof v !== 'string') throw bad(`__metadata__.${k.slice(0, 60)} is not a string`);
        // an own property even for a key like "__proto__"
        Object.defineProperty(metadata, k, { value: v, enumerable: true, writable: true, configurable: true });
      }
      continue;
    }
    const { dtype: st, shape, data_offsets: offsets } = (entry ?? {}) as Record<string, unknown>;
    const dtype = typeof st === 'string' ? TO_DTYPE.get(st) : undefined;
    if (!dtype) throw bad(`tensor ${brief(name)} has dtype ${brief(st)}; flowgpu reads ${[...TO_DTYPE.keys()].join(', ')}`);
    if (!Array.isArray(shape) || !shape.every((s) => Number.isSafeInteger(s) && s >= 0)) {
      throw bad(`tensor ${brief(name)} has a malformed shape ${brief(shape)}`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      throw bad(`tensor ${brief(name)} has malformed data_offsets ${brief(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end || end > dataLen) {
      throw bad(`tensor ${brief(name)} claims bytes [${begin}, ${end}) but the data section has ${dataLen} bytes`);
    }
    const count = numel(shape);
    if (count * DTYPE_SIZE[dtype] !== end - begin) {
      throw bad(`tensor ${brief(name)} ${st} ${describeShape(shape)} needs ${count * DTYPE_SIZE[dtype]} bytes, its offsets give ${end - begin}`);
    }
    if (end > begin) spans.push({ name, begin, end }); // an empty tensor overlaps nothing
    tensors.set(name, { dtype, shape, data: viewAs(dtype, bytes.subarray(dataStart + begin, dataStart + end), count) });
  }
  spans.sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < spans.length; i++) {
    const prev = spans[i - 1]!;
    const cur = spans[i]!;
    if (cur.begin < prev.end) {
      throw bad(
        `tensors ${brief(prev.name)} and ${brief(cur.name)} overlap in the data section ` +
          `(bytes [${prev.begin}, ${prev.end}) and [${cur.begin}, ${cur.end}))`,
      );
    }
  }
  return { tensors, metadata };
}

/** The file as a list of chunks (header, then each tensor's bytes as a view): write them in order.
 *  Tensors are laid out by descending element size so every one stays aligned for zero-copy reads. */
export function safetensorsParts(ckpt: Checkpoint): Uint8Array[] {
  const entries = [...ckpt.tensors].sort((a, b) => DTYPE_SIZE[b[1].dtype] - DTYPE_SIZE[a[1].dtype]);
  const header: Record<string, unknown> = {};
  if (Object.keys(ckpt.metadata).length) header['__metadata__'] = ckpt.metadata;
  let offset = 0;
  for (const [name, t] of entries) {
    const len = numel(t.shape) * DTYPE_SIZE[t.dtype];
    if (t.data.byteLength !== len) {
      throw new FlowgpuError(`tensor ${brief(name)} ${describeShape(t.shape)} has ${t.data.byteLength} bytes of data, expected ${len}`);
    }
    header[name] = { dtype: FROM_DTYPE[t.dtype], shape: t.shape, data_offsets: [offset, offset + len] };
    offset += len;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil((8 + json.length) / 8) * 8 - 8; // data starts 8-byte aligned
  if (padded !== json.length) json = new TextEncoder().encode(JSON.stringify(header) + ' '.repeat(padded - json.length));
  const head = new Uint8Array(8 + json.length);
  new DataView(head.buffer).setBigUint64(0, BigInt(json.length), true);
  head.set(json, 8);
  return [head, ...entries.map(([, t]) => tensorBytes(t))];
}

export function writeSafetensors(ckpt: Checkpoint): Uint8Array {
  return concatBytes(safetensorsParts(ckpt));
}
