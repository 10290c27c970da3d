// A minimal 8-bit greyscale PNG writer for attention maps (`tts --attention-png`).
import { deflateSync } from 'node:zlib';
import { concatBytes } from '../io/dtype.js';
import type { AttentionMap } from '../models/tts.js';

/** PNG (8-bit grey) of a `[rows, cols]` map scaled to [0, 1] → bytes. */
export function greyPng(values: Float32Array, rows: number, cols: number, scale = 1): Uint8Array {
  const [w, h] = [cols * scale, rows * scale];
  const raw = new Uint8Array((w + 1) * h);
  let max = 0;
  for (const v of values) max = Math.max(max, v);
  for (let y = 0; y < h; y++) {
    raw[y * (w + 1)] = 0;
    const r = rows - 1 - Math.floor(y / scale); // origin at the bottom, as imshow(origin='lower')
    for (let x = 0; x < w; x++) raw[y * (w + 1) + 1 + x] = Math.round(255 * (values[r * cols + Math.floor(x / scale)]! / (max || 1)));
  }
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Uint8Array): number => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Uint8Array): Uint8Array => {
    const out = new Uint8Array(12 + data.length);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, data.length);
    out.set(new TextEncoder().encode(type), 4);
    out.set(data, 8);
    dv.setUint32(8 + data.length, crc(out.subarray(4, 8 + data.length)));
    return out;
  };
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, w);
  dv.setUint32(4, h);
  ihdr.set([8, 0, 0, 0, 0], 8);
  return concatBytes([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', new Uint8Array(deflateSync(raw))), chunk('IEND', new Uint8Array(0))]);
}

/** Attention maps `[tokens, frames]` side by side (2 columns apart), tokens up, as a PNG scaled to about 640 pixels wide. */
export function attentionPng(maps: readonly AttentionMap[]): Uint8Array {
  const gap = 2;
  const rows = maps[0]?.tokens ?? 0;
  const cols = maps.reduce((n, m) => n + m.frames, 0) + gap * Math.max(0, maps.length - 1);
  const values = new Float32Array(rows * cols);
  let x0 = 0;
  for (const m of maps) {
    for (let j = 0; j < m.tokens; j++) values.set(m.data.subarray(j * m.frames, (j + 1) * m.frames), j * cols + x0);
    x0 += m.frames + gap;
  }
  return greyPng(values, rows, cols, Math.max(2, Math.min(8, Math.ceil(640 / Math.max(cols, 1)))));
}
