// `flowgpu speak` through speakStream: each chunk written as soon as it is ready. `-o -` writes a
// WAV to stdout with the unknown-length header (sox, aplay, ffplay read it to the end); a file
// gets the exact header at the end. `--stream` prints each chunk's timing (stderr), `--timings
// out.json` the words' timings.

import { type FileHandle, open, rm } from 'node:fs/promises';
import type { LoadedTTS, LoadedVocoder } from '../api.js';
import { FlowgpuError } from '../gpu/errors.js';
import { wavHeader, wavSamples } from '../io/wav.js';
import { speakStream, type StreamOptions } from '../stream.js';
import type { WordTiming } from '../timings.js';
import { writeOutput } from './files.js';
import { warnUnknown } from './synthesis.js';

export interface StreamTarget {
  /** A .wav path, or '-' for stdout. */
  out: string;
  /** Print each chunk's span and readiness to stderr. */
  printChunks: boolean;
  /** Where to write the word timings (JSON), if anywhere. */
  timings: string | undefined;
  warn(message: string): void;
}

/** speak's last line (stderr when the WAV went to stdout). */
export function reportWritten(out: string, samples: number, sampleRate: number, mel: string, via: string): void {
  (out === '-' ? process.stderr : process.stdout).write(
    `wrote ${out === '-' ? 'stdout' : out}: ${samples} samples (${(samples / sampleRate).toFixed(2)} s at ${sampleRate} Hz) from a mel ${mel} via ${via}\n`,
  );
}

/** Writes `{ sampleRate, words }` as JSON. */
export function writeTimings(path: string, sampleRate: number, words: readonly WordTiming[]): Promise<void> {
  return writeOutput(path, JSON.stringify({ sampleRate, words }, null, 2) + '\n');
}

export async function speakStreaming(tts: LoadedTTS, vocoder: LoadedVocoder, text: string, o: StreamOptions, to: StreamTarget): Promise<void> {
  const toStdout = to.out === '-';
  const t0 = performance.now();
  const sr = vocoder.sampleRate;
  let file: FileHandle | null;
  try {
    file = toStdout ? null : await open(to.out, 'w');
  } catch (err) {
    throw new FlowgpuError(`cannot write ${to.out}: ${(err as Error).message}`);
  }
  const write = async (bytes: Uint8Array): Promise<void> => {
    if (file) await file.write(bytes);
    else if (!process.stdout.write(bytes)) await new Promise<void>((ok) => process.stdout.once('drain', () => ok()));
  };
  const words: WordTiming[] = [];
  let samples = 0;
  let chunks = 0;
  let frames = 0;
  let complete = false;
  try {
    await write(wavHeader(sr));
    for await (const c of speakStream(tts, vocoder, text, o)) {
      await write(wavSamples(c.audio));
      if (c.words) words.push(...c.words);
      frames += c.frames ?? 0;
      if (c.unknown) warnUnknown(to, tts.kind, c.unknown);
      if (to.printChunks) {
        process.stderr.write(
          `chunk ${chunks}: sentence ${c.sentence}, ${(c.start / sr).toFixed(3)}–${((c.start + c.audio.length) / sr).toFixed(3)} s, ` +
            `ready after ${((performance.now() - t0) / 1000).toFixed(3)} s\n`,
        );
      }
      chunks++;
      samples = c.start + c.audio.length;
    }
    if (file) await file.write(wavHeader(sr, { frames: samples }), 0, undefined, 0);
    complete = true;
  } finally {
    await file?.close();
    // No half-written WAV is left behind as if it were the audio.
    if (file && !complete) await rm(to.out, { force: true });
  }
  if (to.timings) await writeTimings(to.timings, sr, words);
  reportWritten(to.out, samples, sr, `[${tts.nMel}, ${frames}]`, `${vocoder.kind} in ${chunks} chunks, ${((performance.now() - t0) / 1000).toFixed(2)} s`);
}
