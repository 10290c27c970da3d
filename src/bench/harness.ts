// The bench harness: how a benchmark times an op and reports a row. Models add their own
// benchmarks as `Benchmark` objects in a file here, listed in ./index.ts.
import type { Engine } from '../gpu/engine.js';
import type { Tensor } from '../gpu/tensor.js';

/** One line of the table. `flops` / `bytes` are per call; rates are derived from them. */
export interface Row {
  /** Benchmark group, e.g. 'kernels' or 'waveglow'. Filled in by the runner. */
  group?: string;
  kernel: string;
  shape: string;
  /** Median milliseconds per call (NaN when it failed). */
  ms: number;
  /** Median CPU milliseconds per call of this process's threads other than the main JS thread
   *  (`cpuMicros`; Node only). On a software adapter that is the driver's work, a measure that
   *  holds up when other processes compete for the cores (wall time does not). */
  cpuMs?: number;
  flops?: number;
  bytes?: number;
  gflops?: number;
  gbps?: number;
  /** Best of GFLOP/s ÷ peak GFLOP/s and GB/s ÷ peak GB/s, in percent (filled in by the runner). */
  pctPeak?: number;
  /** A PyTorch row: flowgpu's speed ÷ PyTorch's on the same weights and input. */
  ratio?: number;
  note?: string;
}

export interface BenchOptions {
  /** Fewer repeats and the smaller shapes only. */
  quick: boolean;
  /** `--only`: time only rows whose "group kernel shape" contains this (case-insensitive). */
  only?: string;
  /** The running benchmark's name (set by the runner). */
  group: string;
  /** Called with each row `time` finishes (the runner's progress line). */
  onRow?: (r: Row) => void;
}

/** Whether `--only` selects this kernel (benchmarks may skip expensive setup when not). */
export function wants(o: BenchOptions, kernel: string, shape = ''): boolean {
  return !o.only || `${o.group} ${kernel} ${shape}`.toLowerCase().includes(o.only.toLowerCase());
}

/**
 * A benchmark: `run` times whatever it likes with `bench.time(...)` and returns rows.
 * Keep each call's inputs alive across repeats (allocate once, outside `time`).
 */
export interface Benchmark {
  name: string;
  run(e: Engine, o: BenchOptions): Promise<Row[]>;
}

export interface TimeOptions {
  /** The options the benchmark was run with (for --quick and --only). */
  bench: BenchOptions;
  /** Work per call, for GFLOP/s. */
  flops?: number;
  /** Bytes moved per call (inputs read + outputs written), for GB/s. */
  bytes?: number;
  note?: string;
}

/**
 * Times `fn` (which records GPU work and may return tensors; every tensor it creates is
 * released after each call): a warm-up call (pipeline compiles), a timed call to size the
 * batches, then repeated batches of calls between `await e.sync()`s, each lasting ~250 ms
 * (60 with --quick), 7 batches (quick: 3, or 1 when one call takes over 240 ms). Returns the median time per call as a row. Never throws:
 * a failure becomes a row with ms NaN and the error in `note`.
 */
export async function time(
  e: Engine, kernel: string, shape: string, fn: () => Tensor | Tensor[] | void, o: TimeOptions,
): Promise<Row> {
  const row: Row = { group: o.bench.group, kernel, shape, ms: NaN, flops: o.flops, bytes: o.bytes, note: o.note };
  if (!wants(o.bench, kernel, shape)) return { ...row, note: SKIPPED };
  try {
    const call = (): void => {
      e.tidy(() => {
        fn();
        return undefined;
      });
    };
    const target = o.bench.quick ? 60 : 250;
    call(); // compiles the pipelines
    await e.sync();
    let t0 = now();
    call();
    await e.sync();
    const first = now() - t0;
    // Without --full, a call far over the batch target is timed once more (software adapters).
    const reps = o.bench.quick ? (first > 4 * target ? 1 : 3) : 7;
    const iters = Math.max(1, Math.min(1000, Math.round(target / Math.max(first, 0.01))));
    const samples: number[] = [];
    const cpu: number[] = [];
    for (let r = 0; r < reps; r++) {
      const c0 = cpuMicros();
      t0 = now();
      for (let i = 0; i < iters; i++) call();
      await e.sync();
      samples.push((now() - t0) / iters);
      const c1 = cpuMicros();
      if (c0 !== undefined && c1 !== undefined) cpu.push((c1 - c0) / 1000 / iters);
    }
    row.ms = median(samples);
    if (cpu.length) row.cpuMs = median(cpu);
    if (o.flops) row.gflops = o.flops / row.ms / 1e6;
    if (o.bytes) row.gbps = o.bytes / row.ms / 1e6;
  } catch (err) {
    row.note = `failed: ${(err as Error)?.message ?? String(err)}`.slice(0, 200);
  }
  o.bench.onRow?.(row);
  return row;
}

/**
 * For whole-model rows: one warm-up call of the async `fn`, then `reps` timed calls (a number, or
 * one chosen from the warm-up's milliseconds); the median wall and CPU milliseconds per call, the
 * repeats made and the last call's result.
 */
export async function timeCalls<T>(reps: number | ((warmUpMs: number) => number), fn: () => Promise<T>): Promise<{ ms: number; cpuMs?: number; reps: number; result: T }> {
  const w0 = now();
  let result = await fn();
  const n = typeof reps === 'number' ? reps : reps(now() - w0);
  const times: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < n; r++) {
    const c0 = cpuMicros();
    const t0 = now();
    result = await fn();
    times.push(now() - t0);
    const c1 = cpuMicros();
    if (c0 !== undefined && c1 !== undefined) cpu.push((c1 - c0) / 1000);
  }
  return { ms: median(times), cpuMs: cpu.length ? median(cpu) : undefined, reps: n, result };
}

/** Repeats of a whole-model call: models under a second get 5 (single runs of those vary
 *  several-fold on a busy machine), slower ones 1 without --full, else 3. */
export const modelReps = (o: BenchOptions) => (warmUpMs: number): number => (warmUpMs < 1000 ? 5 : o.quick ? 1 : 3);

/** Loads a model and times it: on a software adapter the load (which compiles every pipeline
 *  and runs warm-up inferences) often takes longer than the timed calls, so the rows say so. */
export async function timedLoad<T>(load: () => Promise<T>): Promise<{ model: T; loadNote: string }> {
  const t0 = now();
  const model = await load();
  return { model, loadNote: `load ${((now() - t0) / 1000).toFixed(1)} s (compile + warm-up)` };
}

/** The note of a row that `--only` left out (the runner drops these). */
export const SKIPPED = 'skipped';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** CPU time in µs of this process's threads other than the main JS thread: a software adapter's
 *  own work (its worker threads, plus Dawn's and V8's helpers), without the main thread's command
 *  recording. Where the main thread's time cannot be read (not Linux), all threads' time.
 *  Node only; undefined elsewhere. */
export function cpuMicros(): number | undefined {
  const p = (globalThis as { process?: { pid: number; cpuUsage?: () => { user: number; system: number } } }).process;
  if (!p?.cpuUsage) return undefined;
  const u = p.cpuUsage();
  return u.user + u.system - (mainThreadMicros(p.pid) ?? 0);
}

/** The main thread's CPU time from Linux's /proc/<pid>/task/<pid>/schedstat (ns, first field). */
function mainThreadMicros(pid: number): number | undefined {
  const fs = (globalThis as { process?: { getBuiltinModule?: (m: string) => unknown } }).process?.getBuiltinModule?.('node:fs') as
    | { readFileSync(path: string, enc: 'utf8'): string }
    | undefined;
  try {
    const ns = Number(fs?.readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[0]);
    return Number.isFinite(ns) ? ns / 1000 : undefined;
  } catch {
    return undefined;
  }
}

function now(): number {
  return globalThis.performance.now();
}

/** Uploads uniform random values in [-scale, scale) (a fixed seed, so runs compare). */
export function randomTensor(e: Engine, shape: readonly number[], scale = 1, seed = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = ((s >>> 8) / 2 ** 24 * 2 - 1) * scale;
  }
  return e.persistent(data, shape, 'bench-input');
}

/** `[a, b, c]` for the shape column. */
export const dims = (...d: number[]): string => d.join('×');
