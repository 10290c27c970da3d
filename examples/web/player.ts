// Gapless playback of streamed chunks on the AudioContext clock: chunk k starts at
// t0 + start_k / sampleRate, fixed when the first chunk arrives, so consecutive chunks meet to the
// sample (scheduling on the previous chunk's `ended` event would leave a gap of a render quantum
// or more, and a click, at every seam). When synthesis falls behind and the scheduled audio is
// about to run out, the context is suspended — its clock stops, so the timeline stays contiguous —
// and resumed when the next chunk arrives.

/** Seconds between the first chunk's arrival and its start. */
const LEAD = 0.1;
/** Suspend when less than this much scheduled audio is left and no chunk is waiting. */
const LOW_WATER = 0.15;

export interface Scheduled {
  /** Sample offset in the stream. */
  start: number;
  length: number;
  /** AudioContext time the chunk starts at. */
  when: number;
  /** Whether the context had already passed `when` when it was scheduled (a gap). */
  late: boolean;
}

export class StreamPlayer {
  readonly scheduled: Scheduled[] = [];
  /** AudioContext time of stream sample 0 (null until the first chunk). */
  t0: number | null = null;
  /** performance.now() when the first chunk was scheduled. */
  startedAt: number | null = null;
  /** Times the context was suspended to wait for synthesis. */
  stalls = 0;
  private end = 0;
  private done = false;
  private stalled = false;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(readonly ctx: AudioContext) {
    this.timer = setInterval(() => this.watch(), 20);
  }

  /** Schedules a chunk (chunks must come in order; `start` is its sample offset). */
  push(audio: Float32Array, sampleRate: number, start: number): void {
    const ctx = this.ctx;
    if (this.t0 === null) {
      this.t0 = ctx.currentTime + LEAD - start / sampleRate;
      this.startedAt = performance.now();
    }
    const buf = ctx.createBuffer(1, audio.length, sampleRate);
    const ch = buf.getChannelData(0);
    for (let i = 0; i < audio.length; i++) ch[i] = Number.isFinite(audio[i]!) ? Math.max(-1, Math.min(1, audio[i]!)) : 0;
    const src = ctx.createBufferSource();
    src.buffer = buf;
    src.connect(ctx.destination);
    const when = this.t0 + start / sampleRate;
    this.scheduled.push({ start, length: audio.length, when, late: when < ctx.currentTime });
    src.start(when);
    this.end = when + audio.length / sampleRate;
    if (this.stalled) {
      this.stalled = false;
      void ctx.resume();
    }
  }

  /** No more chunks: let the scheduled audio play out. */
  finish(): void {
    this.done = true;
    if (this.stalled) {
      this.stalled = false;
      void this.ctx.resume();
    }
  }

  /** Stream seconds played so far (null before the first chunk). */
  position(): number | null {
    return this.t0 === null ? null : this.ctx.currentTime - this.t0;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private watch(): void {
    if (this.t0 === null || this.done || this.stalled) return;
    if (this.end - this.ctx.currentTime < LOW_WATER && this.ctx.state === 'running') {
      this.stalled = true;
      this.stalls++;
      void this.ctx.suspend();
    }
  }
}
