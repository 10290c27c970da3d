// Plain-TS references of Tacotron 2's STFT (reflect pad n_fft/2, periodic Hann, one-sided DFT) and
// its inverse, in float64.
import { hannWindow } from '../../src/ops/stft.js';

/** STFT of x → re, im `[bins, frames]`. */
export function stftRef(x: ArrayLike<number>, nFft: number, hop: number): { re: Float64Array; im: Float64Array; frames: number } {
  const n = x.length;
  const frames = 1 + Math.floor(n / hop);
  const bins = nFft / 2 + 1;
  const w = hannWindow(nFft);
  const re = new Float64Array(bins * frames);
  const im = new Float64Array(bins * frames);
  const at = (i: number): number => x[i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i]!;
  for (let f = 0; f < frames; f++) {
    for (let k = 0; k < bins; k++) {
      let sr = 0;
      let si = 0;
      for (let t = 0; t < nFft; t++) {
        const v = w[t]! * at(f * hop + t - nFft / 2);
        const a = (2 * Math.PI * ((k * t) % nFft)) / nFft;
        sr += v * Math.cos(a);
        si -= v * Math.sin(a);
      }
      re[k * frames + f] = sr;
      im[k * frames + f] = si;
    }
  }
  return { re, im, frames };
}

/** Its inverse: overlap-add of windowed inverse DFTs / window sum-square, trimmed by n_fft/2 → [(frames−1)·hop]. */
export function istftRef(re: Float64Array, im: Float64Array, frames: number, nFft: number, hop: number): Float64Array {
  const bins = nFft / 2 + 1;
  const w = hannWindow(nFft);
  const full = (frames - 1) * hop + nFft;
  const acc = new Float64Array(full);
  const wss = new Float64Array(full);
  for (let f = 0; f < frames; f++) {
    for (let t = 0; t < nFft; t++) {
      let s = 0;
      for (let k = 0; k < bins; k++) {
        const a = (2 * Math.PI * ((k * t) % nFft)) / nFft;
        const term = re[k * frames + f]! * Math.cos(a) - im[k * frames + f]! * Math.sin(a);
        s += k === 0 || k === bins - 1 ? term : 2 * term;
      }
      acc[f * hop + t]! += (s / nFft) * w[t]!;
      wss[f * hop + t]! += w[t]! * w[t]!;
    }
  }
  const out = new Float64Array((frames - 1) * hop);
  for (let o = 0; o < out.length; o++) {
    const p = o + nFft / 2;
    out[o] = wss[p]! > 1.1754944e-38 ? acc[p]! / wss[p]! : acc[p]!;
  }
  return out;
}
