// HiFi-GAN generator (jik876/hifi-gan, as vendored in keonlee9420/Cross-Speaker-Emotion-Transfer):
// conv_pre → per upsample: leaky ReLU 0.1, ConvTranspose1d, the average of the multi-receptive-
// field residual blocks → leaky ReLU with torch's default slope 0.01 (not 0.1) → conv_post → tanh.
// Weight norm is folded at load (remove_weight_norm); the config comes from the checkpoint
// (metadata config when present, else shapes + the published defaults).
import { type Engine, WARM_UP_LENGTHS } from '../gpu/engine.js';
import { assertFinite, describeShape, FlowgpuError } from '../gpu/errors.js';
import type { Tensor } from '../gpu/tensor.js';
import { type Config, type Detection, detect } from '../io/detect.js';
import type { Checkpoint } from '../io/host-tensor.js';
import { foldWeightNorm } from '../io/weightnorm.js';
import { conv1d, type Conv1dOptions, convTranspose1d } from '../ops/conv.js';
import { useSubgroupKernels } from '../ops/subgroup.js';
import { add, affine } from '../ops/elementwise.js';
import type { VocodeOptions, Vocoder } from './vocoder.js';
import { type ModelOptions, Weights } from './weights.js';

const MODEL = 'HiFi-GAN';
const LRELU_SLOPE = 0.1;

export interface HifiganConfig {
  resblock: '1' | '2';
  upsampleRates: number[];
  upsampleKernels: number[];
  upsampleInitialChannel: number;
  resblockKernels: number[];
  resblockDilations: number[][];
  numMels: number;
  /** The audio's rate (`sampling_rate`): not used by the generator, only said in WAV headers. */
  sampleRate: number;
}

function numbers(v: unknown, what: string): number[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number')) throw new FlowgpuError(`${MODEL} config: ${what} should be a list of numbers`);
  return v as number[];
}

// Deterministic: the VocodeOptions sigma, seed, noise and denoise do not apply; the whole mel runs at once.
export class HiFiGAN implements Vocoder {
  readonly kind = 'hifigan';
  private readonly w: Weights;

  private constructor(readonly engine: Engine, ckpt: Checkpoint, readonly config: HifiganConfig, o: ModelOptions) {
    this.w = new Weights(engine, ckpt, MODEL, o);
  }

  /** Total upsampling factor (samples per mel frame). */
  get hopLength(): number {
    return this.config.upsampleRates.reduce((a, b) => a * b, 1);
  }

  get sampleRate(): number {
    return this.config.sampleRate;
  }

  get nMel(): number {
    return this.config.numMels;
  }

  /**
   * Mel frames on either side that can reach an output sample: walking back from conv_post
   * through each stage's residual blocks (parallel: the widest counts; ResBlock1 adds a
   * dilation-1 conv per dilation) and its transposed conv (output t reads inputs
   * ⌈(t + p − k + 1)/u⌉ … ⌊(t + p)/u⌋), to conv_pre. Audio cut from windows with this much
   * mel context equals one pass over the whole mel.
   */
  receptiveField(): number {
    const { w, config: c } = this;
    const half = (name: string): number => (w.host(name).shape[2]! - 1) >> 1;
    let r = half('conv_post.weight');
    for (let i = c.upsampleRates.length - 1; i >= 0; i--) {
      let widest = 0;
      c.resblockKernels.forEach((k, j) => {
        const perConv = (k - 1) >> 1;
        const dil = c.resblockDilations[j]!;
        widest = Math.max(widest, dil.reduce((s, d) => s + d * perConv + (c.resblock === '1' ? perConv : 0), 0));
      });
      r += widest;
      const u = c.upsampleRates[i]!;
      const k = c.upsampleKernels[i]!;
      const p = (k - u) >> 1;
      r = Math.max(Math.ceil((r + k - 1 - p) / u), Math.floor((r + p) / u));
    }
    return r + half('conv_pre.weight');
  }

  /** Builds the generator `detection` describes (detected here when not given). */
  static async load(engine: Engine, ckpt: Checkpoint, detection?: Detection, o: ModelOptions = {}): Promise<HiFiGAN> {
    const folded: Checkpoint = { tensors: foldWeightNorm(ckpt.tensors).tensors, metadata: ckpt.metadata };
    const det = detection ?? detect(folded);
    if (det.model !== 'hifigan') throw new FlowgpuError(`this checkpoint is a ${det.model} model, not a HiFi-GAN generator`);
    const c: Config = det.config;
    const config: HifiganConfig = {
      resblock: String(c['resblock']) === '2' ? '2' : '1',
      upsampleRates: numbers(c['upsample_rates'], 'upsample_rates'),
      upsampleKernels: numbers(c['upsample_kernel_sizes'], 'upsample_kernel_sizes'),
      upsampleInitialChannel: Number(c['upsample_initial_channel']),
      resblockKernels: numbers(c['resblock_kernel_sizes'], 'resblock_kernel_sizes'),
      resblockDilations: (c['resblock_dilation_sizes'] as unknown[]).map((d, i) => numbers(d, `resblock_dilation_sizes[${i}]`)),
      numMels: Number(c['num_mels']),
      sampleRate: Number(c['sampling_rate']),
    };
    if (config.upsampleRates.length !== config.upsampleKernels.length) {
      throw new FlowgpuError(`${MODEL} config: ${config.upsampleRates.length} upsample rates but ${config.upsampleKernels.length} kernels`);
    }
    const m = new HiFiGAN(engine, folded, config, o);
    m.checkWeights();
    // Compile every pipeline now. Tiles follow the length, so short to long inputs.
    await engine.precompile(async () => {
      for (const n of WARM_UP_LENGTHS) await m.infer(new Float32Array(config.numMels * n), n);
    });
    return m;
  }

  private checkWeights(): void {
    const { w, config: c } = this;
    w.host('conv_pre.weight', [c.upsampleInitialChannel, c.numMels, -1]);
    c.upsampleRates.forEach((_, i) => {
      const ch = c.upsampleInitialChannel >> i;
      w.host(`ups.${i}.weight`, [ch, ch >> 1, c.upsampleKernels[i]!]);
    });
    w.host('conv_post.weight', [1, -1, -1]);
  }

  release(): void {
    this.w.release();
  }

  /** The Conv1d `layer` (its `.weight` and `.bias`), on the subgroup kernel where it runs (f32 weights). */
  private conv(x: Tensor, layer: string, o: Conv1dOptions): Tensor {
    const { engine: e, w } = this;
    const name = `${layer}.weight`;
    const weight = useSubgroupKernels(e) && w.precision === 'f32' ? w.convTransposed(name) : w.gemm(name);
    return conv1d(e, x, weight, w.gpu(`${layer}.bias`), o);
  }

  private resblock(x: Tensor, j: number): Tensor {
    const c = this.config;
    const k = c.resblockKernels[j % c.resblockKernels.length]!;
    const dil = c.resblockDilations[j % c.resblockKernels.length]!;
    const p = `resblocks.${j}`;
    // x + conv(leaky(x)) (V2/V3: one conv; V1: two, leaky before each): the leaky ReLUs are
    // fused into the convs' loads and the residual into the last conv's store.
    const leaky = { inputLeakySlope: LRELU_SLOPE };
    dil.forEach((d, i) => {
      const dilated = { ...leaky, dilation: d, padding: (d * (k - 1)) >> 1 };
      if (c.resblock === '1') {
        const xt = this.conv(x, `${p}.convs1.${i}`, dilated);
        x = this.conv(xt, `${p}.convs2.${i}`, { ...leaky, padding: (k - 1) >> 1, residual: x });
      } else {
        x = this.conv(x, `${p}.convs.${i}`, { ...dilated, residual: x });
      }
    });
    return x;
  }

  /** mel `[n_mel, T]` on the GPU → audio `[T · hop]` in [−1, 1]. */
  forward(mel: Tensor): Tensor {
    const { engine: e, w, config: c } = this;
    if (mel.shape.length !== 2 || mel.dim(0) !== c.numMels) {
      throw new FlowgpuError(`${MODEL}: the mel must be [${c.numMels}, frames], got ${describeShape(mel.shape)}`);
    }
    return e.tidy(() => {
      const kPre = w.host('conv_pre.weight').shape[2]!;
      let x = this.conv(mel, 'conv_pre', { padding: (kPre - 1) >> 1 });
      const nk = c.resblockKernels.length;
      c.upsampleRates.forEach((u, i) => {
        x = convTranspose1d(e, x, w.gemm(`ups.${i}.weight`), w.gpu(`ups.${i}.bias`), {
          stride: u, padding: (c.upsampleKernels[i]! - u) >> 1, inputLeakySlope: LRELU_SLOPE,
        });
        let xs: Tensor | undefined;
        for (let j = 0; j < nk; j++) {
          const r = this.resblock(x, i * nk + j);
          xs = xs ? add(e, xs, r) : r;
        }
        x = affine(e, xs!, 1 / nk);
      });
      const kPost = w.host('conv_post.weight').shape[2]!;
      // leaky ReLU with F.leaky_relu's default slope 0.01 → conv_post → tanh, in one dispatch.
      x = this.conv(x, 'conv_post', { padding: (kPost - 1) >> 1, inputLeakySlope: 0.01, activation: 'tanh' });
      return x.reshape([x.size]);
    });
  }

  /** Host mel `[n_mel, frames]` (row-major) → audio samples. */
  async infer(mel: Float32Array, frames: number, o: VocodeOptions = {}): Promise<Float32Array> {
    const e = this.engine;
    if (!Number.isInteger(frames) || frames < 1 || mel.length !== this.nMel * frames) {
      throw new FlowgpuError(`${MODEL}: a mel of ${mel.length} values is not [${this.nMel}, ${frames}] (this vocoder takes ${this.nMel} mel channels)`);
    }
    assertFinite(mel, `${MODEL}: the mel`, 'a vocoder input must be a finite log mel');
    const x = e.upload(mel, [this.nMel, frames], 'mel');
    const y = this.forward(x);
    try {
      const audio = await e.readF32(y);
      o.onProgress?.(1, 1);
      return audio;
    } finally {
      x.release();
      y.release();
    }
  }
}
