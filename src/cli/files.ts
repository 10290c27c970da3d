// Files the command line reads and writes, with one-line errors in the user's terms (a missing
// file, a folder given as a file, an output folder that does not exist or cannot be written)
// instead of a Node stack. Pipes and FIFOs are read to their end (their size is 0 to fstat).

import { accessSync, closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FlowgpuError } from '../gpu/errors.js';
import { legacyStorageOffset } from '../io/torch.js';

/** A Node file-system error as a sentence about `path`. */
function reason(err: unknown): string {
  const code = (err as { code?: string }).code;
  switch (code) {
    case 'ENOENT': return 'no such file';
    case 'EISDIR': return 'it is a folder, not a file';
    case 'ENOTDIR': return 'a part of the path is not a folder';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'ENOSPC': return 'the disk is full';
    case 'EROFS': return 'the file system is read-only';
    default: return (err as Error)?.message ?? String(err);
  }
}

/** `what` ('the mel', 'the model'): how messages name the file. */
function cannotRead(what: string, path: string, err: unknown): FlowgpuError {
  return new FlowgpuError(`cannot read ${what} ${path}: ${reason(err)}`);
}

/** Reads all of a file, a pipe or a FIFO (read until the end: their fstat size is 0). `extra`
 *  spare bytes are left at the front of the buffer for `readCheckpointFile`'s alignment. */
function readAll(path: string, what: string, extra = 0): { buf: Uint8Array; size: number } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw cannotRead(what, path, err);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new FlowgpuError(`cannot read ${what} ${path}: it is a folder, not a file`);
    let buf = new Uint8Array((st.isFile() && st.size > 0 ? st.size : 1 << 16) + extra);
    let size = 0;
    for (;;) {
      if (size + extra === buf.length) {
        if (st.isFile() && st.size > 0) break; // a regular file: read exactly its size
        const grown = new Uint8Array(buf.length * 2);
        grown.set(buf.subarray(0, size));
        buf = grown;
      }
      const n = readSync(fd, buf, size, buf.length - extra - size, null);
      if (n === 0) break;
      size += n;
    }
    if (st.isFile() && st.size > 0 && size < st.size) throw new FlowgpuError(`cannot read ${what} ${path}: the file shrank while being read`);
    return { buf, size };
  } catch (err) {
    throw err instanceof FlowgpuError ? err : cannotRead(what, path, err);
  } finally {
    closeSync(fd);
  }
}

/** A file's bytes (a pipe's or FIFO's too). */
export function readBytes(path: string, what = 'the file'): Uint8Array {
  const { buf, size } = readAll(path, what);
  return buf.subarray(0, size);
}

/** A text file (UTF-8 unless `encoding` says otherwise). */
export function readText(path: string, what = 'the file', encoding: 'utf8' | 'latin1' = 'utf8'): string {
  return Buffer.from(readBytes(path, what)).toString(encoding);
}

/** Reads a weights file. A legacy torch.save file is shifted in its buffer so that its storages
 *  start 8-byte aligned: its tensors become views of the file instead of copies, halving the peak
 *  memory of loading the published (legacy) WaveGlow and Flowtron checkpoints. */
export function readCheckpointFile(path: string, what = 'the checkpoint'): Uint8Array {
  const { buf, size } = readAll(path, what, 8);
  const start = legacyStorageOffset(buf.subarray(0, size));
  const shift = start === undefined ? 0 : (8 - (start % 8)) % 8;
  if (shift) buf.copyWithin(shift, 0, size);
  return buf.subarray(shift, shift + size);
}

/** Whether a path names an existing regular file. */
export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Refuses, before any work, an output path whose folder does not exist or cannot be written. */
export function checkWritable(path: string): void {
  const dir = dirname(path);
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new FlowgpuError(`cannot write ${path}: the folder ${dir} does not exist (create it first)`);
  }
  if (!st.isDirectory()) throw new FlowgpuError(`cannot write ${path}: ${dir} is not a folder`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new FlowgpuError(`cannot write ${path}: the folder ${dir} is not writable`);
  }
  try {
    if (statSync(path).isDirectory()) throw new FlowgpuError(`cannot write ${path}: it is a folder; give a file name`);
  } catch (err) {
    if (err instanceof FlowgpuError) throw err;
  }
}

/** Writes a file, or says in one line why it cannot. */
export async function writeOutput(path: string, data: Uint8Array | string): Promise<void> {
  try {
    await writeFile(path, data);
  } catch (err) {
    throw new FlowgpuError(`cannot write ${path}: ${reason(err)}`);
  }
}
