// mel → audio with whichever vocoder a checkpoint holds. Each kind is one case of `loadVocoder`;
// to add one, give it a `Vocoder` adapter and a case below.

import type { Engine } from '../gpu/engine.js';
import { FlowgpuError } from '../gpu/errors.js';
import { stateDictOf } from '../io/checkpoint.js';
import { detect } from '../io/detect.js';
import type { Checkpoint } from '../io/host-tensor.js';
import { WaveGlow, type WaveGlowInferOptions } from './waveglow.js';
import { HiFiGAN } from './hifigan.js';

export interface VocodeOptions {
  /** WaveGlow: latent standard deviation (default 0.6). */
  sigma?: number;
  /** Seed of the GPU noise (default 0). */
  seed?: number;
  /** WaveGlow: explicit unit-normal noise in the original's draw order (see WaveGlowInferOptions). */
  noise?: Float32Array[];
  /** Denoiser strength (default 0: off; 0.1 suggested for WaveGlow). */
  denoise?: number;
  /** Time-window length (model units; default from the adapter's limits). */
  chunkLength?: number;
  /** Progress per finished time window. */
  onProgress?: (done: number, total: number) => void;
}

export interface Vocoder {
  kind: string;
  nMel: number;
  sampleRate: number;
  /** Samples per mel frame (256 for the seed models). */
  hopLength: number;
  /** mel `[nMel, frames]` row-major → mono samples. */
  infer(mel: Float32Array, frames: number, opts?: VocodeOptions): Promise<Float32Array>;
  release(): void;
}

function waveglowVocoder(m: WaveGlow): Vocoder {
  return {
    kind: 'waveglow',
    nMel: m.nMel,
    sampleRate: m.sampleRate,
    hopLength: m.config.upsampleStride,
    infer: (mel, frames, o = {}) => m.infer(mel, frames, o satisfies WaveGlowInferOptions),
    release: () => m.release(),
  };
}

// HiFi-GAN is deterministic: sigma/seed/noise/denoise do not apply; it runs the whole mel at once.
function hifiganVocoder(m: HiFiGAN): Vocoder {
  return {
    kind: 'hifigan',
    nMel: m.nMel,
    sampleRate: 22050,
    hopLength: m.hopLength,
    infer: async (mel, frames, o = {}) => {
      const audio = await m.vocode(mel, frames);
      o.onProgress?.(1, 1);
      return audio;
    },
    release: () => m.release(),
  };
}

/** Detects the vocoder in `checkpoint` (a golden file's "weights." prefix is stripped) and loads it. */
export async function loadVocoder(engine: Engine, checkpoint: Checkpoint): Promise<Vocoder> {
  const ckpt = stateDictOf(checkpoint);
  const kind = detect(ckpt).model;
  switch (kind) {
    case 'waveglow':
      return waveglowVocoder(await WaveGlow.load(engine, ckpt));
    case 'hifigan':
      return hifiganVocoder(await HiFiGAN.load(engine, ckpt));
    default:
      throw new FlowgpuError(`this checkpoint holds a ${kind} model, which is not a vocoder flowgpu can run (WaveGlow, HiFi-GAN)`);
  }
}
