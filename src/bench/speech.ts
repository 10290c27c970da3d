// The demo voice's pipeline, `flowgpu speak` without the process: Glow-TTS (weights/) on a
// 9-word sentence (and tools/bench/glowtts_torch.py on the same weights, text and noise), the
// STFT/iSTFT kernels and Griffin-Lim at its default iterations on that mel, each with its
// real-time factor (seconds of compute per second of audio).
import type { Engine } from '../gpu/engine.js';
import { FlowgpuError } from '../gpu/errors.js';
import { loadCheckpoint } from '../io/checkpoint.js';
import type { Checkpoint } from '../io/host-tensor.js';
import { gaussian } from '../math/random.js';
import { GlowTTS, type GlowTTSSynthesis } from '../models/glowtts.js';
import { GRIFFIN_LIM_ITERATIONS, griffinLim, melToMagnitude, pseudoInverse } from '../ops/griffinlim.js';
import { istft, melFilterbank, stft } from '../ops/stft.js';
import { demoVoiceBytes } from '../voice.js';
import { type Benchmark, type BenchOptions, modelReps, type Row, time, timeCalls, timedLoad, wants } from './harness.js';
import { f32Input, modelRows } from './torch.js';

export const SENTENCE = 'The quick brown fox jumps over the lazy dog.';

async function run(e: Engine, o: BenchOptions): Promise<Row[]> {
  const glow = 'glowtts demo voice (9 words)';
  if (![glow, 'stft', 'istft', 'griffin-lim'].some((k) => wants(o, k))) return [];
  const rows: Row[] = [];
  let ckpt: Checkpoint;
  try {
    ckpt = loadCheckpoint(await demoVoiceBytes());
  } catch (err) {
    if (!(err instanceof FlowgpuError)) throw err;
    return [{ kernel: glow, shape: '', ms: NaN, note: `no demo voice: ${err.message}` }];
  }
  const { model: tts, loadNote } = await timedLoad(() => GlowTTS.load(e, ckpt));
  try {
    // The noise is given (drawn once per length) so that PyTorch decodes the same latent.
    let noise: Float32Array = new Float32Array(0);
    const noiseFor = (frames: number): Float32Array => (noise.length === 80 * frames ? noise : (noise = gaussian(80 * frames, 7)));
    let syn: GlowTTSSynthesis | undefined;
    const call = async (): Promise<Float32Array> => (syn = await tts.synthesize(SENTENCE, { noise: noiseFor })).mel;
    const hop = (frames: number): number => ((frames - 1) * 256) / 22050;
    if (wants(o, glow)) {
      rows.push(...await modelRows(o, {
        name: 'glowtts', kernel: glow, shape: `${SENTENCE.split(' ').length} words → 80-mel`, call, script: 'glowtts_torch.py', ckpt, loadNote,
        seconds: (mel) => hop(mel.length / 80),
        rate: (ms, mel) => `${mel.length / 80} frames, ${((mel.length / 80 / ms) * 1000).toFixed(0)} frames/s`,
        torchInputs: () => ({ ids: f32Input([syn!.ids.length], syn!.ids), noise: f32Input([80, noise.length / 80], noise) }),
        args: ['--noise-scale', '0.667', '--length-scale', '1'],
      }));
    } else {
      await call();
    }
    const { mel, frames } = syn!;
    const seconds = hop(frames);
    const rtf = (t: number): string => `real-time factor ${(t / 1000 / seconds).toFixed(3)} (${seconds.toFixed(2)} s of audio)`;
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
      const g = await timeCalls(modelReps(o), async () => {
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
