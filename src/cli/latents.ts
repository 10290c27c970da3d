// `flowgpu latents <list.csv> <flowtron> -o map.svg [--speaker 0] [--p-arpabet 1] [--title T]`
// The Flowtron blog post's latent map: for each (audio|mel, text, label) row the utterance's mean
// posterior z, projected to 2-D with PCA, drawn as an SVG scatter coloured by label with a legend.

import { basename } from 'node:path';
import { FlowgpuError } from '../gpu/errors.js';
import { writeNpy } from '../io/npy.js';
import { pca } from '../viz/pca.js';
import { scatterSvg } from '../viz/svg.js';
import { defineCommand } from './args.js';
import { writeOutput } from './files.js';
import { loadReferences, readList, REFERENCE_OPTIONS } from './references.js';

const command = defineCommand({
  name: 'latents',
  usage:
    'usage: flowgpu latents <list.csv> <flowtron> -o map.svg [options]\n' +
    '  list rows: <audio.wav | mel.npy>,<transcript>,<label>  (label: emotion, speaker, ...; "|" also separates)',
  args: { min: 2, max: 2, what: 'a list file and a Flowtron model' },
  options: {
    ...REFERENCE_OPTIONS,
    title: { kind: 'string', arg: 'T', help: 'the map\'s title' },
    npy: { kind: 'string', arg: 'FILE', help: 'also write the mean latents [rows, n_mel] as .npy' },
  },
  output: { required: true, what: 'map.svg', extensions: ['.svg'] },
  loadsModels: true,
  async run(ctx) {
    const [listPath, modelPath] = ctx.positional as [string, string];
    const rows = readList(listPath, 3, '<audio.wav|mel.npy>,<transcript>,<label>');
    if (rows.length === 0) throw new FlowgpuError(`latents: the list ${listPath} is empty; give (audio or mel, text, label) rows`);
    const tts = await ctx.load(modelPath, ['flowtron']);
    const model = tts.model;
    const speaker = ctx.opts.speaker ?? 0;
    const refs = await loadReferences(ctx, tts, rows, ctx.opts['p-arpabet'] ?? 1);
    const means: Float32Array[] = [];
    for (const r of refs) means.push(await model.meanLatent(r.mel, r.ids, speaker, r.frames));
    const proj = pca(means, 2);
    const explained = proj.variance.map((v) => (proj.totalVariance > 0 ? (100 * v) / proj.totalVariance : 0));
    const points = refs.map((r, i) => ({ x: proj.points[2 * i]!, y: proj.points[2 * i + 1]!, label: rows[i]!.fields.at(-1)!, title: basename(r.path) }));
    const svg = scatterSvg(points, {
      title: ctx.opts.title ?? `Flowtron latent map (${refs.length} utterances)`,
      xLabel: `PC 1 (${explained[0]!.toFixed(1)}% of variance)`,
      yLabel: `PC 2 (${(explained[1] ?? 0).toFixed(1)}% of variance)`,
    });
    await writeOutput(ctx.output!, svg);
    const npy = ctx.opts.npy;
    if (npy) {
      const all = new Float32Array(means.length * tts.nMel);
      means.forEach((m, i) => all.set(m, i * tts.nMel));
      await writeOutput(npy, writeNpy(all, [means.length, tts.nMel]));
    }
    const labels = new Set(points.map((q) => q.label));
    process.stdout.write(`wrote ${ctx.output}: ${points.length} utterances, ${labels.size} label${labels.size === 1 ? '' : 's'}\n`);
  },
});

export const run = command.run;
