// Helpers shared by the CLI tests (Node only).
import { assert, assertEqual } from '../helpers/check.js';

/** Runs `fn` with what it writes to `stream` captured (not printed). */
async function captureWrites(stream: NodeJS.WriteStream, fn: () => Promise<void>): Promise<string> {
  const write = stream.write.bind(stream);
  let out = '';
  stream.write = ((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk);
    return true;
  }) as typeof stream.write;
  try {
    await fn();
  } finally {
    stream.write = write;
  }
  return out;
}

/** Runs a CLI command with stdout captured. */
export function capture(fn: () => Promise<void>): Promise<string> {
  return captureWrites(process.stdout, fn);
}

/** A .npy file's float32 data and shape. */
export function readNpyF32(bytes: Uint8Array): { shape: number[]; data: Float32Array } {
  assertEqual(String.fromCharCode(...bytes.subarray(1, 6)), 'NUMPY', 'npy magic');
  const len = bytes[8]! | (bytes[9]! << 8);
  const header = new TextDecoder().decode(bytes.subarray(10, 10 + len));
  assert(header.includes("'descr': '<f4'"), `npy dtype: ${header}`);
  const shape = /'shape': \(([^)]*)\)/.exec(header)![1]!.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const body = bytes.slice(10 + len);
  return { shape, data: new Float32Array(body.buffer, body.byteOffset, body.byteLength / 4) };
}

/** 16-bit PCM mono RIFF/WAVE. */
export function pcm16Wav(samples: Float32Array, sampleRate: number): Uint8Array {
  const out = new Uint8Array(44 + samples.length * 2);
  const dv = new DataView(out.buffer);
  const tag = (o: number, s: string): void => {
    for (let i = 0; i < 4; i++) out[o + i] = s.charCodeAt(i);
  };
  tag(0, 'RIFF');
  dv.setUint32(4, 36 + samples.length * 2, true);
  tag(8, 'WAVE');
  tag(12, 'fmt ');
  dv.setUint32(16, 16, true);
  dv.setUint16(20, 1, true);
  dv.setUint16(22, 1, true);
  dv.setUint32(24, sampleRate, true);
  dv.setUint32(28, sampleRate * 2, true);
  dv.setUint16(32, 2, true);
  dv.setUint16(34, 16, true);
  tag(36, 'data');
  dv.setUint32(40, samples.length * 2, true);
  samples.forEach((s, i) => dv.setInt16(44 + 2 * i, Math.round(Math.max(-1, Math.min(1, s)) * 32767), true));
  return out;
}

/** Runs a CLI command with stderr captured (stdout passes through). */
export function captureStderr(fn: () => Promise<void>): Promise<string> {
  return captureWrites(process.stderr, fn);
}
