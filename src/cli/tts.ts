// `flowgpu tts <model> "<text>" -o <mel.npy> [options]`: any text-to-speech checkpoint (the model
// type is read from the file) through the API's `synthesize`.

import { synthesize, TTS_KINDS } from '../api.js';
import { writeNpy } from '../io/npy.js';
import { defineCommand } from './args.js';
import { writeOutput } from './files.js';
import { attentionPng } from './png.js';
import { synthesizeOptions, TTS_OPTIONS, ttsInput, warnUnknown } from './synthesis.js';

const command = defineCommand({
  name: 'tts',
  usage:
    'usage: flowgpu tts <model> "<text>" -o <mel.npy> [options]\n' +
    '  <model>: a Glow-TTS, Flowtron or XSpkEmoTrans checkpoint (.safetensors, .pt, .pth, .pth.tar); the type is read from the file.\n' +
    '  Each model option applies to the models it names.',
  args: { min: 1, max: 2, what: 'a TTS model and the text (quote it)' },
  options: {
    ...TTS_OPTIONS,
    'attention-png': { kind: 'string', arg: 'FILE', help: 'also write the attention / alignment map as a PNG (Flowtron: every flow, side by side)' },
  },
  output: { required: true, what: 'mel.npy', extensions: ['.npy'] },
  loadsModels: true,
  async run(ctx) {
    const [modelPath, text] = ctx.positional as [string, string | undefined];
    const input = ttsInput(text, ctx.opts.ids);
    const tts = await ctx.load(modelPath, TTS_KINDS);
    const r = await synthesize(tts, input, await synthesizeOptions(ctx, ctx.opts, tts));
    warnUnknown(ctx, tts.kind, r.unknown);
    if (r.gateFrame !== undefined && r.gateFrame < 0 && (ctx.opts.gate ?? 0.5) < 1) {
      process.stderr.write(`flowgpu: note: the gate did not fire within ${r.frames} frames (raise --max-frames?)\n`);
    }
    await writeOutput(ctx.output!, writeNpy(r.mel, [r.nMel, r.frames]));
    const png = ctx.opts['attention-png'];
    if (png) await writeOutput(png, attentionPng(r.flows ?? [r.attention]));
    process.stdout.write(`wrote ${ctx.output}: mel [${r.nMel}, ${r.frames}] (${((r.frames * tts.model.hopLength) / r.sampleRate).toFixed(2)} s at ${r.sampleRate} Hz)\n`);
  },
});

export const run = command.run;
