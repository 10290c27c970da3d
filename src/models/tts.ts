// What every text-to-speech model (Glow-TTS, Flowtron, XSpkEmoTrans) implements: text or token
// ids → a host log mel plus its timing (frames per token, or Flowtron's attention). The API, the
// CLI and streaming call this one method; each option applies to the models that name it.

import type { TextIds } from '../text/index.js';
import { timingsFromAttention, timingsFromDurations, type WordTiming } from '../timings.js';
import type { ReferenceMel } from './cset.js';

/** A map over text tokens × frames, row-major `[tokens, frames]`. */
export interface AttentionMap {
  data: Float32Array;
  tokens: number;
  frames: number;
  /** 'attention': soft weights (Flowtron's last flow); 'alignment': a 0/1 path (Glow-TTS; XSpkEmoTrans from its durations). */
  kind: 'attention' | 'alignment';
}

/** Every model's options; each model reads the ones it documents and ignores the rest. */
export interface SynthesizeOptions {
  /** Speaker id (multi-speaker Glow-TTS, Flowtron; default 0). */
  speaker?: number;
  /** Seed of the sampled noise (Glow-TTS default 0, Flowtron default 1234). */
  seed?: number;
  /** Glow-TTS: scale of the prior noise (default 0.667). */
  noiseScale?: number;
  /** Glow-TTS: duration multiplier, > 1 speaks slower (default 1). */
  lengthScale?: number;
  /** Flowtron: standard deviation of the residual (default 0.5; 0: deterministic). */
  sigma?: number;
  /** Flowtron: stop at the first frame whose gate exceeds this (default 0.5; ≥ 1 or null: never). */
  gateThreshold?: number | null;
  /** Flowtron: most frames spoken (default 400, or the style's length). */
  maxFrames?: number;
  /** Flowtron: a style mean `[nMel, frames]` (`styleFromReferences`, `interpolateStyle`). */
  style?: Float32Array;
  /** Flowtron: attention softmax temperature (default 1). */
  temperature?: number;
  /** Flowtron: probability of reading a word from CMUdict (default: the config's data_config p_arpabet, else 1). */
  pArpabet?: number;
  /** XSpkEmoTrans: the speaker's external (DeepSpeaker) embedding. Required. */
  speakerEmbedding?: Float32Array | number[];
  /** XSpkEmoTrans: hard emotion token id. Give this or `referenceMel`. */
  emotion?: number;
  /** XSpkEmoTrans: soft emotion tokens from a reference log mel (`melFromAudio` for audio). */
  referenceMel?: ReferenceMel;
  /**
   * Flowtron: receives the mel's frames as the last flow makes them: `rows` `[count, nMel]`
   * (time-major) from frame `from` on, in order (what streaming vocodes before the gate stops).
   */
  onFrames?: (rows: Float32Array, from: number) => Promise<void> | void;
}

/** A model's mel for one utterance, on the host. */
export interface Synthesis {
  /** Natural-log mel `[nMel, frames]`, row-major. */
  mel: Float32Array;
  nMel: number;
  frames: number;
  /** Audio sample rate the mel is for. */
  sampleRate: number;
  /** Token ids spoken. */
  ids: number[];
  /** Characters or phones the front end dropped (warn about them). */
  unknown: string[];
  /** Frames per token, summing to `frames` (Glow-TTS, XSpkEmoTrans). */
  durations?: Int32Array;
  /** Which token each frame speaks: Flowtron's last flow's attention; the 0/1 alignment of the others. */
  attention: AttentionMap;
  /** When each word is spoken, in seconds from the mel's start (text input only). */
  words?: WordTiming[];
}

export type TtsKind = 'glowtts' | 'flowtron' | 'cset';

export interface TextToSpeech {
  readonly kind: TtsKind;
  readonly nMel: number;
  readonly sampleRate: number;
  /** Audio samples per mel frame. */
  readonly hopLength: number;
  /** The model's own text front end (what `synthesize` does to a string; Flowtron reads `pArpabet`), so a
   *  caller can turn the next text into ids while the GPU synthesises this one. */
  textToIds(text: string, opts?: SynthesizeOptions): Promise<TextIds>;
  synthesize(input: string | ArrayLike<number>, opts?: SynthesizeOptions): Promise<Synthesis>;
  release(): void;
}

/** Token ids of `input`: text through the model's front end, or ids as given. */
export async function tokensOf(input: string | ArrayLike<number>, frontEnd: (text: string) => Promise<TextIds>): Promise<TextIds> {
  return typeof input === 'string' ? frontEnd(input) : { ids: Array.from(input), unknown: [] };
}

/** The 0/1 alignment `[tokens, frames]` of per-token durations. */
export function alignmentFromDurations(durations: Int32Array, frames: number): AttentionMap {
  const tokens = durations.length;
  const data = new Float32Array(tokens * frames);
  let t = 0;
  for (let i = 0; i < tokens; i++) for (let k = 0; k < durations[i]! && t < frames; k++, t++) data[i * frames + t] = 1;
  return { data, tokens, frames, kind: 'alignment' };
}

/** `s` with its word timings (text input only): exact from the durations, else read from the attention. */
export function timeWords<S extends Synthesis>(s: S, text: TextIds, hopLength: number): S {
  if (!text.words) return s;
  const secondsPerFrame = hopLength / s.sampleRate;
  s.words = s.durations
    ? timingsFromDurations(text.words, s.durations, s.frames, secondsPerFrame)
    : timingsFromAttention(text.words, s.attention, secondsPerFrame);
  return s;
}
