// Flowtron (NVIDIA/flowtron flowtron.py) on WebGPU: text encoder, autoregressive affine flows run
// in reverse at inference (the time-reversed flow first, with the gate), the teacher-forced
// forward direction (posterior z), style transfer from reference utterances and interpolation.
//
// Layout: sequences are time-major ([T, C] rows, as the original's [T, 1, C]); `synthesizeTensors`
// returns the mel channels-first [80, frames] like the original's [1, 80, frames], `synthesize` reads it back.
//
// One decoder step of one flow (default, `fused` tuning) is 4 + L dispatches, all state on the GPU:
//   attn_cell  previous frame's 1x1 conv + inverse affine (z − b)/exp(log_s), attention LSTM over
//              that frame, partial queries Wq·h
//   attention  Σ partial queries, v·tanh(q + K_j)/temperature, softmax over the text, context,
//              gate logit (last flow) — K and V of the encoder outputs are computed once per flow
//   lstm × L   fused LSTM cells over [attention hidden ; context], then each layer below
//   dense × 2  tanh(W·x + b)
// plus one trailing conv + inverse affine per flow. Frames are recorded back to back (the engine
// submits every `dispatchesPerSubmit` dispatches); with a gate, each chunk's gate logits are read
// back while the next chunk is being recorded, and the flow is cut at the first
// sigmoid(gate) > threshold (that frame kept) before it is flipped back and fed to the next flow.
import type { Engine } from '../gpu/engine.js';
import { assertFinite, describeShape, FlowgpuError } from '../gpu/errors.js';
import type { Tensor } from '../gpu/tensor.js';
import { loadCheckpoint, withPrefix } from '../io/checkpoint.js';
import { type Config, type Detection, detect } from '../io/detect.js';
import type { Checkpoint } from '../io/host-tensor.js';
import type { TextIds } from '../text/index.js';
import { linear } from '../ops/matmul.js';
import {
  additiveAttention, affineInverse, type AttentionWeights, attnCellFused, attnCellParts,
  type AttnCellWeights, type CellWeights, defaultTuning, lstmCellFused, matvec, type MatvecWeights,
  packAttnCell, packLstm, packMatvec, type StepTuning, transposeHost,
} from '../ops/flowtron.js';
import { conv1d } from '../ops/conv.js';
import { affineCoupling } from '../ops/coupling.js';
import { relu } from '../ops/elementwise.js';
import { embedding } from '../ops/gather.js';
import { instanceNorm } from '../ops/norm.js';
import { flip, permute } from '../ops/shape.js';
import { gaussian } from '../math/random.js';
import { melFromAudio } from './audio.js';
import type { AttentionMap, Synthesis, SynthesizeOptions as CommonOptions, TextToSpeech } from './tts.js';
import { tokensOf } from './tts.js';
import { sampleRateOf, Weights } from './weights.js';

export interface FlowtronConfig {
  nSpeakers: number;
  nSpeakerDim: number;
  nText: number;
  nTextDim: number;
  nFlows: number;
  nMel: number;
  nHidden: number;
  nAttn: number;
  nLstmLayers: number;
  useGate: boolean;
  /** `dummy_speaker_embedding`: every speaker id is read as 0. */
  dummySpeaker: boolean;
}

export interface SynthesizeOptions extends CommonOptions {
  /** Text input: seed of the per-word CMUdict draws when 0 < pArpabet < 1. */
  textSeed?: number;
  /** A residual to use as is: `[80, frames]` (host values or a GPU tensor). */
  residual?: Float32Array | Tensor;
  /** Frames recorded between gate readbacks. */
  gateChunk?: number;
}

export interface SynthesisResult {
  /** `[80, frames]` log mel on the GPU. */
  mel: Tensor;
  frames: number;
  /** Attention `[frames, textLen]` of each flow, in the order they ran (reversed model order). */
  attention: Tensor[];
  /** The frame at which the gate stopped (kept), or -1 when it did not fire. */
  gateFrame: number;
}

export interface FlowtronSynthesis extends Synthesis {
  /** Each flow's attention, in the order they ran; `attention` is the last. */
  flows: AttentionMap[];
  /** The frame at which the gate stopped (kept), or -1 when it did not fire. */
  gateFrame: number;
}

export interface StyleReference {
  /** `[80, T]` log mel (host values or a GPU tensor), or give `audio`. */
  mel?: Float32Array | Tensor;
  frames?: number;
  /** Mono audio at the model's sample rate (needs a mel front end: `melFromAudio`). */
  audio?: Float32Array;
  /** Token ids of the transcript, or give `text`. */
  ids?: ArrayLike<number>;
  text?: string;
}

export interface StyleOptions {
  aggregation?: 'batch' | 'time_and_batch';
  lambda?: number;
  nFrames?: number;
  speaker?: number;
  /** Turns audio into a `[80, T]` log mel; default: Tacotron 2's mel front end (22050 Hz, 1024/256/1024, 0–8 kHz). */
  melFromAudio?: (audio: Float32Array) => Promise<{ data: Float32Array; frames: number }>;
  /** Text references: CMUdict probability (default 1, as the notebook). */
  pArpabet?: number;
}

interface Cell extends CellWeights {}

interface FlowWeights {
  prefix: string;
  reverse: boolean;
  gate: boolean;
  attnLstm: Cell;
  lstm: Cell[];
  attention: AttentionWeights;
  /** Query weight `[A, H]` (torch layout, for batched queries). */
  wq: Tensor;
  /** `[2A, E]`: key and value weights stacked (torch Linear layout). */
  kvW: Tensor;
  dense: { w: Tensor; mv: MatvecWeights; b: Tensor }[];
  /** The query as a mat-vec (the `separateQuery` tuning). */
  qmv?: MatvecWeights;
  convW: Tensor;
  convWT: Tensor;
  convB: Tensor;
  /** The fused attention-LSTM step's weights (GPU tuning). */
  fused?: AttnCellWeights;
}

const ENCODER_CONVS = 3;

/** Reads the config from the checkpoint's tensors (cross-checked against metadata `config` when present). */
/** The model's config from its detection (weights, config file, metadata; see io/detect.ts). */
export function flowtronConfig(c: Config): FlowtronConfig {
  const num = (k: string): number => {
    const v = c[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new FlowgpuError(`flowtron: config ${k} should be a whole number, got ${JSON.stringify(v)}`);
    return v;
  };
  if (c['use_cumm_attention'] === true) throw new FlowgpuError('flowtron: use_cumm_attention models are not supported');
  // n_components > 1 (Gaussian mixture prior) only matters for training: inference ignores it.
  return {
    nSpeakers: num('n_speakers'), nSpeakerDim: num('n_speaker_dim'), nText: num('n_text'), nTextDim: num('n_text_dim'),
    nFlows: num('n_flows'), nMel: num('n_mel_channels'), nHidden: num('n_hidden'), nAttn: num('n_attn_channels'),
    nLstmLayers: num('n_lstm_layers'), useGate: c['use_gate_layer'] === true,
    dummySpeaker: c['dummy_speaker_embedding'] === true || c['dummy_speaker_embedding'] === 1,
  };
}

/** Normalises what a caller may pass: bytes, a golden file (state dict under `weights.`), a DataParallel dict. */
function stateDict(src: Checkpoint | Uint8Array | ArrayBuffer): Checkpoint {
  let ckpt = src instanceof Uint8Array || src instanceof ArrayBuffer ? loadCheckpoint(src) : src;
  if (!ckpt.tensors.has('embedding.weight')) {
    for (const prefix of ['weights.', 'state_dict.', 'model.', 'module.']) {
      if (ckpt.tensors.has(`${prefix}embedding.weight`)) {
        ckpt = withPrefix(ckpt, prefix);
        break;
      }
    }
  }
  return ckpt;
}

/** Linear interpolation `(1 − t)·a + t·b` of two latents (styles, residuals or speaker vectors). */
export function interpolate(a: Float32Array, b: Float32Array, t: number): Float32Array {
  if (a.length !== b.length) throw new FlowgpuError(`interpolate: the two latents differ in size (${a.length} vs ${b.length})`);
  if (!(t >= 0 && t <= 1)) throw new FlowgpuError(`interpolate: t must be in [0, 1], got ${t}`);
  const y = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) y[i] = (1 - t) * a[i]! + t * b[i]!;
  return y;
}

/**
 * The style-transfer posterior of the original notebook from per-utterance z `[M, T_k]`:
 * 'batch' tiles each z along time to nFrames and averages → `[M, nFrames]`; 'time_and_batch'
 * averages over time and utterances → `[M, 1]`; both shrink by ratio/(ratio + 1), ratio = count/λ.
 */
export function aggregateStyle(zs: { data: Float32Array; frames: number }[], nMel: number, o: { aggregation?: 'batch' | 'time_and_batch'; lambda?: number; nFrames?: number } = {}): { mu: Float32Array; frames: number } {
  if (zs.length === 0) throw new FlowgpuError('style: the reference list is empty; give at least one (audio or mel, text) pair');
  const lambda = o.lambda ?? 1e-4;
  const ratio = zs.length / lambda;
  if ((o.aggregation ?? 'batch') === 'time_and_batch') {
    const mu = new Float32Array(nMel);
    for (const z of zs) {
      for (let m = 0; m < nMel; m++) {
        let s = 0;
        for (let t = 0; t < z.frames; t++) s += z.data[m * z.frames + t]!;
        mu[m]! += s / z.frames;
      }
    }
    for (let m = 0; m < nMel; m++) mu[m] = (ratio * (mu[m]! / zs.length)) / (ratio + 1);
    return { mu, frames: 1 };
  }
  const n = o.nFrames ?? 300;
  const mu = new Float32Array(nMel * n);
  for (const z of zs) {
    for (let m = 0; m < nMel; m++) for (let t = 0; t < n; t++) mu[m * n + t]! += z.data[m * z.frames + (t % z.frames)]!;
  }
  for (let i = 0; i < mu.length; i++) mu[i] = ((mu[i]! / zs.length) * ratio) / (ratio + 1);
  return { mu, frames: n };
}

export class Flowtron implements TextToSpeech {
  readonly kind = 'flowtron';
  readonly hopLength = 256;
  readonly sampleRate: number;
  readonly tuning: StepTuning;
  private readonly flows: FlowWeights[] = [];
  private readonly enc: { conv: { w: Tensor; b: Tensor; g: Tensor; beta: Tensor }[]; fwd: Cell; bwd: Cell };
  private readonly zeros: Tensor;

  private constructor(readonly engine: Engine, readonly weights: Weights, readonly config: FlowtronConfig, tuning?: StepTuning) {
    this.tuning = tuning ?? defaultTuning(engine);
    this.sampleRate = sampleRateOf(weights.checkpoint);
    const w = weights;
    const c = config;
    const packCell = (p: string, layer: number, hidden: number, suffix = ''): { w: Float32Array; bias: Float32Array; k: number } => {
      const wih = w.f32(`${p}weight_ih_l${layer}${suffix}`, [4 * hidden, -1]);
      return packLstm(wih, w.f32(`${p}weight_hh_l${layer}${suffix}`, [4 * hidden, hidden]),
        w.f32(`${p}bias_ih_l${layer}${suffix}`, [4 * hidden]), w.f32(`${p}bias_hh_l${layer}${suffix}`, [4 * hidden]), hidden);
    };
    const cell = (p: string, layer: number, hidden: number, k1: number, suffix = ''): Cell => {
      const packed = packCell(p, layer, hidden, suffix);
      const name = `${p}l${layer}${suffix}.packed`;
      return {
        w: w.put(`${name}.w`, packed.w, [packed.k + hidden, 4 * hidden]),
        bias: w.put(`${name}.b`, packed.bias, [4 * hidden]),
        hidden, k1, k2: packed.k - k1,
      };
    };
    const d = c.nTextDim;
    this.enc = {
      conv: Array.from({ length: ENCODER_CONVS }, (_, i) => ({
        w: w.gpu(`encoder.convolutions.${i}.0.conv.weight`, [d, d, -1]),
        b: w.gpu(`encoder.convolutions.${i}.0.conv.bias`, [d]),
        g: w.gpu(`encoder.convolutions.${i}.1.weight`, [d]),
        beta: w.gpu(`encoder.convolutions.${i}.1.bias`, [d]),
      })),
      fwd: cell('encoder.lstm.', 0, d / 2, d),
      bwd: cell('encoder.lstm.', 0, d / 2, d, '_reverse'),
    };
    const [H, A, M, E] = [c.nHidden, c.nAttn, c.nMel, c.nTextDim + c.nSpeakerDim];
    for (let i = 0; i < c.nFlows; i++) {
      const p = i % 2 === 0 ? `flows.${i}.` : `flows.${i}.ar_step.`;
      const gate = i === c.nFlows - 1 && c.useGate;
      const wq = w.f32(`${p}attention_layer.query.linear_layer.weight`, [A, H]);
      const v = w.f32(`${p}attention_layer.v.linear_layer.weight`, [1, A]);
      const small = new Float32Array(A + H + A + 1);
      small.set(v, 0);
      if (gate) {
        small.set(w.f32(`${p}gate_layer.linear_layer.weight`, [1, H + A]), A);
        small[A + H + A] = w.f32(`${p}gate_layer.linear_layer.bias`, [1])[0]!;
      }
      const kv = new Float32Array(2 * A * E);
      kv.set(w.f32(`${p}attention_layer.key.linear_layer.weight`, [A, E]), 0);
      kv.set(w.f32(`${p}attention_layer.value.linear_layer.weight`, [A, E]), A * E);
      const convW = w.f32(`${p}conv.weight`, [2 * M, H, 1]);
      let fused: AttnCellWeights | undefined;
      if (this.tuning.fused) {
        const pc = packCell(`${p}attention_lstm.`, 0, H);
        if (pc.k !== M) throw new FlowgpuError(`flowtron: ${p}attention_lstm takes ${pc.k} inputs, expected ${M} mel channels`);
        const packed = packAttnCell(pc.w, wq, convW, w.f32(`${p}conv.bias`, [2 * M]), H, M, A);
        fused = { w: w.put(`${p}attn_cell.packed`, packed, [packed.length]), bias: w.put(`${p}attn_cell.bias`, pc.bias, [4 * H]), hidden: H, mel: M, attn: A };
      }
      this.flows.push({
        fused,
        prefix: p,
        reverse: i % 2 === 1,
        gate,
        attnLstm: cell(`${p}attention_lstm.`, 0, H, M),
        lstm: Array.from({ length: c.nLstmLayers }, (_, l) => cell(`${p}lstm.`, l, H, H)),
        attention: {
          wqT: w.put(`${p}attention_layer.query.T`, transposeHost(wq, A, H), [H, A]),
          small: w.put(`${p}attention_layer.small`, small, [small.length]),
          hidden: H,
          attn: A,
        },
        wq: w.gpu(`${p}attention_layer.query.linear_layer.weight`, [A, H]),
        kvW: w.put(`${p}attention_layer.kv`, kv, [2 * A, E]),
        dense: [0, 1].map((k) => {
          const name = `${p}dense_layer.layers.${k}.linear_layer.weight`;
          const bname = `${p}dense_layer.layers.${k}.linear_layer.bias`;
          const pk = packMatvec(w.f32(name, [H, H]), H, H, w.f32(bname, [H]));
          return {
            w: w.gpu(name, [H, H]),
            mv: { w: w.put(`${name}.mv`, pk.w, [H, pk.b.length]), b: w.put(`${bname}.mv`, pk.b, [pk.b.length]), k: H, n: H },
            b: w.gpu(bname, [H]),
          };
        }),
        qmv: this.tuning.separateQuery ? (() => {
          const pk = packMatvec(wq, A, H);
          return { w: w.put(`${p}attention_layer.query.mv`, pk.w, [H, pk.b.length]), b: w.put(`${p}attention_layer.query.mv.b`, pk.b, [pk.b.length]), k: H, n: A };
        })() : undefined,
        convW: w.put(`${p}conv.weight.2d`, convW, [2 * M, H]),
        convWT: w.put(`${p}conv.weight.T`, transposeHost(convW, 2 * M, H), [H, 2 * M]),
        convB: w.gpu(`${p}conv.bias`, [2 * M]),
      });
    }
    const nz = Math.max(H, M, d, A);
    this.zeros = engine.persistent(new Float32Array(nz), [nz], 'flowtron.zeros');
  }

  /** Loads any Flowtron checkpoint (bytes or a parsed checkpoint), built as `detection` says (detected here when not given). */
  static async load(engine: Engine, checkpoint: Checkpoint | Uint8Array | ArrayBuffer, detection?: Detection, o: { tuning?: StepTuning } = {}): Promise<Flowtron> {
    const ckpt = stateDict(checkpoint);
    const det = detection ?? detect(ckpt);
    if (det.model !== 'flowtron') throw new FlowgpuError(`this checkpoint holds a ${det.model} model, not Flowtron`);
    const config = flowtronConfig(det.config);
    const model = new Flowtron(engine, new Weights(engine, ckpt, 'flowtron'), config, o.tuning);
    // Compile every pipeline now: a few frames of a short text run each step kernel.
    const ids = Array.from({ length: 12 }, (_, i) => 1 + (i % (config.nText - 1)));
    await engine.precompile(async () => {
      await model.synthesizeTensors(ids, { maxFrames: 4, gateThreshold: null });
      await model.synthesizeTensors(ids, { maxFrames: 4, gateThreshold: 0.5 });
    });
    return model;
  }

  get nMel(): number {
    return this.config.nMel;
  }

  release(): void {
    this.weights.release();
    this.zeros.release();
  }

  private checkInputs(ids: ArrayLike<number>, speaker: number): void {
    const c = this.config;
    if (!Number.isInteger(speaker) || speaker < 0 || speaker >= c.nSpeakers) {
      throw new FlowgpuError(`flowtron: speaker id ${speaker} is out of range: this model has ${c.nSpeakers} speaker${c.nSpeakers === 1 ? '' : 's'} (0…${c.nSpeakers - 1})`);
    }
    if (ids.length === 0) throw new FlowgpuError('flowtron: the text is empty (no token ids)');
    for (let i = 0; i < ids.length; i++) {
      const v = ids[i]!;
      if (!Number.isInteger(v) || v < 0 || v >= c.nText) throw new FlowgpuError(`flowtron: token id ${v} at ${i} is outside the symbol table (0…${c.nText - 1})`);
    }
  }

  private zerosOf(n: number): Tensor {
    return this.engine.upload(new Float32Array(n), [n], 'zeros');
  }

  /** Text encoder + speaker embedding: `[Tx, nTextDim + nSpeakerDim]`. */
  encode(ids: ArrayLike<number>, speaker: number): Tensor {
    this.checkInputs(ids, speaker);
    const e = this.engine;
    const c = this.config;
    const [tx, d, s] = [ids.length, c.nTextDim, c.nSpeakerDim];
    const E = d + s;
    return e.tidy(() => {
      const idT = e.upload(Int32Array.from(ids as ArrayLike<number>), [tx], 'ids');
      // Channels-first through the conv stack (conv5 → affine instance norm over time → ReLU).
      let xc = embedding(e, idT, this.weights.gpu('embedding.weight'), { channelsFirst: true });
      for (const l of this.enc.conv) {
        xc = relu(e, instanceNorm(e, conv1d(e, xc, l.w, l.b, { padding: (l.w.dim(2) - 1) / 2 }), l.g, l.beta, 1e-5));
      }
      const x = permute(e, xc, [1, 0]); // [Tx, D] rows for the BiLSTM
      const out = e.empty([tx, E], 'f32', 'encoder_outputs');
      const hh = d / 2;
      for (const [cw, rev] of [[this.enc.fwd, false], [this.enc.bwd, true]] as const) {
        const h = [this.zerosOf(hh), e.empty([hh], 'f32', 'h')];
        const cs = this.zerosOf(hh);
        for (let i = 0; i < tx; i++) {
          const t = rev ? tx - 1 - i : i;
          lstmCellFused(e, cw, { x1: x, off1: t * d, hIn: h[i % 2]!, c: cs, hOut: h[(i + 1) % 2]!, seq: out, seqOff: t * E + (rev ? hh : 0) }, this.tuning);
        }
      }
      const spk = e.upload(new Int32Array(tx).fill(c.dummySpeaker ? 0 : speaker), [tx], 'speaker');
      embedding(e, spk, this.weights.gpu('speaker_embedding.weight'), { out, column: d });
      return out;
    });
  }

  /** Keys and values of the encoder outputs for one flow: `[Tx, 2A]`. */
  private keysValues(f: FlowWeights, enc: Tensor): Tensor {
    return linear(this.engine, enc, f.kvW);
  }

  /**
   * One flow in the inference direction over the residual rows `z` `[n, M]` (already in this flow's
   * time order). Returns its output rows (step order), attention and the gate frame.
   */
  private async inferFlow(f: FlowWeights, enc: Tensor, z: Tensor, n: number, gateThreshold: number | null, temperature: number, chunk: number): Promise<{ out: Tensor; attn: Tensor; frames: number; gateFrame: number }> {
    const e = this.engine;
    const c = this.config;
    const [H, A, M, tx] = [c.nHidden, c.nAttn, c.nMel, enc.dim(0)];
    const kv = this.keysValues(f, enc);
    const out = e.empty([n, M], 'f32', 'flow_out');
    const attn = e.empty([n, tx], 'f32', 'attention');
    const useGate = f.gate && gateThreshold !== null && gateThreshold < 1;
    const gates = useGate ? e.empty([n], 'f32', 'gates') : undefined;
    const pair = (): Tensor[] => [this.zerosOf(H), this.zerosOf(H)];
    const fused = f.fused;
    const parts = fused ? attnCellParts(H, this.tuning) : 0;
    // Fused: the attention LSTM's h is followed by its partial queries.
    const hA = fused ? [this.zerosOf(H + parts * A), this.zerosOf(H + parts * A)] : pair();
    const cA = this.zerosOf(H);
    const hL = c.nLstmLayers > 0 ? Array.from({ length: c.nLstmLayers }, pair) : [];
    const cL = hL.map(() => this.zerosOf(H));
    const ctx = this.zerosOf(A);
    const d1 = e.empty([H], 'f32', 'dense1');
    const d2 = e.empty([H], 'f32', 'dense2');
    const tn = this.tuning;
    const qbuf = f.qmv ? e.empty([A], 'f32', 'query') : undefined;
    const step = (i: number): void => {
      const p = i % 2;
      const q = 1 - p;
      if (fused) {
        // Frame i − 1's conv + inverse affine happens here (from d2 of step i − 1).
        attnCellFused(e, fused, { d: d2, z, zOff: Math.max(i - 1, 0) * M, out, oOff: Math.max(i - 1, 0) * M, first: i === 0, hIn: hA[p]!, c: cA, hOut: hA[q]! }, tn);
        additiveAttention(e, f.attention, { kv, tx, h: hA[q]!, qParts: { src: hA[q]!, off: H, n: parts }, row0: i, attn, ctx, gate: gates, temperature }, tn);
      } else {
        lstmCellFused(e, f.attnLstm, { x1: i === 0 ? this.zeros : out, off1: i === 0 ? 0 : (i - 1) * M, hIn: hA[p]!, c: cA, hOut: hA[q]! }, tn);
        if (qbuf) matvec(e, f.qmv!, hA[q]!, qbuf, tn);
        additiveAttention(e, f.attention, { kv, tx, h: hA[q]!, q: qbuf, row0: i, attn, ctx, gate: gates, temperature }, tn);
      }
      let below = hA[q]!;
      hL.forEach((h, l) => {
        lstmCellFused(e, f.lstm[l]!, { x1: below, x2: l === 0 ? ctx : undefined, hIn: h[p]!, c: cL[l]!, hOut: h[q]! }, tn);
        below = h[q]!;
      });
      matvec(e, f.dense[0]!.mv, below, d1, tn, { act: 'tanh' });
      matvec(e, f.dense[1]!.mv, d1, d2, tn, { act: 'tanh' });
      if (!fused) affineInverse(e, f.convWT, f.convB, d2, z, out, i * M, i * M, tn);
    };
    // Fused: the last recorded step's frame still needs its conv + inverse affine.
    const finish = (last: number): void => {
      if (fused) affineInverse(e, f.convWT, f.convB, d2, z, out, last * M, last * M, tn);
    };
    if (!gates) {
      for (let i = 0; i < n; i++) step(i);
      finish(n - 1);
      return { out, attn, frames: n, gateFrame: -1 };
    }
    // Gated: record chunks of frames; read each chunk's gate logits while the next one is recorded.
    const thr = gateThreshold as number;
    const firstCrossing = (g: Float32Array, start: number): number => {
      for (let k = 0; k < g.length; k++) if (1 / (1 + Math.exp(-g[k]!)) > thr) return start + k;
      return -1;
    };
    let pending: { start: number; read: Promise<Float32Array[]> } | null = null;
    let next = 0;
    let gateFrame = -1;
    while (next < n || pending) {
      let issued: { start: number; read: Promise<Float32Array[]> } | null = null;
      if (next < n) {
        const start = next;
        const end = Math.min(n, start + chunk);
        for (let i = start; i < end; i++) step(i);
        next = end;
        issued = { start, read: e.readMany([gates.view(start, [end - start])]) as Promise<Float32Array[]> };
      }
      if (pending) {
        const [g] = await pending.read;
        const hit = firstCrossing(g!, pending.start);
        if (hit >= 0) {
          gateFrame = hit;
          if (issued) await issued.read; // let the extra chunk finish before its buffers are reused
          break;
        }
      }
      pending = issued;
    }
    finish(next - 1);
    const frames = gateFrame >= 0 ? gateFrame + 1 : n;
    return { out, attn, frames, gateFrame };
  }

  private residualRows(o: SynthesizeOptions, n: number): Tensor {
    const e = this.engine;
    const M = this.config.nMel;
    let host: Float32Array | null = null;
    if (o.residual) {
      if (o.residual instanceof Float32Array) {
        if (o.residual.length % M !== 0) throw new FlowgpuError(`flowtron: the residual has ${o.residual.length} values, not a multiple of ${M} mel channels`);
        host = o.residual;
      } else {
        if (o.residual.dim(0) !== M) throw new FlowgpuError(`flowtron: the residual ${describeShape(o.residual.shape)} must be [${M}, frames]`);
        return permute(e, o.residual, [1, 0]);
      }
    } else {
      const sigma = o.sigma ?? 0.5;
      const noise = sigma === 0 ? new Float32Array(M * n) : gaussian(M * n, o.seed ?? 1234, sigma);
      if (o.style) {
        assertFinite(o.style, 'flowtron: the style', 'make it again from finite reference mels or audio');
        const sf = o.style.length / M;
        if (!Number.isInteger(sf) || sf < 1) throw new FlowgpuError(`flowtron: the style has ${o.style.length} values, not [${M}, frames]`);
        for (let m = 0; m < M; m++) for (let t = 0; t < n; t++) noise[m * n + t]! += o.style[m * sf + (t % sf)]!;
      }
      host = noise;
    }
    const frames = host.length / M;
    return permute(e, e.upload(host, [M, frames], 'residual'), [1, 0]);
  }

  /** Flowtron token ids of text (flowtron_cleaners + CMUdict with probability `pArpabet`, drawn from `textSeed`). */
  async textToIds(text: string, o: SynthesizeOptions = {}): Promise<TextIds> {
    const { textToIds } = await import('../text/index.js');
    const pArpabet = o.pArpabet ?? 1;
    return textToIds('flowtron', text, o.textSeed === undefined ? { pArpabet } : { pArpabet, seed: o.textSeed });
  }

  /** Text or ids → host mel `[80, frames]`, each flow's attention `[tokens, frames]` and the gate frame. */
  async synthesize(input: ArrayLike<number> | string, o: SynthesizeOptions = {}): Promise<FlowtronSynthesis> {
    const { ids, unknown } = await tokensOf(input, (text) => this.textToIds(text, o));
    const r = await this.synthesizeTensors(ids, o);
    try {
      const [mel, ...maps] = (await this.engine.readMany([r.mel, ...r.attention])) as Float32Array[];
      const tx = ids.length;
      const flows = maps.map((m): AttentionMap => {
        const data = new Float32Array(tx * r.frames); // [frames, tokens] → [tokens, frames]
        for (let f = 0; f < r.frames; f++) for (let j = 0; j < tx; j++) data[j * r.frames + f] = m[f * tx + j]!;
        return { data, tokens: tx, frames: r.frames, kind: 'attention' };
      });
      return {
        mel: mel!, nMel: this.config.nMel, frames: r.frames, sampleRate: this.sampleRate, ids, unknown,
        attention: flows.at(-1)!, flows, gateFrame: r.gateFrame,
      };
    } finally {
      r.mel.release();
      for (const a of r.attention) a.release();
    }
  }

  /** Inference on the GPU: residual → mel `[80, frames]`, the attention `[frames, tokens]` of each flow and the gate frame. */
  async synthesizeTensors(input: ArrayLike<number> | string, o: SynthesizeOptions = {}): Promise<SynthesisResult> {
    const e = this.engine;
    const c = this.config;
    const speaker = o.speaker ?? 0;
    const ids = typeof input === 'string' ? (await this.textToIds(input, o)).ids : input;
    this.checkInputs(ids, speaker);
    const M = c.nMel;
    let n = o.residual ? (o.residual instanceof Float32Array ? o.residual.length / M : o.residual.dim(1)) : (o.maxFrames ?? (o.style && o.style.length / M > 1 ? o.style.length / M : 400));
    if (!Number.isInteger(n) || n < 1) throw new FlowgpuError(`flowtron: the number of frames must be a positive integer, got ${n}`);
    const gateThreshold = o.gateThreshold === undefined ? 0.5 : o.gateThreshold;
    const chunk = o.gateChunk ?? 32;
    return e.tidyAsync(async () => {
      const enc = this.encode(ids, speaker);
      let x = this.residualRows(o, n); // [n, M], time-major
      n = x.dim(0);
      const attention: Tensor[] = [];
      let gateFrame = -1;
      for (let k = this.flows.length - 1; k >= 0; k--) {
        const f = this.flows[k]!;
        const zin = f.reverse ? flip(e, x, 0) : x;
        const r = await this.inferFlow(f, enc, zin, n, gateThreshold, o.temperature ?? 1, chunk);
        if (r.gateFrame >= 0) gateFrame = r.gateFrame;
        n = r.frames;
        const kept = r.frames === r.out.dim(0) ? r.out : r.out.view(0, [n, M]);
        x = f.reverse ? flip(e, kept, 0) : kept;
        attention.push(r.frames === r.attn.dim(0) ? r.attn : r.attn.view(0, [n, enc.dim(0)]));
      }
      const mel = permute(e, x, [1, 0]);
      return { mel, frames: n, attention, gateFrame };
    }) as Promise<SynthesisResult>;
  }

  /** One flow in the forward (training) direction over mel rows `x` `[T, M]` (this flow's time order). */
  private forwardFlow(f: FlowWeights, enc: Tensor, x: Tensor): Tensor {
    const e = this.engine;
    const c = this.config;
    const [H, A, M, tx, T] = [c.nHidden, c.nAttn, c.nMel, enc.dim(0), x.dim(0)];
    const tn = this.tuning;
    const kv = this.keysValues(f, enc);
    const seqCell = (cw: Cell, input: (t: number) => { x1: Tensor; off1: number; x2?: Tensor; off2?: number }): Tensor => {
      const seq = e.empty([T, H], 'f32', 'lstm_seq');
      const h = [this.zerosOf(H), this.zerosOf(H)];
      const cs = this.zerosOf(H);
      for (let t = 0; t < T; t++) lstmCellFused(e, cw, { ...input(t), hIn: h[t % 2]!, c: cs, hOut: h[(t + 1) % 2]!, seq, seqOff: t * H }, tn);
      return seq;
    };
    // Teacher forcing: the attention LSTM sees [0, x_0, …, x_{T−2}].
    const hatt = seqCell(f.attnLstm, (t) => (t === 0 ? { x1: this.zeros, off1: 0 } : { x1: x, off1: (t - 1) * M }));
    const attn = e.empty([T, tx], 'f32', 'attention');
    const ctx = e.empty([T, A], 'f32', 'context');
    const q = linear(e, hatt, f.wq); // all queries at once: [T, A]
    additiveAttention(e, f.attention, { kv, tx, h: hatt, hStride: H, q, row0: 0, frames: T, attn, ctx }, tn);
    let below = hatt;
    f.lstm.forEach((cw, l) => {
      const src = below;
      below = seqCell(cw, (t) => ({ x1: src, off1: t * H, x2: l === 0 ? ctx : undefined, off2: t * A }));
    });
    const h1 = linear(e, below, f.dense[0]!.w, f.dense[0]!.b, 'tanh');
    const h2 = linear(e, h1, f.dense[1]!.w, f.dense[1]!.b, 'tanh');
    const dec = linear(e, h2, f.convW, f.convB);
    return affineCoupling(e, x, dec, { reverse: false, order: 'scale-first', x1Start: 0, n1: x.dim(1), timeMajor: true });
  }

  /** Forward (training) direction, teacher-forced: z `[80, T]` of a log mel `[80, T]`. */
  posterior(mel: Tensor | Float32Array, ids: ArrayLike<number>, speaker = 0, frames?: number): Tensor {
    const e = this.engine;
    const M = this.config.nMel;
    this.checkInputs(ids, speaker);
    return e.tidy(() => {
      let melT: Tensor;
      if (mel instanceof Float32Array) {
        const T = frames ?? mel.length / M;
        if (!Number.isInteger(T) || T * M !== mel.length) {
          throw new FlowgpuError(`flowtron: a reference mel must be [${M}, frames]; got ${mel.length} values${frames ? ` for ${frames} frames` : ''}`);
        }
        assertFinite(mel, 'flowtron: the reference mel');
        melT = e.upload(mel, [M, T], 'mel');
      } else {
        if (mel.shape.length !== 2 && !(mel.shape.length === 3 && mel.dim(0) === 1)) throw new FlowgpuError(`flowtron: a reference mel must be [${M}, frames], got ${describeShape(mel.shape)}`);
        melT = mel.reshape(mel.shape.slice(-2));
      }
      if (melT.dim(0) !== M) {
        throw new FlowgpuError(`flowtron: the reference mel has ${melT.dim(0)} channels, this model expects ${M} (shape ${describeShape(melT.shape)}, want [${M}, frames])`);
      }
      if (melT.dim(1) < 1) throw new FlowgpuError('flowtron: the reference mel has no frames');
      const enc = this.encode(ids, speaker);
      let x = permute(e, melT, [1, 0]);
      for (const f of this.flows) {
        const xin = f.reverse ? flip(e, x, 0) : x;
        const z = this.forwardFlow(f, enc, xin);
        x = f.reverse ? flip(e, z, 0) : z;
      }
      return permute(e, x, [1, 0]);
    });
  }

  /** The notebook's style posterior mu from reference (mel or audio, text) pairs: `[80, nFrames]` (or `[80, 1]`). */
  async styleFromReferences(refs: StyleReference[], o: StyleOptions = {}): Promise<{ mu: Float32Array; frames: number }> {
    if (refs.length === 0) throw new FlowgpuError('style: the reference list is empty; give at least one (audio or mel, text) pair');
    const e = this.engine;
    const M = this.config.nMel;
    const zs: { data: Float32Array; frames: number }[] = [];
    for (const [i, r] of refs.entries()) {
      let mel: Float32Array | Tensor;
      let frames = r.frames;
      if (r.mel) {
        mel = r.mel;
      } else if (r.audio) {
        const m = await (o.melFromAudio ?? ((a: Float32Array) => melFromAudio(e, a, { sampleRate: this.sampleRate, modelRate: this.sampleRate, nMel: M, what: `reference ${i}'s audio` })))(r.audio);
        mel = m.data;
        frames = m.frames;
      } else {
        throw new FlowgpuError(`style: reference ${i} has neither a mel nor audio`);
      }
      if (mel instanceof Float32Array && frames !== undefined && mel.length !== frames * M) {
        throw new FlowgpuError(`style: reference ${i}'s mel has ${mel.length / frames} channels, this model expects ${M}`);
      }
      const ids = r.ids ?? (r.text !== undefined ? (await this.textToIds(r.text, { pArpabet: o.pArpabet })).ids : undefined);
      if (!ids) throw new FlowgpuError(`style: reference ${i} has no transcript (ids or text)`);
      let z: Tensor;
      try {
        z = this.posterior(mel, ids, o.speaker ?? 0, frames);
      } catch (err) {
        if (err instanceof FlowgpuError) throw new FlowgpuError(`style: reference ${i}: ${err.message.replace(/^flowtron: /, '')}`);
        throw err;
      }
      zs.push({ data: await e.readF32(z), frames: z.dim(1) });
      z.release();
    }
    return aggregateStyle(zs, M, o);
  }

  /** `(1 − t)·a + t·b` of two styles / residuals (the blog post's happy→sad grid). */
  interpolate(a: Float32Array, b: Float32Array, t: number): Float32Array {
    return interpolate(a, b, t);
  }

  /** Mean z over time of each utterance (for latent maps): `[80]`. */
  async meanLatent(mel: Float32Array | Tensor, ids: ArrayLike<number>, speaker = 0, frames?: number): Promise<Float32Array> {
    const z = this.posterior(mel, ids, speaker, frames);
    const data = await this.engine.readF32(z);
    const [M, T] = [z.dim(0), z.dim(1)];
    z.release();
    const out = new Float32Array(M);
    for (let m = 0; m < M; m++) {
      let s = 0;
      for (let t = 0; t < T; t++) s += data[m * T + t]!;
      out[m] = s / T;
    }
    return out;
  }
}
