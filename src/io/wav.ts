// RIFF/WAVE read and write: 16-bit PCM and 32-bit float out; 8/16/24/32-bit PCM and 32/64-bit
// float in (WAVE_FORMAT_EXTENSIBLE included). Samples are floats in [-1, 1], one array per channel.

import { FlowgpuError } from '../gpu/errors.js';

export type WavFormat = 'pcm16' | 'float32';

export interface Wav {
  sampleRate: number;
  /** One array per channel, values in [-1, 1] for PCM. */
  channels: Float32Array[];
  /** How the file stored the samples (e.g. 'pcm16', 'pcm24', 'float32'). */
  encoding: string;
}

const PCM = 1;
const FLOAT = 3;
const EXTENSIBLE = 0xfffe;

/**
 * A WAV file of `channels` (one Float32Array, or one per channel, all the same length).
 * 'pcm16' (default) maps x to round(x·32767) clipped to [−32768, 32767]; 'float32' stores the
 * values as they are.
 */
export function encodeWav(channels: Float32Array | Float32Array[], sampleRate: number, format: WavFormat = 'pcm16'): Uint8Array {
  const chans = Array.isArray(channels) ? channels : [channels];
  if (chans.length === 0) throw new FlowgpuError('encodeWav: no channels');
  const n = chans[0]!.length;
  const header = wavHeader(sampleRate, { channels: chans.length, format, frames: n });
  const data = wavSamples(chans, format);
  const buf = new Uint8Array(header.length + data.length + (data.length & 1));
  buf.set(header);
  buf.set(data, header.length);
  return buf;
}

/** The value of a data-size field whose length is not known (a pipe): sox, aplay and ffmpeg read such data to the end. */
export const WAV_UNKNOWN_SIZE = 0xffffffff;

export interface WavHeaderOptions {
  channels?: number;
  format?: WavFormat;
  /** Samples per channel; null (default) when not known yet: the size fields are WAV_UNKNOWN_SIZE. */
  frames?: number | null;
}

/**
 * The header of a WAV file, before its samples (`wavSamples`). For a stream whose length is not
 * known, leave out `frames` and write the samples as they come; a seekable file can be given the
 * exact-length header at the end (same byte length, written over the first).
 */
export function wavHeader(sampleRate: number, o: WavHeaderOptions = {}): Uint8Array {
  const nc = o.channels ?? 1;
  const format = o.format ?? 'pcm16';
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) throw new FlowgpuError(`encodeWav: sample rate ${sampleRate} is not a positive integer`);
  if (!Number.isInteger(nc) || nc < 1) throw new FlowgpuError(`encodeWav: ${nc} channels`);
  const bytesPer = format === 'pcm16' ? 2 : 4;
  const fmtBytes = format === 'float32' ? 18 : 16; // float needs cbSize (and a fact chunk)
  const factBytes = format === 'float32' ? 12 : 0;
  const headerBytes = 12 + 8 + fmtBytes + factBytes + 8;
  const known = o.frames !== undefined && o.frames !== null;
  const dataBytes = known ? o.frames! * nc * bytesPer : 0;
  const total = headerBytes + dataBytes + (dataBytes & 1);
  if (known && total > 0xffffffff) throw new FlowgpuError(`encodeWav: ${total} bytes exceed the 4 GiB a WAV file can hold`);
  const buf = new Uint8Array(headerBytes);
  const v = new DataView(buf.buffer);
  let p = 0;
  const str = (s: string) => {
    for (let i = 0; i < s.length; i++) buf[p++] = s.charCodeAt(i);
  };
  const u32 = (x: number) => { v.setUint32(p, x, true); p += 4; };
  const u16 = (x: number) => { v.setUint16(p, x, true); p += 2; };
  str('RIFF'); u32(known ? total - 8 : WAV_UNKNOWN_SIZE); str('WAVE');
  str('fmt '); u32(fmtBytes);
  u16(format === 'pcm16' ? PCM : FLOAT); u16(nc); u32(sampleRate); u32(sampleRate * nc * bytesPer); u16(nc * bytesPer); u16(bytesPer * 8);
  if (format === 'float32') {
    u16(0);
    str('fact'); u32(4); u32(known ? o.frames! : WAV_UNKNOWN_SIZE);
  }
  str('data'); u32(known ? dataBytes : WAV_UNKNOWN_SIZE);
  return buf;
}

/** Samples of one or more channels (same length), interleaved in a WAV's data encoding. */
export function wavSamples(channels: Float32Array | Float32Array[], format: WavFormat = 'pcm16'): Uint8Array {
  const chans = Array.isArray(channels) ? channels : [channels];
  const n = chans[0]?.length ?? 0;
  if (chans.some((c) => c.length !== n)) throw new FlowgpuError('encodeWav: channels differ in length');
  const bytesPer = format === 'pcm16' ? 2 : 4;
  const nc = chans.length;
  const buf = new Uint8Array(n * nc * bytesPer);
  const v = new DataView(buf.buffer);
  let p = 0;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < nc; c++) {
      const x = chans[c]![i]!;
      if (format === 'pcm16') {
        const s = Number.isNaN(x) ? 0 : Math.max(-32768, Math.min(32767, Math.round(x * 32767)));
        v.setInt16(p, s, true);
        p += 2;
      } else {
        v.setFloat32(p, x, true);
        p += 4;
      }
    }
  }
  return buf;
}

/** Reads a WAV file into float channels. */
export function decodeWav(bytes: Uint8Array | ArrayBuffer): Wav {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const tag = (at: number) => String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);
  if (b.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new FlowgpuError('not a WAV file (no RIFF/WAVE header)');
  let p = 12;
  let fmt: { code: number; channels: number; rate: number; bits: number; align: number } | null = null;
  while (p + 8 <= b.length) {
    const id = tag(p);
    const size = v.getUint32(p + 4, true);
    const body = p + 8;
    if (id === 'fmt ') {
      if (size < 16) throw new FlowgpuError(`WAV: the fmt chunk is ${size} bytes; it needs at least 16`);
      if (body + 16 > b.length) {
        throw new FlowgpuError(`WAV: the file ends inside the fmt chunk (${b.length - body} of its ${size} bytes present): truncated file`);
      }
      let code = v.getUint16(body, true);
      if (code === EXTENSIBLE) {
        if (size < 40 || body + 26 > b.length) throw new FlowgpuError('WAV: the extensible fmt chunk is cut short before its sub-format');
        code = v.getUint16(body + 24, true); // sub-format GUID's first two bytes
      }
      fmt = { code, channels: v.getUint16(body + 2, true), rate: v.getUint32(body + 4, true), bits: v.getUint16(body + 14, true), align: v.getUint16(body + 12, true) };
    } else if (id === 'data') {
      if (!fmt) throw new FlowgpuError('WAV: data chunk before the fmt chunk');
      if (fmt.rate === 0) throw new FlowgpuError('WAV: the fmt chunk gives a sample rate of 0 Hz: the header is damaged');
      const len = Math.min(size, b.length - body);
      return { sampleRate: fmt.rate, ...readSamples(v, body, len, fmt) };
    }
    p = body + size + (size & 1);
  }
  throw new FlowgpuError('WAV: no data chunk');
}

function readSamples(v: DataView, at: number, len: number, f: { code: number; channels: number; bits: number; align: number }): { channels: Float32Array[]; encoding: string } {
  const bytes = f.bits / 8;
  if (f.channels < 1 || !Number.isInteger(bytes) || bytes < 1) throw new FlowgpuError(`WAV: unsupported layout (${f.channels} channels, ${f.bits} bits)`);
  const frame = f.align || bytes * f.channels;
  if (frame < bytes * f.channels) {
    throw new FlowgpuError(
      `WAV: the fmt chunk's block align (${f.align} bytes) is smaller than one frame of ${f.channels} channel(s) × ` +
        `${f.bits} bits (${bytes * f.channels} bytes): the header is damaged`,
    );
  }
  const n = Math.floor(len / frame);
  const out = Array.from({ length: f.channels }, () => new Float32Array(n));
  let read: (o: number) => number;
  let encoding: string;
  if (f.code === PCM) {
    encoding = `pcm${f.bits}`;
    if (f.bits === 8) read = (o) => (v.getUint8(o) - 128) / 128;
    else if (f.bits === 16) read = (o) => v.getInt16(o, true) / 32768;
    else if (f.bits === 24) read = (o) => (((v.getUint8(o + 2) << 24) | (v.getUint8(o + 1) << 16) | (v.getUint8(o) << 8)) >> 8) / 8388608;
    else if (f.bits === 32) read = (o) => v.getInt32(o, true) / 2147483648;
    else throw new FlowgpuError(`WAV: ${f.bits}-bit PCM is not supported`);
  } else if (f.code === FLOAT) {
    encoding = `float${f.bits}`;
    if (f.bits === 32) read = (o) => v.getFloat32(o, true);
    else if (f.bits === 64) read = (o) => v.getFloat64(o, true);
    else throw new FlowgpuError(`WAV: ${f.bits}-bit float is not supported`);
  } else {
    throw new FlowgpuError(`WAV: format code ${f.code} is not supported (only PCM and IEEE float)`);
  }
  for (let i = 0; i < n; i++) for (let c = 0; c < f.channels; c++) out[c]![i] = read(at + i * frame + c * bytes);
  return { channels: out, encoding };
}
