// Streaming speech with the demo voice (Glow-TTS + Griffin-Lim, as `flowgpu speak` with no
// model): time to the first audio chunk and to the last, for a ~60-word paragraph, in one run
// (a few seconds on a CPU adapter, so the quick form runs it whole). The goal: first audio
// within 15 % of the total.
import { loadDemoVoiceModels } from '../api.js';
import type { Engine } from '../gpu/engine.js';
import { speakStream } from '../stream.js';
import { type Benchmark, type BenchOptions, type Row, wants } from './harness.js';

export const PARAGRAPH =
  'The old lighthouse stood at the edge of the cliff, its white paint worn thin by a hundred winters. Every evening the keeper ' +
  'climbed the narrow stairs to light the lamp. Ships far out at sea watched for its steady beam. On calm nights he could hear ' +
  'the waves below, patient and slow, as if the ocean itself were breathing in its sleep.';

export const streamBenchmark: Benchmark = {
  name: 'stream',
  async run(e: Engine, o: BenchOptions): Promise<Row[]> {
    const shape = `${PARAGRAPH.split(/\s+/).length} words`;
    if (!['time to first audio', 'total'].some((k) => wants(o, k, shape))) return [];
    const { tts, vocoder } = await loadDemoVoiceModels(e);
    try {
      const t0 = performance.now();
      let first = NaN;
      let samples = 0;
      for await (const c of speakStream(tts, vocoder, PARAGRAPH)) {
        if (Number.isNaN(first)) first = performance.now() - t0;
        samples = c.start + c.audio.length;
      }
      const total = performance.now() - t0;
      const note = `${(samples / vocoder.sampleRate).toFixed(1)} s of audio; first audio at ${((100 * first) / total).toFixed(1)} % of the total`;
      return [
        { kernel: 'time to first audio', shape, ms: first, note },
        { kernel: 'total', shape, ms: total, note },
      ];
    } finally {
      tts.release();
      vocoder.release();
    }
  },
};
