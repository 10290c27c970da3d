// Node only. Dawn's native module writes its driver warnings ("Couldn't load Vulkan",
// "maxDynamic… artificially reduced") straight to file descriptor 2, where no JS stream sees
// them. Node has no dup2, but POSIX `open` returns the lowest free descriptor: closing fd 2 and
// opening a file right after puts the file at fd 2. The original stderr is first reopened through
// /proc/self/fd (a tty, pipe or file; not a socket), and put back the same way afterwards.

import { closeSync, constants, fstatSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** `fn`'s outcome as a value. */
export async function settle<T>(fn: () => Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

export interface Captured<T> {
  result: Settled<T>;
  /** What native code wrote to fd 2 meanwhile ('' when nothing was, or capture was impossible). */
  text: string;
}

function canCapture(): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const st = fstatSync(2);
    if (!(st.isCharacterDevice() || st.isFIFO() || st.isFile())) return false;
    const probe = openSync('/dev/null', 'r');
    closeSync(probe);
    return probe > 2; // fds 0–2 are all open, so a freed fd 2 is the next one handed out
  } catch {
    return false;
  }
}

/** Runs `fn` with fd 2 sent to a temporary file, and returns its outcome and the file's text. */
export async function captureStderr<T>(fn: () => Promise<T>): Promise<Captured<T>> {
  if (!canCapture()) return { result: await settle(fn), text: '' };
  const dir = mkdtempSync(join(tmpdir(), 'flowgpu-stderr-'));
  const file = join(dir, 'stderr.txt');
  const saved = openSync('/proc/self/fd/2', constants.O_WRONLY | constants.O_APPEND);
  closeSync(2);
  const fd = openSync(file, 'w');
  if (fd !== 2) {
    // Only if another thread opened a file in that instant: it holds fd 2 now; run uncaptured.
    closeSync(fd);
    closeSync(saved);
    rmSync(dir, { recursive: true, force: true });
    return { result: await settle(fn), text: '' };
  }
  const result = await settle(fn);
  closeSync(2);
  openSync(`/proc/self/fd/${saved}`, constants.O_WRONLY | constants.O_APPEND); // lands at fd 2
  closeSync(saved);
  const text = readFileSync(file, 'utf8');
  rmSync(dir, { recursive: true, force: true });
  return { result, text };
}
