// `flowgpu batch <list.txt|.jsonl|.csv> -o <dir> [voice options] [line defaults] [--retries 2]`
// Every line of the list → <dir>/<id>.wav + <dir>/manifest.jsonl; rerun to resume.

import { dirname, resolve } from 'node:path';
import { batch, readList } from '../batch/run.js';
import { itemFromFields, type LineOptions } from '../batch/list.js';
import type { VoiceSpec } from '../batch/voice.js';
import { progressReporter } from '../batch/progress.js';
import { FlowgpuError } from '../gpu/errors.js';
import { optNumber, optString, parseArgs, type ParsedArgs } from './tts-adapter.js';

export const VOICE_USAGE =
  '  voice:  --voice <tts model> (default: the demo voice)  --vocoder <checkpoint|griffinlim> (default griffinlim)\n' +
  '          --iterations N (Griffin-Lim)  --normalize  --speaker-embedding <.npy> (XSpkEmoTrans)\n' +
  '  line defaults (a line\'s own fields win): --speaker N --emotion N --style <.npy> --sigma S --seed N\n' +
  '          --noise-scale S --length-scale L --temperature T\n';

const USAGE =
  'usage: flowgpu batch <list.txt|.jsonl|.csv> -o <dir> [--retries 2] [voice options] [line defaults]\n' +
  '  Each line: a text (.txt, or a CSV with one column), a JSON string or {"id","text","speaker","emotion","style","sigma",...}\n' +
  '  (.jsonl), or a CSV row under a header such as id,text,speaker. Writes <dir>/<id>.wav (id: given, or the line number)\n' +
  '  and <dir>/manifest.jsonl; rerunning skips the lines already done. Exit status 1 if any line failed or was malformed.\n' +
  VOICE_USAGE;

export const VOICE_FLAGS = ['voice', 'vocoder', 'iterations', 'normalize', 'speaker-embedding'];
const LINE_FLAGS: Record<string, string> = {
  speaker: 'speaker', emotion: 'emotion', style: 'style', sigma: 'sigma', seed: 'seed', 'noise-scale': 'noiseScale', 'length-scale': 'lengthScale', temperature: 'temperature',
};
export const LINE_DEFAULT_FLAGS = Object.keys(LINE_FLAGS);

/** Refuses options a command does not know (a typo must not be silently ignored). */
export function checkFlags(p: ParsedArgs, known: readonly string[], usage: string): void {
  for (const k of p.options.keys()) {
    if (!known.includes(k)) throw new FlowgpuError(`unknown option --${k}\n${usage}`);
  }
}

export function voiceFromArgs(p: ParsedArgs): VoiceSpec {
  const spec: VoiceSpec = {};
  const tts = optString(p, 'voice');
  const vocoder = optString(p, 'vocoder');
  const iterations = optNumber(p, 'iterations', (v) => Number.isInteger(v) && v >= 0, 'a non-negative integer');
  const embedding = optString(p, 'speaker-embedding');
  if (tts !== undefined) spec.tts = tts;
  if (vocoder !== undefined) spec.vocoder = vocoder;
  if (iterations !== undefined) spec.iterations = iterations;
  if (embedding !== undefined) spec.speakerEmbedding = embedding;
  if (p.options.has('normalize')) spec.normalize = true;
  return spec;
}

/** Line defaults from the command line, checked as a list line's fields are. */
export function lineDefaultsFromArgs(p: ParsedArgs): LineOptions {
  const fields: Record<string, unknown> = { text: '-' };
  for (const [flag, field] of Object.entries(LINE_FLAGS)) {
    const v = optString(p, flag);
    // A path on the command line is relative to the working folder, not to the list.
    if (v !== undefined) fields[field] = field === 'style' ? resolve(v) : v;
  }
  try {
    return itemFromFields(fields, 0).options;
  } catch (err) {
    throw new FlowgpuError(`the line defaults on the command line: ${(err as Error).message}`);
  }
}

export function optRetries(p: ParsedArgs): number | undefined {
  return optNumber(p, 'retries', (v) => Number.isInteger(v) && v >= 0, 'a non-negative integer');
}

export async function run(args: string[]): Promise<void> {
  const p = parseArgs(args);
  if (p.options.has('help') || p.options.has('h')) {
    process.stdout.write(USAGE);
    return;
  }
  checkFlags(p, ['output', 'retries', ...VOICE_FLAGS, ...LINE_DEFAULT_FLAGS], USAGE);
  const [list, ...extra] = p.positional;
  if (!list) throw new FlowgpuError(`batch: give the list file\n${USAGE}`);
  if (extra.length > 0) throw new FlowgpuError(`batch: unexpected arguments ${extra.map((a) => JSON.stringify(a)).join(' ')}\n${USAGE}`);
  const out = optString(p, 'output');
  if (!out) throw new FlowgpuError(`batch: give the output folder with -o <dir>\n${USAGE}`);
  const retries = optRetries(p);
  const parsed = await readList(list);
  for (const m of parsed.malformed) process.stderr.write(`batch: line ${m.line} of ${list} skipped: ${m.message}\n`);
  const progress = progressReporter();
  const result = await batch(parsed, {
    out, baseDir: dirname(resolve(list)), voice: voiceFromArgs(p), defaults: lineDefaultsFromArgs(p), ...(retries !== undefined ? { retries } : {}),
    onStart: ({ total, skipped, model }) => {
      process.stderr.write(`batch: ${total} lines to speak with ${model}${skipped ? ` (${skipped} already done, skipped)` : ''}\n`);
      progress.start(total);
    },
    onRetry: (item, attempt, error) => progress.log(`line ${item.line} (${item.id}): try ${attempt} failed, retrying: ${error}`),
    onProgress: ({ finished, failed, record }) => {
      if (record.status === 'failed') progress.log(`line ${record.line} (${record.id}) failed after ${record.attempts} tries: ${record.error}`);
      progress.tick(finished, failed, `${record.id} ${record.status}`);
    },
  }).finally(() => progress.stop());
  process.stdout.write(
    `batch: ${result.done} done, ${result.failed} failed, ${result.skipped} skipped (already done), ${result.malformed.length} malformed; manifest ${result.manifest}\n`,
  );
  if (result.failed > 0 || result.malformed.length > 0) process.exitCode = 1;
}
