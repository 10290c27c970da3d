// The output folder of a batch: `<id>.wav` per line and `manifest.jsonl`, one record per line.
// Every file is written under a temporary name and renamed into place, so a crash never leaves a
// half-written WAV or manifest behind under the real name.

import { appendFile, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeWav } from '../io/wav.js';
import type { WordTiming } from '../timings.js';
import type { LineOptions, ListItem } from './list.js';

export const MANIFEST = 'manifest.jsonl';

export interface ManifestRecord {
  id: string;
  /** Line of the list the item came from. */
  line: number;
  text: string;
  /** The WAV, relative to the output folder ('' when failed). */
  file: string;
  /** Length of the audio in seconds (0 when failed). */
  seconds: number;
  sampleRate: number;
  /** 'Glow-TTS + Griffin-Lim'. */
  model: string;
  options: LineOptions;
  status: 'done' | 'failed';
  error?: string;
  /** Tries it took (or made, when failed). */
  attempts: number;
  /** When each word is spoken, in seconds from the start of the WAV (none when failed). */
  words: WordTiming[];
}

let tmpCounter = 0;

/** Writes `path` atomically: a temporary file beside it, then a rename over the real name. */
export async function writeAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${tmpCounter++}`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Writes the WAV of one item atomically; returns its record. */
export async function writeResult(
  dir: string, item: ListItem, { audio, words }: { audio: Float32Array; words: WordTiming[] }, sampleRate: number, model: string, attempts: number,
): Promise<ManifestRecord> {
  const file = `${item.id}.wav`;
  await writeAtomic(join(dir, file), encodeWav(audio, sampleRate, 'pcm16'));
  return {
    id: item.id, line: item.line, text: item.text, file, seconds: audio.length / sampleRate, sampleRate, model, options: item.options,
    status: 'done', attempts, words,
  };
}

export function failedRecord(item: ListItem, model: string, sampleRate: number, error: string, attempts: number): ManifestRecord {
  return { id: item.id, line: item.line, text: item.text, file: '', seconds: 0, sampleRate, model, options: item.options, status: 'failed', error, attempts, words: [] };
}

/** The records of a manifest, the last one of each id winning (a crashed run may leave an older one above). */
export async function readManifest(dir: string): Promise<Map<string, ManifestRecord>> {
  const out = new Map<string, ManifestRecord>();
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST), 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const r = JSON.parse(line) as ManifestRecord;
      if (typeof r.id === 'string') out.set(r.id, r);
    } catch {
      // A line cut short by a crash mid-append: the item is simply not done.
    }
  }
  return out;
}

/** Whether a record says this item is done and its WAV is still there. */
export async function isDone(dir: string, item: ListItem, r: ManifestRecord | undefined): Promise<boolean> {
  if (!r || r.status !== 'done' || r.text !== item.text || JSON.stringify(r.options) !== JSON.stringify(item.options)) return false;
  try {
    return (await stat(join(dir, r.file))).isFile();
  } catch {
    return false;
  }
}

/** Appends one record (one write of one line, so concurrent appends never interleave mid-line). */
export function appendRecord(dir: string, r: ManifestRecord): Promise<void> {
  return appendFile(join(dir, MANIFEST), JSON.stringify(r) + '\n');
}

/** Rewrites the manifest atomically with exactly one record per id, in list order. */
export function writeManifest(dir: string, records: Iterable<ManifestRecord>): Promise<void> {
  const sorted = [...records].sort((a, b) => a.line - b.line || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return writeAtomic(join(dir, MANIFEST), sorted.map((r) => JSON.stringify(r) + '\n').join(''));
}
