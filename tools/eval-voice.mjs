#!/usr/bin/env node
// Intelligibility check of the demo voice (issue 9), listen-free: speaks held-out sentences (never
// in the training corpus) with `flowgpu speak` and with espeak-ng itself, and asks an offline
// recogniser (pocketsphinx_continuous with a JSGF grammar whose alternatives are exactly those
// sentences) which sentence it heard. Prints how many each got right.
//
//   npm run eval:voice [-- --voice other.safetensors] [--iterations 32] [--keep dir] [--min 8]
//
// Needs (Debian/Ubuntu): apt-get install espeak-ng sox pocketsphinx pocketsphinx-en-us
// and a built flowgpu (npm run build). Nothing is installed by this script.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const sentencesFile = opt('sentences') ?? join(root, 'tools/train/eval-sentences.txt');
const voice = opt('voice');
const iterations = opt('iterations');
const keep = opt('keep');
const min = opt('min') !== undefined ? Number(opt('min')) : undefined;

function have(cmd, probe = ['--help']) {
  const r = spawnSync(cmd, probe, { stdio: 'ignore' });
  return !r.error;
}

const missing = [];
if (!have('espeak-ng', ['--version'])) missing.push('espeak-ng (apt-get install espeak-ng)');
if (!have('sox', ['--version'])) missing.push('sox (apt-get install sox)');
if (!have('pocketsphinx_continuous', ['-h'])) missing.push('pocketsphinx_continuous (apt-get install pocketsphinx pocketsphinx-en-us)');
else if (!existsSync('/usr/share/pocketsphinx/model/en-us/en-us') && !existsSync('/usr/share/pocketsphinx/model/en-us')) {
  missing.push('the pocketsphinx US English model (apt-get install pocketsphinx-en-us)');
}
if (!existsSync(join(root, 'dist/cli.js'))) missing.push('a built flowgpu (npm run build)');
if (missing.length) {
  console.error(`eval:voice: missing, not installed by this script:\n  - ${missing.join('\n  - ')}`);
  process.exit(2);
}

const sentences = readFileSync(sentencesFile, 'utf8').split('\n').map((s) => s.trim()).filter(Boolean);
if (sentences.length < 10) {
  console.error(`eval:voice: ${sentencesFile} has ${sentences.length} sentences; the check needs at least 10`);
  process.exit(2);
}
const words = (s) => s.toLowerCase().replace(/[^a-z' ]/g, ' ').split(/\s+/).filter(Boolean).join(' ');

// Held out: no eval sentence may be in the training corpus (when the recipe's corpus is present).
const corpus = join(root, 'tools/train/work/sentences.txt');
if (existsSync(corpus)) {
  const train = new Set(readFileSync(corpus, 'utf8').split('\n').map(words));
  const leaked = sentences.filter((s) => train.has(words(s)));
  if (leaked.length) {
    console.error(`eval:voice: these sentences are in the training corpus, so not held out: ${leaked.join(' | ')}`);
    process.exit(2);
  }
}

const dir = keep ?? mkdtempSync(join(tmpdir(), 'flowgpu-eval-voice-'));
mkdirSync(dir, { recursive: true });
const grammar = join(dir, 'sentences.jsgf');
writeFileSync(grammar, `#JSGF V1.0;\ngrammar evalset;\npublic <sentence> = ${sentences.map(words).join(' | ')} ;\n`);

function run(cmd, argv) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error || r.status !== 0) throw new Error(`${cmd} ${argv.map((a) => JSON.stringify(a)).join(' ')} failed:\n${r.stderr || r.error}`);
  return r.stdout;
}

function heard(wav) {
  const w16 = wav.replace(/\.wav$/, '.16k.wav');
  run('sox', [wav, '-r', '16000', '-c', '1', '-b', '16', w16]);
  const out = run('pocketsphinx_continuous', ['-jsgf', grammar, '-infile', w16]);
  return out.split('\n').map((l) => l.trim()).filter(Boolean).join(' ');
}

const systems = [
  {
    name: voice ? `flowgpu speak --voice ${voice}` : 'flowgpu demo voice (Griffin-Lim)',
    speak: (text, wav) => run(process.execPath, [join(root, 'bin/flowgpu.js'), 'speak', ...(voice ? ['--voice', voice] : []),
      ...(iterations ? ['--iterations', iterations] : []), text, '-o', wav]),
  },
  { name: 'espeak-ng -v en-us', speak: (text, wav) => run('espeak-ng', ['-v', 'en-us', '-w', wav, text]) },
];

const scores = [];
for (const [si, sys] of systems.entries()) {
  let hits = 0;
  console.log(`\n${sys.name}:`);
  for (const [i, text] of sentences.entries()) {
    const wav = join(dir, `${si === 0 ? 'flowgpu' : 'espeak'}-${String(i).padStart(2, '0')}.wav`);
    sys.speak(text, wav);
    const h = heard(wav);
    const ok = h === words(text);
    hits += ok;
    console.log(`  ${ok ? 'ok  ' : 'MISS'} ${JSON.stringify(text)}${ok ? '' : ` -> ${h ? JSON.stringify(h) : '(no answer)'}`}`);
  }
  scores.push(hits);
  console.log(`  identified ${hits}/${sentences.length}`);
}
console.log(`\neval:voice: demo voice ${scores[0]}/${sentences.length}, espeak-ng ${scores[1]}/${sentences.length} held-out sentences identified`);
if (keep) console.log(`audio and grammar kept in ${dir}`);
else rmSync(dir, { recursive: true, force: true });
if (min !== undefined && scores[0] < min) process.exit(1);
