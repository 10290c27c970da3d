// `flowgpu style <flowtron> refs.csv -o style.npy [--aggregation batch|time_and_batch]
//  [--lambda 1e-4] [--n-frames 300] [--speaker 0] [--p-arpabet 1]`
// Flowtron style transfer (inference_style_transfer.ipynb): the posterior z of each reference
// (audio .wav or log-mel .npy, with its transcript), aggregated and shrunk into a style mean
// `[80, n_frames]` that `flowgpu tts <flowtron> "<text>" --style style.npy` samples around.

import { FlowgpuError } from '../gpu/errors.js';
import { writeNpy } from '../io/npy.js';
import { defineCommand } from './args.js';
import { writeOutput } from './files.js';
import { loadReferences, readList, REFERENCE_OPTIONS } from './references.js';
import { MAX_FRAMES } from './synthesis.js';

const command = defineCommand({
  name: 'style',
  usage:
    'usage: flowgpu style <flowtron> refs.csv -o style.npy [options]\n' +
    '  refs.csv rows: <audio.wav | mel.npy>,<transcript>  (also "|"-separated, Flowtron filelist style; paths relative to the csv)',
  args: { min: 2, max: 2, what: 'a Flowtron model and a reference list' },
  options: {
    ...REFERENCE_OPTIONS,
    aggregation: { kind: 'string', arg: 'batch|time_and_batch', help: 'how the references\' z are averaged (default batch)' },
    lambda: { kind: 'number', min: 0, above: true, max: 1e6, help: 'shrinkage of the style mean towards 0 (default 1e-4)' },
    'n-frames': { kind: 'number', min: 1, max: MAX_FRAMES, integer: true, help: 'frames of the style (default 300)' },
  },
  output: { required: true, what: 'style.npy', extensions: ['.npy'] },
  loadsModels: true,
  async run(ctx) {
    const [modelPath, listPath] = ctx.positional as [string, string];
    const aggregation = ctx.opts.aggregation ?? 'batch';
    if (aggregation !== 'batch' && aggregation !== 'time_and_batch') throw new FlowgpuError(`--aggregation must be batch or time_and_batch, got "${aggregation}"`);
    const lambda = ctx.opts.lambda ?? 1e-4;
    const rows = readList(listPath, 2, '<audio.wav|mel.npy>,<transcript>');
    if (rows.length === 0) throw new FlowgpuError(`style: the reference list ${listPath} is empty; give at least one (audio or mel, text) row`);
    const tts = await ctx.load(modelPath, ['flowtron']);
    const refs = await loadReferences(ctx, tts, rows, ctx.opts['p-arpabet'] ?? 1);
    const style = await tts.model.styleFromReferences(refs, { aggregation, lambda, nFrames: ctx.opts['n-frames'] ?? 300, speaker: ctx.opts.speaker ?? 0 });
    await writeOutput(ctx.output!, writeNpy(style.mu, [tts.nMel, style.frames]));
    process.stdout.write(`wrote ${ctx.output}: style mean [${tts.nMel}, ${style.frames}] from ${refs.length} reference${refs.length === 1 ? '' : 's'} (${aggregation}, lambda ${lambda})\n`);
  },
});

export const run = command.run;
