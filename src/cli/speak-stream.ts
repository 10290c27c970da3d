// `flowgpu speak` through speakStream: sentence by sentence, vocoder window by window, each
// chunk written as soon as it is ready. `-o -` writes a WAV to stdout with the unknown-length
// header (sox, aplay, ffplay read it to the end); a file gets the exact header at the end.
// `--stream` prints each chunk's timing (stderr), `--timings out.json` the words' timings.

import { open, writeFile } from 'node:fs/promises';
import { griffinLimVocoder, isTTS, isVocoder, loadModel, type LoadedModel, type SynthesizeOptions } from '../api.js';
import type { Engine } from '../gpu/engine.js';
import { FlowgpuError } from '../gpu/errors.js';
import { wavHeader, wavSamples } from '../io/wav.js';
import { speakStream } from '../stream.js';
import type { WordTiming } from '../timings.js';
import { optNumber, type ParsedArgs } from './tts-adapter.js';

export interface StreamSpeakArgs {
  ttsPath: string;
  /** A vocoder checkpoint, or null for Griffin-Lim. */
  vocPath: string | null;
  text: string;
  outPath: string;
  iterations?: number;
  vocoder: { sigma: number; denoise: number; seed: number };
}

/** The TTS options of the command line that speakStream understands (Glow-TTS, Flowtron). */
function ttsOptions(p: ParsedArgs): SynthesizeOptions {
  const int = (v: number): boolean => Number.isInteger(v) && v >= 0;
  const o: SynthesizeOptions = {};
  const noiseScale = optNumber(p, 'noise-scale', (v) => v >= 0, 'a number ≥ 0');
  const lengthScale = optNumber(p, 'length-scale', (v) => v > 0, 'a number > 0');
  const seed = optNumber(p, 'seed', int, 'a non-negative integer');
  const speaker = optNumber(p, 'speaker', int, 'a non-negative integer');
  const gate = optNumber(p, 'gate', (v) => v >= 0, 'a number ≥ 0');
  const maxFrames = optNumber(p, 'max-frames', (v) => Number.isInteger(v) && v > 0, 'a positive integer');
  if (noiseScale !== undefined) o.noiseScale = noiseScale;
  if (lengthScale !== undefined) o.lengthScale = lengthScale;
  if (seed !== undefined) o.seed = seed;
  if (speaker !== undefined) o.speaker = speaker;
  if (gate !== undefined) o.gateThreshold = gate;
  if (maxFrames !== undefined) o.maxFrames = maxFrames;
  return o;
}

/** The error for a vocoder that takes other mels than the TTS model makes. */
export function melMismatch(vocPath: string, vocMel: number, ttsPath: string, ttsMel: number): FlowgpuError {
  return new FlowgpuError(
    `the vocoder ${vocPath} takes ${vocMel}-channel mels, but the TTS model ${ttsPath} makes ${ttsMel} channels: ` +
      `use a vocoder trained on the same mel spectrogram (${ttsMel} mel channels)`,
  );
}

export async function speakStreaming(e: Engine, a: StreamSpeakArgs, p: ParsedArgs): Promise<void> {
  const toStdout = a.outPath === '-';
  const log = (line: string): boolean => (toStdout ? process.stderr : process.stdout).write(line);
  const t0 = performance.now();
  const models: LoadedModel[] = [];
  try {
    const tts = await loadModel(e, a.ttsPath);
    models.push(tts);
    if (!isTTS(tts)) throw new FlowgpuError(`${a.ttsPath} holds a ${tts.kind} model, not a text-to-speech model (Glow-TTS, Flowtron, XSpkEmoTrans)`);
    const vocoder = a.vocPath === null
      ? griffinLimVocoder(e, a.iterations === undefined ? {} : { iterations: a.iterations })
      : await loadModel(e, a.vocPath);
    models.push(vocoder);
    if (!isVocoder(vocoder)) throw new FlowgpuError(`${a.vocPath} holds a ${vocoder.kind} model; the second argument of speak must be a vocoder (WaveGlow or HiFi-GAN)`);
    if (vocoder.nMel !== tts.nMel) throw melMismatch(a.vocPath ?? 'griffinlim', vocoder.nMel, a.ttsPath, tts.nMel);
    const sr = vocoder.sampleRate;
    const file = toStdout ? null : await open(a.outPath, 'w');
    const write = async (bytes: Uint8Array): Promise<void> => {
      if (file) await file.write(bytes);
      else if (!process.stdout.write(bytes)) await new Promise<void>((ok) => process.stdout.once('drain', () => ok()));
    };
    const words: WordTiming[] = [];
    let samples = 0;
    let chunks = 0;
    let frames = 0;
    const tStart = performance.now();
    try {
      await write(wavHeader(sr));
      for await (const c of speakStream(tts, vocoder, a.text, { ...ttsOptions(p), vocoder: a.vocoder })) {
        await write(wavSamples(c.audio));
        if (c.words) words.push(...c.words);
        frames += c.frames ?? 0;
        if (p.options.has('stream')) {
          process.stderr.write(
            `chunk ${chunks}: sentence ${c.sentence}, ${(c.start / sr).toFixed(3)}–${((c.start + c.audio.length) / sr).toFixed(3)} s, ` +
              `ready after ${((performance.now() - tStart) / 1000).toFixed(3)} s\n`,
          );
        }
        chunks++;
        samples = c.start + c.audio.length;
      }
      if (file) await file.write(wavHeader(sr, { frames: samples }), 0, undefined, 0);
    } finally {
      await file?.close();
    }
    const timings = p.options.get('timings');
    if (typeof timings === 'string') await writeFile(timings, JSON.stringify({ sampleRate: sr, words }, null, 2) + '\n');
    log(
      `wrote ${toStdout ? 'stdout' : a.outPath}: ${samples} samples (${(samples / sr).toFixed(2)} s at ${sr} Hz) from a mel [${tts.nMel}, ${frames}] via ${vocoder.kind} ` +
        `in ${chunks} chunks, ${((performance.now() - t0) / 1000).toFixed(2)} s\n`,
    );
  } finally {
    for (const m of models) m.release();
  }
}
