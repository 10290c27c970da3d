// Griffin-Lim as a vocoder that needs no weights: the default vocoder of the demo voice.
// At load, the pseudo-inverse of the Tacotron 2 mel basis is computed on the CPU and uploaded;
// `infer` runs mel → magnitude → N Griffin-Lim iterations on the GPU and reads the audio once.

import type { Engine } from '../gpu/engine.js';
import { assertFinite, FlowgpuError } from '../gpu/errors.js';
import type { Tensor } from '../gpu/tensor.js';
import { GRIFFIN_LIM_ITERATIONS, griffinLim, melToMagnitude, pseudoInverse } from '../ops/griffinlim.js';
import { melFilterbank } from '../ops/stft.js';
import type { VocodeOptions, Vocoder } from './vocoder.js';

/** Frames of the load-time warm-up mel. */
const WARM_UP_FRAMES = 8;

export interface GriffinLimConfig {
  sampleRate: number;
  nFft: number;
  hop: number;
  nMel: number;
  fmin: number;
  fmax: number;
  /** Iterations of phase recovery (default GRIFFIN_LIM_ITERATIONS, 16). */
  iterations: number;
  /** Fast Griffin-Lim momentum (default 0.99). */
  momentum: number;
}

/** Tacotron 2's mel (the seed models', and the demo voice's): 22050 Hz, 1024/256, 80 mels 0–8000 Hz. */
export const TACOTRON_MEL: Omit<GriffinLimConfig, 'iterations' | 'momentum'> = {
  sampleRate: 22050, nFft: 1024, hop: 256, nMel: 80, fmin: 0, fmax: 8000,
};

export interface GriffinLimInferOptions extends VocodeOptions {
  momentum?: number;
}

export class GriffinLim implements Vocoder {
  readonly kind = 'griffinlim';
  private pinv: Tensor | null;

  private constructor(readonly engine: Engine, readonly config: GriffinLimConfig, pinv: Tensor) {
    this.pinv = pinv;
  }

  get nMel(): number {
    return this.config.nMel;
  }

  get sampleRate(): number {
    return this.config.sampleRate;
  }

  get hopLength(): number {
    return this.config.hop;
  }

  /** Uploads the mel basis's pseudo-inverse and compiles every pipeline (the first utterance compiles nothing). */
  static async load(engine: Engine, config: Partial<GriffinLimConfig> = {}): Promise<GriffinLim> {
    const c: GriffinLimConfig = { ...TACOTRON_MEL, iterations: GRIFFIN_LIM_ITERATIONS, momentum: 0.99, ...config };
    const bins = c.nFft / 2 + 1;
    const basis = melFilterbank({ sampleRate: c.sampleRate, nFft: c.nFft, nMels: c.nMel, fmin: c.fmin, fmax: c.fmax });
    const pinv = engine.persistent(pseudoInverse(basis, c.nMel, bins), [bins, c.nMel], 'gl.mel_pinv');
    const model = new GriffinLim(engine, c, pinv);
    // Two iterations run every kernel (the first and the momentum update); the frame count changes no pipeline.
    await engine.precompile(() => model.infer(new Float32Array(c.nMel * WARM_UP_FRAMES), WARM_UP_FRAMES, { iterations: 2 }));
    return model;
  }

  /** Audio for a natural-log mel `[nMel, frames]` (row-major) as a GPU tensor `[(frames − 1)·hop]`. */
  run(mel: Tensor, o: GriffinLimInferOptions = {}): Tensor {
    if (!this.pinv) throw new FlowgpuError('GriffinLim: used after release()');
    const e = this.engine;
    const mag = melToMagnitude(e, this.pinv, mel);
    const audio = griffinLim(e, mag, {
      nFft: this.config.nFft, hop: this.config.hop, seed: o.seed ?? 0,
      iterations: o.iterations ?? this.config.iterations, momentum: o.momentum ?? this.config.momentum,
    });
    mag.release();
    return audio;
  }

  async infer(mel: Float32Array, frames: number, o: GriffinLimInferOptions = {}): Promise<Float32Array> {
    if (mel.length !== this.nMel * frames) {
      throw new FlowgpuError(`GriffinLim: a mel of ${mel.length} values is not [${this.nMel}, ${frames}]`);
    }
    assertFinite(mel, 'GriffinLim: the mel', 'a vocoder input must be a finite log mel');
    const e = this.engine;
    const m = e.upload(mel, [this.nMel, frames], 'gl.mel');
    try {
      const audio = this.run(m, o);
      try {
        const out = await e.readF32(audio);
        o.onProgress?.(1, 1);
        return out;
      } finally {
        audio.release();
      }
    } finally {
      m.release();
    }
  }

  release(): void {
    this.pinv?.release();
    this.pinv = null;
  }
}
