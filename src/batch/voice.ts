// The one place batch work meets the application layer (src/api.ts): load a TTS model and a
// vocoder once, then turn list items into audio. Split in two steps, the text front end
// (`prepare`) and synthesis + vocoding (`say`), so a runner can prepare the next line while
// the GPU works on this one.

import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import {
  checkPair, griffinLimVocoder, isTTS, isVocoder, loadDemoVoiceModels, loadModel, modelName, normalizePeak, synthesize, vocode,
  type LoadedTTS, type LoadedVocoder, type SpeakOptions,
} from '../api.js';
import type { Engine } from '../gpu/engine.js';
import { FlowgpuError } from '../gpu/errors.js';
import { readNpy } from '../io/npy.js';
import { textToIds } from '../text/index.js';
import type { LineOptions } from './list.js';

export interface VoiceSpec {
  /** TTS checkpoint (Glow-TTS, Flowtron, XSpkEmoTrans); default: the demo voice. */
  tts?: string;
  /** Vocoder checkpoint (WaveGlow, HiFi-GAN) or 'griffinlim' (the default). */
  vocoder?: string;
  /** Griffin-Lim iterations (default 32). */
  iterations?: number;
  /** Scale each file to a peak of 0.95. */
  normalize?: boolean;
  /** XSpkEmoTrans: the speaker's external embedding (.npy). */
  speakerEmbedding?: string;
}

/** A line's token ids, ready for synthesis. */
export interface Prepared {
  ids: number[];
  /** Characters or phones the front end dropped. */
  unknown: string[];
}

export interface Said {
  audio: Float32Array;
  sampleRate: number;
}

export interface Voice {
  /** 'Glow-TTS + Griffin-Lim', for the manifest. */
  readonly model: string;
  readonly sampleRate: number;
  prepare(text: string): Promise<Prepared>;
  say(p: Prepared, o: LineOptions, baseDir: string): Promise<Said>;
  release(): void;
}

async function readBytes(path: string, what: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (err) {
    throw new FlowgpuError(`cannot read the ${what} ${path}: ${(err as Error).message}`);
  }
}

/** Loads the models of a voice once, on `engine`. */
export async function openVoice(engine: Engine, spec: VoiceSpec = {}): Promise<Voice> {
  const glIterations = spec.iterations !== undefined ? { iterations: spec.iterations } : {};
  let tts: LoadedTTS;
  let vocoder: LoadedVocoder;
  if (spec.tts === undefined && (spec.vocoder ?? 'griffinlim') === 'griffinlim') {
    ({ tts, vocoder } = await loadDemoVoiceModels(engine, glIterations));
  } else {
    const t = spec.tts === undefined ? (await loadDemoVoiceModels(engine, glIterations)).tts : await loadModel(engine, spec.tts);
    if (!isTTS(t)) {
      t.release();
      throw new FlowgpuError(`${spec.tts} holds a ${modelName(t.kind)} model; the voice must be a TTS model (Glow-TTS, Flowtron, XSpkEmoTrans)`);
    }
    tts = t;
    const v = spec.vocoder === undefined || spec.vocoder === 'griffinlim' ? griffinLimVocoder(engine, glIterations) : await loadModel(engine, spec.vocoder);
    if (!isVocoder(v)) {
      tts.release();
      v.release();
      throw new FlowgpuError(`${spec.vocoder} holds a ${modelName(v.kind)} model; --vocoder must be a WaveGlow or HiFi-GAN checkpoint, or griffinlim`);
    }
    vocoder = v;
  }
  try {
    checkPair(tts, vocoder);
  } catch (err) {
    tts.release();
    vocoder.release();
    throw err;
  }
  const embedding = spec.speakerEmbedding ? readNpy(await readBytes(spec.speakerEmbedding, 'speaker embedding')).data : undefined;
  const styles = new Map<string, Float32Array>();
  const styleOf = async (path: string, baseDir: string): Promise<Float32Array> => {
    const full = isAbsolute(path) ? path : join(baseDir, path);
    let s = styles.get(full);
    if (!s) {
      const npy = readNpy(await readBytes(full, 'style'));
      s = npy.data instanceof Float32Array ? npy.data : Float32Array.from(npy.data as ArrayLike<number>);
      styles.set(full, s);
    }
    return s;
  };
  return {
    model: `${modelName(tts.kind)} + ${modelName(vocoder.kind)}`,
    sampleRate: vocoder.sampleRate,
    async prepare(text) {
      // The same front end `synthesize` picks for each model.
      const r = tts.kind === 'glowtts' ? await textToIds('glowtts', text, tts.model.config.nVocab === 149 ? { addBlank: true } : {}) : await textToIds(tts.kind, text);
      return { ids: r.ids, unknown: r.unknown };
    },
    async say(p, o, baseDir) {
      const so: SpeakOptions = { withAttention: false };
      if (o.speaker !== undefined) so.speaker = o.speaker;
      if (o.emotion !== undefined) so.emotion = o.emotion;
      if (o.sigma !== undefined) so.sigma = o.sigma;
      if (o.seed !== undefined) so.seed = o.seed;
      if (o.noiseScale !== undefined) so.noiseScale = o.noiseScale;
      if (o.lengthScale !== undefined) so.lengthScale = o.lengthScale;
      if (o.temperature !== undefined) so.temperature = o.temperature;
      if (o.style !== undefined) so.style = await styleOf(o.style, baseDir);
      if (embedding) so.speakerEmbedding = embedding;
      const s = await synthesize(tts, p.ids, so);
      const audio = await vocode(vocoder, s.mel, s.frames);
      if (spec.normalize) normalizePeak(audio);
      return { audio, sampleRate: vocoder.sampleRate };
    },
    release() {
      tts.release();
      vocoder.release();
    },
  };
}
