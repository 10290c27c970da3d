// The PyTorch CPU side of a model benchmark: writes the weights and the mel to a safetensors
// file, runs one of tools/bench/*_torch.py on it (when a python3 with torch is around; Node
// only) and turns its timing into a row with the speed ratio and the output difference.
import type { Checkpoint } from '../io/host-tensor.js';
import type { Row } from './harness.js';

/** What every tools/bench/*_torch.py prints as its last line. */
export interface TorchResult {
  seconds: number;
  cpu_seconds: number;
  samples: number;
  khz: number;
  threads: number;
  torch: string;
}

/** Runs `tools/bench/<script>` on `ckpt` plus `input.mel` `[n_mel, frames]`; a string says why not. */
export async function torchReference(
  script: string, ckpt: Checkpoint, mel: Float32Array, frames: number, repeats: number, args: string[] = [],
): Promise<{ r: TorchResult; audio: Float32Array } | string> {
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
    tensors.set('input.mel', { dtype: 'f32', shape: [1, mel.length / frames, frames], data: mel });
    const file = join(dir, 'weights.safetensors');
    writeFileSync(file, writeSafetensors({ tensors, metadata: ckpt.metadata }));
    const out = join(dir, 'audio.npy');
    // As many threads as the CPU has (lavapipe uses them all; torch may default to fewer).
    const threads = String(os.availableParallelism?.() ?? os.cpus().length);
    const p = spawnSync(python, [path, file, ...args, '--repeats', String(repeats), '--threads', threads, '--out', out], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (p.status !== 0) return `PyTorch reference failed: ${(p.stderr || p.stdout || '').trim().split('\n').pop()}`;
    const r = JSON.parse(p.stdout.trim().split('\n').pop()!) as TorchResult;
    return { r, audio: readNpy(readFileSync(out)).data };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Adds the PyTorch row after a model's flowgpu row `ours` (whose `ms`/`cpuMs` timed `audio`):
 * the speed ratio flowgpu/PyTorch by wall time (and by CPU time) and max|Δ|/max|ref| of the
 * outputs; or, when there is no reference, says why in `ours.note`.
 */
export function withTorchRow(name: string, ours: Row, audio: Float32Array, ref: Awaited<ReturnType<typeof torchReference>>): Row[] {
  if (typeof ref === 'string') {
    ours.note = `${ours.note ?? ''}; ${ref}`;
    return [ours];
  }
  let diff = 0;
  let peak = 0;
  for (let i = 0; i < audio.length; i++) {
    diff = Math.max(diff, Math.abs(audio[i]! - (ref.audio[i] ?? 0)));
    peak = Math.max(peak, Math.abs(ref.audio[i] ?? 0));
  }
  const tms = ref.r.seconds * 1000;
  const tcpu = ref.r.cpu_seconds * 1000;
  const khz = audio.length / ours.ms;
  const byCpu = ours.cpuMs ? `, by CPU time ${(tcpu / ours.cpuMs).toFixed(3)}` : '';
  const sameLength = ref.audio.length === audio.length ? '' : ` (lengths differ: ${audio.length} vs ${ref.audio.length})`;
  return [ours, {
    kernel: `${name} PyTorch ${ref.r.torch} CPU, ${ref.r.threads} threads`, shape: ours.shape, ms: tms, cpuMs: tcpu, flops: ours.flops,
    gflops: ours.flops ? ours.flops / tms / 1e6 : undefined,
    note: `${ref.r.khz.toFixed(2)} kHz; flowgpu/PyTorch speed ratio ${(khz / ref.r.khz).toFixed(3)} by wall time${byCpu}; ` +
      `outputs differ by max|Δ|/max|ref| ${(diff / Math.max(peak, 1e-30)).toExponential(1)}${sameLength}`,
    ratio: khz / ref.r.khz,
  }];
}
