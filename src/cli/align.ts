// `flowgpu align <glowtts> <audio.wav> "<text>" [--json out.json] [--ids '[...]']`
// Forced alignment with a Glow-TTS model: the Tacotron 2 mel of the recording, the decoder run
// forward to its latent, and monotonic alignment search on the GPU → frames per token.

import { readFile, writeFile } from 'node:fs/promises';
import type { Engine } from '../gpu/engine.js';
import { FlowgpuError } from '../gpu/errors.js';
import { decodeWav } from '../io/wav.js';
import { GlowTTS } from '../models/glowtts.js';
import { melSpectrogram } from '../ops/stft.js';
import { GLOWTTS_BLANK, symbolsOf } from '../text/index.js';
import { optIds, optNumber, optString, parseArgs } from './tts-adapter.js';
import { glowttsIds } from './tts-glowtts.js';
import { readModelFile } from './tts.js';

const USAGE =
  'usage: flowgpu align <glowtts model> <audio.wav> "<text>" [--json out.json] [--ids \'[...]\'] [--speaker N]\n' +
  '  prints the frames and seconds each token of the text takes in the recording (22050 Hz, mono or mixed down).\n';

export interface TokenSpan {
  id: number;
  symbol: string;
  /** First frame and number of frames. */
  start: number;
  frames: number;
  /** The same in seconds. */
  startSeconds: number;
  seconds: number;
}

/** The mean of the channels (mono passes through). */
function mixDown(channels: Float32Array[]): Float32Array {
  if (channels.length === 1) return channels[0]!;
  const out = new Float32Array(channels[0]?.length ?? 0);
  for (const ch of channels) for (let i = 0; i < out.length; i++) out[i]! += ch[i]! / channels.length;
  return out;
}

function symbolOf(id: number): string {
  if (id === GLOWTTS_BLANK) return '<blank>';
  return symbolsOf('glowtts')[id] ?? `#${id}`;
}

export async function run(args: string[], engine?: Engine): Promise<void> {
  const p = parseArgs(args);
  if (p.options.has('help') || p.options.has('h')) {
    process.stdout.write(USAGE);
    return;
  }
  const [modelPath, wavPath, text, ...extra] = p.positional;
  if (!modelPath || !wavPath) throw new FlowgpuError(`align: give a Glow-TTS model and a WAV file\n${USAGE}`);
  if (extra.length > 0) throw new FlowgpuError(`align: unexpected arguments ${extra.map((a) => JSON.stringify(a)).join(' ')} (quote the text)`);
  const ids = optIds(p);
  if (ids === undefined && (text === undefined || text.trim() === '')) {
    throw new FlowgpuError('align: the text is empty: give the words spoken in the recording (or token ids with --ids)');
  }
  const jsonPath = optString(p, 'json');
  const { checkpoint, detection } = await readModelFile(modelPath);
  if (detection.model !== 'glowtts') {
    throw new FlowgpuError(`align needs a Glow-TTS model (it aligns with monotonic alignment search); ${modelPath} is a ${detection.model} model`);
  }
  let wavBytes: Uint8Array;
  try {
    wavBytes = new Uint8Array(await readFile(wavPath));
  } catch (err) {
    throw new FlowgpuError(`cannot read ${wavPath}: ${(err as Error).message}`);
  }
  let wav: ReturnType<typeof decodeWav>;
  try {
    wav = decodeWav(wavBytes);
  } catch (err) {
    throw new FlowgpuError(`${wavPath}: ${(err as Error).message}`);
  }
  const sampleRate = wav.sampleRate;
  const audio = mixDown(wav.channels);
  const e = engine ?? (await (await import('../gpu/node-gpu.js')).createNodeEngine());
  const model = await GlowTTS.load(e, checkpoint);
  try {
    if (sampleRate !== model.sampleRate) {
      throw new FlowgpuError(`${wavPath} is sampled at ${sampleRate} Hz, but the model works at ${model.sampleRate} Hz: resample it first (e.g. sox in.wav -r ${model.sampleRate} out.wav)`);
    }
    if (audio.length === 0) throw new FlowgpuError(`${wavPath} holds no audio samples`);
    const tok = await glowttsIds(model, ids ? { ids } : { text: text! });
    if (tok.unknown.length > 0) process.stderr.write(`flowgpu: warning: dropped symbols the glowtts front end lacks: ${tok.unknown.join(' ')}\n`);
    const melT = e.tidy(() => melSpectrogram(e, e.upload(audio, [audio.length], 'audio'), { nMels: model.nMel, sampleRate: model.sampleRate }));
    const frames = melT.dim(1);
    const mel = await e.readF32(melT);
    melT.release();
    const speaker = optNumber(p, 'speaker', (v) => Number.isInteger(v) && v >= 0, 'a non-negative integer');
    const r = await model.align(mel, tok.ids, speaker === undefined ? {} : { speaker });
    const sec = model.hopLength / model.sampleRate;
    const spans: TokenSpan[] = [];
    let at = 0;
    tok.ids.forEach((id, i) => {
      const n = r.durations[i]!;
      spans.push({ id, symbol: symbolOf(id), start: at, frames: n, startSeconds: at * sec, seconds: n * sec });
      at += n;
    });
    const lines = spans.map((s, i) => `${String(i).padStart(4)}  ${s.symbol.padEnd(8)} ${String(s.frames).padStart(5)} frames  ${s.seconds.toFixed(3)} s  (from ${s.startSeconds.toFixed(3)} s)`);
    process.stdout.write(
      `${tok.ids.length} tokens over ${r.frames} frames (${(r.frames * sec).toFixed(2)} s of ${frames} mel frames; hop ${model.hopLength} at ${model.sampleRate} Hz)\n` +
        `   #  token    frames       seconds\n${lines.join('\n')}\n`,
    );
    if (jsonPath) {
      const framesToken: number[] = [];
      spans.forEach((s, i) => {
        for (let k = 0; k < s.frames; k++) framesToken.push(i);
      });
      const json = { sampleRate: model.sampleRate, hopLength: model.hopLength, frames: r.frames, ids: tok.ids, tokens: spans, frameToken: framesToken };
      await writeFile(jsonPath, JSON.stringify(json, null, 1) + '\n');
      process.stdout.write(`wrote ${jsonPath}\n`);
    }
  } finally {
    model.release();
    if (!engine) e.destroy();
  }
}
