// Generators of hostile and broken inputs (issue 13): small zip archives, torch.save pickles,
// WAV and .npy headers built byte by byte, so each test makes exactly the input it needs.

import { crc32 } from '../../src/io/crc32.js';
import { concatBytes } from '../../src/io/dtype.js';
import { bytes, pstr, ptensor, u32le } from './fixtures.js';

const u16le = (n: number) => [n & 255, (n >>> 8) & 255];

export interface ZipEntry {
  name: string;
  data: Uint8Array;
  /** General-purpose flags (bit 0: encrypted). */
  flags?: number;
  /** The CRC written in the headers (default: the data's true CRC-32). */
  crc?: number;
  /** Central-directory extra field bytes; with `zip64Size` the 32-bit sizes read 0xffffffff. */
  extra?: Uint8Array;
  zip64Size?: boolean;
}

function header(sig: number, e: ZipEntry, size32: number, crc: number, localOffset?: number): Uint8Array {
  const name = bytes(e.name);
  const extra = localOffset === undefined ? new Uint8Array(0) : (e.extra ?? new Uint8Array(0));
  const common = [...u16le(e.flags ?? 0), 0, 0, 0, 0, 0, 0, ...u32le(crc), ...u32le(size32), ...u32le(size32), ...u16le(name.length), ...u16le(extra.length)];
  return localOffset === undefined
    ? bytes(u32le(sig), u16le(20), common, name)
    : bytes(u32le(sig), u16le(20), u16le(20), common, u16le(0), u16le(0), u16le(0), u32le(0), u32le(localOffset), name, extra);
}

/** A stored (uncompressed) zip archive; the central directory follows the entries. */
export function zipArchive(entries: ZipEntry[], eocdComment = new Uint8Array(0)): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const crc = e.crc ?? crc32(e.data);
    const size32 = e.zip64Size ? 0xffffffff : e.data.length;
    const local = concatBytes([header(0x04034b50, e, e.data.length, crc), e.data]);
    centrals.push(header(0x02014b50, e, size32, crc, offset));
    locals.push(local);
    offset += local.length;
  }
  const cd = concatBytes(centrals);
  const eocd = bytes(u32le(0x06054b50), u16le(0), u16le(0), u16le(entries.length), u16le(entries.length), u32le(cd.length), u32le(offset), u16le(eocdComment.length));
  return concatBytes([...locals, cd, eocd, eocdComment]);
}

/** A torch.save zip archive: `archive/data.pkl` and one storage entry per key. */
export function torchZip(pkl: Uint8Array, storages: Record<string, Uint8Array> = {}, extra: ZipEntry[] = []): Uint8Array {
  return zipArchive([
    { name: 'archive/data.pkl', data: pkl },
    ...Object.entries(storages).map(([k, data]) => ({ name: `archive/data/${k}`, data })),
    ...extra,
  ]);
}

/** A protocol-2 pickle of `{name: tensor}` (a state dict) holding one tensor record. */
export function stateDictPickle(name: string, t: { type?: string; key?: string; numel: number; offset?: number; size: number[]; stride: number[]; legacy?: boolean }): Uint8Array {
  const tensor = ptensor({ type: t.type ?? 'FloatStorage', key: t.key ?? '0', offset: t.offset ?? 0, legacy: t.legacy ?? false, ...t });
  return bytes(0x80, 2, '}', pstr(name), tensor, 's.');
}

const MODULE_CLASS = 'ctorch.nn.modules.module\nModule\n';
/** NEWOBJ of a Module, then its state dict opened up to the `_modules` dict's first key `a`. */
const MODULE_OPEN = bytes(MODULE_CLASS, ')', 0x81, '}(', pstr('_parameters'), '}', pstr('_modules'), '}(', pstr('a'));
const LEAF = bytes(
  MODULE_CLASS, ')', 0x81, '}(', pstr('_parameters'), '}(', pstr('weight'),
  ptensor({ type: 'FloatStorage', key: '0', numel: 1, offset: 0, size: [1], stride: [1], legacy: false }), 'u', pstr('_modules'), '}', 'ub',
);

function repeat(unit: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(unit.length * n);
  for (let i = 0; i < n; i++) out.set(unit, i * unit.length);
  return out;
}

/** A whole-module pickle: `depth` modules each holding the next as `a`, a weight at the bottom. */
export function moduleChainPickle(depth: number): Uint8Array {
  return concatBytes([bytes(0x80, 2), repeat(MODULE_OPEN, depth), LEAF, repeat(bytes('uub'), depth), bytes('.')]);
}

/** `depth` levels of modules whose children `a` and `b` are the same object (a memo reference):
 *  2^depth paths to the one leaf weight, in a file of a few kilobytes. */
export function sharedModulePickle(depth: number): Uint8Array {
  const closes: Uint8Array[] = [];
  for (let k = 0; k < depth; k++) closes.push(bytes('r', u32le(k), pstr('b'), 'j', u32le(k), 'uub'));
  return concatBytes([bytes(0x80, 2), repeat(MODULE_OPEN, depth), LEAF, ...closes, bytes('.')]);
}

/** A RIFF/WAVE file from its fmt fields and data bytes; `fmtSize` may lie about the fmt chunk. */
export function wavFile(o: { channels: number; rate?: number; bits: number; align?: number; code?: number; data: Uint8Array; fmtSize?: number; cutFmtAt?: number }): Uint8Array {
  const rate = o.rate ?? 22050;
  const align = o.align ?? (o.channels * o.bits) / 8;
  let fmt = bytes(u16le(o.code ?? 1), u16le(o.channels), u32le(rate), u32le(rate * align), u16le(align), u16le(o.bits));
  if (o.cutFmtAt !== undefined) return bytes('RIFF', u32le(4 + 8 + 16), 'WAVE', 'fmt ', u32le(o.fmtSize ?? 16), fmt.subarray(0, o.cutFmtAt));
  fmt = bytes('fmt ', u32le(o.fmtSize ?? 16), fmt);
  const data = bytes('data', u32le(o.data.length), o.data);
  return bytes('RIFF', u32le(4 + fmt.length + data.length), 'WAVE', fmt, data);
}

/** A safetensors file from a header text (taken as is) and data bytes. */
export function safetensorsFile(headerJson: string, data = new Uint8Array(0)): Uint8Array {
  const head = bytes(headerJson);
  return bytes(u32le(head.length), u32le(0), head, data);
}
