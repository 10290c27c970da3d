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
//
// The pieces: flowtron/config.ts (config, options), flowtron/weights.ts (packing at load),
// flowtron/decoder.ts (encoder and flows on the GPU), flowtron/style.ts (style aggregation).
import type { Engine } from '../gpu/engine.js';
import { assertFinite, describeShape, FlowgpuError } from '../gpu/errors.js';
import type { Tensor } from '../gpu/tensor.js';
import { type Detection, detect } from '../io/detect.js';
import type { Checkpoint } from '../io/host-tensor.js';
import { type TextIds, textToIds } from '../text/index.js';
import { defaultTuning, type StepTuning } from '../ops/flowtron.js';
import { flip, permute } from '../ops/shape.js';
import { melFromAudio } from './audio.js';
import {
  flowtronConfig, type FlowtronConfig, type FlowtronSynthesis, stateDict, type SynthesisResult, type SynthesizeOptions,
} from './flowtron/config.js';
import { FlowtronDecoder } from './flowtron/decoder.js';
import { aggregateStyle, interpolate, type StyleOptions, type StyleReference } from './flowtron/style.js';
import type { AttentionMap, TextToSpeech } from './tts.js';
import { timeWords, tokensOf } from './tts.js';
import { type ModelOptions, sampleRateOf, Weights } from './weights.js';

export {
  flowtronConfig, type FlowtronConfig, type FlowtronSynthesis, type SynthesisResult, type SynthesizeOptions,
} from './flowtron/config.js';
export { aggregateStyle, interpolate, type StyleOptions, type StyleReference } from './flowtron/style.js';

export class Flowtron implements TextToSpeech {
  readonly kind = 'flowtron';
  readonly hopLength = 256;
  readonly sampleRate: number;
  readonly tuning: StepTuning;
  private readonly decoder: FlowtronDecoder;

  private constructor(readonly engine: Engine, readonly weights: Weights, readonly config: FlowtronConfig, tuning?: StepTuning) {
    this.tuning = tuning ?? defaultTuning(engine);
    this.sampleRate = sampleRateOf(weights.checkpoint);
    this.decoder = new FlowtronDecoder(engine, weights, config, this.tuning);
  }

  /** Loads any Flowtron checkpoint (bytes or a parsed checkpoint), built as `detection` says (detected here when not given). */
  static async load(engine: Engine, checkpoint: Checkpoint | Uint8Array | ArrayBuffer, detection?: Detection, o: ModelOptions & { tuning?: StepTuning } = {}): Promise<Flowtron> {
    const ckpt = stateDict(checkpoint);
    const det = detection ?? detect(ckpt);
    if (det.model !== 'flowtron') throw new FlowgpuError(`this checkpoint holds a ${det.model} model, not Flowtron`);
    const config = flowtronConfig(det.config);
    const model = new Flowtron(engine, new Weights(engine, ckpt, 'flowtron', o), config, o.tuning);
    // Compile every pipeline now: a few frames of a short text run each step kernel.
    const ids = Array.from({ length: 12 }, (_, i) => 1 + (i % (config.nText - 1)));
    await engine.precompile(async () => {
      await model.synthesizeTensors(ids, { maxFrames: 4, gateThreshold: null });
      await model.synthesizeTensors(ids, { maxFrames: 4, gateThreshold: 0.5 });
    });
    // The front end's dictionary is read now too (about a second the first time), not by the first utterance.
    await model.textToIds('a');
    return model;
  }

  get nMel(): number {
    return this.config.nMel;
  }

  release(): void {
    this.weights.release();
    this.decoder.release();
  }

  /** Text encoder + speaker embedding: `[Tx, nTextDim + nSpeakerDim]`. */
  encode(ids: ArrayLike<number>, speaker: number): Tensor {
    return this.decoder.encode(ids, speaker);
  }

  /** Flowtron token ids of text (flowtron_cleaners + CMUdict with probability `pArpabet`, default the config's, drawn from `textSeed`). */
  textToIds(text: string, o: SynthesizeOptions = {}): Promise<TextIds> {
    const pArpabet = o.pArpabet ?? this.config.pArpabet;
    return textToIds('flowtron', text, o.textSeed === undefined ? { pArpabet } : { pArpabet, seed: o.textSeed });
  }

  /** Text or ids → host mel `[80, frames]`, each flow's attention `[tokens, frames]` and the gate frame. */
  async synthesize(input: ArrayLike<number> | string, o: SynthesizeOptions = {}): Promise<FlowtronSynthesis> {
    const text = await tokensOf(input, (t) => this.textToIds(t, o));
    const { ids, unknown } = text;
    const r = await this.synthesizeTensors(ids, o);
    try {
      const [mel, ...maps] = (await this.engine.readMany([r.mel, ...r.attention])) as Float32Array[];
      const tx = ids.length;
      const flows = maps.map((m): AttentionMap => {
        const data = new Float32Array(tx * r.frames); // [frames, tokens] → [tokens, frames]
        for (let f = 0; f < r.frames; f++) for (let j = 0; j < tx; j++) data[j * r.frames + f] = m[f * tx + j]!;
        return { data, tokens: tx, frames: r.frames, kind: 'attention' };
      });
      const s: FlowtronSynthesis = {
        mel: mel!, nMel: this.config.nMel, frames: r.frames, sampleRate: this.sampleRate, ids, unknown,
        attention: flows.at(-1)!, flows, gateFrame: r.gateFrame,
      };
      return timeWords(s, text, this.hopLength);
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
    this.decoder.checkInputs(ids, speaker);
    const M = c.nMel;
    let n = o.residual ? (o.residual instanceof Float32Array ? o.residual.length / M : o.residual.dim(1)) : (o.maxFrames ?? (o.style && o.style.length / M > 1 ? o.style.length / M : 400));
    if (!Number.isInteger(n) || n < 1) throw new FlowgpuError(`flowtron: the number of frames must be a positive integer, got ${n}`);
    const gateThreshold = o.gateThreshold === undefined ? 0.5 : o.gateThreshold;
    const chunk = o.gateChunk ?? 32;
    return e.tidyAsync(async () => {
      const enc = this.encode(ids, speaker);
      let x = this.decoder.residualRows(o, n); // [n, M], time-major
      n = x.dim(0);
      const attention: Tensor[] = [];
      let gateFrame = -1;
      for (let k = this.decoder.flows.length - 1; k >= 0; k--) {
        const f = this.decoder.flows[k]!;
        const zin = f.reverse ? flip(e, x, 0) : x;
        const r = await this.decoder.inferFlow(f, enc, zin, n, gateThreshold, o.temperature ?? 1, chunk, k === 0 ? o.onFrames : undefined);
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

  /** Forward (training) direction, teacher-forced: z `[80, T]` of a log mel `[80, T]`. */
  posterior(mel: Tensor | Float32Array, ids: ArrayLike<number>, speaker = 0, frames?: number): Tensor {
    const e = this.engine;
    const M = this.config.nMel;
    this.decoder.checkInputs(ids, speaker);
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
      for (const f of this.decoder.flows) {
        const xin = f.reverse ? flip(e, x, 0) : x;
        const z = this.decoder.forwardFlow(f, enc, xin);
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
