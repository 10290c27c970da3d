// The PyTorch CPU side of a model benchmark: writes the weights and the inputs to a safetensors
// file, runs one of tools/bench/*_torch.py on it (when a python3 with torch is around; Node
// only) and turns its timing into a row with the speed ratio and the output difference.
import type { Checkpoint, HostTensor } from '../io/host-tensor.js';
import { type BenchOptions, modelReps, type Row, timeCalls } from './harness.js';

/** What every tools/bench/*_torch.py prints as its last line (tools/bench/common.py). */
export interface TorchResult {
  seconds: number;
  cpu_seconds: number;
  samples: number;
  khz: number;
  threads: number;
  torch: string;
}

export type TorchReference = { r: TorchResult; out: Float32Array } | string;

/** An f32 input for the reference (ids and other integers too: the scripts cast them back). */
export function f32Input(shape: number[], data: ArrayLike<number>): HostTensor {
  return { dtype: 'f32', shape, data: Float32Array.from(data) };
}

/** Runs `tools/bench/<script>` on `ckpt` plus `inputs` (stored as `input.<name>`); a string says why not. */
export async function torchReference(
  script: string, ckpt: Checkpoint, inputs: Record<string, HostTensor>, repeats: number, args: string[] = [],
): Promise<TorchReference> {
  const g = globalThis as { process?: { versions?: { node?: string }; env: Record<string, string | undefined> } };
  if (!g.process?.versions?.node) return 'PyTorch reference: Node only';
  const { spawnSync } = await import('node:child_process');
  const { mkdtempSync, writeFileSync, readFileSync, rmSync, existsSync } = await import('node:fs');
  const os = await import('node:os');
  const { join } = await import('node:path');
  const path = `tools/bench/${script}`;
  if (!existsSync(path)) return `PyTorch reference: ${path} not found (run from the repository root)`;
  const candidates = [g.process.env.FLOWGPU_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => Boolean(p));
  const python = candidates.find((p) => spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
  if (!python) return 'PyTorch reference: no python3 with torch';
  const { writeSafetensors } = await import('../io/safetensors.js');
  const { readNpy } = await import('../io/npy.js');
  const dir = mkdtempSync(join(os.tmpdir(), 'flowgpu-bench-'));
  try {
    const tensors = new Map(ckpt.tensors);
    for (const [k, v] of Object.entries(inputs)) tensors.set(`input.${k}`, v);
    const file = join(dir, 'weights.safetensors');
    writeFileSync(file, writeSafetensors({ tensors, metadata: ckpt.metadata }));
    const out = join(dir, 'out.npy');
    // As many threads as the CPU has (lavapipe uses them all; torch may default to fewer).
    const threads = String(os.availableParallelism?.() ?? os.cpus().length);
    const p = spawnSync(python, [path, file, ...args, '--repeats', String(repeats), '--threads', threads, '--out', out], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (p.status !== 0) return `PyTorch reference failed: ${(p.stderr || p.stdout || '').trim().split('\n').pop()}`;
    const r = JSON.parse(p.stdout.trim().split('\n').pop()!) as TorchResult;
    return { r, out: readNpy(readFileSync(out)).data as Float32Array };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Adds the PyTorch row after a model's flowgpu row `ours` (whose `ms`/`cpuMs` timed one call
 * that gave `out`, or 1/`per` of one, e.g. per frame): the speed ratio flowgpu/PyTorch by wall
 * time (and by CPU time), `rate(ms of one call)` for the note (e.g. kHz or frames/s), and max|Δ|
 * of the outputs (also relative to max|ref|); or, when there is no reference, says why in `ours.note`.
 */
export function withTorchRow(name: string, ours: Row, out: Float32Array, ref: TorchReference, rate: (ms: number) => string, per = 1): Row[] {
  if (typeof ref === 'string') {
    ours.note = `${ours.note ?? ''}; ${ref}`;
    return [ours];
  }
  let diff = 0;
  let peak = 0;
  const n = Math.min(out.length, ref.out.length);
  for (let i = 0; i < n; i++) {
    diff = Math.max(diff, Math.abs(out[i]! - ref.out[i]!));
    peak = Math.max(peak, Math.abs(ref.out[i]!));
  }
  const tms = (ref.r.seconds * 1000) / per;
  const tcpu = (ref.r.cpu_seconds * 1000) / per;
  const byCpu = ours.cpuMs ? `, by CPU time ${(tcpu / ours.cpuMs).toFixed(3)}` : '';
  const sameLength = ref.out.length === out.length ? '' : ` (lengths differ: ${out.length} vs ${ref.out.length}; first ${n} compared)`;
  return [ours, {
    kernel: `${name} PyTorch ${ref.r.torch} CPU, ${ref.r.threads} threads`, shape: ours.shape, ms: tms, cpuMs: tcpu, flops: ours.flops,
    gflops: ours.flops ? ours.flops / tms / 1e6 : undefined,
    note: `${rate(tms * per)}; flowgpu/PyTorch speed ratio ${(tms / ours.ms).toFixed(3)} by wall time${byCpu}; ` +
      `outputs differ by max|Δ| ${diff.toExponential(1)} (${(diff / Math.max(peak, 1e-30)).toExponential(1)} of max|ref|)${sameLength}`,
    ratio: tms / ours.ms,
  }];
}

/** A whole-model benchmark: one flowgpu call timed after a warm-up call (`modelReps` times), then
 *  the same computation as many times in PyTorch (`script` on `ckpt` and the inputs `torchInputs`
 *  makes after the last call), compared. */
export interface ModelBench {
  name: string;
  kernel: string;
  shape: string;
  /** One flowgpu call; its output is compared with the reference's. */
  call: () => Promise<Float32Array>;
  /** Seconds of audio the output stands for (for the real-time factor). */
  seconds: (out: Float32Array) => number;
  /** The speed for the note, e.g. "1.2 kHz". */
  rate: (ms: number, out: Float32Array) => string;
  flops?: number;
  script: string;
  ckpt: Checkpoint;
  torchInputs: () => Record<string, HostTensor>;
  args?: string[];
  /** `timedLoad`'s note. */
  loadNote?: string;
}

/** `m`'s flowgpu row and its PyTorch row (see `ModelBench`). */
export async function modelRows(o: BenchOptions, m: ModelBench): Promise<Row[]> {
  const { ms, cpuMs, reps, result: out } = await timeCalls(modelReps(o), m.call);
  const seconds = m.seconds(out);
  const row: Row = {
    kernel: m.kernel, shape: m.shape, ms, cpuMs, flops: m.flops, gflops: m.flops ? m.flops / ms / 1e6 : undefined,
    note: `${m.rate(ms, out)}, real-time factor ${(ms / 1000 / seconds).toFixed(3)} (${seconds.toFixed(2)} s of audio)${m.loadNote ? `; ${m.loadNote}` : ''}`,
  };
  const ref = await torchReference(m.script, m.ckpt, m.torchInputs(), reps, m.args);
  return withTorchRow(m.name, row, out, ref, (t) => m.rate(t, out));
}

/** A vocoder's `ModelBench` fields on `frames` frames of `benchMel`: kHz, the audio's length. */
export function vocoderBench(frames: number, infer: (mel: Float32Array, frames: number) => Promise<Float32Array>, sampleRate = 22050): Pick<ModelBench, 'call' | 'seconds' | 'rate' | 'torchInputs'> {
  const mel = benchMel(frames);
  return {
    call: () => infer(mel, frames),
    seconds: (out) => out.length / sampleRate,
    rate: (ms, out) => `${(out.length / ms).toFixed(2)} kHz`,
    torchInputs: () => ({ mel: f32Input([1, 80, frames], mel) }),
  };
}

/** A smooth, deterministic log-mel-like input `[80, frames]` for the vocoders. */
function benchMel(frames: number): Float32Array {
  const mel = new Float32Array(80 * frames);
  for (let i = 0; i < mel.length; i++) mel[i] = -6 + 4 * Math.sin(i * 0.37) * Math.cos(i * 0.011);
  return mel;
}
