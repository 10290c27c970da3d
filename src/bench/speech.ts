// The demo voice's pipeline, `flowgpu speak` without the process: Glow-TTS (weights/) on a
// 9-word sentence, the STFT/iSTFT kernels and Griffin-Lim at its default iterations on that mel,
// each with its real-time factor (seconds of compute per second of audio).
import type { Engine } from '../gpu/engine.js';
import { FlowgpuError } from '../gpu/errors.js';
import { GRIFFIN_LIM_ITERATIONS, griffinLim, melToMagnitude, pseudoInverse } from '../ops/griffinlim.js';
import { istft, melFilterbank, stft } from '../ops/stft.js';
import { loadDemoVoice } from '../voice.js';
import { type Benchmark, type BenchOptions, type Row, time, timeCalls, wants } from './harness.js';

export const SENTENCE = 'The quick brown fox jumps over the lazy dog.';

async function run(e: Engine, o: BenchOptions): Promise<Row[]> {
  if (!['glowtts demo voice', 'stft', 'istft', 'griffin-lim'].some((k) => wants(o, k))) return [];
  const rows: Row[] = [];
  let tts;
  try {
    tts = await loadDemoVoice(e);
  } catch (err) {
    if (!(err instanceof FlowgpuError)) throw err;
    return [{ kernel: 'glowtts demo voice', shape: '', ms: NaN, note: `no demo voice: ${err.message}` }];
  }
  try {
    const reps = o.quick ? 1 : 3;
    const { ms, cpuMs, result: syn } = await timeCalls(reps, () => tts.synthesize(SENTENCE));
    const { mel, frames } = syn;
    const seconds = ((frames - 1) * 256) / 22050;
    const rtf = (t: number): string => `real-time factor ${(t / 1000 / seconds).toFixed(3)} (${seconds.toFixed(2)} s of audio)`;
    if (wants(o, 'glowtts demo voice')) {
      rows.push({ kernel: 'glowtts demo voice (9 words)', shape: `${SENTENCE.split(' ').length} words → 80×${frames} mel`, ms, cpuMs, note: `${(frames / ms * 1000).toFixed(0)} frames/s, ${rtf(ms)}` });
    }
    const basis = melFilterbank({ sampleRate: 22050, nFft: 1024, nMels: 80, fmin: 0, fmax: 8000 });
    const pinv = e.persistent(pseudoInverse(basis, 80, 513), [513, 80], 'bench.pinv');
    const melT = e.persistent(mel, [80, frames], 'bench.mel');
    const mag = melToMagnitude(e, pinv, melT);
    const audio = griffinLim(e, mag, { iterations: 0 });
    const spec = stft(e, audio);
    const shape = `1024/256, ${frames} frames`;
    const fftFlops = frames * 2 * 5 * 512 * 9; // ≈ 5·M·log2 M per packed 512-point complex FFT, ×2 for the unpacking and window
    rows.push(await time(e, 'stft (real FFT)', shape, () => stft(e, audio), { bench: o, flops: fftFlops }));
    rows.push(await time(e, 'istft (real FFT + overlap-add)', shape, () => istft(e, spec), { bench: o, flops: fftFlops }));
    const gl = `griffin-lim ${GRIFFIN_LIM_ITERATIONS} fast iterations`;
    if (wants(o, gl, shape)) {
      const g = await timeCalls(reps, async () => {
        const y = griffinLim(e, mag, {});
        await e.sync();
        y.release();
      });
      rows.push({ kernel: gl, shape, ms: g.ms, cpuMs: g.cpuMs, flops: GRIFFIN_LIM_ITERATIONS * 2 * fftFlops, gflops: (GRIFFIN_LIM_ITERATIONS * 2 * fftFlops) / g.ms / 1e6, note: rtf(g.ms) });
    }
    for (const t of [pinv, melT, mag, audio, spec]) t.release();
    return rows;
  } finally {
    tts.release();
  }
}

export const speechBenchmark: Benchmark = { name: 'speech', run };
