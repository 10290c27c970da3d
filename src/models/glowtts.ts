// Glow-TTS (jaywalnut310/glow-tts FlowGenerator) on the GPU: text encoder with relative-position
// attention, duration predictor, length regulation, and the flow decoder run in reverse
// (synthesis) or forward (forced alignment with monotonic alignment search).
// Batch 1 without padding, so every mask of the original is all ones and is left out.

import { type Engine, WARM_UP_LENGTHS } from '../gpu/engine.js';
import { assertFinite, FlowgpuError } from '../gpu/errors.js';
import type { Tensor } from '../gpu/tensor.js';
import { type Config, type Detection, detect } from '../io/detect.js';
import type { Checkpoint } from '../io/host-tensor.js';
import { foldWeightNorm } from '../io/weightnorm.js';
import { conv1d } from '../ops/conv.js';
import { add, relu } from '../ops/elementwise.js';
import { embedding } from '../ops/gather.js';
import { affineCoupling } from '../ops/coupling.js';
import { actNormInvConv, expandPrior, squeezeFrames, unsqueezeFrames } from '../ops/flowstep.js';
import { gatedConv, resSkipConv, waveNetTiles } from '../ops/wavenet.js';
import { gaussianLogLikelihood, maximumPath } from '../ops/mas.js';
import { matmul } from '../ops/matmul.js';
import { layerNorm } from '../ops/norm.js';
import { randn } from '../ops/random.js';
import { invertMatrix } from '../math/linalg.js';
import { relAttention } from '../ops/relattn.js';
import { concat } from '../ops/shape.js';
import { GLOWTTS_BLANK, type TextIds, textToIds } from '../text/index.js';
import { alignmentFromDurations, type Synthesis, type SynthesizeOptions, type TextToSpeech, timeWords, tokensOf } from './tts.js';
import { type ModelOptions, Weights } from './weights.js';

export interface GlowTTSConfig {
  nVocab: number;
  hiddenEnc: number;
  hiddenDec: number;
  filterChannels: number;
  filterChannelsDp: number;
  outChannels: number;
  kernelSize: number;
  nHeads: number;
  nLayersEnc: number;
  nBlocksDec: number;
  kernelSizeDec: number;
  dilationRate: number;
  nBlockLayers: number;
  nSplit: number;
  nSqz: number;
  windowSize: number | null;
  blockLength: number | null;
  meanOnly: boolean;
  prenet: boolean;
  sigmoidScale: boolean;
  ginChannels: number;
  nSpeakers: number;
  /** `data.sampling_rate`: the rate of the audio the mels describe. */
  sampleRate: number;
}

export interface GlowTTSSynthesizeOptions extends SynthesizeOptions {
  /** The unit-normal noise itself, `[nMel, frames]` row-major (must match the frame count; else drawn from `seed`). */
  noise?: Float32Array | ((frames: number) => Float32Array);
}

export interface GlowTTSSynthesis extends Synthesis {
  durations: Int32Array;
  /** `ceil(exp(logw) · lengthScale)` per token, before the cut to a multiple of n_sqz. */
  durationsCeil: Int32Array;
  /** The duration predictor's log-durations per token. */
  logw: Float32Array;
}

export interface AlignmentResult {
  /** 0/1 monotonic path `[tokens, frames]`, row-major. */
  path: Float32Array;
  tokens: number;
  /** Frames used (the mel's frames cut to a multiple of n_sqz). */
  frames: number;
  /** Frames per token (each ≥ 1, summing to `frames`). */
  durations: Int32Array;
  /** The latent z `[nMel, frames]` the decoder maps the mel to (with `withLatent`). */
  z?: Float32Array;
}

function num(c: Config, k: string): number {
  const v = c[k];
  if (typeof v !== 'number') throw new FlowgpuError(`Glow-TTS config: "${k}" should be a number, got ${JSON.stringify(v)}`);
  return v;
}

function optNum(c: Config, k: string): number | null {
  const v = c[k];
  return typeof v === 'number' ? v : null;
}

export function glowttsConfig(c: Config): GlowTTSConfig {
  const hidden = num(c, 'hidden_channels');
  return {
    nVocab: num(c, 'n_vocab'),
    hiddenEnc: optNum(c, 'hidden_channels_enc') ?? hidden,
    hiddenDec: optNum(c, 'hidden_channels_dec') ?? hidden,
    filterChannels: num(c, 'filter_channels'),
    filterChannelsDp: num(c, 'filter_channels_dp'),
    outChannels: num(c, 'out_channels'),
    kernelSize: num(c, 'kernel_size'),
    nHeads: num(c, 'n_heads'),
    nLayersEnc: num(c, 'n_layers_enc'),
    nBlocksDec: num(c, 'n_blocks_dec'),
    kernelSizeDec: num(c, 'kernel_size_dec'),
    dilationRate: num(c, 'dilation_rate'),
    nBlockLayers: num(c, 'n_block_layers'),
    nSplit: optNum(c, 'n_split') ?? 4,
    nSqz: optNum(c, 'n_sqz') ?? 1,
    windowSize: optNum(c, 'window_size'),
    blockLength: optNum(c, 'block_length'),
    meanOnly: Boolean(c['mean_only']),
    prenet: Boolean(c['prenet']),
    sigmoidScale: Boolean(c['sigmoid_scale']),
    ginChannels: optNum(c, 'gin_channels') ?? 0,
    nSpeakers: optNum(c, 'n_speakers') ?? 0,
    sampleRate: optNum(c, 'sampling_rate') ?? 22050,
  };
}

export class GlowTTS implements TextToSpeech {
  readonly kind = 'glowtts';
  readonly nMel: number;
  /** Audio the mels describe: the config's `sampling_rate` (22050 Hz in every published config). */
  readonly sampleRate: number;
  readonly hopLength = 256;
  private readonly speakerBiases = new Map<string, Tensor>();

  private constructor(
    readonly engine: Engine,
    readonly config: GlowTTSConfig,
    private readonly w: Weights,
  ) {
    this.nMel = config.outChannels;
    this.sampleRate = config.sampleRate;
    w.host('encoder.emb.weight', [config.nVocab, config.hiddenEnc]);
  }

  /** Builds the model from a Glow-TTS state dict (weight norm folded here; any config the
   *  checkpoint's shapes and metadata `config` describe). */
  static async load(engine: Engine, checkpoint: Checkpoint, detection?: Detection, o: ModelOptions = {}): Promise<GlowTTS> {
    const det = detection ?? detect(checkpoint);
    if (det.model !== 'glowtts') throw new FlowgpuError(`this checkpoint is a ${det.model} model, not Glow-TTS`);
    const config = glowttsConfig(det.config);
    if (config.ginChannels > 0 && config.nSpeakers <= 1) {
      throw new FlowgpuError(`Glow-TTS: gin_channels is ${config.ginChannels} but the checkpoint has no speaker table (emb_g); the original cannot run it either`);
    }
    const { tensors } = foldWeightNorm(checkpoint.tensors);
    const w = new Weights(engine, { tensors, metadata: checkpoint.metadata }, 'Glow-TTS', o);
    const model = new GlowTTS(engine, config, w);
    // InvConvNear inverses, once, on the host (float64, rounded once).
    for (let b = 0; b < config.nBlocksDec; b++) {
      const name = `decoder.flows.${3 * b + 1}.weight`;
      const m = w.f32(name, [config.nSplit, config.nSplit]);
      w.put(`${name}.inverse`, Float32Array.from(invertMatrix(m, config.nSplit, `${name} (invertible 1×1 convolution)`)), [config.nSplit, config.nSplit]);
    }
    // Compile every pipeline now. Tiles follow the length, so short to long inputs.
    await engine.precompile(async () => {
      for (const n of WARM_UP_LENGTHS) await model.synthesize(Array.from({ length: n }, (_, i) => 1 + (i % (config.nVocab - 1))));
    });
    // The front end's dictionary is read now too (about a second the first time), not by the first utterance.
    await model.textToIds('a');
    return model;
  }

  release(): void {
    for (const t of this.speakerBiases.values()) t.release();
    this.speakerBiases.clear();
    this.w.release();
  }

  private g(name: string): Tensor {
    return this.w.gpu(name);
  }

  /** 1x1 conv (torch weight [Cout, Cin, 1]) on [Cin, T]. */
  private pointwise(name: string, x: Tensor): Tensor {
    const wt = this.w.gemm(`${name}.weight`);
    const cout = wt.dim(0);
    return matmul(this.engine, wt.reshape([cout, wt.size / cout]), x, { bias: this.g(`${name}.bias`), biasOnRows: true });
  }

  private conv(name: string, x: Tensor, o: { dilation?: number; activation?: 'relu'; bias?: Tensor } = {}): Tensor {
    const wt = this.w.gemm(`${name}.weight`);
    const k = wt.dim(2);
    const d = o.dilation ?? 1;
    const pad = Math.floor((k * d - d) / 2);
    return conv1d(this.engine, x, wt, o.bias ?? this.g(`${name}.bias`), { padding: pad, dilation: d, activation: o.activation ?? 'none' });
  }

  private norm(name: string, x: Tensor): Tensor {
    return layerNorm(this.engine, x, this.g(`${name}.gamma`), this.g(`${name}.beta`), { eps: 1e-4, axis: 'channels' });
  }

  /** `F.normalize(emb_g(speaker))`: the unit-length speaker vector `[gin]` (multi-speaker models). */
  private speakerVector(speaker: number | undefined): Float32Array | null {
    const c = this.config;
    if (c.nSpeakers <= 1) {
      if (speaker !== undefined && speaker !== 0) throw new FlowgpuError(`Glow-TTS: this model has a single speaker, not speaker ${speaker}`);
      return null;
    }
    const sid = speaker ?? 0;
    if (!Number.isInteger(sid) || sid < 0 || sid >= c.nSpeakers) {
      throw new FlowgpuError(`Glow-TTS: speaker ${sid} is outside this model's ${c.nSpeakers} speakers (0..${c.nSpeakers - 1})`);
    }
    const table = this.w.f32('emb_g.weight', [c.nSpeakers, c.ginChannels]);
    const row = table.subarray(sid * c.ginChannels, (sid + 1) * c.ginChannels);
    let n = 0;
    for (const v of row) n += v * v;
    const inv = 1 / Math.max(Math.sqrt(n), 1e-12);
    return Float32Array.from(row, (v) => v * inv);
  }

  /** WN in_layer biases with the speaker's conditioning folded in (cond_layer(g) is constant over
   *  time, so `in_layer(x) + g_l` is the in_layer with bias + g_l). Cached per speaker. */
  private inLayerBias(b: number, l: number, speaker: number | undefined, g: Float32Array | null): Tensor {
    const p = `decoder.flows.${3 * b + 2}.wn`;
    if (!g) return this.g(`${p}.in_layers.${l}.bias`);
    const name = `${p}.in_layers.${l}.bias+speaker${speaker ?? 0}`;
    const cached = this.speakerBiases.get(name);
    if (cached) return cached;
    const c = this.config;
    const h2 = 2 * c.hiddenDec;
    const cw = this.w.f32(`${p}.cond_layer.weight`, [h2 * c.nBlockLayers, c.ginChannels, 1]);
    const cb = this.w.f32(`${p}.cond_layer.bias`, [h2 * c.nBlockLayers]);
    const bias = Float32Array.from(this.w.f32(`${p}.in_layers.${l}.bias`, [h2]));
    for (let r = 0; r < h2; r++) {
      const row = l * h2 + r;
      let acc = cb[row]!;
      for (let k = 0; k < c.ginChannels; k++) acc += cw[row * c.ginChannels + k]! * g[k]!;
      bias[r] = Math.fround(bias[r]! + Math.fround(acc));
    }
    const t = this.engine.persistent(bias, [h2], name);
    this.speakerBiases.set(name, t);
    return t;
  }

  /** Token ids of `text` through Glow-TTS's front end (english_cleaners + CMUdict; blanks
   *  interspersed for add_blank models, n_vocab 149). */
  /** The Glow-TTS front end; models trained with `add_blank` (n_vocab one past the symbols) get blanks interspersed. */
  textToIds(text: string): Promise<TextIds> {
    const addBlank = this.config.nVocab === GLOWTTS_BLANK + 1;
    return textToIds('glowtts', text, addBlank ? { addBlank } : {});
  }

  /** Token ids checked against the vocabulary. */
  private checkIds(ids: readonly number[]): void {
    if (ids.length === 0) throw new FlowgpuError('Glow-TTS: no tokens to speak (the text gave no ids)');
    for (const id of ids) {
      if (!Number.isInteger(id) || id < 0 || id >= this.config.nVocab) {
        throw new FlowgpuError(`Glow-TTS: token id ${id} is outside this model's vocabulary of ${this.config.nVocab}`);
      }
    }
  }

  /** Text encoder: x_m, x_logs (undefined when mean-only) `[nMel, Tx]`, logw `[1, Tx]`. */
  encode(ids: readonly number[], g: Float32Array | null = null): { xm: Tensor; xlogs?: Tensor; logw: Tensor } {
    this.checkIds(ids);
    const e = this.engine;
    const c = this.config;
    const h = c.hiddenEnc;
    const tx = ids.length;
    return e.tidy(() => {
      // Embedding · sqrt(hidden), laid out channels-first [H, Tx].
      let x = embedding(e, ids, this.g('encoder.emb.weight'), { scale: Math.sqrt(h), channelsFirst: true });
      if (c.prenet) {
        const org = x;
        let y = x;
        for (let l = 0; this.w.has(`encoder.pre.conv_layers.${l}.weight`); l++) {
          y = this.conv(`encoder.pre.conv_layers.${l}`, y);
          y = relu(e, this.norm(`encoder.pre.norm_layers.${l}`, y));
        }
        x = add(e, org, this.pointwise('encoder.pre.proj', y));
      }
      for (let l = 0; l < c.nLayersEnc; l++) {
        const p = `encoder.encoder.attn_layers.${l}`;
        const q = this.pointwise(`${p}.conv_q`, x);
        const k = this.pointwise(`${p}.conv_k`, x);
        const v = this.pointwise(`${p}.conv_v`, x);
        const rel = c.windowSize !== null && this.w.has(`${p}.emb_rel_k`);
        const { out } = relAttention(e, q, k, v, {
          heads: c.nHeads,
          relK: rel ? this.g(`${p}.emb_rel_k`) : undefined,
          relV: rel ? this.g(`${p}.emb_rel_v`) : undefined,
          blockLength: c.blockLength ?? undefined,
        });
        const y = this.pointwise(`${p}.conv_o`, out);
        x = this.norm(`encoder.encoder.norm_layers_1.${l}`, add(e, x, y));
        const f = `encoder.encoder.ffn_layers.${l}`;
        const y2 = this.conv(`${f}.conv_2`, this.conv(`${f}.conv_1`, x, { activation: 'relu' }));
        x = this.norm(`encoder.encoder.norm_layers_2.${l}`, add(e, x, y2));
      }
      const xm = this.pointwise('encoder.proj_m', x);
      const xlogs = c.meanOnly ? undefined : this.pointwise('encoder.proj_s', x);
      let dpIn = x;
      if (g) {
        // x_dp = cat(x, g expanded over the tokens)
        const gx = new Float32Array(g.length * tx);
        g.forEach((v, k) => gx.fill(v, k * tx, (k + 1) * tx));
        dpIn = concat(e, [x, e.upload(gx, [g.length, tx], 'glowtts-g')], 0);
      }
      let d = this.conv('encoder.proj_w.conv_1', dpIn, { activation: 'relu' });
      d = this.norm('encoder.proj_w.norm_1', d);
      d = this.conv('encoder.proj_w.conv_2', d, { activation: 'relu' });
      d = this.norm('encoder.proj_w.norm_2', d);
      const logw = this.pointwise('encoder.proj_w.proj', d);
      return xlogs ? { xm, xlogs, logw } : { xm, logw };
    });
  }

  /** One CouplingBlock (WN network + affine coupling) on the squeezed `[C, T]`. */
  private coupling(b: number, x: Tensor, reverse: boolean, speaker?: number, g: Float32Array | null = null): Tensor {
    const e = this.engine;
    const c = this.config;
    const p = `decoder.flows.${3 * b + 2}`;
    const ch = x.dim(0);
    const t = x.dim(1);
    return e.tidy(() => {
      const x0 = x.view(0, [ch / 2, t]);
      const h = this.pointwise(`${p}.start`, x0);
      const hid = c.hiddenDec;
      const skip = e.empty([hid, t], 'f32', 'wn-skip');
      // Two dispatches per layer (src/ops/wavenet.ts); the speaker's conditioning is in the bias.
      const tiles = waveNetTiles(e, hid, 0, c.kernelSizeDec, hid, hid, t);
      const lastTiles = waveNetTiles(e, hid, 0, c.kernelSizeDec, 0, hid, t);
      for (let l = 0; l < c.nBlockLayers; l++) {
        const inW = this.w.gemm(`${p}.wn.in_layers.${l}.weight`);
        const acts = gatedConv(e, h, inW, this.inLayerBias(b, l, speaker, g), { hidden: hid, kernelSize: inW.dim(2), dilation: c.dilationRate ** l, tiles });
        const rsW = this.w.gemm(`${p}.wn.res_skip_layers.${l}.weight`);
        const last = l === c.nBlockLayers - 1;
        resSkipConv(e, acts, rsW, this.g(`${p}.wn.res_skip_layers.${l}.bias`), last ? null : h, skip, l === 0, last ? lastTiles : tiles);
      }
      const st = this.pointwise(`${p}.end`, skip);
      return affineCoupling(e, x, st, { reverse, sigmoidScale: c.sigmoidScale }); // st = [m | logs]
    });
  }

  private flowStep(b: number, x: Tensor, reverse: boolean): Tensor {
    const an = `decoder.flows.${3 * b}`;
    const inv = `decoder.flows.${3 * b + 1}.weight`;
    return actNormInvConv(this.engine, x, this.g(`${an}.logs`), this.g(`${an}.bias`), this.g(reverse ? `${inv}.inverse` : inv), { reverse });
  }

  /** Decoder in reverse: z `[nMel, T]` (T a multiple of n_sqz) → mel `[nMel, T]`. */
  decodeReverse(z: Tensor, speaker?: number): Tensor {
    const g = this.speakerVector(speaker);
    const e = this.engine;
    const c = this.config;
    return e.tidy(() => {
      let x = squeezeFrames(e, z, c.nSqz);
      for (let b = c.nBlocksDec - 1; b >= 0; b--) {
        x = this.coupling(b, x, true, speaker, g);
        x = this.flowStep(b, x, true);
      }
      return unsqueezeFrames(e, x, c.nSqz);
    });
  }

  /** Decoder forward (training direction): mel `[nMel, T]` → z `[nMel, T']`, T' = T cut to a
   *  multiple of n_sqz. */
  decodeForward(mel: Tensor, speaker?: number): Tensor {
    const g = this.speakerVector(speaker);
    const e = this.engine;
    const c = this.config;
    return e.tidy(() => {
      let x = squeezeFrames(e, mel, c.nSqz);
      for (let b = 0; b < c.nBlocksDec; b++) {
        x = this.flowStep(b, x, false);
        x = this.coupling(b, x, false, speaker, g);
      }
      return unsqueezeFrames(e, x, c.nSqz);
    });
  }

  /** Text (a string for the Glow-TTS front end, or token ids) → mel. */
  async synthesize(input: string | ArrayLike<number>, o: GlowTTSSynthesizeOptions = {}): Promise<GlowTTSSynthesis> {
    const text = await tokensOf(input, (t) => this.textToIds(t));
    const { ids, unknown } = text;
    const e = this.engine;
    const c = this.config;
    const noiseScale = o.noiseScale ?? 0.667;
    const lengthScale = o.lengthScale ?? 1;
    if (!(lengthScale > 0)) throw new FlowgpuError(`Glow-TTS: length scale must be > 0, got ${lengthScale}`);
    const tx = ids.length;
    const g = this.speakerVector(o.speaker);
    let result: GlowTTSSynthesis | undefined;
    await e.tidyAsync(async () => {
      const { xm, xlogs, logw } = this.encode(ids, g);
      const logwHost = await e.readF32(logw);
      const wCeil = new Int32Array(tx);
      let total = 0;
      for (let i = 0; i < tx; i++) {
        const w = Math.fround(Math.fround(Math.exp(logwHost[i]!)) * Math.fround(lengthScale));
        wCeil[i] = Math.ceil(w);
        total += wCeil[i]!;
      }
      const frames = Math.floor(Math.max(total, 1) / c.nSqz) * c.nSqz;
      if (frames === 0) {
        throw new FlowgpuError(`Glow-TTS: the predicted durations give ${total} frame(s), fewer than the ${c.nSqz} the decoder needs; use a longer text or a larger length scale`);
      }
      // Path: token i covers frames [cum[i-1], cum[i]) cut to `frames`.
      const idx = new Int32Array(frames).fill(-1);
      const durations = new Int32Array(tx);
      let start = 0;
      for (let i = 0; i < tx; i++) {
        const end = Math.min(start + wCeil[i]!, frames);
        for (let t = start; t < end; t++) idx[t] = i;
        durations[i] = Math.max(end - start, 0);
        start = Math.max(end, start);
      }
      let noise: Tensor;
      const given = typeof o.noise === 'function' ? o.noise(frames) : o.noise;
      if (given) {
        if (given.length !== c.outChannels * frames) {
          throw new FlowgpuError(`Glow-TTS: the noise has ${given.length} values, the utterance needs ${c.outChannels}×${frames} = ${c.outChannels * frames}`);
        }
        noise = e.upload(given, [c.outChannels, frames], 'glowtts-noise');
      } else {
        noise = randn(e, [c.outChannels, frames], o.seed ?? 0); // counter-based, on the GPU
      }
      const z = expandPrior(e, xm, xlogs, e.upload(idx, [frames], 'glowtts-path'), noise, noiseScale);
      const mel = await e.readF32(this.decodeReverse(z, o.speaker));
      result = {
        mel, nMel: c.outChannels, frames, sampleRate: this.sampleRate, ids, unknown, durations,
        attention: alignmentFromDurations(durations, frames), durationsCeil: wCeil, logw: logwHost,
      };
      return null;
    });
    return timeWords(result!, text, this.hopLength);
  }

  /**
   * Forced alignment: the mel `[nMel, T]` (row-major) of an utterance of `ids` → the monotonic
   * path maximising the flow's likelihood (MAS on the GPU) and the frames per token.
   */
  async align(mel: Float32Array, text: string | readonly number[], o: { withLatent?: boolean; speaker?: number } = {}): Promise<AlignmentResult> {
    const ids = typeof text === 'string' ? (await this.textToIds(text)).ids : text;
    const e = this.engine;
    const c = this.config;
    if (mel.length % c.outChannels !== 0) {
      throw new FlowgpuError(`Glow-TTS align: ${mel.length} mel values are not ${c.outChannels} channels × frames`);
    }
    assertFinite(mel, 'Glow-TTS align: the mel');
    const tAll = mel.length / c.outChannels;
    const frames = Math.floor(tAll / c.nSqz) * c.nSqz;
    const tx = ids.length;
    this.checkIds(ids);
    if (frames < tx) {
      throw new FlowgpuError(`Glow-TTS align: ${tx} tokens need at least ${tx} mel frames, the audio gives ${frames}; use a longer recording or a shorter text`);
    }
    const g = this.speakerVector(o.speaker);
    let result: AlignmentResult | undefined;
    await e.tidyAsync(async () => {
      const { xm, xlogs } = this.encode(ids, g);
      const z = this.decodeForward(e.upload(mel, [c.outChannels, tAll], 'glowtts-mel'), o.speaker);
      const logp = gaussianLogLikelihood(e, xm, xlogs, z);
      const pathT = maximumPath(e, logp, tx, frames);
      const [path, zHost] = o.withLatent ? ((await e.readMany([pathT, z])) as Float32Array[]) : [await e.readF32(pathT), undefined];
      const durations = new Int32Array(tx);
      for (let i = 0; i < tx; i++) {
        let n = 0;
        for (let t = 0; t < frames; t++) n += path![i * frames + t]!;
        durations[i] = n;
      }
      result = { path: path!, tokens: tx, frames, durations };
      if (zHost) result.z = zHost;
      return null;
    });
    return result!;
  }
}
