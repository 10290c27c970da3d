// Every benchmark `flowgpu bench` runs, in order. To add yours: export a `Benchmark`
// (`{ name, run(engine, options): Promise<Row[]> }`, see ./harness.ts) from a file in this
// folder, time each step with `time(e, kernel, shape, () => op(...), { bench: options, flops, bytes })`,
// and add it to this list.
import type { Benchmark } from './harness.js';
import { csetBenchmark } from './cset.js';
import { flowtronBenchmark } from './flowtron.js';
import { hifiganBenchmark } from './hifigan.js';
import { kernelBenchmarks } from './kernels.js';
import { speechBenchmark } from './speech.js';
import { streamBenchmark } from './stream.js';
import { waveglowBenchmark } from './waveglow.js';

export const benchmarks: Benchmark[] = [
  ...kernelBenchmarks,
  speechBenchmark,
  waveglowBenchmark,
  hifiganBenchmark,
  flowtronBenchmark,
  csetBenchmark,
  streamBenchmark,
];

export * from './harness.js';
