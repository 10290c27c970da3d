import source from '../../shaders/stft.wgsl';
import { type Engine, grid } from '../gpu/engine.js';
import { describeShape, FlowgpuError } from '../gpu/errors.js';
import { type FftPlan, fftPlan, twiddleTensor } from './fft.js';
import { f32 } from '../gpu/params.js';
import type { KernelRef } from '../gpu/pipelines.js';
import type { Tensor } from '../gpu/tensor.js';
import { logClamp } from './elementwise.js';
import { matmul } from './matmul.js';

const family = 'stft';
const WG = 256;

type Limits = Parameters<typeof fftPlan>[0];

const fftKernel = (entry: 'stft' | 'istft_frames', p: FftPlan, mag = false): KernelRef =>
  ({ family, source, entry, constants: entry === 'stft' ? { WG: p.wg, N: p.nFft, MAG: mag ? 1 : 0 } : { WG: p.wg, N: p.nFft } });
const denoiseKernel: KernelRef = { family, source, entry: 'denoise', constants: { WG } };
const overlapAddKernel = (nFft: number): KernelRef => ({ family, source, entry: 'overlap_add', constants: { WG, N: nFft } });

/** Every pipeline of this family for `nFft` on an adapter with these limits (for `e.pipelines.prepare`). */
export function stftKernels(limits: Limits, nFft = 1024): KernelRef[] {
  const p = fftPlan(limits, nFft, 'stft');
  return [fftKernel('stft', p), fftKernel('stft', p, true), fftKernel('istft_frames', p), overlapAddKernel(nFft), denoiseKernel];
}

export interface StftOptions {
  /** FFT size = window length (default 1024). */
  nFft?: number;
  /** Hop length (default nFft / 4 = 256). */
  hop?: number;
  /** First frame to compute (default 0). */
  frame0?: number;
  /** Frames to compute from `frame0` (default all the rest of the 1 + ⌊N / hop⌋). */
  frames?: number;
}

/** Periodic Hann window (scipy `get_window('hann', n, fftbins=True)`), computed in float64. */
export function hannWindow(n: number): Float32Array {
  const w = new Float32Array(n);
  for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
  return w;
}

const windows = new WeakMap<Engine, Map<number, Tensor>>();
const melBases = new WeakMap<Engine, Map<string, Tensor>>();

function windowFor(e: Engine, nFft: number): Tensor {
  let byN = windows.get(e);
  if (!byN) windows.set(e, (byN = new Map()));
  let w = byN.get(nFft);
  if (!w) {
    w = e.persistent(hannWindow(nFft), [nFft], `hann.${nFft}`);
    byN.set(nFft, w);
  }
  return w;
}

function geometry(e: Engine, label: string, audio: Tensor, o: StftOptions): { n: number; plan: FftPlan; hop: number; frames: number; frame0: number; bins: number } {
  const plan = fftPlan(e.limits, o.nFft ?? 1024, label);
  const nFft = plan.nFft;
  const hop = o.hop ?? nFft / 4;
  if (!Number.isInteger(hop) || hop < 1) throw new FlowgpuError(`${label}: hop ${hop} must be a positive integer`);
  const n = audio.size;
  if (n <= nFft / 2) {
    throw new FlowgpuError(`${label}: ${n} samples are too few for reflect padding by ${nFft / 2} (need more than n_fft/2)`);
  }
  const all = 1 + Math.floor(n / hop);
  const frame0 = o.frame0 ?? 0;
  const frames = o.frames ?? all - frame0;
  if (!Number.isInteger(frame0) || !Number.isInteger(frames) || frame0 < 0 || frames < 1 || frame0 + frames > all) {
    throw new FlowgpuError(`${label}: frames [${frame0}, ${frame0 + frames}) must lie in the ${all} frames of ${n} samples`);
  }
  return { n, plan, hop, frames, frame0, bins: nFft / 2 + 1 };
}

function runStft(e: Engine, audio: Tensor, o: StftOptions, mag: boolean): Tensor {
  const label = mag ? 'stftMagnitude' : 'stft';
  const g = geometry(e, label, audio, o);
  const nFft = g.plan.nFft;
  const y = e.empty(mag ? [g.bins, g.frames] : [2, g.bins, g.frames], 'f32', label);
  e.dispatch({
    kernel: fftKernel('stft', g.plan, mag),
    params: [g.n, g.frames, g.hop, g.frame0],
    bindings: [audio, windowFor(e, nFft), twiddleTensor(e, nFft), y],
    workgroups: grid(e, g.frames),
  });
  return y;
}

/**
 * Tacotron 2 `STFT.transform` of mono `audio` `[N]`: reflect padding of n_fft/2, periodic Hann,
 * one-sided DFT per hop → `[2, n_fft/2 + 1, frames]` (real part, then imaginary part).
 */
export function stft(e: Engine, audio: Tensor, o: StftOptions = {}): Tensor {
  return runStft(e, audio, o, false);
}

/** The magnitude `[n_fft/2 + 1, frames]` of `stft`. */
export function stftMagnitude(e: Engine, audio: Tensor, o: StftOptions = {}): Tensor {
  return runStft(e, audio, o, true);
}

export interface IstftOptions {
  nFft?: number;
  hop?: number;
  /** The spectrum holds frames [frame0, frame0 + frames) of an utterance of `totalFrames` (default: all of it). */
  frame0?: number;
  totalFrames?: number;
  /** Output samples to make, from utterance sample `out0` (after the trim); default all (frames − 1)·hop. */
  out0?: number;
  outLen?: number;
  /** Write into this tensor from element `dst` instead of a new one. */
  out?: Tensor;
  dst?: number;
}

/**
 * Tacotron 2 `STFT.inverse` of a `[2, bins, frames]` spectrum (real, imaginary): overlap-add of the
 * windowed inverse DFTs, divided by the window sum-square where it is not tiny, trimmed by
 * n_fft/2 at both ends → `[(frames − 1)·hop]`. With `frame0`/`out0`, a window of a longer
 * utterance: every sample asked for must have all its overlapping frames in the spectrum.
 */
export function istft(e: Engine, spec: Tensor, o: IstftOptions = {}): Tensor {
  const label = 'istft';
  const plan = fftPlan(e.limits, o.nFft ?? 1024, label);
  const nFft = plan.nFft;
  const hop = o.hop ?? nFft / 4;
  const bins = nFft / 2 + 1;
  if (spec.shape.length !== 3 || spec.dim(0) !== 2 || spec.dim(1) !== bins) {
    throw new FlowgpuError(`${label}: spectrum must be [2, ${bins}, frames] for n_fft ${nFft}, got ${describeShape(spec.shape)}`);
  }
  const frames = spec.dim(2);
  const frame0 = o.frame0 ?? 0;
  const total = o.totalFrames ?? frame0 + frames;
  const out0 = o.out0 ?? 0;
  const outLen = o.outLen ?? (total - 1) * hop - out0;
  if (outLen < 1 || out0 + outLen > (total - 1) * hop) throw new FlowgpuError(`${label}: samples [${out0}, ${out0 + outLen}) are not in the ${(total - 1) * hop} that ${total} frame(s) give`);
  const firstNeeded = Math.max(0, Math.ceil((out0 + nFft / 2 - nFft + 1) / hop));
  const lastNeeded = Math.min(total - 1, Math.floor((out0 + outLen - 1 + nFft / 2) / hop));
  if (firstNeeded < frame0 || lastNeeded >= frame0 + frames) {
    throw new FlowgpuError(`${label}: samples [${out0}, ${out0 + outLen}) need frames [${firstNeeded}, ${lastNeeded}], the spectrum holds [${frame0}, ${frame0 + frames})`);
  }
  const dst = o.dst ?? 0;
  const y = o.out ?? e.empty([outLen], 'f32', label);
  if (dst + outLen > y.size) throw new FlowgpuError(`${label}: ${outLen} samples at ${dst} do not fit the output ${describeShape(y.shape)}`);
  const win = windowFor(e, nFft);
  const framesOut = e.empty([frames, nFft], 'f32', 'istft.frames');
  e.dispatch({ kernel: fftKernel('istft_frames', plan), params: [frames], bindings: [spec, win, twiddleTensor(e, nFft), framesOut], workgroups: grid(e, frames) });
  e.dispatch({
    kernel: overlapAddKernel(nFft),
    params: [frames, hop, outLen, frame0, out0, total, dst],
    bindings: [framesOut, win, y],
    workgroups: grid(e, Math.ceil(outLen / WG)),
  });
  framesOut.release();
  return y;
}

/** The denoiser's spectral subtraction: magnitude − strength·bias `[bins]`, clamped at 0, same phase. */
export function denoiseSpectrum(e: Engine, spec: Tensor, bias: Tensor, strength: number): Tensor {
  const label = 'denoiseSpectrum';
  if (spec.shape.length !== 3 || spec.dim(0) !== 2 || bias.size !== spec.dim(1)) {
    throw new FlowgpuError(`${label}: spectrum ${describeShape(spec.shape)} and bias ${describeShape(bias.shape)} do not match`);
  }
  const [, bins, frames] = spec.shape as [number, number, number];
  const y = e.empty(spec.shape, 'f32', label);
  e.dispatch({
    kernel: denoiseKernel,
    params: [bins, frames, f32(strength)],
    bindings: [spec, bias, y],
    workgroups: grid(e, Math.ceil((bins * frames) / WG)),
  });
  return y;
}

// ---- mel filterbank (librosa.filters.mel, Slaney scale and norm), in float64 ----------------

function hzToMel(f: number): number {
  const fSp = 200 / 3;
  const minLogHz = 1000;
  const minLogMel = minLogHz / fSp;
  const logStep = Math.log(6.4) / 27;
  return f >= minLogHz ? minLogMel + Math.log(f / minLogHz) / logStep : f / fSp;
}

function melToHz(m: number): number {
  const fSp = 200 / 3;
  const minLogHz = 1000;
  const minLogMel = minLogHz / fSp;
  const logStep = Math.log(6.4) / 27;
  return m >= minLogMel ? minLogHz * Math.exp(logStep * (m - minLogMel)) : fSp * m;
}

export interface MelOptions {
  sampleRate?: number;
  nFft?: number;
  nMels?: number;
  fmin?: number;
  fmax?: number;
}

/** `librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax)` (htk=False, norm='slaney') → `[n_mels, n_fft/2 + 1]`. */
export function melFilterbank(o: MelOptions = {}): Float32Array {
  const sr = o.sampleRate ?? 22050;
  const nFft = o.nFft ?? 1024;
  const nMels = o.nMels ?? 80;
  const fmin = o.fmin ?? 0;
  const fmax = o.fmax ?? sr / 2;
  const bins = nFft / 2 + 1;
  const fft = Array.from({ length: bins }, (_, i) => (i * (sr / 2)) / (bins - 1));
  const lo = hzToMel(fmin);
  const hi = hzToMel(fmax);
  const melF = Array.from({ length: nMels + 2 }, (_, i) => melToHz(lo + ((hi - lo) * i) / (nMels + 1)));
  const out = new Float32Array(nMels * bins);
  for (let m = 0; m < nMels; m++) {
    const d0 = melF[m + 1]! - melF[m]!;
    const d1 = melF[m + 2]! - melF[m + 1]!;
    const enorm = 2 / (melF[m + 2]! - melF[m]!);
    for (let k = 0; k < bins; k++) {
      const lower = (fft[k]! - melF[m]!) / d0;
      const upper = (melF[m + 2]! - fft[k]!) / d1;
      out[m * bins + k] = Math.max(0, Math.min(lower, upper)) * enorm;
    }
  }
  return out;
}

export interface MelSpectrogramOptions extends MelOptions {
  hop?: number;
  /** Floor before the log (Tacotron 2's clip_val, default 1e-5). */
  clip?: number;
}

/**
 * Tacotron 2 `TacotronSTFT.mel_spectrogram`: audio `[N]` in [−1, 1] → log mel `[n_mels, 1 + ⌊N/hop⌋]`
 * (defaults 22050 Hz, 1024/256/1024, periodic Hann, 80 Slaney mels 0–8000 Hz, log(max(x, 1e-5))).
 */
export function melSpectrogram(e: Engine, audio: Tensor, o: MelSpectrogramOptions = {}): Tensor {
  const nFft = o.nFft ?? 1024;
  const nMels = o.nMels ?? 80;
  const mo: MelOptions = { sampleRate: o.sampleRate ?? 22050, nFft, nMels, fmin: o.fmin ?? 0, fmax: o.fmax ?? 8000 };
  const key = JSON.stringify(mo);
  let byKey = melBases.get(e);
  if (!byKey) melBases.set(e, (byKey = new Map()));
  let basis = byKey.get(key);
  if (!basis) {
    basis = e.persistent(melFilterbank(mo), [nMels, nFft / 2 + 1], 'mel_basis');
    byKey.set(key, basis);
  }
  return e.tidy(() => {
    const mag = stftMagnitude(e, audio, { nFft, hop: o.hop ?? nFft / 4 });
    return logClamp(e, matmul(e, basis, mag), o.clip ?? 1e-5);
  });
}
