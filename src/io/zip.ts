// A minimal zip reader for torch.save archives: stored (uncompressed) entries, zip64 records.
// Entries are views into the file's bytes, never copies. Every field is checked to lie inside the
// file before it is read, every entry's CRC-32 is checked, and anything torch.save never writes
// (compression, encryption, two entries of one name) is refused.

import { FlowgpuError } from '../gpu/errors.js';
import { crc32 } from './crc32.js';

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;

function broken(what: string): FlowgpuError {
  return new FlowgpuError(`broken zip archive: ${what}. The file is probably truncated or damaged; download it again.`);
}

/** Reads the central directory; returns entry name → data (a subarray of `file`). */
export function readZip(file: Uint8Array): Map<string, Uint8Array> {
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const u16 = (at: number) => dv.getUint16(at, true);
  const u32 = (at: number) => dv.getUint32(at, true);
  const u64 = (at: number) => {
    const v = dv.getBigUint64(at, true);
    if (v > BigInt(file.length)) throw broken(`a zip64 size or offset (${v}) points past the end of the file`);
    return Number(v);
  };
  const inFile = (at: number, len: number, what: string) => {
    if (at < 0 || len < 0 || at + len > file.length) throw broken(`${what} lies outside the file (${file.length} bytes)`);
  };

  let eocd = -1;
  for (let at = file.length - EOCD_SIZE; at >= Math.max(0, file.length - EOCD_SIZE - MAX_COMMENT); at--) {
    if (u32(at) === SIG_EOCD) { eocd = at; break; }
  }
  if (eocd < 0) throw broken('no end-of-central-directory record');

  let count = u16(eocd + 10);
  let cdSize = u32(eocd + 12);
  let cdOffset = u32(eocd + 16);
  const locator = eocd - 20;
  if (locator >= 0 && u32(locator) === SIG_ZIP64_LOCATOR) {
    const rec = u64(locator + 8);
    inFile(rec, 56, 'the zip64 end-of-central-directory record');
    if (u32(rec) !== SIG_ZIP64_EOCD) throw broken('the zip64 locator does not point at a zip64 record');
    count = u64(rec + 32);
    cdSize = u64(rec + 40);
    cdOffset = u64(rec + 48);
  }
  inFile(cdOffset, cdSize, 'the central directory');

  const entries = new Map<string, Uint8Array>();
  const names = new TextDecoder('utf-8');
  let at = cdOffset;
  for (let i = 0; i < count; i++) {
    inFile(at, 46, `central directory entry ${i}`);
    if (u32(at) !== SIG_CENTRAL) throw broken(`central directory entry ${i} has a bad signature`);
    const flags = u16(at + 8);
    const method = u16(at + 10);
    const crc = u32(at + 16);
    let compSize = u32(at + 20);
    let size = u32(at + 24);
    const nameLen = u16(at + 28);
    const extraLen = u16(at + 30);
    const commentLen = u16(at + 32);
    let localOffset = u32(at + 42);
    inFile(at + 46, nameLen + extraLen + commentLen, `central directory entry ${i}`);
    const name = names.decode(file.subarray(at + 46, at + 46 + nameLen));

    // zip64 extra field: the 64-bit values, in this order, for each 32-bit field saturated at 0xffffffff
    const extraEnd = at + 46 + nameLen + extraLen;
    for (let x = at + 46 + nameLen; x + 4 <= extraEnd;) {
      const id = u16(x);
      const len = u16(x + 2);
      const fieldEnd = Math.min(x + 4 + len, extraEnd);
      if (id === 0x0001) {
        let p = x + 4;
        const next = (what: string) => {
          if (p + 8 > fieldEnd) {
            throw broken(
              `entry "${name}" has a zip64 extra field of ${fieldEnd - x - 4} bytes, too short to hold its 64-bit ${what}`,
            );
          }
          p += 8;
          return u64(p - 8);
        };
        if (size === 0xffffffff) size = next('size');
        if (compSize === 0xffffffff) compSize = next('compressed size');
        if (localOffset === 0xffffffff) localOffset = next('local header offset');
      }
      x += 4 + len;
    }
    at += 46 + nameLen + extraLen + commentLen;

    if (flags & 1) throw new FlowgpuError(`zip entry "${name}" is encrypted; torch.save never encrypts. Use the original file.`);
    if (entries.has(name)) {
      throw broken(`the archive holds two entries named "${name}" (torch.save writes each once; which one is meant is unknowable)`);
    }

    if (method !== 0) {
      throw new FlowgpuError(
        `zip entry "${name}" is compressed (method ${method}); torch.save stores entries uncompressed. ` +
          'Re-save the checkpoint with torch.save instead of re-zipping it.',
      );
    }
    if (compSize !== size) throw broken(`stored entry "${name}" has different compressed and plain sizes`);
    inFile(localOffset, 30, `the local header of "${name}"`);
    if (u32(localOffset) !== SIG_LOCAL) throw broken(`the local header of "${name}" has a bad signature`);
    const dataStart = localOffset + 30 + u16(localOffset + 26) + u16(localOffset + 28);
    inFile(dataStart, size, `the data of "${name}"`);
    const data = file.subarray(dataStart, dataStart + size);
    if (crc32(data) !== crc) throw broken(`the data of "${name}" does not match its CRC-32 checksum`);
    entries.set(name, data);
  }
  return entries;
}
