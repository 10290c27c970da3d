// `flowgpu tts` / `speak` adapter for Glow-TTS checkpoints.

import type { Engine } from '../gpu/engine.js';
import type { Detection } from '../io/detect.js';
import type { Checkpoint } from '../io/host-tensor.js';
import { GlowTTS } from '../models/glowtts.js';
import { GLOWTTS_BLANK, textToIds } from '../text/index.js';
import { optNumber, type ParsedArgs, type TtsInput, type TtsOutput } from './tts-adapter.js';

export const options = [
  '--noise-scale S    prior noise scale (default 0.667)',
  '--length-scale L   duration multiplier, > 1 speaks slower (default 1)',
  '--seed N           seed of the prior noise (default 0)',
  '--speaker N        speaker id of a multi-speaker model (default 0)',
].join('\n');

/** Token ids for Glow-TTS: its english_cleaners + CMUdict front end (blanks interspersed for
 *  add_blank models, n_vocab = 149), or `--ids` as given. */
export async function glowttsIds(model: GlowTTS, input: TtsInput): Promise<{ ids: number[]; unknown: string[] }> {
  if (input.ids) return { ids: input.ids, unknown: [] };
  const addBlank = model.config.nVocab === GLOWTTS_BLANK + 1;
  const r = await textToIds('glowtts', input.text ?? '', addBlank ? { addBlank } : {});
  return { ids: r.ids, unknown: r.unknown };
}

export async function synthesize(engine: Engine, checkpoint: Checkpoint, input: TtsInput, args: ParsedArgs, _detection?: Detection): Promise<TtsOutput> {
  const model = await GlowTTS.load(engine, checkpoint);
  try {
    const { ids, unknown } = await glowttsIds(model, input);
    const r = await model.synthesize(ids, {
      noiseScale: optNumber(args, 'noise-scale', (v) => v >= 0, 'a number ≥ 0') ?? 0.667,
      lengthScale: optNumber(args, 'length-scale', (v) => v > 0, 'a number > 0') ?? 1,
      seed: optNumber(args, 'seed', (v) => Number.isInteger(v) && v >= 0, 'a non-negative integer') ?? 0,
      speaker: optNumber(args, 'speaker', (v) => Number.isInteger(v) && v >= 0, 'a non-negative integer'),
    });
    return { mel: r.mel, nMel: r.nMel, frames: r.frames, sampleRate: model.sampleRate, ids, unknown, durations: r.durations };
  } finally {
    model.release();
  }
}
