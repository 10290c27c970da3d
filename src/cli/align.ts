// `flowgpu align <glowtts> <audio.wav> "<text>" [--json out.json] [--ids '[...]']`
// Forced alignment with a Glow-TTS model: the Tacotron 2 mel of the recording, the decoder run
// forward to its latent, and monotonic alignment search on the GPU → frames per token.

import { FlowgpuError } from '../gpu/errors.js';
import { decodeWav } from '../io/wav.js';
import { melFromAudio, toMono } from '../models/audio.js';
import { GLOWTTS_BLANK, symbolsOf } from '../text/index.js';
import { defineCommand } from './args.js';
import { readBytes, writeOutput } from './files.js';
import { warnUnknown } from './synthesis.js';

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

function symbolOf(id: number): string {
  if (id === GLOWTTS_BLANK) return '<blank>';
  return symbolsOf('glowtts')[id] ?? `#${id}`;
}

const command = defineCommand({
  name: 'align',
  usage:
    'usage: flowgpu align <glowtts model> <audio.wav> "<text>" [--json out.json] [--ids \'[...]\'] [--speaker N]\n' +
    '  prints the frames and seconds each token of the text takes in the recording (mono, or mixed down).',
  args: { min: 2, max: 3, what: 'a Glow-TTS model and a WAV file (then the text)' },
  options: {
    ids: { kind: 'ids', help: 'token ids to align instead of text' },
    speaker: { kind: 'number', min: 0, max: 65535, integer: true, help: 'speaker id of a multi-speaker model (default 0)' },
    json: { kind: 'string', arg: 'FILE', help: 'also write the alignment as JSON' },
  },
  loadsModels: true,
  async run(ctx) {
    const [modelPath, wavPath, text] = ctx.positional as [string, string, string | undefined];
    const ids = ctx.opts.ids;
    if (ids === undefined && (text === undefined || text.trim() === '')) {
      throw new FlowgpuError('align: the text is empty: give the words spoken in the recording (or token ids with --ids)');
    }
    const jsonPath = ctx.opts.json;
    let wav: ReturnType<typeof decodeWav>;
    const wavBytes = readBytes(wavPath, 'the recording');
    try {
      wav = decodeWav(wavBytes);
    } catch (err) {
      throw new FlowgpuError(`${wavPath}: ${(err as Error).message}`);
    }
    const tts = await ctx.load(modelPath, ['glowtts']);
    const model = tts.model;
    const tok = ids ? { ids, unknown: [] } : await model.textToIds(text!);
    warnUnknown(ctx, 'glowtts', tok.unknown);
    const { data: mel, frames } = await melFromAudio(await ctx.engine(), toMono(wav.channels), {
      sampleRate: wav.sampleRate, modelRate: model.sampleRate, nMel: model.nMel, what: wavPath,
    });
    const speaker = ctx.opts.speaker;
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
      const frameToken: number[] = [];
      spans.forEach((s, i) => {
        for (let k = 0; k < s.frames; k++) frameToken.push(i);
      });
      const json = { sampleRate: model.sampleRate, hopLength: model.hopLength, frames: r.frames, ids: tok.ids, tokens: spans, frameToken };
      await writeOutput(jsonPath, JSON.stringify(json, null, 1) + '\n');
      process.stdout.write(`wrote ${jsonPath}\n`);
    }
  },
});

export const run = command.run;
