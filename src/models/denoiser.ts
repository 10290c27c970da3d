// NVIDIA/waveglow denoiser.py (mode 'zeros') on the GPU: the model's bias is the STFT magnitude of
// what the vocoder says for a zero mel at sigma 0 (first frame only); denoising subtracts
// strength·bias from every frame's magnitude, clamps at 0 and resynthesises with the original phase.

import type { Engine } from '../gpu/engine.js';
import { describeShape, FlowgpuError } from '../gpu/errors.js';
import type { Tensor } from '../gpu/tensor.js';
import { denoiseSpectrum, istft, stft, stftMagnitude } from '../ops/stft.js';

/** STFT settings of the denoiser: filter_length 1024, n_overlap 4 (hop 256), win_length 1024. */
export const DENOISER_STFT = { nFft: 1024, hop: 256 } as const;

/** `bias_spec`: the magnitude of the first STFT frame of `biasAudio` `[N]` → `[n_fft/2 + 1]`. */
export function biasSpectrum(e: Engine, biasAudio: Tensor): Tensor {
  const m = stftMagnitude(e, biasAudio.reshape([biasAudio.size]), { ...DENOISER_STFT, frames: 1 });
  return m.reshape([m.size]);
}

/**
 * `Denoiser.forward(audio, strength)`: audio `[N]` → `[⌊N/256⌋·256]` (= N for vocoder output).
 * `bias` is `biasSpectrum` of the vocoder's zero-mel audio. Long audio runs in windows of at most
 * `maxFrames` STFT frames (default: what the adapter's binding limit allows), with the same result.
 */
export function denoise(e: Engine, audio: Tensor, bias: Tensor, strength: number, o: { maxFrames?: number } = {}): Tensor {
  if (!Number.isFinite(strength) || strength < 0) throw new FlowgpuError(`denoise: strength must be ≥ 0, got ${strength}`);
  const { nFft, hop } = DENOISER_STFT;
  if (bias.size !== nFft / 2 + 1) {
    throw new FlowgpuError(`denoise: bias spectrum ${describeShape(bias.shape)} should have ${nFft / 2 + 1} bins`);
  }
  const x = audio.reshape([audio.size]);
  if (x.size <= nFft / 2) throw new FlowgpuError(`denoise: ${x.size} samples are too short for the denoiser's STFT (more than ${nFft / 2} needed)`);
  const total = 1 + Math.floor(x.size / hop);
  const outLen = (total - 1) * hop;
  const limit = Math.floor(e.limits.maxStorageBufferBindingSize / (2 * (nFft / 2 + 1) * 4));
  const maxFrames = Math.min(o.maxFrames ?? limit, limit);
  const reach = Math.ceil(nFft / hop); // frames on either side a sample's frames span
  const step = (maxFrames - 2 * reach - 1) * hop; // output samples per window
  if (total <= maxFrames) {
    return e.tidy(() => istft(e, denoiseSpectrum(e, stft(e, x, DENOISER_STFT), bias, strength), DENOISER_STFT));
  }
  if (step < hop) throw new FlowgpuError(`denoise: windows of ${maxFrames} frames are too short`);
  const y = e.empty([outLen], 'f32', 'denoised');
  for (let a = 0; a < outLen; a += step) {
    const n = Math.min(step, outLen - a);
    const f0 = Math.max(0, Math.ceil((a + nFft / 2 - nFft + 1) / hop));
    const f1 = Math.min(total - 1, Math.floor((a + n - 1 + nFft / 2) / hop));
    e.tidy(() => {
      const spec = stft(e, x, { ...DENOISER_STFT, frame0: f0, frames: f1 - f0 + 1 });
      istft(e, denoiseSpectrum(e, spec, bias, strength), { ...DENOISER_STFT, frame0: f0, totalFrames: total, out0: a, outLen: n, out: y, dst: a });
      return null;
    });
  }
  return y;
}
