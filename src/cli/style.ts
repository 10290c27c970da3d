// `flowgpu style <flowtron> refs.csv -o style.npy [--aggregation batch|time_and_batch]
//  [--lambda 1e-4] [--n-frames 300] [--speaker 0] [--p-arpabet 1]`
// Flowtron style transfer (inference_style_transfer.ipynb): the posterior z of each reference
// (audio .wav or log-mel .npy, with its transcript), aggregated and shrunk into a style mean
// `[80, n_frames]` that `flowgpu tts <flowtron> "<text>" --style style.npy` samples around.
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import type { Engine } from '../gpu/engine.js';
import { FlowgpuError } from '../gpu/errors.js';
import { Flowtron, type StyleReference } from '../models/flowtron.js';
import { readNpy, writeNpy } from '../io/npy.js';
import { decodeWav } from '../io/wav.js';
import { melSpectrogram } from '../ops/stft.js';
import { textToIds } from '../text/index.js';
import { readModelFile } from './tts.js';
import { optNumber, optString, parseArgs, type ParsedArgs } from './tts-adapter.js';

const USAGE =
  'usage: flowgpu style <flowtron> refs.csv -o style.npy [--aggregation batch|time_and_batch] [--lambda 1e-4] [--n-frames 300] [--speaker 0] [--p-arpabet 1]\n' +
  '  refs.csv rows: <audio.wav | mel.npy>,<transcript>  (also "|"-separated, Flowtron filelist style; paths relative to the csv)\n';

/** A file's bytes, or an error naming it. */
async function bytesOf(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (err) {
    throw new FlowgpuError(`cannot read ${path}: ${(err as Error).message}`);
  }
}

/** Prefixes format errors with the file's path. */
function named<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof FlowgpuError) throw new FlowgpuError(`${path}: ${err.message}`);
    throw err;
  }
}

/** A float32 `.npy` (e.g. a style from `flowgpu style`) → values and shape. */
export async function readNpyFile(path: string): Promise<{ data: Float32Array; shape: number[] }> {
  const bytes = await bytesOf(path);
  return named(path, () => readNpy(bytes));
}

/** Splits a CSV / filelist line: "|" separates when present, else commas (double quotes group). */
export function splitRow(line: string): string[] {
  if (line.includes('|')) return line.split('|').map((s) => s.trim());
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

/** Non-empty, non-comment rows of a list file, split into fields (paths resolved against its folder). */
export async function readList(path: string, minFields: number, what: string): Promise<{ fields: string[]; line: number }[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new FlowgpuError(`cannot read ${path}: ${(err as Error).message}`);
  }
  const rows: { fields: string[]; line: number }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const fields = splitRow(line);
    if (i === 0 && /^(audio|mel|path|file|audio_path|mel_path|wav)$/i.test(fields[0] ?? '') && fields.length >= minFields) return; // header row
    if (fields.length < minFields || fields.slice(0, minFields).some((f) => f === '')) {
      throw new FlowgpuError(`${path}:${i + 1}: expected ${what}, got ${JSON.stringify(raw)}`);
    }
    fields[0] = isAbsolute(fields[0]!) ? fields[0]! : join(dirname(path), fields[0]!);
    rows.push({ fields, line: i + 1 });
  });
  return rows;
}

/** A reference's log mel `[80, T]`: a `.npy` mel as is, or a `.wav` through Tacotron 2's mel front end. */
export async function referenceMel(e: Engine, path: string, nMel: number, sampleRate = 22050): Promise<{ data: Float32Array; frames: number }> {
  const bytes = await bytesOf(path);
  if (path.toLowerCase().endsWith('.npy')) {
    const { data, shape } = named(path, () => readNpy(bytes));
    const s = shape.length === 3 && shape[0] === 1 ? shape.slice(1) : shape;
    if (s.length !== 2) throw new FlowgpuError(`${path}: a mel must be [${nMel}, frames], got shape [${shape.join(', ')}]`);
    if (s[0] !== nMel) {
      throw new FlowgpuError(`${path}: the reference mel has ${s[0]} channels, the model expects ${nMel} (shape [${shape.join(', ')}], want [${nMel}, frames])`);
    }
    return { data, frames: s[1]! };
  }
  const wav = named(path, () => decodeWav(bytes));
  const sr = wav.sampleRate;
  const audio = new Float32Array(wav.channels[0]?.length ?? 0);
  for (const ch of wav.channels) for (let i = 0; i < audio.length; i++) audio[i]! += ch[i]! / wav.channels.length;
  if (sr !== sampleRate) throw new FlowgpuError(`${path}: the audio is ${sr} Hz, the model expects ${sampleRate} Hz; resample it first`);
  if (audio.length < 1024) throw new FlowgpuError(`${path}: the audio is too short (${audio.length} samples)`);
  const mel = e.tidy(() => melSpectrogram(e, e.upload(audio, [audio.length], 'audio'), { sampleRate, nMels: nMel }));
  const data = await e.readF32(mel);
  const frames = mel.dim(1);
  mel.release();
  return { data, frames };
}

/** Loads the (audio|mel, text) references of a list file, with Flowtron token ids. */
export async function loadReferences(e: Engine, model: Flowtron, rows: { fields: string[]; line: number }[], pArpabet: number): Promise<(StyleReference & { path: string; ids: number[]; frames: number })[]> {
  const refs: (StyleReference & { path: string; ids: number[]; frames: number })[] = [];
  for (const r of rows) {
    const mel = await referenceMel(e, r.fields[0]!, model.config.nMel);
    const { ids } = await textToIds('flowtron', r.fields[1]!, { pArpabet });
    refs.push({ mel: mel.data, frames: mel.frames, ids, path: r.fields[0]! });
  }
  return refs;
}

export function optSpeaker(p: ParsedArgs): number {
  return optNumber(p, 'speaker', (v) => Number.isInteger(v) && v >= 0, 'a non-negative integer') ?? 0;
}

export function optPArpabet(p: ParsedArgs): number {
  return optNumber(p, 'p-arpabet', (v) => v >= 0 && v <= 1, 'a number in [0, 1]') ?? 1;
}

/** The Flowtron model at `modelPath` on `engine` (default: a new Node engine); `command: … needs` name the use in the error. */
export async function loadFlowtronFile(command: string, modelPath: string, needs: string, engine?: Engine): Promise<{ e: Engine; model: Flowtron }> {
  const { checkpoint, detection } = await readModelFile(modelPath);
  if (detection.model !== 'flowtron') throw new FlowgpuError(`${command}: ${modelPath} is a ${detection.model} model; ${needs} a Flowtron checkpoint`);
  const e = engine ?? (await (await import('../gpu/node-gpu.js')).createNodeEngine());
  return { e, model: await Flowtron.load(e, checkpoint) };
}

export async function run(args: string[], engine?: Engine): Promise<void> {
  const p = parseArgs(args);
  if (p.options.has('help') || p.options.has('h')) {
    process.stdout.write(USAGE);
    return;
  }
  const [modelPath, listPath, ...extra] = p.positional;
  if (!modelPath || !listPath) throw new FlowgpuError(`style: give a Flowtron model and a reference list\n${USAGE}`);
  if (extra.length) throw new FlowgpuError(`style: unexpected arguments ${extra.join(' ')}`);
  const outPath = optString(p, 'output');
  if (!outPath) throw new FlowgpuError(`style: give the output file with -o <style.npy>\n${USAGE}`);
  const aggregation = optString(p, 'aggregation') ?? 'batch';
  if (aggregation !== 'batch' && aggregation !== 'time_and_batch') throw new FlowgpuError(`--aggregation must be batch or time_and_batch, got "${aggregation}"`);
  const lambda = optNumber(p, 'lambda', (v) => v > 0, 'a number > 0') ?? 1e-4;
  const nFrames = optNumber(p, 'n-frames', (v) => Number.isInteger(v) && v > 0, 'a positive integer') ?? 300;
  const pArpabet = optPArpabet(p);
  const speaker = optSpeaker(p);
  const rows = await readList(listPath, 2, '<audio.wav|mel.npy>,<transcript>');
  if (rows.length === 0) throw new FlowgpuError(`style: the reference list ${listPath} is empty; give at least one (audio or mel, text) row`);
  const { e, model } = await loadFlowtronFile('style', modelPath, 'style transfer needs', engine);
  try {
    const refs = await loadReferences(e, model, rows, pArpabet);
    const style = await model.styleFromReferences(refs, { aggregation, lambda, nFrames, speaker });
    await writeFile(outPath, writeNpy(style.mu, [model.config.nMel, style.frames]));
    process.stdout.write(`wrote ${outPath}: style mean [${model.config.nMel}, ${style.frames}] from ${refs.length} reference${refs.length === 1 ? '' : 's'} (${aggregation}, lambda ${lambda})\n`);
  } finally {
    model.release();
    if (!engine) e.destroy();
  }
}
