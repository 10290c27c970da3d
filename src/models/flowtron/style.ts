// Flowtron style transfer, the host side: the reference inputs, the notebook's aggregation of
// per-utterance posteriors into a style mean, and interpolation between latents.
import { FlowgpuError } from '../../gpu/errors.js';
import type { Tensor } from '../../gpu/tensor.js';

export interface StyleReference {
  /** `[80, T]` log mel (host values or a GPU tensor), or give `audio`. */
  mel?: Float32Array | Tensor;
  frames?: number;
  /** Mono audio at the model's sample rate (needs a mel front end: `melFromAudio`). */
  audio?: Float32Array;
  /** Token ids of the transcript, or give `text`. */
  ids?: ArrayLike<number>;
  text?: string;
}

export interface StyleOptions {
  aggregation?: 'batch' | 'time_and_batch';
  lambda?: number;
  nFrames?: number;
  speaker?: number;
  /** Turns audio into a `[80, T]` log mel; default: Tacotron 2's mel front end (22050 Hz, 1024/256/1024, 0–8 kHz). */
  melFromAudio?: (audio: Float32Array) => Promise<{ data: Float32Array; frames: number }>;
  /** Text references: CMUdict probability (default: the model's, as for synthesis). */
  pArpabet?: number;
}

/** Linear interpolation `(1 − t)·a + t·b` of two latents (styles, residuals or speaker vectors). */
export function interpolate(a: Float32Array, b: Float32Array, t: number): Float32Array {
  if (a.length !== b.length) throw new FlowgpuError(`interpolate: the two latents differ in size (${a.length} vs ${b.length})`);
  if (!(t >= 0 && t <= 1)) throw new FlowgpuError(`interpolate: t must be in [0, 1], got ${t}`);
  const y = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) y[i] = (1 - t) * a[i]! + t * b[i]!;
  return y;
}

/**
 * The style-transfer posterior of the original notebook from per-utterance z `[M, T_k]`:
 * 'batch' tiles each z along time to nFrames and averages → `[M, nFrames]`; 'time_and_batch'
 * averages over time and utterances → `[M, 1]`; both shrink by ratio/(ratio + 1), ratio = count/λ.
 */
export function aggregateStyle(zs: { data: Float32Array; frames: number }[], nMel: number, o: { aggregation?: 'batch' | 'time_and_batch'; lambda?: number; nFrames?: number } = {}): { mu: Float32Array; frames: number } {
  if (zs.length === 0) throw new FlowgpuError('style: the reference list is empty; give at least one (audio or mel, text) pair');
  const lambda = o.lambda ?? 1e-4;
  const ratio = zs.length / lambda;
  if ((o.aggregation ?? 'batch') === 'time_and_batch') {
    const mu = new Float32Array(nMel);
    for (const z of zs) {
      for (let m = 0; m < nMel; m++) {
        let s = 0;
        for (let t = 0; t < z.frames; t++) s += z.data[m * z.frames + t]!;
        mu[m]! += s / z.frames;
      }
    }
    for (let m = 0; m < nMel; m++) mu[m] = (ratio * (mu[m]! / zs.length)) / (ratio + 1);
    return { mu, frames: 1 };
  }
  const n = o.nFrames ?? 300;
  const mu = new Float32Array(nMel * n);
  for (const z of zs) {
    for (let m = 0; m < nMel; m++) for (let t = 0; t < n; t++) mu[m * n + t]! += z.data[m * z.frames + (t % z.frames)]!;
  }
  for (let i = 0; i < mu.length; i++) mu[i] = ((mu[i]! / zs.length) * ratio) / (ratio + 1);
  return { mu, frames: n };
}
