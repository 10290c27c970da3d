// A vocoder run over a mel in windows, so audio comes out while later frames are still being
// made (Flowtron) or vocoded. Each window renders its core frames with `context` frames of mel
// on either side and keeps only the core's samples:
// - 'exact' seams (HiFi-GAN, WaveGlow): with context ≥ the receptive field the samples equal one
//   pass over the whole mel;
// - 'crossfade' seams (Griffin-Lim): windows recover their phase independently, so consecutive
//   windows are cross-faded over `fade` samples inside their shared context, the later one
//   sign-flipped first when it is anti-correlated with the earlier one there (a real signal's
//   phase is only recovered up to its sign).
// Sample s of a window that starts at frame f is sample f·hop + s of the whole audio.

import { FlowgpuError } from '../gpu/errors.js';

export interface WindowPlan {
  /** Mel channels. */
  nMel: number;
  /** Samples per frame. */
  hop: number;
  /** Frames of mel context on either side of a window's core. */
  context: number;
  /** Samples of audio a mel of `frames` frames gives (frames·hop; Griffin-Lim's (frames − 1)·hop). */
  samplesOf: (frames: number) => number;
  /** Renders a mel `[nMel, frames]` (row-major) to audio; `index` counts windows from 0. */
  render: (mel: Float32Array, frames: number, index: number) => Promise<Float32Array>;
  /** How windows meet (default 'exact'). */
  seam?: 'exact' | 'crossfade';
  /** Cross-fade length in samples (seam 'crossfade'; default 2·hop). */
  fade?: number;
  /** Core frames of the first window (default 32) and of the largest (default 256); windows double in between. */
  firstWindow?: number;
  maxWindow?: number;
}

/** Mel frames pushed in blocks (time-major) → audio chunks as soon as a window has its right context. */
export class MelWindows {
  /** Time-major frames `[frames, nMel]` received so far. */
  private rows: Float32Array;
  private frames = 0;
  /** First frame of the next window's core. */
  private next = 0;
  private index = 0;
  /** Whole-audio sample up to which chunks have been returned. */
  private emitted = 0;
  private tail: Float32Array | null = null;
  private sign = 1;
  private readonly fade: number;

  constructor(private readonly plan: WindowPlan) {
    this.rows = new Float32Array(plan.nMel * 256);
    this.fade = plan.seam === 'crossfade' ? (plan.fade ?? 2 * plan.hop) : 0;
    if (this.fade > 0 && plan.context * plan.hop < this.fade / 2 + plan.hop) {
      throw new FlowgpuError(`MelWindows: a ${this.fade}-sample cross-fade needs at least ${Math.ceil(this.fade / 2 / plan.hop) + 1} frames of context, not ${plan.context}`);
    }
  }

  /** Appends frames given channels-first `[nMel, count]` (row-major), e.g. a whole mel. */
  pushChannels(mel: Float32Array, count: number): void {
    const m = this.plan.nMel;
    if (mel.length !== m * count) throw new FlowgpuError(`MelWindows: ${mel.length} values are not [${m}, ${count}]`);
    this.reserve(count);
    for (let t = 0; t < count; t++) for (let c = 0; c < m; c++) this.rows[(this.frames + t) * m + c] = mel[c * count + t]!;
    this.frames += count;
  }

  /** Appends frames given time-major `[count, nMel]`. */
  pushRows(rows: Float32Array): void {
    const count = rows.length / this.plan.nMel;
    this.reserve(count);
    this.rows.set(rows, this.frames * this.plan.nMel);
    this.frames += count;
  }

  private reserve(count: number): void {
    const need = (this.frames + count) * this.plan.nMel;
    if (need <= this.rows.length) return;
    const grown = new Float32Array(Math.max(need, 2 * this.rows.length));
    grown.set(this.rows.subarray(0, this.frames * this.plan.nMel));
    this.rows = grown;
  }

  private coreLength(): number {
    const first = this.plan.firstWindow ?? 32;
    return Math.min(first * 2 ** this.index, Math.max(first, this.plan.maxWindow ?? 256));
  }

  /**
   * Audio of every window that can be rendered now; with `final`, the frames pushed are all
   * there is and the rest of the audio follows.
   */
  async *drain(final = false): AsyncGenerator<Float32Array> {
    const { context, hop } = this.plan;
    const total = this.plan.samplesOf(this.frames);
    for (;;) {
      const a = this.next;
      if (a >= this.frames) break;
      const b = Math.min(this.frames, a + this.coreLength());
      const last = b === this.frames && final;
      if (!final && b + context > this.frames) break;
      const ws = Math.max(0, a - context);
      const we = Math.min(this.frames, b + context);
      const audio = await this.plan.render(this.channelsFirst(ws, we), we - ws, this.index);
      this.next = b;
      this.index++;
      const chunk = this.place(audio, ws * hop, last ? total : b * hop - this.fade / 2, !last);
      if (chunk.length > 0) yield chunk;
      if (last) break;
    }
  }

  private channelsFirst(ws: number, we: number): Float32Array {
    const m = this.plan.nMel;
    const n = we - ws;
    const out = new Float32Array(m * n);
    for (let t = 0; t < n; t++) for (let c = 0; c < m; c++) out[c * n + t] = this.rows[(ws + t) * m + c]!;
    return out;
  }

  /** The samples of a window's audio (starting at whole-audio sample `g0`) up to `cut`, joined to the held tail. */
  private place(audio: Float32Array, g0: number, cut: number, holdTail: boolean): Float32Array {
    const at = (s: number): number => s - g0;
    const parts: Float32Array[] = [];
    if (this.tail) {
      const head = audio.subarray(at(this.emitted), at(this.emitted) + this.tail.length);
      let dot = 0;
      for (let i = 0; i < head.length; i++) dot += head[i]! * this.tail[i]!;
      if (dot < 0) this.sign = -this.sign;
      const x = new Float32Array(this.tail.length);
      for (let i = 0; i < x.length; i++) {
        const w = (i + 0.5) / x.length;
        x[i] = (1 - w) * this.tail[i]! + w * this.sign * (head[i] ?? 0);
      }
      parts.push(x);
      this.emitted += x.length;
      this.tail = null;
    }
    const body = audio.slice(at(this.emitted), at(Math.max(cut, this.emitted)));
    if (this.sign < 0) for (let i = 0; i < body.length; i++) body[i] = -body[i]!;
    parts.push(body);
    this.emitted += body.length;
    if (holdTail && this.fade > 0) {
      this.tail = audio.slice(at(this.emitted), at(this.emitted) + this.fade);
      if (this.sign < 0) for (let i = 0; i < this.tail.length; i++) this.tail[i] = -this.tail[i]!;
    }
    if (parts.length === 1) return parts[0]!;
    const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}
