// The text-to-speech and vocoder options the commands that speak share, each stated once with its
// range and the models it applies to, their translation into the API's options (reading the
// .npy / .wav files some of them name), and loading a TTS model with its vocoder.

import { checkPair, griffinLimVocoder, type LoadedTTS, type LoadedVocoder, modelName, type ModelTypes, TTS_KINDS, VOCODER_KINDS } from '../api.js';
import { FlowgpuError } from '../gpu/errors.js';
import { readNpy } from '../io/npy.js';
import { decodeWav } from '../io/wav.js';
import { melFromAudio, toMono } from '../models/audio.js';
import type { ReferenceMel } from '../models/cset.js';
import { interpolate } from '../models/flowtron.js';
import type { SynthesizeOptions, TtsKind } from '../models/tts.js';
import type { VocodeOptions, VocoderKind } from '../models/vocoder.js';
import type { Context, OptionSpec, OptionSpecs, Values } from './args.js';
import { readBytes } from './files.js';

type TtsOption = OptionSpec & { models: readonly TtsKind[] };

/** Seeds are 32-bit. */
const SEED_MAX = 2 ** 32 - 1;
/** Most frames a Flowtron utterance or style may have (≈ 116 s at 22050 Hz, hop 256). */
export const MAX_FRAMES = 10_000;

export const TTS_OPTIONS = {
  ids: { kind: 'ids', help: 'token ids to speak instead of text', models: ['glowtts', 'flowtron', 'cset'] },
  speaker: { kind: 'number', min: 0, max: 65535, integer: true, help: 'speaker id of a multi-speaker model (default 0)', models: ['glowtts', 'flowtron'] },
  seed: { kind: 'number', min: 0, max: SEED_MAX, integer: true, help: 'seed of the sampled noise (Glow-TTS default 0, Flowtron 1234)', models: ['glowtts', 'flowtron'] },
  'noise-scale': { kind: 'number', min: 0, max: 10, help: 'Glow-TTS: prior noise scale (default 0.667)', models: ['glowtts'] },
  'length-scale': { kind: 'number', min: 0, above: true, max: 10, help: 'Glow-TTS: duration multiplier, > 1 speaks slower (default 1)', models: ['glowtts'] },
  sigma: { kind: 'number', min: 0, max: 10, help: 'Flowtron: standard deviation of the residual (default 0.5; 0: deterministic)', models: ['flowtron'] },
  gate: { kind: 'number', min: 0, max: 1, help: 'Flowtron: stop at the first frame with sigmoid(gate) > G (default 0.5; 1 never stops)', models: ['flowtron'] },
  'max-frames': { kind: 'number', min: 1, max: MAX_FRAMES, integer: true, help: 'Flowtron: most frames spoken (default 400, or the style\'s length)', models: ['flowtron'] },
  temperature: { kind: 'number', min: 0, above: true, max: 100, help: 'Flowtron: attention softmax temperature (default 1)', models: ['flowtron'] },
  'p-arpabet': { kind: 'number', min: 0, max: 1, help: 'Flowtron: probability of reading a word from CMUdict (default: the config\'s data_config p_arpabet, else 1)', models: ['flowtron'] },
  style: { kind: 'string', arg: 'FILE', help: 'Flowtron: sample the residual around a style mean .npy from `flowgpu style`', models: ['flowtron'] },
  'style-b': { kind: 'string', arg: 'FILE', help: 'Flowtron: a second style; the residual is sampled around (1 − t)·style + t·B', models: ['flowtron'] },
  'style-t': { kind: 'number', min: 0, max: 1, help: 'Flowtron: interpolation weight t for --style-b (default 0.5)', models: ['flowtron'] },
  'speaker-embedding': { kind: 'string', arg: 'FILE', help: 'XSpkEmoTrans: the speaker\'s external embedding, a .npy (DeepSpeaker: 512 values)', models: ['cset'] },
  emotion: { kind: 'number', min: 0, max: 65535, integer: true, help: 'XSpkEmoTrans: hard emotion token id (RAVDESS: fearful 0, neutral 1, calm 2, happy 3, sad 4, disgust 5, surprised 6, angry 7)', models: ['cset'] },
  reference: { kind: 'string', arg: 'FILE', help: 'XSpkEmoTrans: soft emotion tokens from a reference .wav (22050 Hz) or log-mel .npy [n_mel, frames]', models: ['cset'] },
} as const satisfies Record<string, TtsOption>;

type TtsOpts = Context<typeof TTS_OPTIONS>['opts'];
/** Where an engine comes from when a file needs the GPU (a .wav reference's mel). */
type EngineSource = Pick<Context<OptionSpecs>, 'engine'>;

/** A float32 .npy, or an error naming the file. */
export function readNpyFile(path: string, what: string): { data: Float32Array; shape: number[] } {
  const bytes = readBytes(path, what);
  try {
    return readNpy(bytes);
  } catch (err) {
    if (err instanceof FlowgpuError) throw new FlowgpuError(`${what} ${path}: ${err.message}`);
    throw err;
  }
}

/** A style mean `[nMel, frames]` from `flowgpu style`. */
function readStyle(path: string, nMel: number): Float32Array {
  const { data, shape } = readNpyFile(path, 'the style');
  if (shape.length !== 2 || shape[0] !== nMel || shape[1]! > MAX_FRAMES) {
    throw new FlowgpuError(`the style ${path} must be [${nMel}, frames ≤ ${MAX_FRAMES}] (from flowgpu style), got [${shape.join(', ')}]`);
  }
  return data;
}

/**
 * A reference log mel: a .wav through Tacotron 2's mel front end, or a .npy `[n_mel, frames]`
 * (or `[1, n_mel, frames]`; a `[frames, n_mel]` array is recognised by its size).
 */
export async function readReferenceMel(ctx: EngineSource, path: string, nMel: number, sampleRate: number, what = 'the reference'): Promise<ReferenceMel> {
  const bytes = readBytes(path, what);
  if (bytes.length >= 12 && String.fromCharCode(...bytes.subarray(0, 4)) === 'RIFF') {
    let wav: ReturnType<typeof decodeWav>;
    try {
      wav = decodeWav(bytes);
    } catch (err) {
      throw new FlowgpuError(`${what} ${path}: ${(err as Error).message}`);
    }
    return melFromAudio(await ctx.engine(), toMono(wav.channels), { sampleRate: wav.sampleRate, modelRate: sampleRate, nMel, what: `${what} ${path}` });
  }
  const a = readNpyFile(path, what);
  const shape = a.shape.length === 3 && a.shape[0] === 1 ? a.shape.slice(1) : a.shape;
  if (shape.length !== 2) throw new FlowgpuError(`${what} mel ${path} has shape [${a.shape.join(', ')}]; expected [${nMel}, frames]`);
  const [c, t] = shape as [number, number];
  if (c === nMel) return { data: a.data, frames: t, layout: 'channels' };
  if (t === nMel) return { data: a.data, frames: c, layout: 'frames' };
  throw new FlowgpuError(`${what} mel ${path} has ${c} channels (shape [${a.shape.join(', ')}]), but this model expects ${nMel} mel channels`);
}

/** The API options for the command line's TTS options; an option the loaded model does not take is an error. */
export async function synthesizeOptions(ctx: EngineSource, opts: TtsOpts, tts: LoadedTTS): Promise<SynthesizeOptions> {
  checkApplies(opts, TTS_OPTIONS, tts.kind);
  const o: SynthesizeOptions = {
    speaker: opts.speaker, seed: opts.seed, noiseScale: opts['noise-scale'], lengthScale: opts['length-scale'], sigma: opts.sigma,
    gateThreshold: opts.gate, maxFrames: opts['max-frames'], temperature: opts.temperature, pArpabet: opts['p-arpabet'], emotion: opts.emotion,
  };
  if (opts.style) {
    o.style = readStyle(opts.style, tts.nMel);
    if (opts['style-b']) {
      const b = readStyle(opts['style-b'], tts.nMel);
      if (b.length !== o.style.length) throw new FlowgpuError(`--style and --style-b differ in frames (${o.style.length / tts.nMel} vs ${b.length / tts.nMel}); make both with the same --n-frames`);
      o.style = interpolate(o.style, b, opts['style-t'] ?? 0.5);
    }
  } else if (opts['style-b'] || opts['style-t'] !== undefined) {
    throw new FlowgpuError('--style-b and --style-t need --style (the style to interpolate from)');
  }
  if (opts['speaker-embedding']) o.speakerEmbedding = readNpyFile(opts['speaker-embedding'], 'the speaker embedding').data;
  if (opts.reference) o.referenceMel = await readReferenceMel(ctx, opts.reference, tts.nMel, tts.sampleRate);
  for (const k of Object.keys(o) as (keyof SynthesizeOptions)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/** Warns about the characters or phones the TTS front end dropped from the text (it speaks the rest). */
export function warnUnknown(ctx: Pick<Context<OptionSpecs>, 'warn'>, kind: string, unknown: readonly string[]): void {
  if (unknown.length > 0) ctx.warn(`dropped symbols the ${kind} front end lacks: ${unknown.join(' ')}`);
}

/** The TTS model's input: `--ids`, else the text (which must say something). */
export function ttsInput(text: string | undefined, ids: number[] | undefined): string | number[] {
  if (ids) return ids;
  if (text === undefined || text.trim() === '') throw new FlowgpuError('the text is empty: give the sentence to speak (or token ids with --ids)');
  return text;
}

/** The vocoder options `vocode` and `speak` share, with the vocoders each applies to. */
export const VOCODE_OPTIONS = {
  sigma: { kind: 'number', min: 0, max: 10, help: 'WaveGlow: latent noise scale (default 0.666; 0 is deterministic)', models: ['waveglow'] },
  seed: { kind: 'number', min: 0, max: SEED_MAX, integer: true, help: 'seed of the vocoder\'s noise (default 0)', models: ['waveglow', 'griffinlim'] },
  denoise: { kind: 'number', min: 0, max: 1, help: 'WaveGlow: denoiser strength (default 0: off; 0.1 removes WaveGlow\'s hiss)', models: ['waveglow'] },
  chunk: { kind: 'number', min: 1, max: 1e7, integer: true, help: 'WaveGlow: time-window length in group steps (default: the largest the GPU allows)', models: ['waveglow'] },
  iterations: { kind: 'number', min: 1, max: 1000, integer: true, help: 'Griffin-Lim: phase-recovery iterations (default 16)', models: ['griffinlim'] },
} as const satisfies Record<string, OptionSpec & { models: readonly VocoderKind[] }>;

/** Refuses options the loaded model does not take (`table` says which models each applies to). */
export function checkApplies(opts: Record<string, unknown>, table: Record<string, { models: readonly string[] }>, kind: keyof ModelTypes): void {
  for (const [name, spec] of Object.entries(table)) {
    if (opts[name] !== undefined && opts[name] !== false && !spec.models.includes(kind)) {
      throw new FlowgpuError(`--${name} does not apply to ${modelName(kind)} (it is for ${spec.models.map((m) => modelName(m as keyof ModelTypes)).join(', ')})`);
    }
  }
}

/** The vocoder options of commands that also take the TTS options (there `--sigma` and `--seed` are the TTS model's). */
export const SPEAK_VOCODE_OPTIONS = {
  'vocoder-sigma': VOCODE_OPTIONS.sigma,
  'vocoder-seed': VOCODE_OPTIONS.seed,
  denoise: VOCODE_OPTIONS.denoise,
  iterations: VOCODE_OPTIONS.iterations,
};

type SpeakVocodeOpts = Values<typeof SPEAK_VOCODE_OPTIONS>;

/** The API's vocoder options for SPEAK_VOCODE_OPTIONS. */
export function speakVocodeOptions(opts: SpeakVocodeOpts): VocodeOptions {
  return { sigma: opts['vocoder-sigma'], seed: opts['vocoder-seed'], denoise: opts.denoise, iterations: opts.iterations };
}

/** A command's TTS model and vocoder ('griffinlim' for Griffin-Lim), released when the command ends; refuses a pair
 *  that cannot work together and vocoder options the vocoder does not take, before any synthesis. */
export async function loadVoice(
  ctx: Pick<Context<OptionSpecs>, 'load' | 'engine' | 'defer' | 'warn'>, ttsPath: string, vocoderPath: string, opts: SpeakVocodeOpts,
): Promise<{ tts: LoadedTTS; vocoder: LoadedVocoder }> {
  const tts = await ctx.load(ttsPath, TTS_KINDS);
  let vocoder: LoadedVocoder;
  if (vocoderPath === 'griffinlim') {
    const gl = await griffinLimVocoder(await ctx.engine());
    ctx.defer(() => gl.release());
    vocoder = gl;
  } else vocoder = await ctx.load(vocoderPath, VOCODER_KINDS);
  checkApplies(opts, SPEAK_VOCODE_OPTIONS, vocoder.kind);
  checkPair(tts, vocoder);
  if (vocoder.sampleRate !== tts.sampleRate) {
    ctx.warn(`the TTS model is for ${tts.sampleRate} Hz audio, the vocoder for ${vocoder.sampleRate} Hz; writing ${vocoder.sampleRate} Hz`);
  }
  return { tts, vocoder };
}
