// The high-level API: one call to load any supported checkpoint (the model type is detected
// from its tensors), one to turn text into a mel with any TTS model, one to speak text through a
// TTS model and a vocoder. Universal: no Node built-ins (runs in browsers, Deno and Node).
//
//   const engine = await Engine.create();                       // navigator.gpu (Node: createNodeEngine())
//   const tts = await loadModel(engine, 'glowtts.safetensors'); // or a File, a URL, bytes
//   const voc = await loadModel(engine, 'hifigan.pth.tar');
//   const { audio, sampleRate } = await speak(tts, voc, 'Hello world.');
//   const wav = encodeWav(audio, sampleRate);

import type { Engine } from './gpu/engine.js';
import { assertFinite, FlowgpuError } from './gpu/errors.js';
import type { Precision } from './gpu/precision.js';
import { loadCheckpoint, stateDictOf } from './io/checkpoint.js';
import { type ConfigSource, detect, type Detection, type ModelKind } from './io/detect.js';
import type { Checkpoint } from './io/host-tensor.js';
import { readSource, type Progress, type WeightSource } from './io/source.js';
import { melFromAudio } from './models/audio.js';
import { CSET, type ReferenceMel } from './models/cset.js';
import { Flowtron } from './models/flowtron.js';
import { GlowTTS } from './models/glowtts.js';
import { type GriffinLimConfig, GriffinLim } from './models/griffinlim.js';
import { HiFiGAN } from './models/hifigan.js';
import type { AttentionMap, Synthesis, SynthesizeOptions, TtsKind } from './models/tts.js';
import type { TextIds } from './text/index.js';
import type { VocodeOptions, VocoderKind } from './models/vocoder.js';
import { WaveGlow } from './models/waveglow.js';
import type { ModelOptions } from './models/weights.js';
import { demoVoiceBytes, demoVoiceUrl } from './voice.js';

export type { Precision } from './gpu/precision.js';
export type { ModelKind, Detection, DetectOptions, Provenance, Config, ConfigSource } from './io/detect.js';
export type { Checkpoint, HostTensor } from './io/host-tensor.js';
export type { WeightSource, Progress } from './io/source.js';
export type { VocodeOptions, Vocoder, VocoderKind } from './models/vocoder.js';
export type { AttentionMap, Synthesis, SynthesizeOptions, TextToSpeech, TtsKind } from './models/tts.js';
export type { ReferenceMel } from './models/cset.js';
export { WAVEGLOW_SIGMA } from './models/waveglow.js';
export type { WordTiming } from './timings.js';
export { toMono, melFromAudio } from './models/audio.js';
export { readSource } from './io/source.js';
export { loadCheckpoint, withPrefix, detectFormat, toFloat32, stateDictOf } from './io/checkpoint.js';
export { detect } from './io/detect.js';
export { encodeWav, decodeWav, wavHeader, wavSamples, WAV_UNKNOWN_SIZE, type Wav, type WavFormat } from './io/wav.js';
export { readNpy, writeNpy, readMel, type NpyArray, type Mel } from './io/npy.js';
export { textToIds, symbolsOf, type FrontEnd, type TextIds, type TextOptions } from './text/index.js';
export { pca, type PcaResult } from './viz/pca.js';
export { demoVoiceUrl, DEMO_VOICE_FILE } from './voice.js';
export { interpolate as interpolateStyle, aggregateStyle } from './models/flowtron.js';

/** The model class of each kind. */
export interface ModelTypes {
  waveglow: WaveGlow;
  hifigan: HiFiGAN;
  glowtts: GlowTTS;
  flowtron: Flowtron;
  cset: CSET;
  griffinlim: GriffinLim;
}

/** A loaded model of kind K, tagged by `kind` (a union of tagged shapes when K is a union). */
export type Loaded<K extends keyof ModelTypes> = K extends keyof ModelTypes
  ? {
      kind: K;
      model: ModelTypes[K];
      /** What `detect` read from the checkpoint (Griffin-Lim has no weights: null). */
      detection: K extends 'griffinlim' ? null : Detection;
      /** Values the load had to assume (also given to `onWarning`). */
      warnings: string[];
      /** Mel channels the model makes (TTS) or takes (vocoder). */
      nMel: number;
      /** Audio sample rate of those mels. */
      sampleRate: number;
      /** Frees the model's GPU memory. */
      release(): void;
    }
  : never;

export type LoadedWaveGlow = Loaded<'waveglow'>;
export type LoadedHiFiGAN = Loaded<'hifigan'>;
export type LoadedGlowTTS = Loaded<'glowtts'>;
export type LoadedFlowtron = Loaded<'flowtron'>;
export type LoadedCSET = Loaded<'cset'>;
export type LoadedGriffinLim = Loaded<'griffinlim'>;
/** A model loaded by `loadModel` (tagged by its detected kind), or Griffin-Lim. */
export type LoadedModel = Loaded<keyof ModelTypes>;
export type LoadedVocoder = Loaded<VocoderKind>;
export type LoadedTTS = Loaded<TtsKind>;

export const TTS_KINDS: readonly TtsKind[] = ['glowtts', 'flowtron', 'cset'];
export const VOCODER_KINDS: readonly Exclude<VocoderKind, 'griffinlim'>[] = ['waveglow', 'hifigan'];

const NAMES: Record<keyof ModelTypes, string> = {
  waveglow: 'WaveGlow', hifigan: 'HiFi-GAN', glowtts: 'Glow-TTS', flowtron: 'Flowtron', cset: 'XSpkEmoTrans', griffinlim: 'Griffin-Lim',
};

/** A readable model name ('Glow-TTS', 'XSpkEmoTrans', ...). */
export function modelName(kind: keyof ModelTypes): string {
  return NAMES[kind] ?? kind;
}

export function isVocoder(m: LoadedModel): m is LoadedVocoder {
  return m.kind === 'waveglow' || m.kind === 'hifigan' || m.kind === 'griffinlim';
}

export function isTTS(m: LoadedModel): m is LoadedTTS {
  return (TTS_KINDS as readonly string[]).includes(m.kind);
}

export interface LoadOptions<K extends ModelKind = ModelKind> {
  /** Bytes read so far of the total (0 when unknown), while the file is read or downloaded. */
  onProgress?: Progress;
  /** A short description of each loading stage ('reading', 'parsing', 'uploading Glow-TTS'). */
  onStage?: (stage: string) => void;
  /** Only accept these kinds (e.g. TTS_KINDS): anything else is a clear error, and the result is typed by them. */
  expect?: readonly K[];
  /** The original's config file(s) for values the weights cannot show: JSON text or a parsed object
   *  (XSpkEmoTrans: [preprocess.yaml, model.yaml]). */
  config?: ConfigSource;
  /** The config's file name, for messages ('config.json'). */
  configName?: string;
  /** Said after "no config given" in the warning when there is none (e.g. "and no config.json beside g.pt"). */
  missingConfig?: string;
  /** Called with each value the load had to assume (also in the result's `warnings`). */
  onWarning?: (message: string) => void;
  /** 'f16' stores the GEMM weights (matmul, conv, WaveNet) as f16, accumulating in f32: half their
   *  memory and bandwidth, for errors README.md states per model. Needs the adapter's shader-f16
   *  (else a FlowgpuError says so). Default 'f32'. */
  precision?: Precision;
}

/** Each kind's loader: builds exactly what the detection says. */
const LOADERS: { [K in ModelKind]: (engine: Engine, ckpt: Checkpoint, detection: Detection, o: ModelOptions) => Promise<ModelTypes[K]> } = {
  waveglow: (e, c, d, o) => WaveGlow.load(e, c, d, o),
  hifigan: (e, c, d, o) => HiFiGAN.load(e, c, d, o),
  glowtts: (e, c, d, o) => GlowTTS.load(e, c, d, o),
  flowtron: (e, c, d, o) => Flowtron.load(e, c, d, o),
  cset: (e, c, d, o) => CSET.load(e, c, d, o),
};

function isCheckpoint(x: unknown): x is Checkpoint {
  return typeof x === 'object' && x !== null && (x as Checkpoint).tensors instanceof Map;
}

function loaded<K extends keyof ModelTypes>(kind: K, model: ModelTypes[K], detection: Detection | null, warnings: string[]): Loaded<K> {
  return { kind, model, detection, warnings, nMel: model.nMel, sampleRate: model.sampleRate, release: () => model.release() } as unknown as Loaded<K>;
}

/**
 * Loads any supported checkpoint (safetensors, torch.save zip or legacy; `.pt`, `.pth`,
 * `.pth.tar`) from bytes, a Blob/File, a URL, a path (Node, Deno) or an already parsed
 * checkpoint, detects the model (once) and uploads it.
 */
export async function loadModel<K extends ModelKind = ModelKind>(engine: Engine, source: WeightSource | Checkpoint, o: LoadOptions<K> = {}): Promise<Loaded<K>> {
  let ckpt: Checkpoint;
  if (isCheckpoint(source)) ckpt = source;
  else {
    o.onStage?.('reading');
    const bytes = await readSource(source, o.onProgress);
    o.onStage?.('parsing');
    ckpt = loadCheckpoint(bytes);
  }
  ckpt = stateDictOf(ckpt);
  const detection = detect(ckpt, { config: o.config, configName: o.configName, missingConfig: o.missingConfig });
  const kind = detection.model;
  if (o.expect && !(o.expect as readonly ModelKind[]).includes(kind)) {
    const names = o.expect.map(modelName);
    throw new FlowgpuError(`this checkpoint holds a ${modelName(kind)} model; expected ${names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1)}` : names[0]}`);
  }
  if (!Object.hasOwn(LOADERS, kind)) throw new FlowgpuError(`flowgpu cannot run ${String(kind)} models`);
  const warnings = detection.warnings;
  for (const w of warnings) o.onWarning?.(w);
  o.onStage?.(`uploading ${modelName(kind)}`);
  const model = await LOADERS[kind](engine, ckpt, detection, { precision: o.precision ?? 'f32' });
  return loaded(kind, model, detection, warnings) as Loaded<K>;
}

/** Griffin-Lim as a vocoder (no weights; Tacotron 2's mel by default, 16 iterations). */
export async function griffinLimVocoder(engine: Engine, config: Partial<GriffinLimConfig> = {}): Promise<LoadedGriffinLim> {
  return loaded('griffinlim', await GriffinLim.load(engine, config), null, []);
}

export interface DemoVoiceOptions {
  /** Where to fetch the voice from (default: weights/demo-voice.safetensors of the package; read from disk in Node and Deno). */
  url?: string | URL;
  /** Download progress (browsers). */
  onProgress?: Progress;
  /** Griffin-Lim iterations (default 16). */
  iterations?: number;
}

/**
 * The demo voice that ships in weights/ (a small Glow-TTS trained on espeak-ng's voice) and its
 * vocoder, Griffin-Lim: speech with no checkpoint to find.
 */
export async function loadDemoVoiceModels(engine: Engine, o: DemoVoiceOptions = {}): Promise<{ tts: LoadedGlowTTS; vocoder: LoadedGriffinLim }> {
  const g = globalThis as { Deno?: unknown; process?: { versions?: { node?: string } } };
  const onDisk = o.url === undefined && (g.Deno !== undefined || typeof g.process?.versions?.node === 'string');
  const bytes = onDisk ? await demoVoiceBytes() : await readSource(o.url ?? demoVoiceUrl(), o.onProgress);
  const tts = await loadModel(engine, bytes, { expect: ['glowtts'] });
  return { tts, vocoder: await griffinLimVocoder(engine, o.iterations !== undefined ? { iterations: o.iterations } : {}) };
}

/** What `synthesize` returns for any TTS model: its host mel and timing, plus the parts only some models have. */
export interface SynthesisOutput extends Synthesis {
  /** Flowtron: each flow's attention (`attention` is the last). */
  flows?: AttentionMap[];
  /** Flowtron: the frame the gate stopped at, or -1. */
  gateFrame?: number;
  /** XSpkEmoTrans: the emotion-token weights. */
  tokenScores?: Float32Array;
}

/** Text → token ids through the TTS model's own front end (what `synthesize` does to a string), so the next text
 *  can be prepared while the GPU synthesises this one; `synthesize` and `speak` take the ids. */
export function tokenize(tts: LoadedModel, text: string, o: SynthesizeOptions = {}): Promise<TextIds> {
  if (!isTTS(tts)) throw new FlowgpuError(`a ${modelName(tts.kind)} model has no text front end: give the text to a text-to-speech model`);
  return tts.model.textToIds(text, o);
}

/** Text (or token ids) → log mel with any TTS model, each model's defaults where options are left out; refuses a
 *  non-finite mel (NaN weights or inputs must not pass on silently). */
export async function synthesize(tts: LoadedModel, input: string | ArrayLike<number>, o: SynthesizeOptions = {}): Promise<SynthesisOutput> {
  if (!isTTS(tts)) throw new FlowgpuError(`a ${modelName(tts.kind)} model is a vocoder, not a text-to-speech model: give it a mel (vocode)`);
  const s = await tts.model.synthesize(input, o);
  assertFinite(s.mel, `the ${modelName(tts.kind)} mel`, 'the model\'s weights or inputs (a style, a reference, an embedding) hold NaN or are broken');
  return s;
}

/** mel `[nMel, frames]` → audio with any vocoder (its defaults where options are left out); refuses non-finite audio
 *  (NaN weights must not give a silent WAV). */
export async function vocode(vocoder: LoadedModel, mel: Float32Array, frames: number, o: VocodeOptions = {}): Promise<Float32Array> {
  if (!isVocoder(vocoder)) throw new FlowgpuError(`a ${modelName(vocoder.kind)} model is not a vocoder: use a WaveGlow or HiFi-GAN checkpoint (or Griffin-Lim)`);
  if (mel.length !== vocoder.nMel * frames) {
    const ch = frames > 0 ? mel.length / frames : 0;
    throw new FlowgpuError(`the mel has ${Number.isInteger(ch) ? ch : mel.length + ' values, not a whole number of'} channels, but this ${modelName(vocoder.kind)} vocoder takes ${vocoder.nMel} (mel [${vocoder.nMel}, ${frames}] expected)`);
  }
  return checkAudio(vocoder, await vocoder.model.infer(mel, frames, o));
}

/** Refuses non-finite audio (NaN weights must not give a silent WAV). */
export function checkAudio(vocoder: LoadedVocoder, audio: Float32Array): Float32Array {
  assertFinite(audio, `the ${modelName(vocoder.kind)} audio`, 'the vocoder\'s weights or the mel are broken (NaN weights give NaN audio)');
  return audio;
}

export interface SpeakOptions extends SynthesizeOptions {
  /** Options of the vocoder (WaveGlow's sigma, seed, denoiser). */
  vocoder?: VocodeOptions;
  /** Scale the audio to a peak of 0.95 (as the Glow-TTS demos do; default false). */
  normalize?: boolean;
}

export interface SpeakOutput extends SynthesisOutput {
  audio: Float32Array;
  /** The vocoder's sample rate (the audio's). */
  sampleRate: number;
}

/** Text → mel → audio. The vocoder must take the TTS model's number of mel channels. */
export async function speak(tts: LoadedModel, vocoder: LoadedModel, input: string | ArrayLike<number>, o: SpeakOptions = {}): Promise<SpeakOutput> {
  if (!isTTS(tts)) throw new FlowgpuError(`the first model of speak must be a text-to-speech model (Glow-TTS, Flowtron, XSpkEmoTrans), not ${modelName(tts.kind)}`);
  if (!isVocoder(vocoder)) throw new FlowgpuError(`the second model of speak must be a vocoder (WaveGlow, HiFi-GAN, Griffin-Lim), not ${modelName(vocoder.kind)}`);
  checkPair(tts, vocoder);
  const s = await synthesize(tts, input, o);
  const audio = await vocode(vocoder, s.mel, s.frames, o.vocoder);
  if (o.normalize) normalizePeak(audio);
  return { ...s, audio, sampleRate: vocoder.sampleRate };
}

/** Throws a clear FlowgpuError when the vocoder cannot take this TTS model's mels. */
export function checkPair(tts: LoadedModel, vocoder: LoadedModel): void {
  if (tts.nMel !== vocoder.nMel) {
    throw new FlowgpuError(
      `mel channel mismatch: the ${modelName(tts.kind)} model makes ${tts.nMel}-channel mels, but the ${modelName(vocoder.kind)} vocoder ` +
        `takes ${vocoder.nMel}: use a vocoder trained on the same mel spectrogram (${tts.nMel} channels)`,
    );
  }
}

/** Scales audio in place to a peak of `peak` (no-op on silence). */
export function normalizePeak(audio: Float32Array, peak = 0.95): Float32Array {
  let m = 0;
  for (const v of audio) m = Math.max(m, Math.abs(v));
  if (m > 0) for (let i = 0; i < audio.length; i++) audio[i]! *= peak / m;
  return audio;
}

/**
 * Tacotron 2's log mel `[nMel, frames]` of mono audio (1024/256/1024, 0–8 kHz), the front end
 * of every seed model, e.g. for an XSpkEmoTrans emotion reference or a Flowtron style clip.
 */
export function referenceFromAudio(engine: Engine, audio: Float32Array, sampleRate: number, nMel = 80): Promise<ReferenceMel> {
  return melFromAudio(engine, audio, { sampleRate, nMel, what: 'the reference clip' });
}
