// `batch()`: a list of lines → `<out>/<id>.wav` + `<out>/manifest.jsonl`, on one engine, models
// loaded once. Resumable (lines the manifest marks done, whose WAV is still there, are skipped),
// each line retried up to `retries` more times, and the text front end of the next line runs
// while the GPU synthesises this one.
//
// Lines are synthesised one per dispatch: none of flowgpu's models takes a batch dimension
// (each op is written for one utterance), so several short lines per dispatch would need
// batched kernels; overlapping the front end keeps the queue fed instead.

import { mkdir, readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { SpeakOptions } from '../api.js';
import type { Engine } from '../gpu/engine.js';
import { FlowgpuError } from '../gpu/errors.js';
import type { TextIds } from '../text/index.js';
import { listFormat, parseList, type LineOptions, type ListItem, type Malformed, type ParsedList } from './list.js';
import { appendRecord, failedRecord, isDone, readManifest, writeManifest, writeResult, type ManifestRecord } from './output.js';
import { LineSpeaker, openVoice, voiceName, type VoiceSource } from './voice.js';

export interface BatchProgress {
  /** Lines finished in this run (done + failed). */
  finished: number;
  /** Lines to run in this run (the list less what was already done). */
  total: number;
  done: number;
  failed: number;
  /** Lines skipped as already done. */
  skipped: number;
  /** The record just written. */
  record: ManifestRecord;
}

export interface BatchOptions {
  /** Output folder (made if missing). */
  out: string;
  /** The models (loaded once by the caller, not released here), or a function loading them that is only
   *  called when a line is left to do; default: the demo voice and Griffin-Lim. */
  voice?: VoiceSource;
  /** Engine for the demo voice when no `voice` is given (default: a Node engine made and destroyed here). */
  engine?: Engine;
  /** Line options for every line, recorded in the manifest; a line's own fields win. */
  defaults?: LineOptions;
  /** `speak`'s options for every line (the vocoder's, normalize, a speaker embedding, ...); line options win. */
  speak?: SpeakOptions;
  /** Extra tries for a line that fails (default 2). */
  retries?: number;
  /** Folder that relative paths in a list (style .npy) are read from (default: the list's folder, or the cwd). */
  baseDir?: string;
  /** After the voice is loaded, before the first line. */
  onStart?: (info: { total: number; skipped: number; model: string }) => void;
  onProgress?: (p: BatchProgress) => void;
  /** A failed try that will be retried. */
  onRetry?: (item: ListItem, attempt: number, error: string) => void;
}

export interface BatchResult {
  done: number;
  failed: number;
  skipped: number;
  /** Lines of the list that could not be read (with line numbers); the rest ran. */
  malformed: Malformed[];
  /** The manifest's path. */
  manifest: string;
}

/** Reads and parses a list file (.txt, .jsonl, .csv). */
export async function readList(path: string): Promise<ParsedList> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new FlowgpuError(`cannot read the list ${path}: ${(err as Error).message}`);
  }
  return parseList(text, listFormat(path));
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Runs `item` with up to `retries` retries; `first` is its front end, already started. */
async function runItem(
  speaker: LineSpeaker, item: ListItem, first: Promise<TextIds>, retries: number, o: BatchOptions,
): Promise<ManifestRecord> {
  const model = voiceName(speaker.voice);
  let prepared = first;
  for (let attempt = 1; ; attempt++) {
    try {
      const spoken = await speaker.say(item, await prepared);
      return await writeResult(o.out, item, spoken, speaker.voice.vocoder.sampleRate, model, attempt);
    } catch (err) {
      const msg = errorText(err);
      if (attempt > retries) return failedRecord(item, model, speaker.voice.vocoder.sampleRate, msg, attempt);
      o.onRetry?.(item, attempt, msg);
      prepared = speaker.prepare(item);
    }
  }
}

/** Runs the lines left to do, the models loaded once. */
async function runAll(
  todo: ListItem[], records: Map<string, ManifestRecord>, result: BatchResult, baseDir: string, retries: number, o: BatchOptions,
): Promise<void> {
  const { voice, close } = await openVoice(o);
  try {
    const speaker = new LineSpeaker(voice, o.speak, baseDir);
    o.onStart?.({ total: todo.length, skipped: result.skipped, model: voiceName(voice) });
    // A rejected front end is only awaited by its own line (as that line's first failed try).
    const prepare = (it: ListItem | undefined): Promise<TextIds> | undefined => {
      const p = it && speaker.prepare(it);
      p?.catch(() => undefined);
      return p;
    };
    let next = prepare(todo[0]);
    for (let i = 0; i < todo.length; i++) {
      const item = todo[i]!;
      const current = next!;
      next = prepare(todo[i + 1]);
      const record = await runItem(speaker, item, current, retries, o);
      await appendRecord(o.out, record);
      records.set(record.id, record);
      if (record.status === 'done') result.done++;
      else result.failed++;
      o.onProgress?.({ finished: i + 1, total: todo.length, done: result.done, failed: result.failed, skipped: result.skipped, record });
    }
  } finally {
    close();
  }
}

/** Synthesises every line of a list (a file path or parsed items) into `o.out`. */
export async function batch(list: string | ParsedList, o: BatchOptions): Promise<BatchResult> {
  const parsed = typeof list === 'string' ? await readList(list) : list;
  const baseDir = o.baseDir ?? (typeof list === 'string' ? dirname(resolve(list)) : process.cwd());
  const retries = o.retries ?? 2;
  if (!Number.isInteger(retries) || retries < 0) throw new FlowgpuError(`retries must be a non-negative integer, got ${retries}`);
  const items = parsed.items.map((it) => ({ ...it, options: { ...o.defaults, ...it.options } }));
  await mkdir(o.out, { recursive: true });
  const previous = await readManifest(o.out);
  const todo: ListItem[] = [];
  for (const it of items) if (!(await isDone(o.out, it, previous.get(it.id)))) todo.push(it);
  const result: BatchResult = { done: 0, failed: 0, skipped: items.length - todo.length, malformed: parsed.malformed, manifest: resolve(o.out, 'manifest.jsonl') };

  if (todo.length > 0) await runAll(todo, previous, result, baseDir, retries, o);
  // One record per id: what this run appended replaces the older records of the same ids.
  await writeManifest(o.out, previous.values());
  return result;
}
