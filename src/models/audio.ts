// Audio entering a model (an alignment recording, an emotion or style reference): the mono
// mixdown and Tacotron 2's log mel (1024/256/1024, 0–8 kHz) that every seed model's mels use.

import type { Engine } from '../gpu/engine.js';
import { assertFinite, FlowgpuError } from '../gpu/errors.js';
import { melSpectrogram } from '../ops/stft.js';
import type { ReferenceMel } from './cset.js';

/** The mean of the channels of a decoded WAV (mono passes through). */
export function toMono(channels: Float32Array[]): Float32Array {
  if (channels.length === 1) return channels[0]!;
  const out = new Float32Array(channels[0]?.length ?? 0);
  for (const c of channels) for (let i = 0; i < out.length; i++) out[i]! += c[i]! / channels.length;
  return out;
}

/** Shortest clip with one full STFT window. */
const MIN_SAMPLES = 1024;

/**
 * Tacotron 2's natural-log mel `[nMel, frames]` of mono audio, on the host. `sampleRate` is the
 * clip's; `modelRate` the rate the model's mels are for (they must agree: resample first).
 */
export async function melFromAudio(engine: Engine, audio: Float32Array, o: { sampleRate: number; nMel: number; modelRate?: number; what?: string }): Promise<ReferenceMel> {
  const what = o.what ?? 'the audio';
  const want = o.modelRate ?? 22050;
  if (o.sampleRate !== want) {
    throw new FlowgpuError(`${what} is sampled at ${o.sampleRate} Hz, but the model works at ${want} Hz: resample it first (e.g. sox in.wav -r ${want} out.wav)`);
  }
  if (audio.length < MIN_SAMPLES) throw new FlowgpuError(`${what} is too short (${audio.length} samples; at least ${MIN_SAMPLES})`);
  assertFinite(audio, what);
  const mel = engine.tidy(() => melSpectrogram(engine, engine.upload(audio, [audio.length], 'audio'), { sampleRate: want, nMels: o.nMel }));
  try {
    return { data: await engine.readF32(mel), frames: mel.dim(1), layout: 'channels' };
  } finally {
    mel.release();
  }
}
