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
import { FlowgpuError } from './gpu/errors.js';
import { loadCheckpoint, stateDictOf } from './io/checkpoint.js';
import { detect, type Detection, type ModelKind } from './io/detect.js';
import type { Checkpoint } from './io/host-tensor.js';
import { readSource, type Progress, type WeightSource } from './io/source.js';
import { CSET, type ReferenceMel } from './models/cset.js';
import { Flowtron } from './models/flowtron.js';
import { GlowTTS } from './models/glowtts.js';
import { type GriffinLimConfig, loadGriffinLim } from './models/griffinlim.js';
import { HiFiGAN } from './models/hifigan.js';
import type { Vocoder, VocodeOptions } from './models/vocoder.js';
import { WaveGlow } from './models/waveglow.js';
import { melSpectrogram } from './ops/stft.js';
import { type TextIds, textToIds } from './text/index.js';
import { timingsFromAttention, timingsFromDurations, type WordTiming } from './timings.js';
import { demoVoiceBytes, demoVoiceUrl } from './voice.js';

export type { ModelKind, Detection } from './io/detect.js';
export type { Checkpoint, HostTensor } from './io/host-tensor.js';
export type { WeightSource, Progress } from './io/source.js';
export type { VocodeOptions } from './models/vocoder.js';
export type { WordTiming } from './timings.js';
export { readSource } from './io/source.js';
export { loadCheckpoint, withPrefix, detectFormat, toFloat32, stateDictOf } from './io/checkpoint.js';
export { detect } from './io/detect.js';
export { encodeWav, decodeWav, wavHeader, wavSamples, WAV_UNKNOWN_SIZE, type Wav, type WavFormat } from './io/wav.js';
export { readNpy, writeNpy, readMel, type NpyArray, type Mel } from './io/npy.js';
export { textToIds, symbolsOf, type FrontEnd, type TextIds, type TextOptions } from './text/index.js';
export { pca, type PcaResult } from './viz/pca.js';
export { demoVoiceUrl, DEMO_VOICE_FILE } from './voice.js';
export { interpolate as interpolateStyle, aggregateStyle } from './models/flowtron.js';

interface Common {
  /** What `detect` read from the checkpoint (config, which fields were assumed). */
  detection: Detection;
  /** Mel channels the model makes (TTS) or takes (vocoder). */
  nMel: number;
  /** Audio sample rate of those mels. */
  sampleRate: number;
  /** Frees the model's GPU memory. */
  release(): void;
}

export type LoadedWaveGlow = Common & { kind: 'waveglow'; model: WaveGlow };
export type LoadedHiFiGAN = Common & { kind: 'hifigan'; model: HiFiGAN };
export type LoadedGlowTTS = Common & { kind: 'glowtts'; model: GlowTTS };
export type LoadedFlowtron = Common & { kind: 'flowtron'; model: Flowtron };
export type LoadedCSET = Common & { kind: 'cset'; model: CSET };
/** Griffin-Lim: a vocoder with no weights (`griffinLimVocoder`), so no detection. */
export type LoadedGriffinLim = Omit<Common, 'detection'> & { kind: 'griffinlim'; model: Vocoder; detection: null };

/** A model loaded by `loadModel` (tagged by its detected kind), or Griffin-Lim. */
export type LoadedModel = LoadedWaveGlow | LoadedHiFiGAN | LoadedGlowTTS | LoadedFlowtron | LoadedCSET | LoadedGriffinLim;
export type LoadedVocoder = LoadedWaveGlow | LoadedHiFiGAN | LoadedGriffinLim;
export type LoadedTTS = LoadedGlowTTS | LoadedFlowtron | LoadedCSET;

export const TTS_KINDS: readonly ModelKind[] = ['glowtts', 'flowtron', 'cset'];
export const VOCODER_KINDS: readonly ModelKind[] = ['waveglow', 'hifigan'];

const NAMES: Record<ModelKind | 'griffinlim', string> = {
  waveglow: 'WaveGlow', hifigan: 'HiFi-GAN', glowtts: 'Glow-TTS', flowtron: 'Flowtron', cset: 'XSpkEmoTrans', griffinlim: 'Griffin-Lim',
};

/** A readable model name ('Glow-TTS', 'XSpkEmoTrans', ...). */
export function modelName(kind: ModelKind | 'griffinlim'): string {
  return NAMES[kind] ?? kind;
}

export function isVocoder(m: LoadedModel): m is LoadedVocoder {
  return m.kind === 'waveglow' || m.kind === 'hifigan' || m.kind === 'griffinlim';
}

export function isTTS(m: LoadedModel): m is LoadedTTS {
  return m.kind === 'glowtts' || m.kind === 'flowtron' || m.kind === 'cset';
}

export interface LoadOptions {
  /** Bytes read so far of the total (0 when unknown), while the file is read or downloaded. */
  onProgress?: Progress;
  /** A short description of each loading stage ('reading', 'parsing', 'uploading Glow-TTS'). */
  onStage?: (stage: string) => void;
  /** Only accept these kinds (e.g. VOCODER_KINDS): anything else is a clear error. */
  expect?: readonly ModelKind[];
}

function isCheckpoint(x: unknown): x is Checkpoint {
  return typeof x === 'object' && x !== null && (x as Checkpoint).tensors instanceof Map;
}

/**
 * Loads any supported checkpoint (safetensors, torch.save zip or legacy; `.pt`, `.pth`,
 * `.pth.tar`) from bytes, a Blob/File, a URL, a path (Node, Deno) or an already parsed
 * checkpoint, detects the model and uploads it.
 */
export async function loadModel(engine: Engine, source: WeightSource | Checkpoint, o: LoadOptions = {}): Promise<LoadedModel> {
  let ckpt: Checkpoint;
  if (isCheckpoint(source)) ckpt = source;
  else {
    o.onStage?.('reading');
    const bytes = await readSource(source, o.onProgress);
    o.onStage?.('parsing');
    ckpt = loadCheckpoint(bytes);
  }
  ckpt = stateDictOf(ckpt);
  const detection = detect(ckpt);
  const kind = detection.model;
  if (o.expect && !o.expect.includes(kind)) {
    throw new FlowgpuError(`this checkpoint holds a ${modelName(kind)} model; expected ${o.expect.map(modelName).join(' or ')}`);
  }
  o.onStage?.(`uploading ${modelName(kind)}`);
  const metaRate = Number(ckpt.metadata['sampling_rate'] ?? ckpt.metadata['sample_rate']);
  const rate = Number.isInteger(metaRate) && metaRate > 0 ? metaRate : 22050;
  switch (kind) {
    case 'waveglow': {
      const model = await WaveGlow.load(engine, ckpt);
      return { kind, model, detection, nMel: model.nMel, sampleRate: model.sampleRate, release: () => model.release() };
    }
    case 'hifigan': {
      const model = await HiFiGAN.load(engine, ckpt);
      return { kind, model, detection, nMel: model.nMel, sampleRate: rate, release: () => model.release() };
    }
    case 'glowtts': {
      const model = await GlowTTS.load(engine, ckpt);
      return { kind, model, detection, nMel: model.nMel, sampleRate: model.sampleRate, release: () => model.release() };
    }
    case 'flowtron': {
      const model = await Flowtron.load(engine, ckpt);
      return { kind, model, detection, nMel: model.config.nMel, sampleRate: rate, release: () => model.release() };
    }
    case 'cset': {
      const model = await CSET.load(engine, ckpt);
      return { kind, model, detection, nMel: model.config.nMel, sampleRate: rate, release: () => model.release() };
    }
    default:
      throw new FlowgpuError(`flowgpu cannot run ${String(kind)} models`);
  }
}

/** Griffin-Lim as a vocoder (no weights; Tacotron 2's mel by default, 32 iterations). */
export function griffinLimVocoder(engine: Engine, config: Partial<GriffinLimConfig> = {}): LoadedGriffinLim {
  const model = loadGriffinLim(engine, config);
  return { kind: 'griffinlim', model, detection: null, nMel: model.nMel, sampleRate: model.sampleRate, release: () => model.release() };
}

export interface DemoVoiceOptions {
  /** Where to fetch the voice from (default: weights/demo-voice.safetensors of the package; read from disk in Node and Deno). */
  url?: string | URL;
  /** Download progress (browsers). */
  onProgress?: Progress;
  /** Griffin-Lim iterations (default 32). */
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
  const tts = (await loadModel(engine, bytes, { expect: ['glowtts'] })) as LoadedGlowTTS;
  return { tts, vocoder: griffinLimVocoder(engine, o.iterations !== undefined ? { iterations: o.iterations } : {}) };
}

/** A map over text tokens × frames, row-major `[tokens, frames]`. */
export interface AttentionMap {
  data: Float32Array;
  tokens: number;
  frames: number;
  /** 'attention': soft weights (Flowtron); 'alignment': a 0/1 path (Glow-TTS; XSpkEmoTrans from its durations). */
  kind: 'attention' | 'alignment';
}

export interface SynthesizeOptions {
  /** Speaker id (Glow-TTS multi-speaker models, Flowtron; default 0). */
  speaker?: number;
  /** Seed of the sampled noise (Glow-TTS default 0, Flowtron default 1234). */
  seed?: number;
  /** Glow-TTS: scale of the prior noise (default 0.667). */
  noiseScale?: number;
  /** Glow-TTS: duration multiplier, > 1 speaks slower (default 1). */
  lengthScale?: number;
  /** Flowtron: standard deviation of the residual (default 0.5). */
  sigma?: number;
  /** Flowtron: stop at the first frame whose gate exceeds this (default 0.5; ≥ 1 or null: never). */
  gateThreshold?: number | null;
  /** Flowtron: most frames spoken (default 400, or the style's length). */
  maxFrames?: number;
  /** Flowtron: a style mean `[nMel, frames]` (`styleFromReferences`, `interpolateStyle`). */
  style?: Float32Array;
  /** Flowtron: attention softmax temperature (default 1). */
  temperature?: number;
  /** Flowtron: probability of reading a word from CMUdict (default 1). */
  pArpabet?: number;
  /** XSpkEmoTrans: the speaker's external (DeepSpeaker) embedding. Required. */
  speakerEmbedding?: Float32Array | number[];
  /** XSpkEmoTrans: hard emotion token id (default 0 when no reference is given). */
  emotion?: number;
  /** XSpkEmoTrans: soft emotion tokens from a reference log mel (`referenceFromAudio` for audio). */
  referenceMel?: ReferenceMel;
  /** Return the attention / alignment map (default true). */
  withAttention?: boolean;
  /** Flowtron: receives the mel's frames `[count, nMel]` (time-major) from frame `from` on, as the last flow makes them. */
  onFrames?: (rows: Float32Array, from: number) => Promise<void> | void;
}

export interface SynthesisOutput {
  /** Natural-log mel `[nMel, frames]`, row-major. */
  mel: Float32Array;
  nMel: number;
  frames: number;
  /** Sample rate the mel is for. */
  sampleRate: number;
  /** Token ids spoken. */
  ids: number[];
  /** Characters or phones the front end dropped (warn about them). */
  unknown: string[];
  attention?: AttentionMap;
  /** Frames per token (Glow-TTS, XSpkEmoTrans). */
  durations?: Int32Array;
  /** Flowtron: the frame the gate stopped at, or -1. */
  gateFrame?: number;
  /** XSpkEmoTrans: the emotion-token weights. */
  tokenScores?: Float32Array;
  /** When each word is spoken (text input only): from the durations, or Flowtron's attention (needs `withAttention`). */
  words?: WordTiming[];
}

/** Samples per mel frame of every supported TTS model's mel (Tacotron 2's STFT). */
const TTS_HOP = 256;

function frontEndIds(m: LoadedTTS, text: string, o: SynthesizeOptions): Promise<TextIds> {
  switch (m.kind) {
    case 'glowtts':
      return textToIds('glowtts', text, m.model.config.nVocab === 149 ? { addBlank: true } : {});
    case 'flowtron':
      return textToIds('flowtron', text, o.pArpabet !== undefined ? { pArpabet: o.pArpabet } : {});
    case 'cset':
      return textToIds('cset', text);
  }
}

function alignmentFromDurations(durations: Int32Array, frames: number): AttentionMap {
  const tokens = durations.length;
  const data = new Float32Array(tokens * frames);
  let t = 0;
  for (let i = 0; i < tokens; i++) for (let k = 0; k < durations[i]! && t < frames; k++, t++) data[i * frames + t] = 1;
  return { data, tokens, frames, kind: 'alignment' };
}

/** Text (or token ids) → log mel with any TTS model, each model's defaults where options are left out. */
export async function synthesize(tts: LoadedModel, input: string | ArrayLike<number>, o: SynthesizeOptions = {}): Promise<SynthesisOutput> {
  if (!isTTS(tts)) throw new FlowgpuError(`a ${modelName(tts.kind)} model is a vocoder, not a text-to-speech model: give it a mel (vocode)`);
  const { ids, unknown, words } = typeof input === 'string' ? await frontEndIds(tts, input, o) : { ids: Array.from(input), unknown: [], words: undefined };
  if (ids.length === 0) throw new FlowgpuError('nothing to say: the token ids are empty');
  const withAttention = o.withAttention ?? true;
  const base = { sampleRate: tts.sampleRate, ids, unknown };
  const secondsPerFrame = TTS_HOP / tts.sampleRate;
  switch (tts.kind) {
    case 'glowtts': {
      const r = await tts.model.synthesize(ids, {
        noiseScale: o.noiseScale ?? 0.667, lengthScale: o.lengthScale ?? 1, seed: o.seed ?? 0, speaker: o.speaker, withAttention,
      });
      const out: SynthesisOutput = { ...base, mel: r.mel, nMel: r.nMel, frames: r.frames, durations: r.durations };
      if (r.attn) out.attention = { data: r.attn, tokens: ids.length, frames: r.frames, kind: 'alignment' };
      if (words) out.words = timingsFromDurations(words, r.durations, r.frames, secondsPerFrame);
      return out;
    }
    case 'flowtron': {
      const c = tts.model.config;
      const speaker = o.speaker ?? 0;
      if (!Number.isInteger(speaker) || speaker < 0 || speaker >= c.nSpeakers) {
        throw new FlowgpuError(`speaker ${speaker} is out of range: this Flowtron model has ${c.nSpeakers} speaker${c.nSpeakers === 1 ? '' : 's'} (0–${c.nSpeakers - 1})`);
      }
      const gate = o.gateThreshold === undefined ? 0.5 : o.gateThreshold;
      const maxFrames = o.maxFrames ?? (o.style && o.style.length / c.nMel > 1 ? o.style.length / c.nMel : 400);
      const r = await tts.model.synthesize(ids, {
        speaker, sigma: o.sigma ?? 0.5, gateThreshold: gate === null || gate >= 1 ? null : gate, maxFrames,
        seed: o.seed ?? 1234, temperature: o.temperature ?? 1, style: o.style, onFrames: o.onFrames,
      });
      const e = tts.model.engine;
      try {
        const last = r.attention.at(-1);
        const [mel, attn] = withAttention && last ? ((await e.readMany([r.mel, last])) as Float32Array[]) : [await e.readF32(r.mel), undefined];
        const out: SynthesisOutput = { ...base, mel: mel!, nMel: c.nMel, frames: r.frames, gateFrame: r.gateFrame };
        if (attn) {
          // [frames, tokens] → [tokens, frames]
          const tx = ids.length;
          const data = new Float32Array(tx * r.frames);
          for (let f = 0; f < r.frames; f++) for (let j = 0; j < tx; j++) data[j * r.frames + f] = attn[f * tx + j]!;
          out.attention = { data, tokens: tx, frames: r.frames, kind: 'attention' };
          if (words) out.words = timingsFromAttention(words, out.attention, secondsPerFrame);
        }
        return out;
      } finally {
        r.mel.release();
        for (const a of r.attention) a.release();
      }
    }
    case 'cset': {
      const c = tts.model.config;
      if (!o.speakerEmbedding) {
        throw new FlowgpuError(`XSpkEmoTrans needs the speaker's external embedding (speakerEmbedding: ${c.speakerDim} values, a DeepSpeaker vector such as <speaker>-spker_embed.npy)`);
      }
      if (o.referenceMel && o.emotion !== undefined) {
        throw new FlowgpuError('XSpkEmoTrans: give either an emotion id or a reference mel, not both');
      }
      const r = await tts.model.synthesize(ids, o.referenceMel
        ? { speakerEmbedding: o.speakerEmbedding, referenceMel: o.referenceMel }
        : { speakerEmbedding: o.speakerEmbedding, emotion: o.emotion ?? 0 });
      const out: SynthesisOutput = {
        ...base, mel: r.mels.at(-1)!, nMel: r.nMel, frames: r.frames, durations: r.durations, tokenScores: r.tokenScores,
      };
      if (withAttention) out.attention = alignmentFromDurations(r.durations, r.frames);
      if (words) out.words = timingsFromDurations(words, r.durations, r.frames, secondsPerFrame);
      return out;
    }
  }
}

/** mel `[nMel, frames]` → audio with a WaveGlow or HiFi-GAN model (WaveGlow's sigma defaults to 0.666 here, the
 *  value the TTS demos use for speech; the goldens and `flowgpu vocode` use WaveGlow's 0.6). */
export async function vocode(vocoder: LoadedModel, mel: Float32Array, frames: number, o: VocodeOptions = {}): Promise<Float32Array> {
  if (!isVocoder(vocoder)) throw new FlowgpuError(`a ${modelName(vocoder.kind)} model is not a vocoder: use a WaveGlow or HiFi-GAN checkpoint (or Griffin-Lim)`);
  if (mel.length !== vocoder.nMel * frames) {
    const ch = frames > 0 ? mel.length / frames : 0;
    throw new FlowgpuError(`the mel has ${Number.isInteger(ch) ? ch : mel.length + ' values, not a whole number of'} channels, but this ${modelName(vocoder.kind)} vocoder takes ${vocoder.nMel} (mel [${vocoder.nMel}, ${frames}] expected)`);
  }
  if (vocoder.kind === 'waveglow') {
    return vocoder.model.infer(mel, frames, {
      sigma: o.sigma ?? 0.666, seed: o.seed ?? 0, denoise: o.denoise ?? 0, onProgress: o.onProgress,
      ...(o.noise ? { noise: o.noise } : {}),
      ...(o.chunkLength ? { chunkLength: o.chunkLength } : {}),
    });
  }
  if (vocoder.kind === 'griffinlim') return vocoder.model.infer(mel, frames, o.onProgress ? { onProgress: o.onProgress } : {});
  const audio = await vocoder.model.vocode(mel, frames);
  o.onProgress?.(1, 1);
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
export async function referenceFromAudio(engine: Engine, audio: Float32Array, sampleRate: number, nMel = 80): Promise<ReferenceMel> {
  if (sampleRate !== 22050) {
    throw new FlowgpuError(`the reference clip is ${sampleRate} Hz; the models' mels are for 22050 Hz: resample it first`);
  }
  if (audio.length < 1024) throw new FlowgpuError(`the reference clip is too short (${audio.length} samples; at least 1024)`);
  const mel = engine.tidy(() => melSpectrogram(engine, engine.upload(audio, [audio.length], 'reference.audio'), { sampleRate, nMels: nMel }));
  try {
    return { data: await engine.readF32(mel), frames: mel.dim(1), layout: 'channels' };
  } finally {
    mel.release();
  }
}

/** Mixes the channels of a decoded WAV to mono. */
export function toMono(channels: Float32Array[]): Float32Array {
  if (channels.length === 1) return channels[0]!;
  const n = channels[0]?.length ?? 0;
  const out = new Float32Array(n);
  for (const c of channels) for (let i = 0; i < n; i++) out[i]! += c[i]! / channels.length;
  return out;
}
