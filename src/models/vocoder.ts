// What every vocoder (WaveGlow, HiFi-GAN, Griffin-Lim) implements: a host log mel → mono audio.
// The API, the CLI and streaming call this one method; each option applies to the vocoders that name it.

export interface VocodeOptions {
  /** WaveGlow: latent standard deviation (default `WAVEGLOW_SIGMA`, 0.666). */
  sigma?: number;
  /** Seed of the GPU noise (WaveGlow, Griffin-Lim's initial phase; default 0). */
  seed?: number;
  /** WaveGlow: explicit unit-normal noise in the original's draw order (see WaveGlowInferOptions). */
  noise?: Float32Array[];
  /** WaveGlow: denoiser strength (default 0: off; 0.1 suggested). */
  denoise?: number;
  /** WaveGlow: time-window length in group steps (default from the adapter's limits). */
  chunkLength?: number;
  /** Griffin-Lim: phase-recovery iterations (default 16). */
  iterations?: number;
  /** Progress per finished time window. */
  onProgress?: (done: number, total: number) => void;
}

export type VocoderKind = 'waveglow' | 'hifigan' | 'griffinlim';

export interface Vocoder {
  readonly kind: VocoderKind;
  readonly nMel: number;
  readonly sampleRate: number;
  /** Samples per mel frame (256 for the seed models). */
  readonly hopLength: number;
  /** mel `[nMel, frames]` row-major → mono samples. */
  infer(mel: Float32Array, frames: number, opts?: VocodeOptions): Promise<Float32Array>;
  release(): void;
}
