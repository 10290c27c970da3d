// Flowtron's decoder on the GPU: the text encoder, one flow in the inference direction (the
// autoregressive loop, see ../flowtron.ts) and in the forward, teacher-forced direction.
import type { Engine } from '../../gpu/engine.js';
import { assertFinite, describeShape, FlowgpuError } from '../../gpu/errors.js';
import type { Tensor } from '../../gpu/tensor.js';
import { gaussian } from '../../math/random.js';
import { conv1d } from '../../ops/conv.js';
import { relu } from '../../ops/elementwise.js';
import {
  additiveAttention, affineInverse, attnCellFused, attnCellParts, lstmCellFused, matvec, type StepTuning,
} from '../../ops/flowtron.js';
import { affineCoupling } from '../../ops/coupling.js';
import { embedding } from '../../ops/gather.js';
import { linear } from '../../ops/matmul.js';
import { instanceNorm } from '../../ops/norm.js';
import { permute } from '../../ops/shape.js';
import type { Weights } from '../weights.js';
import type { FlowtronConfig, SynthesizeOptions } from './config.js';
import { type Cell, type EncoderWeights, type FlowWeights, flowtronWeights } from './weights.js';

/** Receives output frames `[count, nMel]` (time-major) starting at frame `from`. */
export type FrameSink = (rows: Float32Array, from: number) => Promise<void> | void;

export class FlowtronDecoder {
  readonly flows: FlowWeights[];
  private readonly enc: EncoderWeights;
  readonly zeros: Tensor;

  constructor(readonly engine: Engine, readonly weights: Weights, readonly config: FlowtronConfig, readonly tuning: StepTuning) {
    ({ enc: this.enc, flows: this.flows, zeros: this.zeros } = flowtronWeights(engine, weights, config, tuning));
  }

  release(): void {
    this.zeros.release();
  }

  checkInputs(ids: ArrayLike<number>, speaker: number): void {
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

  zerosOf(n: number): Tensor {
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
  keysValues(f: FlowWeights, enc: Tensor): Tensor {
    return linear(this.engine, enc, f.kvW);
  }

  /**
   * One flow in the inference direction over the residual rows `z` `[n, M]` (already in this flow's
   * time order). Returns its output rows (step order), attention and the gate frame. With `onRows`,
   * the output rows kept also go there as they are made: without a gate, a block of `chunk`
   * frames at a time (each read back while the next block is recorded); with one, once the gate
   * has decided.
   */
  async inferFlow(
    f: FlowWeights, enc: Tensor, z: Tensor, n: number, gateThreshold: number | null, temperature: number, chunk: number,
    onRows?: FrameSink,
  ): Promise<{ out: Tensor; attn: Tensor; frames: number; gateFrame: number }> {
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
      let sent = 0;
      let reading: Promise<void> | null = null;
      for (let start = 0; start < n; start += onRows ? chunk : n) {
        const end = Math.min(n, start + (onRows ? chunk : n));
        for (let i = start; i < end; i++) step(i);
        if (end === n) finish(n - 1);
        if (!onRows) continue;
        // Fused: frame end − 1 is finished by the next step.
        const ready = end === n || !fused ? end : end - 1;
        if (ready === sent) continue;
        const from = sent;
        const read = e.readF32(out.view(from * M, [ready - from, M]));
        sent = ready;
        await reading;
        reading = read.then((rows) => onRows(rows, from));
      }
      await reading;
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
    if (onRows) await onRows(await e.readF32(out.view(0, [frames, M])), 0);
    return { out, attn, frames, gateFrame };
  }

  residualRows(o: SynthesizeOptions, n: number): Tensor {
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


  /** One flow in the forward (training) direction over mel rows `x` `[T, M]` (this flow's time order). */
  forwardFlow(f: FlowWeights, enc: Tensor, x: Tensor): Tensor {
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
}
