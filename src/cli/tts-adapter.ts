// The small interface every TTS model's CLI adapter implements (src/cli/tts-<model>.ts, where
// <model> is the `detect()` kind: glowtts, flowtron, cset), plus the argument parsing that
// `tts`, `speak` and `align` share. `tts.ts` imports the adapter by the detected model name.

import type { Engine } from '../gpu/engine.js';
import { FlowgpuError } from '../gpu/errors.js';
import type { Detection } from '../io/detect.js';
import type { Checkpoint } from '../io/host-tensor.js';

/** Parsed command line: positionals in order, `--name value` / `--flag` options. */
export interface ParsedArgs {
  positional: string[];
  options: Map<string, string | true>;
}

/** Options that take no value. */
const BOOLEAN_FLAGS = new Set(['help', 'h', 'verbose', 'quiet', 'normalize', 'stream']);

export function parseArgs(args: readonly string[]): ParsedArgs {
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (a === '-o') {
      const v = args[++i];
      if (v === undefined) throw new FlowgpuError('-o needs a file name');
      options.set('output', v);
    } else if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      if (eq >= 0) options.set(name, a.slice(eq + 1));
      else if (BOOLEAN_FLAGS.has(name)) options.set(name, true);
      else {
        const v = args[i + 1];
        if (v === undefined || (v.startsWith('--') && v.length > 2)) options.set(name, true);
        else {
          options.set(name, v);
          i++;
        }
      }
    } else positional.push(a);
  }
  return { positional, options };
}

export function optString(p: ParsedArgs, name: string): string | undefined {
  const v = p.options.get(name);
  if (v === true) throw new FlowgpuError(`--${name} needs a value`);
  return v;
}

export function optNumber(p: ParsedArgs, name: string, check?: (v: number) => boolean, what = 'a number'): number | undefined {
  const s = optString(p, name);
  if (s === undefined) return undefined;
  const v = Number(s);
  if (s.trim() === '' || !Number.isFinite(v) || (check && !check(v))) throw new FlowgpuError(`--${name} must be ${what}, got "${s}"`);
  return v;
}

/** `--ids '[1, 2, 3]'`: token ids given directly (bypasses the front end). */
export function optIds(p: ParsedArgs): number[] | undefined {
  const s = optString(p, 'ids');
  if (s === undefined) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(s);
  } catch {
    throw new FlowgpuError(`--ids must be a JSON array of token ids such as '[12, 40, 7]', got ${JSON.stringify(s)}`);
  }
  if (!Array.isArray(v) || v.length === 0 || !v.every((x) => Number.isInteger(x) && x >= 0)) {
    throw new FlowgpuError(`--ids must be a non-empty JSON array of non-negative integers, got ${JSON.stringify(s)}`);
  }
  return v as number[];
}

/** What a TTS model was asked to say: text for its front end, or ids given with `--ids`. */
export interface TtsInput {
  text?: string;
  ids?: number[];
}

export interface TtsOutput {
  /** Natural-log mel `[nMel, frames]`, row-major. */
  mel: Float32Array;
  nMel: number;
  frames: number;
  /** Audio sample rate the model's mels are for (default 22050). */
  sampleRate?: number;
  /** Token ids that were spoken. */
  ids?: number[];
  /** Symbols the front end dropped (printed as a warning). */
  unknown?: string[];
  /** Frames per token, where the model has them. */
  durations?: Int32Array;
}

/** A `src/cli/tts-<model>.ts` module. */
export interface TtsAdapter {
  /** Help text for the model-specific options (one option per line). */
  options: string;
  synthesize(engine: Engine, checkpoint: Checkpoint, input: TtsInput, args: ParsedArgs, detection: Detection): Promise<TtsOutput>;
}

/** The adapter for a detected model kind, or a clear error when none is written yet. */
export async function loadAdapter(kind: string): Promise<TtsAdapter> {
  const known = ['glowtts', 'flowtron', 'cset'];
  if (!known.includes(kind)) {
    throw new FlowgpuError(`this checkpoint is a ${kind} model, not a text-to-speech model (tts takes ${known.join(', ')})`);
  }
  let mod: Partial<TtsAdapter>;
  try {
    // A glob import: the bundler includes every src/cli/tts-*.ts present at build time.
    mod = (await import(`./tts-${kind}.ts`)) as Partial<TtsAdapter>;
  } catch {
    throw new FlowgpuError(`text-to-speech with ${kind} models is not supported yet (no src/cli/tts-${kind}.ts adapter)`);
  }
  if (typeof mod.synthesize !== 'function') {
    throw new FlowgpuError(`text-to-speech with ${kind} models is not supported yet (its adapter exports no synthesize)`);
  }
  return { options: mod.options ?? '', synthesize: mod.synthesize };
}
