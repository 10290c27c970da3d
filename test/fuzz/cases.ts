// The fuzz harness's cases (issue 13): seeded mutations of real checkpoints, safetensors, .npy,
// WAV files and text, and the readers they are fed to. Case `i` of seed `s` is the same input on
// every run, so any failure reproduces with `npm run fuzz -- --seed s --case i`.
// Outcomes: a clean result or a FlowgpuError is fine; any other exception is a failure (the
// drivers add hangs and memory over budget).

import { FlowgpuError } from '../../src/gpu/errors.js';
import { loadCheckpoint } from '../../src/io/checkpoint.js';
import { convertCheckpoint } from '../../src/io/convert.js';
import { detect } from '../../src/io/detect.js';
import { concatBytes } from '../../src/io/dtype.js';
import { readMel, readNpy, writeNpy } from '../../src/io/npy.js';
import { readZip } from '../../src/io/zip.js';
import { decodeWav, encodeWav } from '../../src/io/wav.js';
import { mulberry32 } from '../../src/math/random.js';
import { englishCleaners, flowtronCleaners, textToIds, type CmuDict } from '../../src/text/index.js';
import { wavFile, zipArchive } from '../io/hostile-inputs.js';

export type Kind = 'checkpoint' | 'npy' | 'wav' | 'text';

export interface Seed {
  name: string;
  kind: Kind;
  bytes: Uint8Array;
}

export interface Case {
  index: number;
  seed: string;
  kind: Kind;
  /** The mutations applied, in order (for the report). */
  how: string[];
  bytes: Uint8Array;
}

export type Outcome = { result: 'ok' | 'refused'; message?: string } | { result: 'failure'; message: string };

/** The golden files used as seeds (paths relative to the golden directory). */
export const CHECKPOINT_SEEDS = [
  'waveglow-small.zip.pt', 'waveglow-small.legacy.pt', 'flowtron-small.zip.pt', 'glowtts-small.zip.pt',
  'glowtts-small.safetensors', 'cset-small.pth.tar', 'hifigan-small.pth.tar', 'hifigan-small.safetensors',
  'hifigan-v3like.pth.tar',
];

/** Seeds made here: .npy (three layouts), WAV (three encodings) and text. */
export function madeSeeds(goldenText: string): Seed[] {
  const enc = new TextEncoder();
  const rnd = mulberry32(7);
  const mel = Float32Array.from({ length: 80 * 12 }, () => rnd() * 8 - 6);
  const samples = Float32Array.from({ length: 600 }, (_, i) => Math.sin(i / 7) * 0.5);
  const i16 = new Uint8Array(new Int16Array(Array.from({ length: 24 }, (_, i) => i * 100 - 1200)).buffer);
  const npyI2 = concatBytes([Uint8Array.of(0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0, 52, 0, 0, 0),
    enc.encode("{'descr': '<i2', 'fortran_order': True, 'shape': (4, 6), }".padEnd(51) + '\n'), i16]);
  const texts = (JSON.parse(goldenText) as Record<string, { text: string }[]>);
  const sentences = [...new Set(Object.values(texts).flat().map((t) => t.text))];
  sentences.push(
    'On the 21st, $1,234.56 and £3,000 at 3:30pm; 5f or 12 k, the 1990\'s — Dr. Smith\'s {HH AH0 L OW1} world!',
    'Mr. Jones paid 1,000,001 dollars on 2/3/2001 at 10:00 am, No. 5, 3.14159 kg.',
  );
  return [
    { name: 'mel.npy', kind: 'npy', bytes: writeNpy(mel, [80, 12]) },
    { name: 'mel3d.npy', kind: 'npy', bytes: writeNpy(mel.subarray(0, 80 * 5), [1, 80, 5]) },
    { name: 'fortran-i2.npy', kind: 'npy', bytes: npyI2 },
    { name: 'pcm16.wav', kind: 'wav', bytes: encodeWav(samples, 22050) },
    { name: 'float32-stereo.wav', kind: 'wav', bytes: encodeWav([samples, samples], 16000, 'float32') },
    { name: 'pcm8.wav', kind: 'wav', bytes: wavFile({ channels: 1, bits: 8, data: Uint8Array.from({ length: 300 }, (_, i) => i & 255) }) },
    ...sentences.map((s, i) => ({ name: `text-${i}`, kind: 'text' as const, bytes: enc.encode(s) })),
  ];
}

type Rnd = () => number;
const pick = <T>(rnd: Rnd, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const int = (rnd: Rnd, n: number) => Math.floor(rnd() * n);

/** Values a length or offset field is inflated to. */
function inflated(rnd: Rnd, old: number, len: number): number {
  return pick(rnd, [0, 1, old + 1, old - 1, old * 2, old * 1000, len, len + 1, len * 4, 0x7fffffff, 0xffffffff, 0x80000000, 0xffff, int(rnd, 2 ** 32)]);
}

/** One byte-level mutation: truncation, byte flips, length-field inflation, splice or insert. */
function mutate(rnd: Rnd, b: Uint8Array, how: string[]): Uint8Array {
  const len = b.length;
  const op = int(rnd, 5);
  if (op === 0 || len < 16) {
    const at = rnd() < 0.5 ? int(rnd, Math.min(len, 4096)) : len - 1 - int(rnd, Math.min(len, 4096));
    how.push(`truncate@${at}`);
    return b.subarray(0, Math.max(0, at));
  }
  const out = b.slice();
  if (op === 1) {
    const n = 1 + int(rnd, 8);
    for (let k = 0; k < n; k++) {
      const at = rnd() < 0.6 ? int(rnd, Math.min(len, 2048)) : int(rnd, len);
      out[at] = rnd() < 0.5 ? out[at]! ^ (1 << int(rnd, 8)) : int(rnd, 256);
    }
    how.push(`flip×${n}`);
    return out;
  }
  if (op === 2) {
    // Prefer a 32-bit little-endian value that looks like a length or an offset into the file.
    const dv = new DataView(out.buffer);
    let at = int(rnd, len - 8);
    for (let tries = 0; tries < 64; tries++) {
      const c = rnd() < 0.7 ? int(rnd, Math.min(len - 8, 4096)) : int(rnd, len - 8);
      const v = dv.getUint32(c, true);
      if (v > 0 && v <= len) { at = c; break; }
    }
    const width = pick(rnd, [2, 4, 4, 8]);
    const old = width === 2 ? dv.getUint16(at, true) : dv.getUint32(at, true);
    const v = inflated(rnd, old, len);
    if (width === 2) dv.setUint16(at, v & 0xffff, true);
    else if (width === 4) dv.setUint32(at, v >>> 0, true);
    else dv.setBigUint64(at, BigInt(v) * BigInt(pick(rnd, [1, 1, 65536, 2 ** 31])), true);
    how.push(`inflate${width * 8}@${at}`);
    return out;
  }
  if (op === 3) {
    const from = int(rnd, len);
    const n = Math.min(len - from, 1 + int(rnd, 256));
    const to = int(rnd, len - n + 1);
    out.copyWithin(to, from, from + n);
    how.push(`splice ${n}@${from}→${to}`);
    return out;
  }
  const at = int(rnd, len);
  const n = 1 + int(rnd, 64);
  const ins = Uint8Array.from({ length: n }, () => (rnd() < 0.5 ? int(rnd, 256) : pick(rnd, [0, 0xff, 0x28, 0x2e, 0x7d, 0x5d])));
  how.push(`insert ${n}@${at}`);
  return concatBytes([b.subarray(0, at), ins, b.subarray(at)]);
}

/** Zip checkpoints: mutate one entry (often data.pkl) and re-zip with true CRCs, so the
 *  mutation reaches the pickle VM and the tensor records instead of stopping at the checksum. */
function mutateZipEntry(rnd: Rnd, b: Uint8Array, how: string[]): Uint8Array {
  const entries = [...readZip(b)];
  const pkl = entries.findIndex(([n]) => n.endsWith('data.pkl'));
  const k = rnd() < 0.7 && pkl >= 0 ? pkl : int(rnd, entries.length);
  const [name, data] = entries[k]!;
  how.push(`entry ${name}`);
  const changed = mutate(rnd, data, how);
  const all = entries.map(([n, d], i) => ({ name: n, data: i === k ? changed : d }));
  if (rnd() < 0.1) {
    how.push('duplicate entry');
    all.push({ ...all[int(rnd, all.length)]! });
  }
  return zipArchive(all);
}

/** safetensors: mutate the JSON header as text (numbers, dtypes, keys), keeping it parseable often. */
function mutateSafetensorsHeader(rnd: Rnd, b: Uint8Array, how: string[]): Uint8Array {
  const n = Number(new DataView(b.buffer, b.byteOffset).getBigUint64(0, true));
  let json = new TextDecoder().decode(b.subarray(8, 8 + n));
  const numbers = [...json.matchAll(/\d+/g)];
  const op = int(rnd, 4);
  if (op === 0 && numbers.length) {
    const m = pick(rnd, numbers);
    const v = pick(rnd, ['0', '-1', '4294967296', '9007199254740993', '1e300', String(Number(m[0]) + 4), String(Number(m[0]) * 2)]);
    json = json.slice(0, m.index) + v + json.slice(m.index! + m[0].length);
    how.push(`header number ${m[0]}→${v}`);
  } else if (op === 1) {
    const v = pick(rnd, ['__proto__', 'toString', 'constructor', 'F64', 'I8', 'BOOL', 'X']);
    json = json.replace(/"dtype":\s*"[A-Z0-9]+"/, `"dtype":"${v}"`);
    how.push(`dtype→${v}`);
  } else if (op === 2) {
    const keys = [...json.matchAll(/"([^"]+)":\{/g)];
    if (keys.length) {
      const m = pick(rnd, keys);
      const end = json.indexOf('}', m.index!) + 1;
      json = `${json.slice(0, -1)},${json.slice(m.index!, end)}}`;
      how.push(`duplicate key ${m[1]}`);
    }
  } else if (rnd() < 0.5) {
    const nest = 1 + int(rnd, 5000);
    json = `${json.slice(0, -1)},"__metadata__":${'{"a":'.repeat(nest)}"x"${'}'.repeat(nest)}}`;
    how.push(`nested metadata ×${nest}`);
  } else {
    const nest = 1 + int(rnd, 100_000);
    const field = pick(rnd, ['shape', 'data_offsets', 'dtype']);
    json = json.replace(new RegExp(`"${field}":\\s*("[^"]*"|\\[[^\\]]*\\])`), `"${field}":${'['.repeat(nest)}${']'.repeat(nest)}`);
    how.push(`nested ${field} ×${nest}`);
  }
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + b.length - 8 - n);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  out.set(b.subarray(8 + n), 8 + head.length);
  return out;
}

const ADVERSARIAL_TEXT = ['7', '1,', '$1,', '1.', ',', '{', '{A}', '!', 'a', 'A.', '1:', ' ', '-', "'s", '£', '\n', '\u0301', 'é', '\ud83d\ude00', '\u0000'];

function mutateText(rnd: Rnd, text: string, how: string[]): string {
  const op = int(rnd, 4);
  const at = int(rnd, text.length + 1);
  if (op === 0) {
    const unit = pick(rnd, ADVERSARIAL_TEXT);
    const n = 1 + int(rnd, rnd() < 0.2 ? 5000 : 100);
    how.push(`run ${JSON.stringify(unit)}×${n}`);
    return text.slice(0, at) + unit.repeat(n) + text.slice(at);
  }
  if (op === 1) {
    how.push(`cut@${at}`);
    return text.slice(0, at);
  }
  if (op === 2) {
    const s = String.fromCodePoint(...Array.from({ length: 1 + int(rnd, 8) }, () => (rnd() < 0.7 ? 32 + int(rnd, 95) : int(rnd, 0x3000))));
    how.push(`insert ${JSON.stringify(s)}`);
    return text.slice(0, at) + s + text.slice(at);
  }
  const digits = String(int(rnd, 2 ** 31)).repeat(1 + int(rnd, 4));
  const s = pick(rnd, [`$${digits}`, `${digits}th`, `${digits}.5`, `${digits}'s`, `£${digits}`, `${digits} k`, `${digits}:30pm`]);
  how.push(`number ${s}`);
  return text.slice(0, at) + s + text.slice(at);
}

/** Case `index` of run `seed`: a seed input and one to three mutations. */
export function makeCase(seeds: readonly Seed[], seed: number, index: number): Case {
  const rnd = mulberry32((Math.imul(seed, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
  const s = pick(rnd, seeds);
  const how: string[] = [];
  const rounds = 1 + int(rnd, 3);
  if (s.kind === 'text') {
    let text = new TextDecoder().decode(s.bytes);
    for (let r = 0; r < rounds; r++) text = mutateText(rnd, text, how);
    return { index, seed: s.name, kind: s.kind, how, bytes: new TextEncoder().encode(text) };
  }
  let b = s.bytes;
  const isZip = b[0] === 0x50 && b[1] === 0x4b;
  const isSafetensors = s.name.endsWith('.safetensors');
  for (let r = 0; r < rounds; r++) {
    const structured = r === 0 && rnd() < 0.5;
    if (structured && isZip) b = mutateZipEntry(rnd, b, how);
    else if (structured && isSafetensors) b = mutateSafetensorsHeader(rnd, b, how);
    else b = mutate(rnd, b, how);
  }
  return { index, seed: s.name, kind: s.kind, how, bytes: b };
}

/** Reads a checkpoint as every command would: every tensor's data, detection, and (for small
 *  files) a full convert. */
function readCheckpoint(bytes: Uint8Array): void {
  const ckpt = loadCheckpoint(bytes);
  for (const t of ckpt.tensors.values()) void t.data.length;
  try {
    detect(ckpt);
  } finally {
    if (bytes.length < 2_000_000) convertCheckpoint(bytes);
  }
}

export interface Budget {
  /** A case slower than this fails (ms). */
  timeMs: number;
  /** Memory a case may add: this multiple of its input's size, plus `memoryBytes`. */
  memoryPerByte: number;
  memoryBytes: number;
}

export const DEFAULT_BUDGET: Budget = { timeMs: 10_000, memoryPerByte: 16, memoryBytes: 128 * 1024 * 1024 };

export interface Measured {
  outcome: Outcome;
  ms: number;
  /** The largest memory growth seen while a reader's result was alive (bytes). */
  memory: number;
}

/**
 * Feeds a case to its readers (every reader runs, even after another refused), timing it and
 * probing `memory()` (the runtime's heap + array buffers) while each result is still alive.
 */
export async function runCase(c: Case, dict: CmuDict, memory: () => number, budget = DEFAULT_BUDGET): Promise<Measured> {
  const readers: (() => unknown)[] = [];
  if (c.kind === 'checkpoint') readers.push(() => readCheckpoint(c.bytes));
  if (c.kind === 'npy') readers.push(() => readNpy(c.bytes), () => readMel(c.bytes, 80));
  if (c.kind === 'wav') readers.push(() => decodeWav(c.bytes));
  if (c.kind === 'text') {
    const text = new TextDecoder().decode(c.bytes);
    readers.push(
      () => englishCleaners(text),
      () => flowtronCleaners(text, dict),
      ...(['glowtts', 'flowtron', 'cset'] as const).map((fe) => () => textToIds(fe, text, { dictionary: dict })),
    );
  }
  const base = memory();
  let peak = 0;
  let refused: string | undefined;
  let failure: string | undefined;
  const t0 = performance.now();
  for (const read of readers) {
    try {
      const result = await read();
      peak = Math.max(peak, memory() - base);
      void result;
    } catch (e) {
      peak = Math.max(peak, memory() - base);
      if (!(e instanceof FlowgpuError)) {
        failure ??= String((e as Error)?.stack ?? e);
        continue;
      }
      refused ??= e.message;
    }
  }
  const ms = performance.now() - t0;
  const allowed = budget.memoryPerByte * c.bytes.length + budget.memoryBytes;
  if (!failure && ms > budget.timeMs) failure = `took ${ms.toFixed(0)} ms, over the ${budget.timeMs} ms budget`;
  if (!failure && peak > allowed) failure = `used ${peak} bytes, over the budget of ${allowed} (${budget.memoryPerByte}× the ${c.bytes.length}-byte input + ${budget.memoryBytes})`;
  const outcome: Outcome = failure ? { result: 'failure', message: failure } : refused === undefined ? { result: 'ok' } : { result: 'refused', message: refused };
  return { outcome, ms, memory: peak };
}

/** Every seed: the golden checkpoints (read with `read`, a path relative to the repository) and the made ones. */
export async function loadSeeds(read: (path: string) => Promise<Uint8Array>): Promise<Seed[]> {
  const checkpoints = await Promise.all(CHECKPOINT_SEEDS.map(async (name) => ({ name, kind: 'checkpoint' as const, bytes: await read(`../shared/golden/${name}`) })));
  const text = new TextDecoder().decode(await read('../shared/golden/text.json'));
  return [...checkpoints, ...madeSeeds(text)];
}
