// A batch's voice: a TTS model and a vocoder loaded once through the API (src/api.ts), each line
// spoken with the API's `speak`. The text front end (`tokenize`) is a step of its own so that a
// runner can prepare the next line while the GPU speaks this one.

import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { loadDemoVoiceModels, modelName, speak, tokenize, type LoadedTTS, type LoadedVocoder, type SpeakOptions } from '../api.js';
import type { Engine } from '../gpu/engine.js';
import { FlowgpuError } from '../gpu/errors.js';
import { readNpy } from '../io/npy.js';
import { timeWords } from '../models/tts.js';
import type { TextIds } from '../text/index.js';
import type { WordTiming } from '../timings.js';
import type { ListItem } from './list.js';

/** The models every line is spoken with (`loadModel`, `griffinLimVocoder`, `loadDemoVoiceModels`). */
export interface Voice {
  tts: LoadedTTS;
  vocoder: LoadedVocoder;
}

/** 'Glow-TTS + Griffin-Lim', for the manifest. */
export function voiceName(v: Voice): string {
  return `${modelName(v.tts.kind)} + ${modelName(v.vocoder.kind)}`;
}

/** A voice, or what loads it when the first line is left to do (the caller frees what it loads). */
export type VoiceSource = Voice | (() => Promise<Voice>);

/** The voice given (loaded now if given as a function), else the demo voice and Griffin-Lim on `engine`
 *  (else on a Node engine made here); `close` frees only what was made here. */
export async function openVoice(o: { voice?: VoiceSource | undefined; engine?: Engine | undefined }): Promise<{ voice: Voice; close(): void }> {
  if (o.voice) return { voice: typeof o.voice === 'function' ? await o.voice() : o.voice, close: () => undefined };
  const engine = o.engine ?? (await (await import('../gpu/node-gpu.js')).createNodeEngine());
  try {
    const voice = await loadDemoVoiceModels(engine);
    return {
      voice,
      close() {
        voice.tts.release();
        voice.vocoder.release();
        if (!o.engine) engine.destroy();
      },
    };
  } catch (err) {
    if (!o.engine) engine.destroy();
    throw err;
  }
}

export interface Spoken {
  audio: Float32Array;
  words: WordTiming[];
}

/** Speaks list items with one voice: the run's `speak` options, a line's own fields over them. */
export class LineSpeaker {
  /** Style .npy files by absolute path: a list usually names a few styles many times. */
  private readonly styles = new Map<string, Float32Array>();

  constructor(
    readonly voice: Voice,
    private readonly options: SpeakOptions = {},
    /** Folder that relative style paths are read from. */
    private readonly baseDir = process.cwd(),
  ) {}

  /** The item's token ids (the model's front end; no GPU work). */
  prepare(item: ListItem): Promise<TextIds> {
    return tokenize(this.voice.tts, item.text, this.options);
  }

  /** The item's audio from its prepared ids, and when each of its words is spoken. */
  async say(item: ListItem, prepared: TextIds): Promise<Spoken> {
    const { style, ...own } = item.options;
    const o: SpeakOptions = { ...this.options, ...own };
    if (style !== undefined) o.style = await this.styleOf(style);
    const r = await speak(this.voice.tts, this.voice.vocoder, prepared.ids, o);
    return { audio: r.audio, words: timeWords(r, prepared, this.voice.tts.model.hopLength).words ?? [] };
  }

  private async styleOf(path: string): Promise<Float32Array> {
    const full = isAbsolute(path) ? path : join(this.baseDir, path);
    let s = this.styles.get(full);
    if (!s) {
      try {
        s = readNpy(await readFile(full)).data;
      } catch (err) {
        throw new FlowgpuError(`the style ${full}: ${(err as Error).message}`);
      }
      this.styles.set(full, s);
    }
    return s;
  }
}
