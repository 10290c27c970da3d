// The command line's one argument parser and `defineCommand`, which owns what every command
// shares: `--help`, unexpected arguments, `-o`, ranges of numeric options (checked before any
// work), the engine's lifetime, reading checkpoints with their config (`--config FILE`, else a
// config.json — XSpkEmoTrans: preprocess.yaml + model.yaml — beside the checkpoint) at the
// `--precision` asked for, and printing what the load had to assume to stderr.

import { basename, dirname, join } from 'node:path';
import { type Loaded, loadModel } from '../api.js';
import type { Engine } from '../gpu/engine.js';
import { FlowgpuError } from '../gpu/errors.js';
import { type Precision, PRECISIONS } from '../gpu/precision.js';
import type { ConfigSource, ModelKind } from '../io/detect.js';
import { checkWritable, isFile, readCheckpointFile, readText } from './files.js';

export type OptionSpec =
  | { kind: 'flag'; help: string }
  | { kind: 'string'; help: string; arg?: string }
  /** Token ids as a JSON array. */
  | { kind: 'ids'; help: string }
  /** A number in [min, max] (`above`: min excluded; `integer`: whole numbers only). */
  | { kind: 'number'; help: string; min: number; max: number; integer?: boolean; above?: boolean; arg?: string };

export type OptionSpecs = Record<string, OptionSpec>;

type ValueOf<S extends OptionSpec> = S extends { kind: 'flag' } ? boolean : S extends { kind: 'number' } ? number | undefined : S extends { kind: 'ids' } ? number[] | undefined : string | undefined;
export type Values<O extends OptionSpecs> = { [K in keyof O]: ValueOf<O[K]> };

export interface Context<O extends OptionSpecs> {
  /** The positional arguments (their count already checked). */
  positional: string[];
  opts: Values<O>;
  /** `-o` (checked writable when the command declares an output). */
  output: string | undefined;
  /** The engine: the one given to `run`, else a Node engine made on first use and destroyed at the end. */
  engine(): Promise<Engine>;
  /** Reads a checkpoint and its config, loads it (kinds limited to `expect`), prints its warnings;
   *  released when the command ends. */
  load<K extends ModelKind>(path: string, expect: readonly K[]): Promise<Loaded<K>>;
  /** Frees `release` when the command ends. */
  defer(release: () => void): void;
  /** `flowgpu: warning: …` on stderr. */
  warn(message: string): void;
}

export interface CommandSpec<O extends OptionSpecs> {
  name: string;
  /** Synopsis and description (printed by --help, and after usage errors). */
  usage: string;
  /** Positional arguments: how many, and what they are called in messages. */
  args: { min: number; max: number; what: string };
  options: O;
  /** `-o FILE`: required or optional, the extensions it may have, and whether `-o -` (stdout) is allowed. */
  output?: { required: boolean; what: string; extensions?: readonly string[]; stdout?: boolean };
  /** Takes `--config FILE` for its checkpoints (every command that loads a model). */
  loadsModels?: boolean;
  run(ctx: Context<O>): Promise<void>;
}

export interface Command {
  run(argv: string[], engine?: Engine): Promise<void>;
  usage: string;
}

const PRECISION_OPTION: OptionSpec = {
  kind: 'string', arg: PRECISIONS.join('|'),
  help: 'f16: the models\' GEMM weights stored as f16, half the memory (needs a GPU with shader-f16; errors in README.md); default f32',
};

const CONFIG_OPTION: OptionSpec = {
  kind: 'string', arg: 'FILE',
  help: 'the original\'s config file (config.json; XSpkEmoTrans: give preprocess.yaml and model.yaml, --config twice); default: the one beside the checkpoint',
};

function describeRange(s: Extract<OptionSpec, { kind: 'number' }>): string {
  const kind = s.integer ? 'an integer' : 'a number';
  return s.above ? `${kind} above ${s.min} and at most ${s.max}` : `${kind} from ${s.min} to ${s.max}`;
}

function parseNumber(name: string, s: Extract<OptionSpec, { kind: 'number' }>, text: string): number {
  const v = Number(text);
  const ok = text.trim() !== '' && Number.isFinite(v) && (s.above ? v > s.min : v >= s.min) && v <= s.max && (!s.integer || Number.isInteger(v));
  if (!ok) throw new FlowgpuError(`--${name} must be ${describeRange(s)}, got ${JSON.stringify(text)}`);
  return v;
}

/** Most token ids `--ids` takes (a long paragraph is a few thousand). */
const MAX_IDS = 10_000;

function parseIds(text: string): number[] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new FlowgpuError(`--ids must be a JSON array of token ids such as '[12, 40, 7]', got ${JSON.stringify(text.slice(0, 80))}`);
  }
  if (!Array.isArray(v) || v.length === 0 || v.length > MAX_IDS || !v.every((x) => Number.isInteger(x) && x >= 0)) {
    throw new FlowgpuError(`--ids must be a non-empty JSON array of at most ${MAX_IDS} non-negative integers, got ${JSON.stringify(text.slice(0, 80))}`);
  }
  return v as number[];
}

/** The help text of a command's options. */
function optionHelp(options: OptionSpecs): string {
  const rows = Object.entries(options).map(([name, s]) => {
    const arg = s.kind === 'flag' ? '' : s.kind === 'ids' ? " '[...]'" : ` ${s.kind === 'number' ? (s.arg ?? 'N') : (s.arg ?? 'X')}`;
    const range = s.kind === 'number' ? ` (${describeRange(s)})` : '';
    return [`--${name}${arg}`, `${s.help}${range}`];
  });
  const w = Math.max(0, ...rows.map((r) => r[0]!.length));
  return rows.map(([a, h]) => `  ${a!.padEnd(w)}  ${h}`).join('\n');
}

interface Parsed {
  positional: string[];
  values: Map<string, string[]>;
  flags: Set<string>;
  help: boolean;
}

function parse(name: string, argv: readonly string[], options: OptionSpecs): Parsed {
  const p: Parsed = { positional: [], values: new Map(), flags: new Set(), help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      p.positional.push(...argv.slice(i + 1));
      break;
    }
    if (a === '-h' || a === '--help') {
      p.help = true;
      continue;
    }
    if (!a.startsWith('-') || a === '-' || /^-\d/.test(a)) {
      p.positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const key = a === '-o' ? 'output' : a.startsWith('--') ? a.slice(2, eq >= 0 ? eq : undefined) : null;
    const spec = key === null ? undefined : options[key];
    if (!spec || key === null) {
      throw new FlowgpuError(`${name}: unknown option ${eq >= 0 ? a.slice(0, eq) : a} (see flowgpu ${name} --help)`);
    }
    if (spec.kind === 'flag') {
      if (eq >= 0) throw new FlowgpuError(`${name}: --${key} takes no value`);
      p.flags.add(key);
      continue;
    }
    let v: string | undefined;
    if (eq >= 0) v = a.slice(eq + 1);
    else {
      v = argv[i + 1];
      // A value may not look like an option (a negative number may: then the range check speaks).
      if (v !== undefined && v.startsWith('-') && v.length > 1 && !/^-[\d.]/.test(v)) v = undefined;
      else i++;
    }
    if (v === undefined) throw new FlowgpuError(`${name}: ${a === '-o' ? '-o' : `--${key}`} needs a value`);
    const list = p.values.get(key) ?? [];
    list.push(v);
    p.values.set(key, list);
  }
  return p;
}

/** The arguments of a command, parsed and checked (ranges, counts, -o) before any work. */
export interface ParsedCommand<O extends OptionSpecs> {
  /** `--help` was given: print `usage` and do nothing else. */
  help: boolean;
  positional: string[];
  opts: Values<O>;
  output: string | undefined;
  /** `--config` files (at most two). */
  configs: string[];
  /** `--precision` of the models loaded (default 'f32'). */
  precision: Precision;
}

/** A command's description without its body. */
type CommandShape = Omit<CommandSpec<OptionSpecs>, 'run'>;

function allOptions(spec: CommandShape): OptionSpecs {
  const options: OptionSpecs = { ...spec.options };
  if (spec.loadsModels) Object.assign(options, { config: CONFIG_OPTION, precision: PRECISION_OPTION });
  if (spec.output) options['output'] = { kind: 'string', arg: 'FILE', help: `${spec.output.what} (also -o)` };
  return options;
}

/** The --help text of a command. */
export function usageOf(spec: CommandShape): string {
  return `${spec.usage.trimEnd()}\n\noptions:\n${optionHelp(allOptions(spec))}\n`;
}

/** Parses and checks a command's arguments (no side effects but checking that -o can be written). */
export function parseCommand<O extends OptionSpecs>(spec: Omit<CommandSpec<O>, 'run'>, argv: readonly string[]): ParsedCommand<O> {
  const s: CommandShape = spec;
  const p = parse(spec.name, argv, allOptions(s));
  const parsed = { help: p.help, positional: p.positional, opts: {} as Values<O>, output: undefined as string | undefined, configs: [] as string[], precision: 'f32' as Precision };
  if (p.help) return parsed;
  const { min, max, what } = spec.args;
  if (p.positional.length < min) throw new FlowgpuError(`${spec.name}: give ${what}\n\n${usageOf(s)}`);
  if (p.positional.length > max) {
    const extra = p.positional.slice(max).map((a) => JSON.stringify(a)).join(' ');
    throw new FlowgpuError(`${spec.name}: unexpected arguments ${extra} (give ${what}; see flowgpu ${spec.name} --help)`);
  }
  for (const [key, list] of p.values) {
    if (list.length > 1 && key !== 'config') throw new FlowgpuError(`${spec.name}: --${key} is given ${list.length} times`);
  }
  parsed.configs = p.values.get('config') ?? [];
  if (parsed.configs.length > 2) throw new FlowgpuError(`${spec.name}: --config is given ${parsed.configs.length} times (twice at most: XSpkEmoTrans's preprocess.yaml and model.yaml)`);
  const precision = p.values.get('precision')?.[0] ?? 'f32';
  if (!(PRECISIONS as readonly string[]).includes(precision)) throw new FlowgpuError(`--precision must be ${PRECISIONS.join(' or ')}, got ${JSON.stringify(precision)}`);
  parsed.precision = precision as Precision;
  const opts: Record<string, unknown> = {};
  for (const [key, o] of Object.entries(spec.options)) {
    const text = p.values.get(key)?.[0];
    if (o.kind === 'flag') opts[key] = p.flags.has(key);
    else if (text === undefined) opts[key] = undefined;
    else if (o.kind === 'number') opts[key] = parseNumber(key, o, text);
    else if (o.kind === 'ids') opts[key] = parseIds(text);
    else opts[key] = text;
  }
  parsed.opts = opts as Values<O>;
  const output = p.values.get('output')?.[0];
  if (spec.output) {
    if (output === undefined && spec.output.required) throw new FlowgpuError(`${spec.name}: give the output file with -o <${spec.output.what}>\n\n${usageOf(s)}`);
    if (output !== undefined && !(spec.output.stdout && output === '-')) {
      const ext = spec.output.extensions;
      if (ext && !ext.some((x) => output.toLowerCase().endsWith(x))) throw new FlowgpuError(`${spec.name}: the output must end in ${ext.join(' or ')}, got ${output}`);
      checkWritable(output);
    }
  }
  parsed.output = output;
  return parsed;
}

/** A command of the CLI: `run(argv, engine?)` parses, checks, runs and cleans up. */
export function defineCommand<O extends OptionSpecs>(spec: CommandSpec<O>): Command {
  const usage = usageOf(spec);
  return {
    usage,
    async run(argv, given) {
      const { help, positional, opts, output, configs, precision } = parseCommand(spec, argv);
      if (help) {
        process.stdout.write(usage);
        return;
      }
      let engine = given;
      const releases: (() => void)[] = [];
      const ctx: Context<O> = {
        positional,
        opts,
        output,
        engine: async () => (engine ??= await (await import('../gpu/node-gpu.js')).createNodeEngine()),
        load: async (path, expect) => {
          const bytes = readCheckpointFile(path, 'the model');
          const config = readConfig(path, configs);
          const e = await ctx.engine();
          let m: Loaded<(typeof expect)[number]>;
          try {
            m = await loadModel(e, bytes, { expect, ...config, precision, onWarning: (w) => ctx.warn(w) });
          } catch (err) {
            throw err instanceof FlowgpuError ? new FlowgpuError(`${path}: ${err.message}`) : err;
          }
          releases.push(() => m.release());
          return m;
        },
        defer: (release) => void releases.push(release),
        warn: (message) => void process.stderr.write(`flowgpu: warning: ${message}\n`),
      };
      try {
        await spec.run(ctx);
      } finally {
        for (const r of releases.reverse()) r();
        if (engine && !given) engine.destroy();
      }
    },
  };
}

/** The config for a checkpoint: the `--config` file(s), else the original's file(s) beside it. */
function readConfig(checkpoint: string, given: string[]): { config?: ConfigSource; configName?: string; missingConfig?: string } {
  const files = given.length > 0 ? given : beside(checkpoint);
  if (files.length === 0) return { missingConfig: `and no config.json beside ${basename(checkpoint)}` };
  if (given.length === 0) process.stderr.write(`flowgpu: using ${files.map((f) => basename(f)).join(' and ')} beside ${checkpoint}\n`);
  const texts = files.map((f) => readText(f, 'the config'));
  const configName = files.map((f) => basename(f)).join(' + ');
  if (files.length === 1) return { config: texts[0], configName };
  // XSpkEmoTrans: its two YAML files, preprocess.yaml first, told apart by name.
  const pre = files.findIndex((f) => /preprocess/i.test(basename(f)));
  if (pre < 0) throw new FlowgpuError(`two --config files are XSpkEmoTrans's preprocess.yaml and model.yaml; neither of ${files.join(', ')} is named preprocess…`);
  return { config: [texts[pre], texts[1 - pre]], configName };
}

/** config.json beside the checkpoint (the originals' inference scripts read it from there), else XSpkEmoTrans's YAML pair. */
function beside(checkpoint: string): string[] {
  const dir = dirname(checkpoint);
  const json = join(dir, 'config.json');
  if (isFile(json)) return [json];
  const yaml = [join(dir, 'preprocess.yaml'), join(dir, 'model.yaml')];
  return yaml.every(isFile) ? yaml : [];
}
