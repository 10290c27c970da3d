// `flowgpu batch <list.txt|.jsonl|.csv> -o <dir> [voice options] [line defaults] [--retries 2]`
// Every line of the list → <dir>/<id>.wav + <dir>/manifest.jsonl; rerun to resume. The voice and
// line options are shared with `flowgpu worker` and `flowgpu queue add`.

import { dirname, resolve } from 'node:path';
import type { SpeakOptions } from '../api.js';
import { type LineOptions, listFormat, parseList, type ParsedList } from '../batch/list.js';
import { progressReporter } from '../batch/progress.js';
import { batch } from '../batch/run.js';
import type { Voice } from '../batch/voice.js';
import { FlowgpuError } from '../gpu/errors.js';
import { demoVoicePath } from '../voice.js';
import { type Context, defineCommand, type OptionSpecs, type Values } from './args.js';
import { readText } from './files.js';
import { checkApplies, loadVoice, readNpyFile, SPEAK_VOCODE_OPTIONS, speakVocodeOptions, TTS_OPTIONS } from './synthesis.js';

/** The TTS options a list line may also set (its own field wins), under the names of `speak`. */
export const LINE_OPTIONS = {
  speaker: TTS_OPTIONS.speaker,
  emotion: TTS_OPTIONS.emotion,
  style: TTS_OPTIONS.style,
  sigma: TTS_OPTIONS.sigma,
  seed: TTS_OPTIONS.seed,
  'noise-scale': TTS_OPTIONS['noise-scale'],
  'length-scale': TTS_OPTIONS['length-scale'],
  temperature: TTS_OPTIONS.temperature,
};

/** The models and the options that hold for every line (`batch` and `worker`). */
export const VOICE_OPTIONS = {
  voice: { kind: 'string', arg: 'FILE', help: 'the TTS model (Glow-TTS, Flowtron, XSpkEmoTrans); default: the demo voice' },
  vocoder: { kind: 'string', arg: 'FILE', help: 'a WaveGlow or HiFi-GAN checkpoint, or griffinlim (the default)' },
  ...SPEAK_VOCODE_OPTIONS,
  normalize: { kind: 'flag', help: 'scale each file to a peak of 0.95' },
  'speaker-embedding': TTS_OPTIONS['speaker-embedding'],
} as const satisfies OptionSpecs;

/** Line defaults from the command line, as a list line's fields (a style path is made absolute: it is relative to the
 *  working folder, not to the list). */
export function lineDefaults(opts: Values<typeof LINE_OPTIONS>): LineOptions {
  const o: LineOptions = {
    speaker: opts.speaker, emotion: opts.emotion, style: opts.style && resolve(opts.style), sigma: opts.sigma, seed: opts.seed,
    noiseScale: opts['noise-scale'], lengthScale: opts['length-scale'], temperature: opts.temperature,
  };
  for (const k of Object.keys(o) as (keyof LineOptions)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/** Loads the voice the options name (released when the command ends). */
export async function loadCommandVoice(
  ctx: Pick<Context<OptionSpecs>, 'load' | 'engine' | 'defer' | 'warn'>, opts: Values<typeof VOICE_OPTIONS>,
): Promise<Voice> {
  const voice = await loadVoice(ctx, opts.voice ?? (await demoVoicePath()), opts.vocoder ?? 'griffinlim', opts);
  checkApplies(opts, { 'speaker-embedding': TTS_OPTIONS['speaker-embedding'] }, voice.tts.kind);
  return voice;
}

/** The `speak` options of every line (reads the speaker embedding file). */
export function commandSpeakOptions(opts: Values<typeof VOICE_OPTIONS>): SpeakOptions {
  const speak: SpeakOptions = { vocoder: speakVocodeOptions(opts), normalize: opts.normalize };
  if (opts['speaker-embedding']) speak.speakerEmbedding = readNpyFile(opts['speaker-embedding'], 'the speaker embedding').data;
  return speak;
}

/** A list file, its unreadable lines reported on stderr (the rest runs). */
export function readListFile(command: string, path: string): ParsedList {
  const list = parseList(readText(path, 'the list'), listFormat(path));
  for (const m of list.malformed) process.stderr.write(`${command}: line ${m.line} of ${path} skipped: ${m.message}\n`);
  return list;
}

const command = defineCommand({
  name: 'batch',
  usage:
    'usage: flowgpu batch <list.txt|.jsonl|.csv> -o <dir> [--retries 2] [voice options] [line defaults]\n' +
    '  Each line: a text (.txt, or a CSV with one column), a JSON string or {"id","text","speaker","emotion","style","sigma",...}\n' +
    '  (.jsonl), or a CSV row under a header such as id,text,speaker. Writes <dir>/<id>.wav (id: given, or the line number)\n' +
    '  and <dir>/manifest.jsonl; rerunning skips the lines already done. Exit status 1 if any line failed or was malformed.\n' +
    '  The line defaults (--speaker ... --temperature) apply where a line does not set its own.',
  args: { min: 1, max: 1, what: 'the list file' },
  options: {
    output: { kind: 'string', arg: 'DIR', help: 'the output folder, made if missing (also -o)' },
    retries: { kind: 'number', min: 0, max: 100, integer: true, help: 'extra tries for a line that fails (default 2)' },
    ...VOICE_OPTIONS,
    ...LINE_OPTIONS,
  },
  loadsModels: true,
  async run(ctx) {
    const out = ctx.opts.output;
    if (out === undefined) throw new FlowgpuError('batch: give the output folder with -o <dir> (see flowgpu batch --help)');
    const listPath = ctx.positional[0]!;
    const parsed = readListFile('batch', listPath);
    const speak = commandSpeakOptions(ctx.opts);
    // Loaded only when a line is left to do: a finished run resumes without loading models.
    const voice = async (): Promise<Voice> => {
      const v = await loadCommandVoice(ctx, ctx.opts);
      checkApplies(ctx.opts, LINE_OPTIONS, v.tts.kind);
      return v;
    };
    const progress = progressReporter();
    const result = await batch(parsed, {
      out, voice, speak, baseDir: dirname(resolve(listPath)), defaults: lineDefaults(ctx.opts), retries: ctx.opts.retries,
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
  },
});

export const run = command.run;
