// WaveGlow (NVIDIA/waveglow glow.py) inference on the engine: mel → audio.
//
//   cond  = unfold_G(trim(ConvTranspose1d_{K,S}(mel)))              [n_mel·G, T'],  T' = S·T / G
//   audio = σ·z                                                      [n_remaining, T']
//   for k = n_flows−1 … 0:
//     [b | s] = WN_k(audio[:n_half], cond)
//     audio   = W_k⁻¹ · cat(audio_0, (audio_1 − b)·exp(−s))
//     if k % n_early_every == 0 and k > 0: audio = cat(σ·z_k, audio)   (new channels first)
//   samples = audio transposed: sample G·t + c = audio[c, t]
//
// WN per layer i: conv1d(h, in_layers[i], dilation 2^i) + cond_layer rows of layer i · cond (the two
// biases summed at load), gated tanh·sigmoid, then res_skip. `end` is linear in the summed skip
// outputs, so it is folded (float64, at load) into every layer's skip rows: the skip accumulator
// is WN's [b | s] directly, with 2·n_half rows instead of n_channels. A layer is two dispatches
// (src/ops/wavenet.ts): h and the conditioning share one `[n_channels + n_mel·G, T]` buffer and
// the in_layer and cond weights one matrix, so the gated conv sums both in one accumulator.
//
// Long inputs run in windows of group steps that overlap by the receptive field of all flows,
// so no binding exceeds the adapter's maxStorageBufferBindingSize; the noise is drawn for the
// whole utterance first and sliced per window, so the output does not depend on the windows.

import type { Engine } from '../gpu/engine.js';
import { FlowgpuError } from '../gpu/errors.js';
import type { Tensor } from '../gpu/tensor.js';
import { type Detection, detect } from '../io/detect.js';
import type { Checkpoint } from '../io/host-tensor.js';
import { upgradeWaveGlowLayout } from '../io/torch.js';
import { foldWeightNorm } from '../io/weightnorm.js';
import { invertMatrix } from '../math/linalg.js';
import { affine } from '../ops/elementwise.js';
import { matmul, matmulKernel, type MatmulOptions, pickTile, type Tile, tuneMatmulTiles } from '../ops/matmul.js';
import { randn } from '../ops/random.js';
import { affineCoupling, couplingKernel, interleave, interleaveKernel, upsampleKernel, upsampleSqueeze } from '../ops/coupling.js';
import {
  gatedConv, gatedConvKernel, packGatedWeight, resSkipConv, resSkipKernel, waveNetTiles, type WaveNetTiles,
} from '../ops/wavenet.js';
import { transposeForSubgroups, useSubgroupKernels } from '../ops/subgroup.js';
import { stftKernels } from '../ops/stft.js';
import { biasSpectrum, DENOISER_STFT, denoise } from './denoiser.js';
import type { Vocoder } from './vocoder.js';
import { type ModelOptions, Weights } from './weights.js';

export interface WaveGlowConfig {
  nMel: number;
  nFlows: number;
  nGroup: number;
  nEarlyEvery: number;
  nEarlySize: number;
  nLayers: number;
  nChannels: number;
  kernelSize: number;
  /** Upsampling ConvTranspose1d stride (hop length, 256) and kernel (1024). */
  upsampleStride: number;
  upsampleKernel: number;
}

/**
 * WaveGlow's latent standard deviation when none is given: 0.666, the value NVIDIA's Tacotron 2
 * and the Glow-TTS notebooks vocode speech with (the WaveGlow README's resynthesis example uses 0.6).
 */
export const WAVEGLOW_SIGMA = 0.666;

export interface WaveGlowInferOptions {
  /** Standard deviation of the latent noise (default `WAVEGLOW_SIGMA`, 0.666; 0 is deterministic). */
  sigma?: number;
  /** Seed of the noise drawn on the GPU when `noise` is not given (default 0). */
  seed?: number;
  /**
   * Explicit unit-normal noise, in the order WaveGlow.infer draws it: `noise[0]` the initial z
   * `[n_remaining_channels, T']`, then one `[n_early_size, T']` per early output in draw order
   * (k = 8, then 4 for the published config). Scaled by sigma here, as in the original.
   */
  noise?: Float32Array[];
  /** Denoiser strength (default 0: off); NVIDIA's README suggests 0.1. */
  denoise?: number;
  /** Group steps per window (default: the largest the adapter's binding limit allows). */
  chunkLength?: number;
  /** Compute only the first `maxSamples` samples (rounded up to n_group; they are exact: the
   *  windows reach past them by the receptive field). The denoiser's bias needs only 513. */
  maxSamples?: number;
  /** Called after each window has finished on the GPU (only then does inference wait per window). */
  onProgress?: (done: number, total: number) => void;
}

interface FlowWeights {
  channels: number;
  nHalf: number;
  winv: Tensor; // [C, C]
  start: Tensor; // [nc, nHalf]
  startB: Tensor;
  /** in_layer weight and the layer's cond_layer rows side by side: [2nc, nc·K + n_mel·G]. */
  gateW: Tensor[];
  inB: Tensor[]; // in bias + cond bias
  /** res_skip with `end` folded into its skip rows: [nc + 2·nHalf, nc] (last layer [2·nHalf, nc]). */
  rsW: Tensor[];
  rsB: Tensor[];
  tiles: FlowTiles;
  /** Tiles for windows shorter than SHORT_BELOW group steps (a few mel frames). */
  shortTiles: FlowTiles;
}

/** Register tiles of each GEMM, fixed at load so every utterance length uses the pipelines compiled then. */
interface FlowTiles {
  start: Tile;
  wn: WaveNetTiles; // layers < n_layers − 1
  last: WaveNetTiles; // the last layer (its res_skip has skip rows only)
  winv: Tile;
}

/** Group steps the tiles are chosen for (≈ 0.37 s of audio): larger windows use the same tiles. */
const NOMINAL_WINDOW = 1024;
/** Windows shorter than this use tiles chosen for SHORT_WINDOW columns, so a short input is not
 *  padded to the nominal tiles' 128 columns (one frame of the published config is 32 steps). */
const SHORT_BELOW = 128;
const SHORT_WINDOW = 32;

/** `transposed`: the WN weights are stored for the subgroup kernels (`useSubgroupWaveNet`). */
function flowTiles(e: Engine, c: number, nHalf: number, cfg: WaveGlowConfig, cols: number, transposed: boolean): FlowTiles {
  const { nChannels: nc, kernelSize: ks } = cfg;
  const condIn = cfg.nMel * cfg.nGroup;
  return {
    start: pickTile(e, nc, cols, nHalf),
    wn: waveNetTiles(e, nc, condIn, ks, nc, 2 * nHalf, cols, transposed),
    last: waveNetTiles(e, nc, condIn, ks, 0, 2 * nHalf, cols, transposed),
    winv: pickTile(e, c, cols, c),
  };
}

const mm = (t: Tile, o: MatmulOptions = {}): MatmulOptions => ({ ...o, workgroup: [t.wx, t.wy], tile: [t.tm, t.tn] });

const DENOISER_FRAMES = 88;

/**
 * Folds WN's `end` conv (a linear map of the summed skip outputs) into one layer's res_skip conv:
 * rows [0, resRows) stay the residual rows, the skip rows [resRows, resRows + nc) become
 * `end.weight · skip rows` ([2·n_half, nc]), computed in float64. `endBias` is added once (layer 0).
 */
export function foldEnd(
  rsW: Float32Array, rsB: Float32Array, endW: Float32Array, endBias: Float32Array | null, resRows: number, nc: number,
): { w: Float32Array; b: Float32Array } {
  const outRows = endW.length / nc;
  const w = new Float32Array((resRows + outRows) * nc);
  const b = new Float32Array(resRows + outRows);
  w.set(rsW.subarray(0, resRows * nc));
  b.set(rsB.subarray(0, resRows));
  for (let o = 0; o < outRows; o++) {
    let bias = endBias ? endBias[o]! : 0;
    for (let j = 0; j < nc; j++) bias += endW[o * nc + j]! * rsB[resRows + j]!;
    b[resRows + o] = bias;
    const acc = new Float64Array(nc);
    for (let j = 0; j < nc; j++) {
      const ew = endW[o * nc + j]!;
      if (ew === 0) continue;
      const row = (resRows + j) * nc;
      for (let c = 0; c < nc; c++) acc[c]! += ew * rsW[row + c]!;
    }
    w.set(acc, (resRows + o) * nc);
  }
  return { w, b };
}

function num(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new FlowgpuError(`WaveGlow config: ${what} = ${JSON.stringify(v)} is not a whole number`);
  return v;
}

export class WaveGlow implements Vocoder {
  readonly kind = 'waveglow';
  readonly sampleRate: number;
  /** Group steps each flow sees on either side of a sample (the WN receptive field), times n_flows. */
  readonly overlap: number;
  private biasSpec: Tensor | null = null;

  private constructor(
    readonly engine: Engine,
    readonly config: WaveGlowConfig,
    private readonly upW: Tensor,
    private readonly upB: Tensor,
    private readonly flows: FlowWeights[],
    private readonly weights: Weights,
    sampleRate: number,
  ) {
    this.sampleRate = sampleRate;
    const c = config;
    this.overlap = c.nFlows * ((c.kernelSize - 1) / 2) * (2 ** c.nLayers - 1);
  }

  get nMel(): number {
    return this.config.nMel;
  }

  get hopLength(): number {
    return this.config.upsampleStride;
  }

  /** Channels of the initial noise (`n_remaining_channels`). */
  get nRemaining(): number {
    return this.flows[this.config.nFlows - 1]!.channels;
  }

  /** Number of early-output noise draws. */
  get nEarly(): number {
    let n = 0;
    for (let k = 1; k < this.config.nFlows; k++) if (k % this.config.nEarlyEvery === 0) n++;
    return n;
  }

  /**
   * Builds the model from a checkpoint (safetensors or torch, state_dict names as in glow.py; golden
   * files: pass `withPrefix(ckpt, 'weights.')`). Folds weight norm, fuses pre-2019 layouts, inverts
   * the 1x1 convolutions in float64, uploads everything and compiles the pipelines.
   */
  static async load(engine: Engine, source: Checkpoint, detection?: Detection, o: ModelOptions & { sampleRate?: number } = {}): Promise<WaveGlow> {
    const tensors = foldWeightNorm(upgradeWaveGlowLayout(source.tensors)).tensors;
    const ckpt: Checkpoint = { tensors, metadata: source.metadata };
    const det = detection ?? detect(ckpt);
    if (det.model !== 'waveglow') throw new FlowgpuError(`this checkpoint holds a ${det.model} model, not WaveGlow`);
    const cfg = det.config as Record<string, unknown>;
    const wn = (cfg.WN_config ?? {}) as Record<string, unknown>;
    const w = new Weights(engine, ckpt, 'WaveGlow', o);
    const upShape = w.host('upsample.weight').shape;
    const config: WaveGlowConfig = {
      nMel: num(cfg.n_mel_channels, 'n_mel_channels'),
      nFlows: num(cfg.n_flows, 'n_flows'),
      nGroup: num(cfg.n_group, 'n_group'),
      nEarlyEvery: num(cfg.n_early_every, 'n_early_every'),
      nEarlySize: num(cfg.n_early_size ?? 0, 'n_early_size'),
      nLayers: num(wn.n_layers, 'WN n_layers'),
      nChannels: num(wn.n_channels, 'WN n_channels'),
      kernelSize: num(wn.kernel_size, 'WN kernel_size'),
      upsampleKernel: upShape[2]!,
      upsampleStride: 256,
    };
    const strideMeta = Number(source.metadata['hop_length'] ?? source.metadata['upsample_stride'] ?? NaN);
    if (Number.isInteger(strideMeta) && strideMeta > 0) config.upsampleStride = strideMeta;
    if (config.kernelSize % 2 !== 1) throw new FlowgpuError(`WaveGlow: WN kernel_size ${config.kernelSize} must be odd`);
    if (config.upsampleKernel < config.upsampleStride) {
      throw new FlowgpuError(`WaveGlow: upsample kernel ${config.upsampleKernel} is shorter than its stride ${config.upsampleStride}`);
    }
    const { nMel, nFlows, nGroup, nLayers, nChannels: nc, kernelSize: ks } = config;
    // The large-work tile of this adapter and runtime, measured once per process (src/ops/tiles.ts).
    await tuneMatmulTiles(engine);
    const up = (data: Float32Array, shape: number[], name: string): Tensor => w.put(name, data, shape);
    // GEMM weights (f16 at precision 'f16'); the inverted 1x1 convs stay f32.
    const upGemm = (data: Float32Array, shape: number[], name: string): Tensor => w.putGemm(name, data, shape);
    // The subgroup kernels' layout of a [rows, cols] weight (`transposeForSubgroups`).
    const upTransposed = (data: Float32Array, rows: number, cols: number, name: string): Tensor => {
      const t = transposeForSubgroups(data, rows, cols);
      return up(t.data, t.shape, name);
    };
    const f32 = (name: string, shape?: number[]): Float32Array => w.f32(name, shape);
    try {
      const upW = up(f32('upsample.weight', [nMel, nMel, -1]), [nMel, nMel, config.upsampleKernel], 'upsample.weight');
      const upB = up(f32('upsample.bias', [nMel]), [nMel], 'upsample.bias');
      const flows: FlowWeights[] = [];
      let nRem = nGroup;
      const condIn = nMel * nGroup;
      // The gate's kernel keeps both halves' channels in vec4s; the subgroup kernels take f32 weights.
      const transposed = useSubgroupKernels(engine) && nc % 4 === 0 && w.precision === 'f32';
      for (let k = 0; k < nFlows; k++) {
        if (k % config.nEarlyEvery === 0 && k > 0) nRem -= config.nEarlySize;
        const c = nRem;
        const nHalf = Math.floor(c / 2);
        if (nHalf < 1 || c % 2 !== 0) throw new FlowgpuError(`WaveGlow: flow ${k} has ${c} channels; the coupling needs an even number ≥ 2`);
        const p = `WN.${k}.`;
        const w = f32(`convinv.${k}.conv.weight`, [c, c, 1]);
        const winv = Float32Array.from(invertMatrix(w, c, `convinv.${k}.conv.weight`));
        const condW = f32(`${p}cond_layer.weight`, [2 * nc * nLayers, condIn, 1]);
        const condB = f32(`${p}cond_layer.bias`, [2 * nc * nLayers]);
        const endW = f32(`${p}end.weight`, [2 * nHalf, nc, 1]);
        const endB = f32(`${p}end.bias`, [2 * nHalf]);
        const fw: FlowWeights = {
          channels: c, nHalf,
          winv: up(winv, [c, c], `convinv.${k}.inverse`),
          start: upGemm(f32(`${p}start.weight`, [nc, nHalf, 1]), [nc, nHalf], `${p}start.weight`),
          startB: up(f32(`${p}start.bias`, [nc]), [nc], `${p}start.bias`),
          gateW: [], inB: [], rsW: [], rsB: [],
          tiles: flowTiles(engine, c, nHalf, config, NOMINAL_WINDOW, transposed),
          shortTiles: flowTiles(engine, c, nHalf, config, SHORT_WINDOW, transposed),
        };
        for (let i = 0; i < nLayers; i++) {
          const gate = packGatedWeight(
            f32(`${p}in_layers.${i}.weight`, [2 * nc, nc, ks]), condW.subarray(i * 2 * nc * condIn, (i + 1) * 2 * nc * condIn), nc, ks,
          );
          const gateName = `${p}in_layers.${i}+cond_layer.${i}`;
          const gateCols = nc * ks + condIn;
          fw.gateW.push(transposed ? upTransposed(gate, 2 * nc, gateCols, gateName) : upGemm(gate, [2 * nc, gateCols], gateName));
          const b = f32(`${p}in_layers.${i}.bias`, [2 * nc]).slice();
          for (let r = 0; r < 2 * nc; r++) b[r]! += condB[i * 2 * nc + r]!;
          fw.inB.push(up(b, [2 * nc], `${p}in_layers.${i}.bias+cond`));
          const last = i === nLayers - 1;
          const rsOut = last ? nc : 2 * nc;
          const { w, b: rb } = foldEnd(
            f32(`${p}res_skip_layers.${i}.weight`, [rsOut, nc, 1]), f32(`${p}res_skip_layers.${i}.bias`, [rsOut]),
            endW, i === 0 ? endB : null, last ? 0 : nc, nc,
          );
          const rsName = `${p}res_skip_layers.${i}+end`;
          const rsRows = w.length / nc;
          fw.rsW.push(transposed ? upTransposed(w, rsRows, nc, rsName) : upGemm(w, [rsRows, nc], rsName));
          fw.rsB.push(up(rb, [rb.length], `${p}res_skip_layers.${i}.bias+end`));
        }
        flows.push(fw);
      }
      const sr = o.sampleRate ?? num(cfg.sampling_rate, 'sampling_rate');
      const model = new WaveGlow(engine, config, upW, upB, flows, w, sr);
      // Compile every pipeline now rather than on the first call: the tiles are fixed per window
      // class, and the one-frame warm-up below runs the short windows' pipelines.
      await engine.pipelines.prepare([
        couplingKernel(true, false), upsampleKernel, interleaveKernel, ...stftKernels(engine.limits),
        ...flows.flatMap(({ tiles: t, startB }) => [
          gatedConvKernel(t.wn, w.precision), resSkipKernel(t.wn, true, w.precision), resSkipKernel(t.wn, false, w.precision),
          resSkipKernel(t.last, false, w.precision), matmulKernel(t.start, { bias: startB, biasOnRows: true }, [w.precision, 'f32']), matmulKernel(t.winv),
        ]),
      ]);
      await engine.precompile(() => model.infer(new Float32Array(nMel), 1, { sigma: 0.5 }));
      return model;
    } catch (err) {
      w.release();
      throw err;
    }
  }

  /** Checks a mel `[n_mel, frames]` (row-major) and returns its frame count. */
  private validate(mel: Float32Array, frames: number): void {
    const nMel = this.config.nMel;
    if (!Number.isInteger(frames) || frames < 1 || mel.length === 0) {
      throw new FlowgpuError(`WaveGlow: the mel is empty (${frames} frames); it needs at least one frame of ${nMel} channels`);
    }
    if (mel.length !== nMel * frames) {
      const ch = mel.length / frames;
      throw new FlowgpuError(
        Number.isInteger(ch)
          ? `WaveGlow: the mel has ${ch} channels, but this model expects ${nMel} (mel [${ch}, ${frames}]); use a mel made for this vocoder`
          : `WaveGlow: ${mel.length} values do not make ${frames} frames of ${nMel} channels`,
      );
    }
    for (let i = 0; i < mel.length; i++) {
      if (!Number.isFinite(mel[i]!)) {
        const c = Math.floor(i / frames);
        throw new FlowgpuError(`WaveGlow: the mel has a non-finite value (${mel[i]}) at channel ${c}, frame ${i - c * frames}`);
      }
    }
  }

  /** Group steps the largest window may have, from the adapter's binding limit. */
  maxWindow(): number {
    const c = this.config;
    const rows = Math.max(c.nChannels + c.nMel * c.nGroup, 2 * c.nChannels, c.nGroup);
    return Math.floor(this.engine.limits.maxStorageBufferBindingSize / (rows * 4));
  }

  /**
   * mel `[n_mel, frames]` (row-major Float32Array) → audio, `S·frames` samples (S = hop 256),
   * denoised when `denoise` > 0. One readback at the end.
   */
  async infer(mel: Float32Array, frames: number, o: WaveGlowInferOptions = {}): Promise<Float32Array> {
    const e = this.engine;
    const audio = await this.inferTensor(mel, frames, o);
    try {
      if (o.denoise && o.denoise > 0) {
        const bias = await this.denoiserBias();
        const d = e.tidy(() => denoise(e, audio, bias, o.denoise!));
        try {
          return await e.readF32(d);
        } finally {
          d.release();
        }
      }
      return await e.readF32(audio);
    } finally {
      audio.release();
    }
  }

  /** As `infer` without the denoiser, leaving the audio `[S·frames]` on the GPU (caller releases it). */
  async inferTensor(mel: Float32Array, frames: number, o: WaveGlowInferOptions = {}): Promise<Tensor> {
    this.validate(mel, frames);
    const e = this.engine;
    const c = this.config;
    const tg = Math.floor((c.upsampleStride * frames) / c.nGroup);
    // Group steps to output (all, or a prefix); windows may still read up to `tg`.
    const tgOut = o.maxSamples ? Math.min(tg, Math.ceil(o.maxSamples / c.nGroup)) : tg;
    const maxWin = this.maxWindow();
    const win = Math.min(o.chunkLength ?? maxWin, maxWin);
    const single = Math.min(tg, tgOut + this.overlap) <= win; // one window covers the output
    const core = single ? tgOut : win - 2 * this.overlap;
    const out = e.empty([tgOut * c.nGroup], 'f32', 'waveglow.audio');
    e.keep(out);
    try {
      for await (const w of this.windows(mel, frames, o, out, tgOut, () => core)) {
        if (o.onProgress) {
          await e.sync();
          o.onProgress(w.index + 1, Math.ceil(tgOut / core));
        }
      }
    } catch (err) {
      out.release();
      throw err;
    }
    return out;
  }

  /**
   * The audio of `infer` (without the denoiser) window by window, as each is read back: windows
   * of `firstWindow` group steps (default 256), doubling up to the adapter's largest. The same
   * samples as `infer`: each window reads the receptive field on either side, and the noise is
   * drawn for the whole utterance first.
   */
  async *stream(mel: Float32Array, frames: number, o: WaveGlowInferOptions & { firstWindow?: number } = {}): AsyncGenerator<Float32Array> {
    this.validate(mel, frames);
    const e = this.engine;
    const c = this.config;
    const tg = Math.floor((c.upsampleStride * frames) / c.nGroup);
    const largest = Math.min(o.chunkLength ?? this.maxWindow(), this.maxWindow()) - 2 * this.overlap;
    const first = Math.max(1, Math.min(o.firstWindow ?? 256, largest));
    const out = e.empty([tg * c.nGroup], 'f32', 'waveglow.audio');
    try {
      for await (const w of this.windows(mel, frames, o, out, tg, (i) => Math.min(first * 2 ** i, Math.max(first, largest)))) {
        yield await e.readF32(out.view(w.a * c.nGroup, [(w.b - w.a) * c.nGroup]));
      }
    } finally {
      out.release();
    }
  }

  /**
   * Records the reverse flows window by window into `out` (`[n_group·tgOut]`), window i having
   * `core(i)` output group steps; yields after each window is recorded.
   */
  private async *windows(
    mel: Float32Array, frames: number, o: WaveGlowInferOptions, out: Tensor, tgOut: number, core: (i: number) => number,
  ): AsyncGenerator<{ index: number; a: number; b: number }> {
    const e = this.engine;
    const c = this.config;
    const sigma = o.sigma ?? WAVEGLOW_SIGMA;
    if (!Number.isFinite(sigma) || sigma < 0) throw new FlowgpuError(`WaveGlow: sigma must be ≥ 0, got ${sigma}`);
    const tg = Math.floor((c.upsampleStride * frames) / c.nGroup);
    const nSamples = tgOut * c.nGroup;
    const nRem = this.nRemaining;
    const nEarly = this.nEarly;
    if (o.noise) {
      if (o.noise.length !== 1 + nEarly) {
        throw new FlowgpuError(`WaveGlow: expected ${1 + nEarly} noise arrays (initial z, then ${nEarly} early z), got ${o.noise.length}`);
      }
      o.noise.forEach((z, i) => {
        const want = (i === 0 ? nRem : c.nEarlySize) * tg;
        if (z.length !== want) throw new FlowgpuError(`WaveGlow: noise[${i}] has ${z.length} values, expected ${want} ([${i === 0 ? nRem : c.nEarlySize}, ${tg}])`);
      });
    }
    if (core(0) < 1) {
      throw new FlowgpuError(
        `WaveGlow: windows of ${this.maxWindow()} group steps cannot hold the ${2 * this.overlap}-step overlap of this model ` +
          `(the adapter's maxStorageBufferBindingSize is ${e.limits.maxStorageBufferBindingSize} bytes)`,
      );
    }
    const outBytes = nSamples * 4;
    if (outBytes > e.limits.maxStorageBufferBindingSize) {
      const maxFrames = Math.floor(e.limits.maxStorageBufferBindingSize / 4 / c.upsampleStride);
      throw new FlowgpuError(`WaveGlow: ${frames} frames give ${nSamples} samples, more than one buffer of this adapter holds; split the mel into pieces of at most ${maxFrames} frames`);
    }

    const melT = e.upload(mel, [c.nMel, frames], 'mel');
    // Whole-utterance noise, already scaled by sigma.
    const noise: Tensor[] = [];
    try {
      const draws = [nRem, ...Array<number>(nEarly).fill(c.nEarlySize)];
      let offset = 0;
      draws.forEach((rows, i) => {
        const given = o.noise?.[i];
        if (sigma === 0) {
          noise.push(e.upload(new Float32Array(rows * tg), [rows, tg], `noise.${i}`));
        } else if (given) {
          const t = e.upload(given, [rows, tg], `noise.${i}`);
          noise.push(affine(e, t, sigma));
          t.release();
        } else {
          // On the GPU from (seed, offset): draw i continues the stream where draw i − 1 ended.
          noise.push(randn(e, [rows, tg], o.seed ?? 0, { offset, scale: sigma }));
        }
        offset += rows * tg;
      });
      for (let index = 0, a = 0; a < tgOut; index++) {
        const b = Math.min(tgOut, a + core(index));
        const ws = Math.max(0, a - this.overlap);
        const we = Math.min(tg, b + this.overlap);
        e.tidy(() => {
          const audio = this.window(melT, noise, ws, we - ws);
          interleave(e, audio, out, a - ws, b - a, a * c.nGroup);
          return null;
        });
        yield { index, a, b };
        a = b;
      }
    } finally {
      melT.release();
      for (const t of noise) t.release();
    }
  }

  /** The reverse flows over group steps [t0, t0 + len): returns audio `[n_group, len]`. */
  private window(mel: Tensor, noise: Tensor[], t0: number, len: number): Tensor {
    const e = this.engine;
    const c = this.config;
    const tg = noise[0]!.dim(1);
    // WN's h (rows [0, n_channels), rewritten by every flow) and the conditioning after it.
    const hc = e.empty([c.nChannels + c.nMel * c.nGroup, len], 'f32', 'wn.h+cond');
    upsampleSqueeze(e, mel, this.upW, this.upB, { stride: c.upsampleStride, group: c.nGroup, t0, len, out: hc, dst: c.nChannels * len });
    const sliceRows = (src: Tensor, dst: Tensor, rowOffset: number): void => {
      for (let r = 0; r < src.dim(0); r++) e.copy(src, dst, len, r * tg + t0, (rowOffset + r) * len);
    };
    const short = len < SHORT_BELOW;
    let audio = e.empty([this.nRemaining, len], 'f32', 'audio');
    sliceRows(noise[0]!, audio, 0);
    let early = 1;
    for (let k = c.nFlows - 1; k >= 0; k--) {
      const f = this.flows[k]!;
      const prev = audio;
      audio = e.tidy(() => {
        const t = short ? f.shortTiles : f.tiles;
        const stats = this.wn(f, t, prev.view(0, [f.nHalf, len]), hc);
        const coupled = affineCoupling(e, prev, stats, { x1Start: f.nHalf, n1: f.channels - f.nHalf });
        const mixed = matmul(e, f.winv, coupled, mm(t.winv));
        if (k % c.nEarlyEvery === 0 && k > 0) {
          const z = noise[early++]!;
          const cat = e.empty([f.channels + c.nEarlySize, len], 'f32', 'audio');
          sliceRows(z, cat, 0);
          e.copy(mixed, cat, f.channels * len, 0, c.nEarlySize * len);
          return cat;
        }
        return mixed;
      });
      prev.release();
    }
    return audio;
  }

  /** WN: audio_0 `[n_half, T]`, hc `[n_channels + n_mel·G, T]` (cond in the rows after h) → `[2·n_half, T]` = [b | s]. */
  private wn(f: FlowWeights, t: FlowTiles, a0: Tensor, hc: Tensor): Tensor {
    const e = this.engine;
    const { nLayers, kernelSize, nChannels: nc } = this.config;
    const len = a0.dim(1);
    const h = hc.view(0, [nc, len]);
    matmul(e, f.start, a0, mm(t.start, { bias: f.startB, biasOnRows: true, out: h }));
    // The skip sum goes straight through `end` (folded into each layer's skip rows at load).
    const out = e.empty([2 * f.nHalf, len], 'f32', 'wn.out');
    for (let i = 0; i < nLayers; i++) {
      e.tidy(() => {
        const acts = gatedConv(e, hc, f.gateW[i]!, f.inB[i]!, { hidden: nc, kernelSize, dilation: 2 ** i, tiles: t.wn });
        const last = i === nLayers - 1;
        resSkipConv(e, acts, f.rsW[i]!, f.rsB[i]!, last ? null : h, out, i === 0, last ? t.last : t.wn);
        return null;
      });
    }
    return out;
  }

  /** The denoiser's bias spectrum `[n_fft/2 + 1]`: first STFT frame of the audio of a zero mel at sigma 0. */
  async denoiserBias(): Promise<Tensor> {
    if (!this.biasSpec) {
      const e = this.engine;
      const zeros = new Float32Array(this.config.nMel * DENOISER_FRAMES);
      // Only STFT frame 0 is kept, which reads samples [0, n_fft/2] (reflect padding).
      const audio = await this.inferTensor(zeros, DENOISER_FRAMES, { sigma: 0, maxSamples: DENOISER_STFT.nFft / 2 + 1 });
      this.biasSpec = e.keep(e.tidy(() => biasSpectrum(e, audio)));
      audio.release();
    }
    return this.biasSpec;
  }

  release(): void {
    this.weights.release();
    this.biasSpec?.release();
    this.biasSpec = null;
  }
}
