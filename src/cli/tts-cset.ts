// `flowgpu tts` / `speak` adapter for XSpkEmoTrans (cross-speaker emotion transfer) checkpoints:
//   flowgpu tts <cset model> "<text>" | --ids '[...]' --speaker-embedding spk.npy
//     (--emotion N | --reference ref.wav|ref.npy) -o mel.npy
import { readFile } from 'node:fs/promises';
import type { Engine } from '../gpu/engine.js';
import { FlowgpuError } from '../gpu/errors.js';
import type { Detection } from '../io/detect.js';
import type { Checkpoint } from '../io/host-tensor.js';
import { readNpy } from '../io/npy.js';
import { decodeWav } from '../io/wav.js';
import { CSET, type ReferenceMel } from '../models/cset.js';
import { melSpectrogram } from '../ops/stft.js';
import { textToIds } from '../text/index.js';
import { optNumber, optString, type ParsedArgs, type TtsInput, type TtsOutput } from './tts-adapter.js';

export const options = [
  '--speaker-embedding F  the speaker\'s external embedding, a .npy of external_speaker_dim floats (DeepSpeaker: 512; e.g. <spk>-spker_embed.npy)',
  '--emotion N            hard emotion token: an emotion id (RAVDESS: fearful 0, neutral 1, calm 2, happy 3, sad 4, disgust 5, surprised 6, angry 7)',
  '--reference F          soft emotion tokens from a reference: a 22050 Hz .wav, or a log-mel .npy [n_mel, frames]',
  '                       (give exactly one of --emotion / --reference)',
].join('\n');

const SAMPLE_RATE = 22050;

async function readBytes(path: string, what: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (err) {
    throw new FlowgpuError(`cannot read the ${what} ${path}: ${(err as Error).message}`);
  }
}

/** The speaker embedding from a .npy (any shape holding one vector: [D], [1, D], [D, 1]). */
export async function readSpeakerEmbedding(path: string, expected: number): Promise<Float32Array> {
  const a = readNpy(await readBytes(path, 'speaker embedding'));
  if (a.data.length !== expected) {
    throw new FlowgpuError(
      `the speaker embedding ${path} has ${a.data.length} values (shape [${a.shape.join(', ')}]), but this model expects ${expected} ` +
        `(its speaker_emb is a Linear from a ${expected}-d external speaker vector)`,
    );
  }
  return a.data;
}

/**
 * A reference log mel: a .npy `[n_mel, frames]` (or `[1, n_mel, frames]`; a `[frames, n_mel]` array is
 * recognised by its size), or a .wav at 22050 Hz through Tacotron 2's mel front end.
 */
export async function readReference(e: Engine, path: string, nMel: number): Promise<ReferenceMel> {
  const bytes = await readBytes(path, 'reference');
  const isWav = bytes.length >= 12 && String.fromCharCode(...bytes.subarray(0, 4)) === 'RIFF';
  if (isWav) {
    const wav = decodeWav(bytes);
    if (wav.sampleRate !== SAMPLE_RATE) {
      throw new FlowgpuError(`the reference ${path} is ${wav.sampleRate} Hz; this model's mels are for ${SAMPLE_RATE} Hz: resample it first`);
    }
    const ch = wav.channels;
    const audio = ch.length === 1 ? ch[0]! : ch[0]!.map((_, i) => ch.reduce((s, c) => s + c[i]!, 0) / ch.length);
    const mel = e.tidy(() => melSpectrogram(e, e.upload(audio, [audio.length], 'reference.audio'), { sampleRate: SAMPLE_RATE, nMels: nMel }));
    try {
      return { data: await e.readF32(mel), frames: mel.dim(1), layout: 'channels' };
    } finally {
      mel.release();
    }
  }
  const a = readNpy(bytes);
  const shape = a.shape.length === 3 && a.shape[0] === 1 ? a.shape.slice(1) : a.shape;
  if (shape.length !== 2) {
    throw new FlowgpuError(`the reference mel ${path} has shape [${a.shape.join(', ')}]; expected [n_mel, frames]`);
  }
  const [c, t] = shape as [number, number];
  if (c === nMel) return { data: a.data, frames: t, layout: 'channels' };
  if (t === nMel) return { data: a.data, frames: c, layout: 'frames' };
  throw new FlowgpuError(`the reference mel ${path} has ${c} channels (shape [${a.shape.join(', ')}]), but this model expects ${nMel} mel channels`);
}

/** Token ids from the 'cset' front end (english_cleaners + ARPAbet, '@'-prefixed), or `--ids`. */
export async function csetIds(input: TtsInput): Promise<{ ids: number[]; unknown: string[] }> {
  if (input.ids) return { ids: input.ids, unknown: [] };
  const r = await textToIds('cset', input.text ?? '');
  return { ids: r.ids, unknown: r.unknown };
}

export async function synthesize(engine: Engine, checkpoint: Checkpoint, input: TtsInput, args: ParsedArgs, _detection?: Detection): Promise<TtsOutput> {
  const spkPath = optString(args, 'speaker-embedding');
  if (!spkPath) throw new FlowgpuError('XSpkEmoTrans needs the speaker\'s embedding: --speaker-embedding spk.npy (a DeepSpeaker vector)');
  const emotion = optNumber(args, 'emotion', (v) => Number.isInteger(v), 'an integer emotion id');
  const refPath = optString(args, 'reference');
  if ((emotion === undefined) === (refPath === undefined)) {
    throw new FlowgpuError('XSpkEmoTrans needs exactly one of --emotion N (an emotion id) or --reference ref.wav|ref.npy');
  }
  const model = await CSET.load(engine, checkpoint);
  try {
    const c = model.config;
    const speakerEmbedding = await readSpeakerEmbedding(spkPath, c.speakerDim);
    if (emotion !== undefined && (emotion < 0 || emotion >= c.nEmotions)) {
      throw new FlowgpuError(`--emotion ${emotion} is out of range: this model has ${c.nEmotions} emotions (0–${c.nEmotions - 1})`);
    }
    const referenceMel = refPath ? await readReference(engine, refPath, c.nMel) : undefined;
    const { ids, unknown } = await csetIds(input);
    const r = await model.synthesize(ids, emotion !== undefined ? { speakerEmbedding, emotion } : { speakerEmbedding, referenceMel: referenceMel! });
    return { mel: r.mels.at(-1)!, nMel: r.nMel, frames: r.frames, sampleRate: SAMPLE_RATE, ids, unknown, durations: r.durations };
  } finally {
    model.release();
  }
}
