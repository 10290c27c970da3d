// `flowgpu latents <list.csv> <flowtron> -o map.svg [--speaker 0] [--p-arpabet 1] [--title T]`
// The Flowtron blog post's latent map: for each (audio|mel, text, label) row the utterance's mean
// posterior z, projected to 2-D with PCA, drawn as an SVG scatter coloured by label with a legend.
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Engine } from '../gpu/engine.js';
import { FlowgpuError } from '../gpu/errors.js';
import { writeNpy } from '../io/npy.js';
import { pca } from '../viz/pca.js';
import { scatterSvg } from '../viz/svg.js';
import { loadFlowtronFile, loadReferences, optPArpabet, optSpeaker, readList } from './style.js';
import { optString, parseArgs } from './tts-adapter.js';

const USAGE =
  'usage: flowgpu latents <list.csv> <flowtron> -o map.svg [--speaker 0] [--p-arpabet 1] [--title T] [--npy means.npy]\n' +
  '  list rows: <audio.wav | mel.npy>,<transcript>,<label>  (label: emotion, speaker, ...; "|" also separates)\n';

export async function run(args: string[], engine?: Engine): Promise<void> {
  const p = parseArgs(args);
  if (p.options.has('help') || p.options.has('h')) {
    process.stdout.write(USAGE);
    return;
  }
  const [listPath, modelPath, ...extra] = p.positional;
  if (!listPath || !modelPath) throw new FlowgpuError(`latents: give a list file and a Flowtron model\n${USAGE}`);
  if (extra.length) throw new FlowgpuError(`latents: unexpected arguments ${extra.join(' ')}`);
  const outPath = optString(p, 'output');
  if (!outPath) throw new FlowgpuError(`latents: give the output file with -o <map.svg>\n${USAGE}`);
  const pArpabet = optPArpabet(p);
  const speaker = optSpeaker(p);
  const rows = await readList(listPath, 3, '<audio.wav|mel.npy>,<transcript>,<label>');
  if (rows.length === 0) throw new FlowgpuError(`latents: the list ${listPath} is empty; give (audio or mel, text, label) rows`);
  const { e, model } = await loadFlowtronFile('latents', modelPath, 'latent maps need', engine);
  try {
    if (speaker >= model.config.nSpeakers) throw new FlowgpuError(`--speaker ${speaker} is out of range: this model has ${model.config.nSpeakers} speakers`);
    const refs = await loadReferences(e, model, rows, pArpabet);
    const means: Float32Array[] = [];
    for (const r of refs) means.push(await model.meanLatent(r.mel!, r.ids, speaker, r.frames));
    const proj = pca(means, 2);
    const explained = proj.variance.map((v) => (proj.totalVariance > 0 ? (100 * v) / proj.totalVariance : 0));
    const points = refs.map((r, i) => ({ x: proj.points[2 * i]!, y: proj.points[2 * i + 1]!, label: rows[i]!.fields.at(-1)!, title: basename(r.path) }));
    const svg = scatterSvg(points, {
      title: optString(p, 'title') ?? `Flowtron latent map (${refs.length} utterances)`,
      xLabel: `PC 1 (${explained[0]!.toFixed(1)}% of variance)`,
      yLabel: `PC 2 (${(explained[1] ?? 0).toFixed(1)}% of variance)`,
    });
    await writeFile(outPath, svg);
    const npy = optString(p, 'npy');
    if (npy) {
      const all = new Float32Array(means.length * model.config.nMel);
      means.forEach((m, i) => all.set(m, i * model.config.nMel));
      await writeFile(npy, writeNpy(all, [means.length, model.config.nMel]));
    }
    const labels = new Set(points.map((q) => q.label));
    process.stdout.write(`wrote ${outPath}: ${points.length} utterances, ${labels.size} label${labels.size === 1 ? '' : 's'}\n`);
  } finally {
    model.release();
    if (!engine) e.destroy();
  }
}
