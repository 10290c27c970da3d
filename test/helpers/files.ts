// Reads test inputs the same way in Node, Deno and the browser test page.
// Golden fixtures live in ../shared/golden beside the checkout; the browser page serves them
// under /shared/golden/.
import type { Checkpoint, HostTensor } from '../../src/io/host-tensor.js';

type DenoLike = { readFile(path: string): Promise<Uint8Array>; cwd(): string };

export async function readFileBytes(relativeToRepo: string): Promise<Uint8Array> {
  const deno = (globalThis as { Deno?: DenoLike }).Deno;
  if (deno) return deno.readFile(`${deno.cwd()}/${relativeToRepo}`);
  if (typeof process !== 'undefined' && process.versions?.node) {
    const fs = await import('node:fs/promises');
    return new Uint8Array(await fs.readFile(`${process.cwd()}/${relativeToRepo}`));
  }
  const res = await fetch(`/${relativeToRepo.replace(/^\.\.\//, '')}`);
  if (!res.ok) throw new Error(`fetch ${relativeToRepo}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** A file of ../shared/golden (e.g. 'waveglow-small.safetensors'). */
export function readGolden(name: string): Promise<Uint8Array> {
  return readFileBytes(`../shared/golden/${name}`);
}

/** The tensor `name` of a golden checkpoint; a clear error when the file lacks it. */
export function goldenTensor(g: Checkpoint, name: string): HostTensor {
  const t = g.tensors.get(name);
  if (!t) throw new Error(`golden file lacks ${name}`);
  return t;
}

/** An integer tensor (int64 in the golden files) as plain numbers. */
export function ints(t: HostTensor): number[] {
  return Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
}
