// `flowgpu speak <tts model> <vocoder> "<text>" -o out.wav [options]`: text → mel → audio through
// the API, written as a 16-bit WAV. With only the text: the demo voice + Griffin-Lim. Text is
// spoken as a stream (speakStream: sentence by sentence, vocoder window by window, each chunk
// written as soon as it is ready) unless an option needs the whole utterance first.

import { speak } from '../api.js';
import { FlowgpuError } from '../gpu/errors.js';
import { encodeWav } from '../io/wav.js';
import { demoVoicePath } from '../voice.js';
import { defineCommand } from './args.js';
import { writeOutput } from './files.js';
import { reportWritten, speakStreaming, writeTimings } from './speak-stream.js';
import { loadVoice, SPEAK_VOCODE_OPTIONS, speakVocodeOptions, synthesizeOptions, TTS_OPTIONS, ttsInput, warnUnknown } from './synthesis.js';

const command = defineCommand({
  name: 'speak',
  usage:
    'usage: flowgpu speak "<text>" -o out.wav [--voice <tts model>] [--iterations 16]   (the demo voice + Griffin-Lim)\n' +
    '       flowgpu speak <tts model> <vocoder> "<text>" -o out.wav [options]\n' +
    '  <tts model>: Glow-TTS, Flowtron or XSpkEmoTrans; <vocoder>: WaveGlow or HiFi-GAN with the same number of mel\n' +
    '  channels, or "griffinlim". Each option applies to the models it names.\n' +
    '  Text is spoken sentence by sentence and written as it is made: -o - writes the WAV to stdout (| aplay,\n' +
    '  | sox -t wav - out.wav). --ids and --normalize need the whole utterance first.',
  args: { min: 0, max: 3, what: 'the text (and a TTS model and a vocoder before it)' },
  options: {
    ...TTS_OPTIONS,
    ...SPEAK_VOCODE_OPTIONS,
    voice: { kind: 'string', arg: 'FILE', help: 'a TTS model to speak with Griffin-Lim instead of the demo voice' },
    normalize: { kind: 'flag', help: 'scale the audio to a peak of 0.95 (as the Glow-TTS demos do; not streamed)' },
    stream: { kind: 'flag', help: 'print each audio chunk\'s time and when it was ready to stderr' },
    timings: { kind: 'string', arg: 'FILE', help: 'write when each word is spoken (JSON: seconds from the start)' },
  },
  output: { required: true, what: 'out.wav', extensions: ['.wav'], stdout: true },
  loadsModels: true,
  async run(ctx) {
    const voice = ctx.opts.voice;
    const p = ctx.positional;
    const demo = voice !== undefined || p.length <= 1;
    if (demo && p.length > 1) throw new FlowgpuError(`speak: with --voice give only the text (quote it), not ${p.map((a) => JSON.stringify(a)).join(' ')}`);
    const [ttsPath, vocPath, text] = demo ? [voice ?? (await demoVoicePath()), 'griffinlim', p[0]] : [p[0]!, p[1]!, p[2]];
    const input = ttsInput(text, ctx.opts.ids);
    const whole = ctx.opts.normalize ? 'normalize' : ctx.opts.ids ? 'ids' : undefined;
    if (whole && ctx.opts.stream) throw new FlowgpuError(`speak: --stream needs the streamed path, which --${whole} does not take`);
    const { tts, vocoder } = await loadVoice(ctx, ttsPath, vocPath, ctx.opts);
    const options = { ...(await synthesizeOptions(ctx, ctx.opts, tts)), vocoder: speakVocodeOptions(ctx.opts) };
    const out = ctx.output!;
    if (!whole) {
      await speakStreaming(tts, vocoder, input as string, options, { out, printChunks: ctx.opts.stream, timings: ctx.opts.timings, warn: ctx.warn });
      return;
    }
    const r = await speak(tts, vocoder, input, { ...options, normalize: ctx.opts.normalize });
    warnUnknown(ctx, tts.kind, r.unknown);
    const wav = encodeWav(r.audio, r.sampleRate, 'pcm16');
    if (out === '-') process.stdout.write(wav);
    else await writeOutput(out, wav);
    if (ctx.opts.timings) await writeTimings(ctx.opts.timings, r.sampleRate, r.words ?? []);
    reportWritten(out, r.audio.length, r.sampleRate, `[${r.nMel}, ${r.frames}]`, vocoder.kind);
  },
});

export const run = command.run;
