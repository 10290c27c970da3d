// Where weights come from: bytes in memory, a Blob/File (a file picked in a page), a URL
// (fetched, streamed with progress), or, in Node and Deno, a file path.

export type WeightSource = Uint8Array | ArrayBuffer | Blob | URL | string;

/** Called as bytes arrive: `loaded` so far of `total` (0 when unknown). */
export type Progress = (loaded: number, total: number) => void;

type DenoFs = { readFile(path: string): Promise<Uint8Array> };

async function readStream(stream: ReadableStream<Uint8Array>, total: number, onProgress?: Progress): Promise<Uint8Array> {
  const reader = stream.getReader();
  // With a known size, fill one buffer in place: no second copy of a large checkpoint.
  let buf = new Uint8Array(total > 0 ? total : 1 << 20);
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (loaded + value.length > buf.length) {
      const grown = new Uint8Array(Math.max(buf.length * 2, loaded + value.length));
      grown.set(buf.subarray(0, loaded));
      buf = grown;
    }
    buf.set(value, loaded);
    loaded += value.length;
    onProgress?.(loaded, total);
  }
  return loaded === buf.length ? buf : buf.subarray(0, loaded);
}

/** Reads a weights source fully into memory, reporting progress. */
export async function readSource(source: WeightSource, onProgress?: Progress): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (typeof source !== 'string' && !(source instanceof URL)) return readStream(source.stream(), source.size, onProgress);
  const isUrl = source instanceof URL || /^(https?|blob|data|file):/.test(source);
  const deno = (globalThis as { Deno?: DenoFs }).Deno;
  if (!isUrl && deno) return deno.readFile(source);
  if (!isUrl && typeof process !== 'undefined' && process.versions?.node) {
    const { readFile } = await import('node:fs/promises');
    const data = await readFile(source);
    onProgress?.(data.length, data.length);
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  const res = await fetch(source);
  if (!res.ok || !res.body) throw new Error(`could not fetch ${String(source)}: HTTP ${res.status}`);
  return readStream(res.body, Number(res.headers.get('content-length') ?? 0), onProgress);
}
