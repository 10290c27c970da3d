// Streaming speech: text → audio chunks as soon as each is ready, so playback starts long before
// the whole text is spoken. Long text is split into sentences, spoken one after another; each
// sentence's mel is vocoded in windows (models/windows.ts):
// - WaveGlow and HiFi-GAN windows read their receptive field on either side, so the chunks
//   joined equal one pass over the sentence's mel (WaveGlow draws the sentence's noise first);
// - Griffin-Lim windows recover their phase on their own with GL_CONTEXT frames of context and
//   are cross-faded: not one pass's samples, but the same spectrogram within the bound that
//   test/stream/griffinlim-stream.test.ts states.
//
//   for await (const c of speakStream(tts, vocoder, text, { signal })) play(c.audio, c.start / c.sampleRate);

import {
  checkAudio, checkPair, isTTS, isVocoder, type LoadedModel, type LoadedTTS, type LoadedVocoder, modelName, type SpeakOptions, synthesize,
  type SynthesisOutput,
} from './api.js';
import { FlowgpuError } from './gpu/errors.js';
import type { VocodeOptions } from './models/vocoder.js';
import { MelWindows, type WindowPlan } from './models/windows.js';
import { splitSentences } from './text/sentences.js';
import { shiftTimings, type WordTiming } from './timings.js';

export { splitSentences } from './text/sentences.js';
export { MelWindows, type WindowPlan } from './models/windows.js';
export { timingsFromAttention, timingsFromDurations, type WordTiming } from './timings.js';

/** Griffin-Lim windows: frames of context on either side, and the cross-fade between windows (samples = 2 hops). */
export const GL_CONTEXT = 8;

/** Mel frames of every vocoder window after the first sentence (the largest window). */
const LATER_WINDOW = 256;

export interface StreamOptions extends Omit<SpeakOptions, 'normalize'> {
  /** Stops the stream: the iteration rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Mel frames of the first vocoder window (default 32, ≈ 0.37 s); later windows double, up to 256 (later sentences: 256 from the start). */
  firstWindow?: number;
}

export interface AudioChunk {
  audio: Float32Array;
  sampleRate: number;
  /** Sample offset of the chunk's first sample in the whole stream (chunks are contiguous). */
  start: number;
  /** Once per sentence, on its first chunk made after its mel is complete (Glow-TTS, XSpkEmoTrans: its first chunk):
   *  when each of its words is spoken, in seconds from the start of the stream. */
  words?: WordTiming[];
  /** Index of the sentence the chunk belongs to. */
  sentence: number;
  /** With `words`: the sentence's mel frames (its mel is complete by then). */
  frames?: number;
  /** With `frames`: the characters or phones the front end dropped from the sentence (warn about them). */
  unknown?: string[];
}

/**
 * Text → audio chunks, each as soon as it is ready (see the file comment). The vocoder must take
 * the TTS model's mel; `normalize` does not apply (the peak is not known until the end).
 */
export async function* speakStream(tts: LoadedModel, vocoder: LoadedModel, text: string, o: StreamOptions = {}): AsyncGenerator<AudioChunk> {
  if (!isTTS(tts)) throw new FlowgpuError(`the first model of speakStream must be a text-to-speech model (Glow-TTS, Flowtron, XSpkEmoTrans), not ${modelName(tts.kind)}`);
  if (!isVocoder(vocoder)) throw new FlowgpuError(`the second model of speakStream must be a vocoder (WaveGlow, HiFi-GAN, Griffin-Lim), not ${modelName(vocoder.kind)}`);
  checkPair(tts, vocoder);
  const sentences = splitSentences(text);
  if (sentences.length === 0) throw new FlowgpuError('the text is empty: give the sentence to speak');
  const sampleRate = vocoder.sampleRate;
  let start = 0;
  let sentenceStart = 0;
  for (const [sentence, said] of sentences.entries()) {
    o.signal?.throwIfAborted();
    // Only the first sentence needs a short first window: later ones are made while earlier audio plays.
    const so = sentence === 0 ? o : { ...o, firstWindow: LATER_WINDOW };
    const s = tts.kind === 'flowtron' ? sentenceFromFrames(tts, vocoder, said, so) : sentenceFromMel(tts, vocoder, said, so);
    let described = false;
    for await (const audio of s.audio) {
      o.signal?.throwIfAborted();
      checkAudio(vocoder, audio);
      // The sentence's words, frames and dropped symbols go with the first chunk after its synthesis
      // has finished (Glow-TTS, XSpkEmoTrans: the first one).
      let about: Pick<AudioChunk, 'words' | 'frames' | 'unknown'> = {};
      if (!described && s.done()) {
        const out = await s.output;
        about = { ...(out.words ? { words: shiftTimings(out.words, sentenceStart / sampleRate) } : {}), frames: out.frames, unknown: out.unknown };
        described = true;
      }
      yield { audio, sampleRate, start, sentence, ...about };
      start += audio.length;
    }
    sentenceStart = start;
  }
}

interface SentenceStream {
  audio: AsyncGenerator<Float32Array>;
  output: Promise<SynthesisOutput>;
  done: () => boolean;
}

/** Glow-TTS, XSpkEmoTrans: the whole mel first (its alignment is fixed at once), then its windows. */
function sentenceFromMel(tts: LoadedTTS, vocoder: LoadedVocoder, text: string, o: StreamOptions): SentenceStream {
  let finished = false;
  const output = synthesize(tts, text, o).then((out) => {
    finished = true;
    return out;
  });
  async function* audio(): AsyncGenerator<Float32Array> {
    const s = await output;
    yield* vocodeStream(vocoder, s.mel, s.frames, o.vocoder, o.firstWindow);
  }
  return { audio: audio(), output, done: () => finished };
}

/** Flowtron: mel frames come out of the last flow in blocks; each vocoder window is rendered once its right context is there. */
function sentenceFromFrames(tts: LoadedTTS, vocoder: LoadedVocoder, text: string, o: StreamOptions): SentenceStream {
  const windows = new MelWindows(windowPlan(vocoder, o.vocoder, o.firstWindow));
  let finished = false;
  let wake = (): void => {};
  let arrived = new Promise<void>((ok) => (wake = ok));
  const output = synthesize(tts, text, {
    ...o,
    onFrames: (rows) => {
      windows.pushRows(rows);
      wake();
    },
  }).finally(() => {
    finished = true;
    wake();
  });
  async function* audio(): AsyncGenerator<Float32Array> {
    while (!finished) {
      await arrived;
      arrived = new Promise<void>((ok) => (wake = ok));
      if (finished) break;
      yield* windows.drain(false);
    }
    await output; // rethrows a failed synthesis
    yield* windows.drain(true);
  }
  return { audio: audio(), output, done: () => finished };
}

/**
 * A whole mel `[nMel, frames]` → its audio in windows (the first `firstWindow` frames long), each
 * yielded once read back. WaveGlow with the denoiser on runs in one piece (the denoiser's STFT
 * spans the utterance).
 */
export async function* vocodeStream(vocoder: LoadedVocoder, mel: Float32Array, frames: number, o: VocodeOptions = {}, firstWindow = 32): AsyncGenerator<Float32Array> {
  if (vocoder.kind === 'waveglow') {
    if (o.denoise && o.denoise > 0) {
      yield await vocoder.model.infer(mel, frames, o);
      return;
    }
    const hop = vocoder.model.config.upsampleStride;
    yield* vocoder.model.stream(mel, frames, { ...o, firstWindow: Math.ceil((firstWindow * hop) / vocoder.model.config.nGroup) });
    return;
  }
  const w = new MelWindows(windowPlan(vocoder, o, firstWindow));
  w.pushChannels(mel, frames);
  yield* w.drain(true);
}

/** How a vocoder runs on mel windows given one at a time (HiFi-GAN, Griffin-Lim; WaveGlow for mels that grow). */
export function windowPlan(vocoder: LoadedVocoder, o: VocodeOptions = {}, firstWindow = 32): WindowPlan {
  const base = { nMel: vocoder.nMel, firstWindow };
  switch (vocoder.kind) {
    case 'hifigan': {
      const m = vocoder.model;
      return { ...base, hop: m.hopLength, context: m.receptiveField(), samplesOf: (f) => f * m.hopLength, render: (mel, f) => m.infer(mel, f) };
    }
    case 'griffinlim': {
      const m = vocoder.model;
      return {
        ...base, hop: m.hopLength, context: GL_CONTEXT, seam: 'crossfade', fade: 2 * m.hopLength,
        samplesOf: (f) => Math.max(0, f - 1) * m.hopLength,
        render: (mel, f) => m.infer(mel, f, o),
      };
    }
    case 'waveglow': {
      // The utterance's length is not known yet, so its noise cannot be drawn first: each window
      // draws its own (seed + window index); the receptive field keeps the seams continuous.
      const m = vocoder.model;
      const c = m.config;
      const context = Math.ceil((m.overlap * c.nGroup) / c.upsampleStride) + Math.ceil(c.upsampleKernel / c.upsampleStride);
      return {
        ...base, hop: c.upsampleStride, context, samplesOf: (f) => f * c.upsampleStride,
        render: (mel, f, i) => m.infer(mel, f, { ...o, seed: (o.seed ?? 0) + i }),
      };
    }
  }
}
