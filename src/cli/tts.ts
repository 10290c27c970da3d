// `flowgpu tts <model> "<text>" -o <mel.npy> [--noise-scale 0.667] [--length-scale 1] [--seed N] [--ids '[...]']`
// Any text-to-speech checkpoint: the model type is detected from the file and the matching
// src/cli/tts-<model>.ts adapter runs it.

import { readFile, writeFile } from 'node:fs/promises';
import type { Engine } from '../gpu/engine.js';
import { FlowgpuError } from '../gpu/errors.js';
import { loadCheckpoint, stateDictOf } from '../io/checkpoint.js';
import { detect, type Detection } from '../io/detect.js';
import type { Checkpoint } from '../io/host-tensor.js';
import { writeNpy } from '../io/npy.js';
import { loadAdapter, optIds, optString, parseArgs, type ParsedArgs, type TtsOutput } from './tts-adapter.js';

const USAGE =
  'usage: flowgpu tts <model> "<text>" -o <mel.npy> [--noise-scale 0.667] [--length-scale 1] [--seed N] [--ids \'[...]\']\n' +
  '  <model>: a Glow-TTS, Flowtron or XSpkEmoTrans checkpoint (.safetensors, .pt, .pth); the type is read from the file.\n' +
  '  --ids gives token ids directly instead of text.\n';

/** Reads a weights file; a golden/test file with its state dict under "weights." is unwrapped. */
export async function readModelFile(path: string): Promise<{ checkpoint: Checkpoint; detection: Detection }> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (err) {
    throw new FlowgpuError(`cannot read ${path}: ${(err as Error).message}`);
  }
  const checkpoint = stateDictOf(loadCheckpoint(bytes));
  return { checkpoint, detection: detect(checkpoint) };
}

/** The mel of a TTS model for the command line's text (shared by `tts` and `speak`). */
export async function ttsFromArgs(engine: Engine, modelPath: string, text: string | undefined, p: ParsedArgs): Promise<TtsOutput> {
  const ids = optIds(p);
  if (ids === undefined && (text === undefined || text.trim() === '')) {
    throw new FlowgpuError('the text is empty: give the sentence to speak (or token ids with --ids)');
  }
  const { checkpoint, detection } = await readModelFile(modelPath);
  const adapter = await loadAdapter(detection.model);
  const out = await adapter.synthesize(engine, checkpoint, ids ? { ids } : { text: text! }, p, detection);
  if (out.unknown && out.unknown.length > 0) {
    process.stderr.write(`flowgpu: warning: dropped symbols the ${detection.model} front end lacks: ${out.unknown.join(' ')}\n`);
  }
  return out;
}

export async function run(args: string[], engine?: Engine): Promise<void> {
  const p = parseArgs(args);
  if (p.options.has('help') || p.options.has('h')) {
    let help = USAGE;
    for (const kind of ['glowtts', 'flowtron', 'cset']) {
      try {
        const a = await loadAdapter(kind);
        if (a.options) help += `\n${kind} options:\n${a.options.replace(/^/gm, '  ')}\n`;
      } catch {
        help += `\n${kind}: not supported yet\n`;
      }
    }
    process.stdout.write(help);
    return;
  }
  const [modelPath, text, ...extra] = p.positional;
  if (!modelPath) throw new FlowgpuError(`tts: give a model file\n${USAGE}`);
  if (extra.length > 0) throw new FlowgpuError(`tts: unexpected arguments ${extra.map((a) => JSON.stringify(a)).join(' ')} (quote the text)`);
  const outPath = optString(p, 'output');
  if (!outPath) throw new FlowgpuError(`tts: give the output file with -o <mel.npy>\n${USAGE}`);
  const e = engine ?? (await (await import('../gpu/node-gpu.js')).createNodeEngine());
  try {
    const r = await ttsFromArgs(e, modelPath, text, p);
    await writeFile(outPath, writeNpy(r.mel, [r.nMel, r.frames]));
    const sr = r.sampleRate ?? 22050;
    process.stdout.write(`wrote ${outPath}: mel [${r.nMel}, ${r.frames}] (${((r.frames * 256) / sr).toFixed(2)} s at ${sr} Hz)\n`);
  } finally {
    if (!engine) e.destroy();
  }
}
