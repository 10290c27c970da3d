// Token ids for the training corpus from flowgpu's own Glow-TTS front end (src/text: english_cleaners +
// CMUdict ARPAbet, 148 symbols), so training and inference see exactly the same ids.
//   node tools/train/ids.mjs words                -> work/cmuwords.json (the CMUdict word list)
//   node tools/train/ids.mjs <in.txt> <out.json>  -> [{text, ids}] per line
import { build } from 'esbuild';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const here = new URL('.', import.meta.url).pathname;
const root = join(here, '..', '..');
const work = join(here, 'work');
mkdirSync(work, { recursive: true });

if (process.argv[2] === 'words') {
  const { dictionary } = await import(join(root, 'node_modules/cmu-pronouncing-dictionary/index.js'));
  writeFileSync(join(work, 'cmuwords.json'), JSON.stringify(Object.keys(dictionary)));
  process.exit(0);
}
const bundle = join(work, 'text-frontend.mjs');
await build({ entryPoints: [join(root, 'src/text/index.ts')], bundle: true, format: 'esm', platform: 'node', outfile: bundle, logLevel: 'warning' });
const { textToIds } = await import(bundle);
const lines = readFileSync(process.argv[2], 'utf8').split('\n').map((s) => s.trim()).filter(Boolean);
const out = [];
for (const text of lines) {
  const r = await textToIds('glowtts', text);
  out.push({ text, ids: Array.from(r.ids ?? r) });
}
writeFileSync(process.argv[3], JSON.stringify(out));
console.log(`${out.length} sentences -> ${process.argv[3]}`);
