// `flowgpu speak <tts model> <vocoder> "<text>" -o out.wav [tts options] [--sigma S] [--denoise D]`
// Text → mel with any TTS checkpoint (as `flowgpu tts`), then mel → audio with a WaveGlow or
// HiFi-GAN checkpoint, written as a 16-bit WAV.

import { writeFile } from 'node:fs/promises';
import type { Engine } from '../gpu/engine.js';
import { FlowgpuError } from '../gpu/errors.js';
import { encodeWav } from '../io/wav.js';
import { loadGriffinLim } from '../models/griffinlim.js';
import { loadVocoder, type Vocoder } from '../models/vocoder.js';
import { demoVoicePath } from '../voice.js';
import { melMismatch, speakStreaming } from './speak-stream.js';
import { optNumber, optString, parseArgs } from './tts-adapter.js';
import { readModelFile, ttsFromArgs } from './tts.js';

const USAGE =
  'usage: flowgpu speak "<text>" -o out.wav [--voice <tts model>] [--iterations 32]   (the demo voice + Griffin-Lim)\n' +
  '       flowgpu speak <tts model> <vocoder> "<text>" -o out.wav [--noise-scale S] [--length-scale L] [--seed N] [--ids \'[...]\']\n' +
  '                     [--sigma 0.666] [--denoise 0] [--vocoder-seed N] [--normalize]\n' +
  '  <tts model>: Glow-TTS, Flowtron or XSpkEmoTrans; <vocoder>: WaveGlow or HiFi-GAN with the same number of mel channels.\n' +
  '  --sigma and --denoise apply to WaveGlow; --normalize scales the audio to a peak of 0.95 (as the Glow-TTS demos do).\n' +
  '  Text is spoken sentence by sentence and written as it is made: -o - writes the WAV to stdout (| aplay, | sox -t wav - out.wav);\n' +
  '  --stream prints each chunk\'s timing to stderr; --timings words.json writes when each word is spoken.\n';

export async function run(args: string[], engine?: Engine): Promise<void> {
  const p = parseArgs(args);
  if (p.options.has('help') || p.options.has('h')) {
    process.stdout.write(USAGE);
    return;
  }
  // `speak "<text>"` (or `speak --voice <tts model> "<text>"`): the demo voice (or that model) + Griffin-Lim.
  const voice = optString(p, 'voice');
  const griffin = voice !== undefined || p.positional.length <= 1;
  if (griffin && p.positional.length > 1) {
    throw new FlowgpuError(`speak: with --voice give only the text (quote it), not ${p.positional.map((a) => JSON.stringify(a)).join(' ')}\n${USAGE}`);
  }
  const [ttsPath, vocPath, text, ...extra] = griffin ? [voice ?? (await demoVoicePath()), 'griffinlim', p.positional[0]] : p.positional;
  if (!ttsPath || !vocPath) throw new FlowgpuError(`speak: give a TTS model and a vocoder\n${USAGE}`);
  if (extra.length > 0) throw new FlowgpuError(`speak: unexpected arguments ${extra.map((a) => JSON.stringify(a)).join(' ')} (quote the text)`);
  const outPath = optString(p, 'output');
  if (!outPath) throw new FlowgpuError(`speak: give the output file with -o <out.wav>\n${USAGE}`);
  const iterations = optNumber(p, 'iterations', (v) => Number.isInteger(v) && v >= 0, 'a non-negative integer');
  const vocoderOptions = {
    sigma: optNumber(p, 'sigma', (v) => v >= 0, 'a number ≥ 0') ?? 0.666,
    denoise: optNumber(p, 'denoise', (v) => v >= 0, 'a number ≥ 0') ?? 0,
    seed: optNumber(p, 'vocoder-seed', (v) => Number.isInteger(v) && v >= 0, 'a non-negative integer') ?? 0,
  };
  // Text is spoken as a stream (sentences, vocoder windows) unless an option needs the whole utterance.
  const whole = ['normalize', 'ids', 'style', 'speaker-embedding', 'emotion', 'reference'].find((o) => p.options.has(o));
  if (whole === undefined) {
    const e = engine ?? (await (await import('../gpu/node-gpu.js')).createNodeEngine());
    try {
      const a = { ttsPath, vocPath: griffin ? null : vocPath, text: text ?? '', outPath, vocoder: vocoderOptions };
      return await speakStreaming(e, iterations === undefined ? a : { ...a, iterations }, p);
    } finally {
      if (!engine) e.destroy();
    }
  }
  for (const o of ['stream', 'timings']) {
    if (p.options.has(o)) throw new FlowgpuError(`speak: --${o} needs the streamed path, which --${whole} does not take`);
  }
  const voc = griffin ? null : await readModelFile(vocPath);
  if (voc && voc.detection.model !== 'waveglow' && voc.detection.model !== 'hifigan') {
    throw new FlowgpuError(`${vocPath} holds a ${voc.detection.model} model; the second argument of speak must be a vocoder (WaveGlow or HiFi-GAN)`);
  }
  const e = engine ?? (await (await import('../gpu/node-gpu.js')).createNodeEngine());
  let vocoder: Vocoder | undefined;
  try {
    const { sigma, denoise, seed } = vocoderOptions;
    vocoder = voc ? await loadVocoder(e, voc.checkpoint) : loadGriffinLim(e, iterations === undefined ? {} : { iterations });
    const mel = await ttsFromArgs(e, ttsPath, text, p);
    if (mel.nMel !== vocoder.nMel) throw melMismatch(vocPath, vocoder.nMel, ttsPath, mel.nMel);
    const sr = mel.sampleRate ?? 22050;
    if (vocoder.sampleRate !== sr) {
      process.stderr.write(`flowgpu: warning: the TTS model is for ${sr} Hz audio, the vocoder for ${vocoder.sampleRate} Hz; writing ${vocoder.sampleRate} Hz\n`);
    }
    const audio = await vocoder.infer(mel.mel, mel.frames, { sigma, denoise, seed });
    if (p.options.has('normalize')) {
      let peak = 0;
      for (const v of audio) peak = Math.max(peak, Math.abs(v));
      if (peak > 0) for (let i = 0; i < audio.length; i++) audio[i]! *= 0.95 / peak;
    }
    const wav = encodeWav(audio, vocoder.sampleRate, 'pcm16');
    if (outPath === '-') process.stdout.write(wav);
    else await writeFile(outPath, wav);
    (outPath === '-' ? process.stderr : process.stdout).write(
      `wrote ${outPath}: ${audio.length} samples (${(audio.length / vocoder.sampleRate).toFixed(2)} s at ${vocoder.sampleRate} Hz) ` +
        `from a mel [${mel.nMel}, ${mel.frames}] via ${vocoder.kind}\n`,
    );
  } finally {
    vocoder?.release();
    if (!engine) e.destroy();
  }
}
