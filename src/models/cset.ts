// XSpkEmoTrans (keonlee9420/Cross-Speaker-Emotion-Transfer): a FastSpeech-style TTS with global
// emotion tokens (hard: an emotion id; soft: inferred from a reference mel), an external
// (DeepSpeaker) speaker embedding, a duration predictor with an LConv block, length regulation
// by clamp(round(exp(log_d) − 1), 0), and a decoder of SCLN-LConv blocks.
//
// Every activation is channels-first `[C, T]` (torch's `[1, T, C]` transposed), so linears are
// `W · x` matmuls with per-row bias, FFN convs are plain conv1d, and the mel comes out `[n_mel, T]`.
import { type Engine, WARM_UP_LENGTHS } from '../gpu/engine.js';
import { assertFinite, describeShape, FlowgpuError } from '../gpu/errors.js';
import type { Tensor } from '../gpu/tensor.js';
import type { Checkpoint } from '../io/host-tensor.js';
import { type Config, type Detection, detect } from '../io/detect.js';
import { attention } from '../ops/attention.js';
import { conv1d } from '../ops/conv.js';
import { conv2d, convOutSize, foldBatchNorm } from '../ops/conv2d.js';
import { gru } from '../ops/rnn.js';
import { add, tanh } from '../ops/elementwise.js';
import { gatherColumns, glu, layerNormChannels, lengthRegulate, lightweightConv, roundDurations, scln } from '../ops/lconv.js';
import { linear, matmul } from '../ops/matmul.js';
import { type TextIds, textToIds } from '../text/index.js';
import { alignmentFromDurations, type Synthesis, type SynthesizeOptions, type TextToSpeech, timeWords, tokensOf } from './tts.js';
import { type ModelOptions, sampleRateOf, Weights } from './weights.js';

export interface CsetConfig {
  hidden: number;            // encoder_hidden (= duration predictor and decoder hidden)
  vocab: number;             // rows of the text embedding
  maxSeqLen: number;
  encoderLayers: number;
  encoderHeads: number;
  dpLayers: number;
  dpHeads: number;
  ffnKernels: [number, number];
  lconvKernel: number;
  decoderLayers: number;
  decoderHeads: number;
  decoderKernel: number;
  nMel: number;
  nEmotions: number;
  speakerDim: number;        // external speaker embedding size (DeepSpeaker: 512)
  refFilters: number[];
  refKernel: [number, number];
  refStride: [number, number];
  refPad: [number, number];
  gruHidden: number;
}

export interface ReferenceMel {
  /** Row-major `[frames, n_mel]` (torch's `[1, frames, 80]`), or `[n_mel, frames]` with `layout: 'channels'`. */
  data: Float32Array;
  frames: number;
  layout?: 'frames' | 'channels';
}

export interface CsetSynthesisOptions extends SynthesizeOptions {
  /** Also project every decoder iteration to a mel (the original does only the last at inference). */
  allIterations?: boolean;
}

export interface CsetOutput extends Synthesis {
  durations: Int32Array;
  /** Mels `[n_mel, frames]` row-major (channels-first), one per computed decoder iteration; the last is `mel`. */
  mels: Float32Array[];
  /** Which decoder iteration each entry of `mels` is. */
  iterations: number[];
  logDurations: Float32Array;
  /** Emotion-token weights: one-hot for the hard path, the attention probabilities for the soft path. */
  tokenScores: Float32Array;
}

function num(c: Config, path: string): number {
  let v: unknown = c;
  for (const p of path.split('.')) v = (v as Record<string, unknown> | undefined)?.[p];
  if (typeof v !== 'number') throw new FlowgpuError(`XSpkEmoTrans config: ${path} is missing or not a number`);
  return v;
}

function pair(c: Config, path: string): [number, number] {
  let v: unknown = c;
  for (const p of path.split('.')) v = (v as Record<string, unknown> | undefined)?.[p];
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')) return [v[0] as number, v[1] as number];
  throw new FlowgpuError(`XSpkEmoTrans config: ${path} should be a number or a pair`);
}

/** FastSpeech's sinusoid table row-major `[n, d]`, computed in float64 and rounded once (numpy → FloatTensor). */
export function sinusoidTable(n: number, d: number): Float32Array {
  const out = new Float32Array(n * d);
  for (let pos = 0; pos < n; pos++) {
    for (let j = 0; j < d; j++) {
      const angle = pos / Math.pow(10000, (2 * Math.floor(j / 2)) / d);
      out[pos * d + j] = j % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return out;
}

const MODEL = 'XSpkEmoTrans';

export class CSET implements TextToSpeech {
  readonly kind = 'cset';
  readonly sampleRate: number;
  readonly hopLength = 256;
  readonly nMel: number;
  private readonly w: Weights;
  private tokenKeys!: Tensor;   // W_key · tanh(embed) as [nTok, E]
  private tokenValues!: Tensor; // W_value · tanh(embed) as [nTok, E]
  private embedT!: Tensor;      // text embedding transposed [E, vocab]
  private readonly refFold: { scale: Tensor; shift: Tensor }[] = [];
  private readonly encPE: Float32Array;
  private readonly dpPE: Float32Array;

  private constructor(readonly engine: Engine, ckpt: Checkpoint, readonly config: CsetConfig, o: ModelOptions) {
    this.w = new Weights(engine, ckpt, MODEL, o);
    this.sampleRate = sampleRateOf(ckpt);
    this.nMel = config.nMel;
    const E = config.hidden;
    this.encPE = this.w.f32('encoder.position_enc', [1, config.maxSeqLen + 1, E]);
    this.dpPE = this.w.f32('duratin_predictor.position_enc', [1, config.maxSeqLen + 1, E]);
  }

  /** Builds the model from a state dict (`{'model': ...}` checkpoints are unwrapped by the loader). */
  static async load(engine: Engine, ckpt: Checkpoint, detection?: Detection, o: ModelOptions = {}): Promise<CSET> {
    const det = detection ?? detect(ckpt);
    if (det.model !== 'cset') {
      throw new FlowgpuError(`this checkpoint is a ${det.model} model, not XSpkEmoTrans (cross-speaker emotion transfer)`);
    }
    const c = det.config;
    const t = ckpt.tensors;
    if (!t.has('speaker_emb.bias')) {
      throw new FlowgpuError(`${MODEL}: only the external (DeepSpeaker) speaker embedding is supported; this checkpoint has a speaker id table`);
    }
    const filters = (c['emotion_token_layer'] as Config)['ref_enc_filters'];
    const config: CsetConfig = {
      hidden: num(c, 'transformer.encoder_hidden'),
      vocab: t.get('encoder.src_word_emb.weight')!.shape[0]!,
      maxSeqLen: num(c, 'max_seq_len'),
      encoderLayers: num(c, 'transformer.encoder_layer'),
      encoderHeads: num(c, 'transformer.encoder_head'),
      dpLayers: num(c, 'transformer.duration_predictor_layer'),
      dpHeads: num(c, 'transformer.duration_predictor_head'),
      ffnKernels: pair(c, 'transformer.conv_kernel_size'),
      lconvKernel: num(c, 'transformer.lconv_kernel_size'),
      decoderLayers: num(c, 'decoder.decoder_layer'),
      decoderHeads: num(c, 'decoder.decoder_head'),
      decoderKernel: num(c, 'decoder.conv_kernel_size'),
      nMel: num(c, 'n_mel_channels'),
      nEmotions: num(c, 'n_emotions'),
      speakerDim: num(c, 'external_speaker_dim'),
      refFilters: Array.isArray(filters) ? (filters as number[]) : [],
      refKernel: pair(c, 'emotion_token_layer.ref_enc_size'),
      refStride: pair(c, 'emotion_token_layer.ref_enc_strides'),
      refPad: pair(c, 'emotion_token_layer.ref_enc_pad'),
      gruHidden: t.get('emotion_emb.encoder.gru.weight_hh_l0')!.shape[1]!,
    };
    const m = new CSET(engine, ckpt, config, o);
    m.prepare();
    // Compile every pipeline now. Tiles follow the length, so short to long inputs.
    const speakerEmbedding = new Float32Array(config.speakerDim);
    await engine.precompile(async () => {
      for (const n of WARM_UP_LENGTHS) await m.synthesize(Array.from({ length: n }, (_, i) => 1 + (i % (config.vocab - 1))), { speakerEmbedding, emotion: 0 });
    });
    // The front end's dictionary is read now too (about a second the first time), not by the first utterance.
    await m.textToIds('a');
    return m;
  }

  private prepare(): void {
    const { engine: e, w, config: c } = this;
    const E = c.hidden;
    // Fused q/k/v projections of every FFT block.
    const blocks = [
      ...Array.from({ length: c.encoderLayers }, (_, i) => `encoder.layer_stack.${i}`),
      ...Array.from({ length: c.dpLayers }, (_, i) => `duratin_predictor.layer_stack.${i}`),
    ];
    for (const b of blocks) {
      const qkv = new Float32Array(3 * E * E);
      ['w_qs', 'w_ks', 'w_vs'].forEach((n, i) => qkv.set(w.f32(`${b}.slf_attn.${n}.linear.weight`, [E, E]), i * E * E));
      w.putGemm(`${b}.slf_attn.qkv`, qkv, [3 * E, E]);
    }
    // Text embedding, transposed so a column gather yields channels-first [E, T].
    const emb = w.f32('encoder.src_word_emb.weight', [c.vocab, E]);
    const embT = new Float32Array(emb.length);
    for (let v = 0; v < c.vocab; v++) for (let j = 0; j < E; j++) embT[j * c.vocab + v] = emb[v * E + j]!;
    this.embedT = w.put('encoder.src_word_emb.weight.T', embT, [E, c.vocab]);
    // Emotion tokens: keys and values depend on the weights only.
    // (written into persistent tensors, so a caller's tidy scope cannot release them)
    this.tokenKeys = e.persistent(new Float32Array(c.nEmotions * E), [c.nEmotions, E], 'etl.keys');
    this.tokenValues = e.persistent(new Float32Array(c.nEmotions * E), [c.nEmotions, E], 'etl.values');
    e.tidy(() => {
      const tok = tanh(e, w.gpu('emotion_emb.etl.embed', [c.nEmotions, E]));
      linear(e, tok, w.gemm('emotion_emb.etl.attention.W_key.weight', [E, E]), undefined, 'none', this.tokenKeys);
      linear(e, tok, w.gemm('emotion_emb.etl.attention.W_value.weight', [E, E]), undefined, 'none', this.tokenValues);
      return null;
    });
    // Reference encoder: eval-mode BatchNorm folded into each conv's epilogue.
    c.refFilters.forEach((f, i) => {
      const bn = (n: string) => w.f32(`emotion_emb.encoder.bns.${i}.${n}`, [f]);
      const { scale, shift } = foldBatchNorm(w.f32(`emotion_emb.encoder.convs.${i}.bias`, [f]), bn('weight'), bn('bias'), bn('running_mean'), bn('running_var'));
      this.refFold.push({ scale: w.put(`ref.${i}.scale`, scale, [f]), shift: w.put(`ref.${i}.shift`, shift, [f]) });
    });
  }

  release(): void {
    this.tokenKeys.release();
    this.tokenValues.release();
    this.w.release();
  }

  /** Position table `[E, T]` (channels-first) from a stored `[1, n, E]` table, or computed past its end. */
  private positions(stored: Float32Array, frames: number): Tensor {
    const E = this.config.hidden;
    const table = frames > this.config.maxSeqLen ? sinusoidTable(frames, E) : stored;
    const out = new Float32Array(E * frames);
    for (let t = 0; t < frames; t++) for (let j = 0; j < E; j++) out[j * frames + t] = table[t * E + j]!;
    return this.engine.upload(out, [E, frames], 'positions');
  }

  /** FFT block: multi-head self-attention + conv FFN, each with residual and LayerNorm. */
  private fftBlock(x: Tensor, prefix: string, heads: number): Tensor {
    const { engine: e, w, config: c } = this;
    const [E, T] = [x.dim(0), x.dim(1)];
    const qkv = matmul(e, w.gemm(`${prefix}.slf_attn.qkv`), x);
    const { out: att } = attention(e, { t: qkv, offset: 0, width: E }, { t: qkv, offset: E * T, width: E }, { t: qkv, offset: 2 * E * T, width: E }, { heads });
    const fc = matmul(e, w.gemm(`${prefix}.slf_attn.fc.linear.weight`, [E, E]), att);
    const x1 = layerNormChannels(e, fc, w.gpu(`${prefix}.slf_attn.layer_norm.weight`), w.gpu(`${prefix}.slf_attn.layer_norm.bias`), 1e-5, x);
    const [k1, k2] = c.ffnKernels;
    const h = conv1d(e, x1, w.gemm(`${prefix}.pos_ffn.w_1.weight`), w.gpu(`${prefix}.pos_ffn.w_1.bias`), { padding: (k1 - 1) >> 1, activation: 'relu' });
    const y = conv1d(e, h, w.gemm(`${prefix}.pos_ffn.w_2.weight`), w.gpu(`${prefix}.pos_ffn.w_2.bias`), { padding: (k2 - 1) >> 1 });
    return layerNormChannels(e, y, w.gpu(`${prefix}.pos_ffn.layer_norm.weight`), w.gpu(`${prefix}.pos_ffn.layer_norm.bias`), 1e-5, x1);
  }

  /** (SCLN-)LConv block; `sclnAffine` = [SCLN_1, SCLN_2] vectors `[2E]` for the decoder, else LayerNorm. */
  private lconvBlock(x: Tensor, prefix: string, sclnAffine?: [Tensor, Tensor]): Tensor {
    const { engine: e, w } = this;
    const E = x.dim(0);
    const a = matmul(e, w.gemm(`${prefix}.act_linear.linear.weight`, [2 * E, E]), x, { bias: w.gpu(`${prefix}.act_linear.linear.bias`), biasOnRows: true });
    const g = glu(e, a);
    const cw = w.gpu(`${prefix}.conv_layer.weight`);
    const k = cw.dim(-1);
    const padL = k % 2 === 1 ? k >> 1 : (k - 1) >> 1;
    let x1: Tensor;
    if (sclnAffine) x1 = scln(e, lightweightConv(e, g, cw, { paddingL: padL }), sclnAffine[0], 1e-8, x);
    else x1 = lightweightConv(e, g, cw, { paddingL: padL, residual: x });
    const h = matmul(e, w.gemm(`${prefix}.fc1.linear.weight`, [4 * E, E]), x1, { bias: w.gpu(`${prefix}.fc1.linear.bias`), biasOnRows: true, activation: 'relu' });
    const y = matmul(e, w.gemm(`${prefix}.fc2.linear.weight`, [E, 4 * E]), h, { bias: w.gpu(`${prefix}.fc2.linear.bias`), biasOnRows: true });
    if (sclnAffine) return scln(e, y, sclnAffine[1], 1e-8, x1);
    return layerNormChannels(e, y, w.gpu(`${prefix}.layer_norm.weight`), w.gpu(`${prefix}.layer_norm.bias`), 1e-5, x1);
  }

  /** Reference encoder + token attention → (emotion embedding `[1, E]`, probabilities `[1, 1, nTok]`). */
  private softEmotion(ref: ReferenceMel): { emb: Tensor; probs: Tensor } {
    const { engine: e, w, config: c } = this;
    const nMel = c.nMel;
    let data = ref.data;
    if (ref.layout === 'channels') {
      data = new Float32Array(ref.frames * nMel);
      for (let m = 0; m < nMel; m++) for (let t = 0; t < ref.frames; t++) data[t * nMel + m] = ref.data[m * ref.frames + t]!;
    }
    let x = e.upload(data, [1, ref.frames, nMel], 'referenceMel');
    const last = c.refFilters.length - 1;
    c.refFilters.forEach((_, i) => {
      x = conv2d(e, x, w.gpu(`emotion_emb.encoder.convs.${i}.weight`), this.refFold[i]!.shift, {
        stride: c.refStride, padding: c.refPad, scale: this.refFold[i]!.scale, activation: 'relu', outLayout: i === last ? 'hcw' : 'chw',
      });
    });
    // [T', C, W'] → [T', C·W'] (torch: transpose(1, 2) then view)
    const steps = x.dim(0);
    const feats = x.dim(1) * x.dim(2);
    const H = c.gruHidden;
    const { h } = gru(e, x.reshape([steps, feats]), {
      wih: w.gpu('emotion_emb.encoder.gru.weight_ih_l0', [3 * H, feats]),
      whh: w.gpu('emotion_emb.encoder.gru.weight_hh_l0', [3 * H, H]),
      bih: w.gpu('emotion_emb.encoder.gru.bias_ih_l0'),
      bhh: w.gpu('emotion_emb.encoder.gru.bias_hh_l0'),
    });
    const E = c.hidden;
    const q = linear(e, h.reshape([1, H]), w.gemm('emotion_emb.etl.attention.W_query.weight', [E, H]));
    const { out, probs } = attention(e, q, this.tokenKeys, this.tokenValues, { heads: 1, layout: 'time', scale: 1 / Math.sqrt(E), returnProbs: true });
    return { emb: out, probs: probs! };
  }

  private check(ids: ArrayLike<number>, o: SynthesizeOptions): void {
    const c = this.config;
    if (ids.length === 0) throw new FlowgpuError(`${MODEL}: the text is empty (no token ids)`);
    for (let i = 0; i < ids.length; i++) {
      const v = ids[i]!;
      if (!Number.isInteger(v) || v < 0 || v >= c.vocab) throw new FlowgpuError(`${MODEL}: token id ${v} at position ${i} is outside [0, ${c.vocab})`);
    }
    if (!o.speakerEmbedding) {
      throw new FlowgpuError(`${MODEL} needs the speaker's external embedding: ${c.speakerDim} values, a DeepSpeaker vector such as <speaker>-spker_embed.npy`);
    }
    if (o.speakerEmbedding.length !== c.speakerDim) {
      throw new FlowgpuError(
        `${MODEL}: the speaker embedding has ${o.speakerEmbedding?.length ?? 0} values, this model expects ${c.speakerDim} ` +
          `(a ${c.speakerDim}-d DeepSpeaker vector, e.g. <speaker>-spker_embed.npy)`,
      );
    }
    const hasEmo = o.emotion !== undefined && o.emotion !== null;
    if (hasEmo === Boolean(o.referenceMel)) {
      throw new FlowgpuError(`${MODEL}: give exactly one of an emotion id (hard token) or a reference mel (soft tokens)`);
    }
    if (hasEmo && (!Number.isInteger(o.emotion) || o.emotion! < 0 || o.emotion! >= c.nEmotions)) {
      throw new FlowgpuError(`${MODEL}: emotion id ${o.emotion} is out of range: this model has ${c.nEmotions} emotions (0–${c.nEmotions - 1})`);
    }
    assertFinite(o.speakerEmbedding, `${MODEL}: the speaker embedding`);
    const r = o.referenceMel;
    if (r) {
      if (r.data.length === 0) throw new FlowgpuError(`${MODEL}: the reference mel is empty (no values); give a mel of at least one frame`);
      assertFinite(r.data, `${MODEL}: the reference mel`);
      if (!Number.isInteger(r.frames) || r.frames < 1 || r.data.length % r.frames !== 0) {
        throw new FlowgpuError(`${MODEL}: the reference mel has ${r.data.length} values, not a whole number of ${r.frames} frames`);
      }
      const ch = r.data.length / r.frames;
      if (ch !== c.nMel) {
        throw new FlowgpuError(`${MODEL}: the reference mel has ${ch} channels, this model expects ${c.nMel} mel channels`);
      }
      let h = r.frames;
      let wd = c.nMel;
      for (let i = 0; i < c.refFilters.length; i++) {
        h = convOutSize(h, c.refKernel[0], c.refStride[0], c.refPad[0]);
        wd = convOutSize(wd, c.refKernel[1], c.refStride[1], c.refPad[1]);
      }
      if (h < 1) throw new FlowgpuError(`${MODEL}: the reference mel has only ${r.frames} frames; the reference encoder needs at least 1`);
    }
  }

  /** The XSpkEmoTrans front end (english_cleaners + CMUdict phones). */
  textToIds(text: string): Promise<TextIds> {
    return textToIds('cset', text);
  }

  /**
   * Text ids → mel. Returns mels `[n_mel, frames]` (channels-first, row-major), the predicted log
   * durations, the rounded durations and the emotion-token scores.
   */
  async synthesize(input: string | ArrayLike<number>, o: CsetSynthesisOptions = {}): Promise<CsetOutput> {
    const text = await tokensOf(input, (t) => this.textToIds(t));
    const { ids, unknown } = text;
    this.check(ids, o);
    const { engine: e, w, config: c } = this;
    const E = c.hidden;
    const T = ids.length;
    let result: CsetOutput | undefined;
    await e.tidyAsync(async () => {
      // Text encoder
      const idx = e.upload(Int32Array.from(ids as ArrayLike<number>), [T], 'ids');
      let x = add(e, gatherColumns(e, this.embedT, idx), this.positions(this.encPE, T));
      for (let i = 0; i < c.encoderLayers; i++) x = this.fftBlock(x, `encoder.layer_stack.${i}`, c.encoderHeads);
      // Emotion embedding
      let emo: Tensor;
      let scores: Float32Array;
      let probs: Tensor | undefined;
      if (o.referenceMel) {
        const soft = this.softEmotion(o.referenceMel);
        emo = soft.emb;
        probs = soft.probs;
        scores = new Float32Array(0);
      } else {
        emo = e.empty([E], 'f32', 'emotion');
        e.copy(this.tokenValues, emo, E, o.emotion! * E, 0);
        scores = new Float32Array(c.nEmotions);
        scores[o.emotion!] = 1;
      }
      x = add(e, x, emo.reshape([E, 1]));
      // Speaker
      const spk = linear(e, e.upload(Float32Array.from(o.speakerEmbedding!), [1, c.speakerDim], 'speaker'), w.gemm('speaker_emb.weight', [E, c.speakerDim]), w.gpu('speaker_emb.bias'));
      // Duration predictor
      const dpIn = add(e, x, this.positions(this.dpPE, T));
      let fused = dpIn;
      for (let i = 0; i < c.dpLayers; i++) fused = this.fftBlock(fused, `duratin_predictor.layer_stack.${i}`, c.dpHeads);
      let out = add(e, add(e, fused, dpIn), spk.reshape([E, 1]));
      for (let i = 0; i < c.dpLayers; i++) out = this.lconvBlock(out, `duratin_predictor.lconv_stack.${i}`);
      const logD = matmul(e, w.gemm('duratin_predictor.linear_layer.linear.weight', [1, E]), out);
      const [logDurations, probsHost] = (await e.readMany(probs ? [logD, probs] : [logD])) as Float32Array[];
      if (probsHost) scores = probsHost;
      const durations = roundDurations(logDurations!);
      const frames = durations.reduce((a, b) => a + b, 0);
      if (frames === 0) {
        throw new FlowgpuError(`${MODEL}: every predicted duration rounds to 0 frames, so there is nothing to decode (${T} tokens)`);
      }
      // Length regulation and decoder
      let dec = lengthRegulate(e, fused, durations);
      const mels: Tensor[] = [];
      const iterations: number[] = [];
      for (let i = 0; i < c.decoderLayers; i++) {
        const p = `decoder.lconv_stack.${i}`;
        const a1 = linear(e, spk, w.gemm(`${p}.SCLN_1.affine_layer.linear.weight`, [2 * E, E]));
        const a2 = linear(e, spk, w.gemm(`${p}.SCLN_2.affine_layer.linear.weight`, [2 * E, E]));
        dec = this.lconvBlock(dec, p, [a1, a2]);
        if (o.allIterations || i === c.decoderLayers - 1) {
          mels.push(matmul(e, w.gemm(`decoder.mel_projection.${i}.linear.weight`, [c.nMel, E]), dec));
          iterations.push(i);
        }
      }
      const melHost = (await e.readMany(mels)) as Float32Array[];
      result = {
        mel: melHost.at(-1)!, nMel: c.nMel, frames, sampleRate: this.sampleRate, ids, unknown, durations,
        attention: alignmentFromDurations(durations, frames), mels: melHost, iterations, logDurations: logDurations!, tokenScores: scores,
      };
      return null;
    });
    return timeWords(result!, text, this.hopLength);
  }
}

/** `[frames, n_mel]` → `[n_mel, frames]` (or back: the same transpose with the sizes swapped). */
export function transposeMel(data: Float32Array, rows: number, cols: number): Float32Array {
  if (data.length !== rows * cols) throw new FlowgpuError(`transposeMel: ${data.length} values are not ${describeShape([rows, cols])}`);
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let k = 0; k < cols; k++) out[k * rows + r] = data[r * cols + k]!;
  return out;
}
