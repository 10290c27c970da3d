// `flowgpu batch` on one machine: list formats, malformed lines, failures after retries, resume.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseList } from '../../src/batch/list.js';
import type { ManifestRecord } from '../../src/batch/output.js';
import { batch } from '../../src/batch/run.js';
import { decodeWav } from '../../src/io/wav.js';
import { assert, assertEqual } from '../helpers/check.js';
import { getEngine } from '../helpers/engine.js';

function manifest(dir: string): ManifestRecord[] {
  return readFileSync(join(dir, 'manifest.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ManifestRecord);
}

describe('batch list parsing', () => {
  it('reads .txt, .jsonl and .csv lines with their line numbers and ids', () => {
    const txt = parseList('Hello.\n\n# a comment\nSecond line.\n', 'txt');
    assertEqual(JSON.stringify(txt.items.map((i) => [i.line, i.id, i.text])), '[[1,"000001","Hello."],[4,"000004","Second line."]]', 'txt items');
    const jsonl = parseList('"Just text."\n{"id":"a","text":"Hi.","speaker":0,"noise_scale":0.5}\n', 'jsonl');
    assertEqual(JSON.stringify(jsonl.items.map((i) => [i.id, i.text, i.options])), '[["000001","Just text.",{}],["a","Hi.",{"speaker":0,"noiseScale":0.5}]]', 'jsonl items');
    const csv = parseList('id,text,speaker\nx,"Hello, ""you""\nthere.",1\ny,Bye.,\n', 'csv');
    assertEqual(JSON.stringify(csv.items.map((i) => [i.line, i.id, i.text, i.options])), '[[2,"x","Hello, \\"you\\"\\nthere.",{"speaker":1}],[4,"y","Bye.",{}]]', 'csv items');
    assertEqual(csv.malformed.length, 0, 'csv malformed');
  });

  it('reports each malformed line with its line number and keeps the rest', () => {
    const r = parseList('{"text":"ok"}\n{"text": oops}\n{"id":"a b","text":"x"}\n{"text":"y","speed":2}\n{"id":"k","text":"one"}\n{"id":"k","text":"two"}\n{"speaker":1}\n', 'jsonl');
    assertEqual(r.items.map((i) => i.line).join(','), '1,5', 'lines kept');
    assertEqual(r.malformed.map((m) => m.line).join(','), '2,3,4,6,7', 'malformed lines');
    assert(/not JSON/.test(r.malformed[0]!.message), r.malformed[0]!.message);
    assert(/unknown field "speed"/.test(r.malformed[2]!.message), r.malformed[2]!.message);
    assert(/already used on line 5/.test(r.malformed[3]!.message), r.malformed[3]!.message);
    const csv = parseList('id,text\na,fine\nb,too,many\n', 'csv');
    assertEqual(csv.malformed[0]?.line, 3, 'csv malformed line');
  });
});

describe('flowgpu batch (demo voice)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowgpu-batch-'));
  const out = join(dir, 'out');
  const list = join(dir, 'list.jsonl');
  writeFileSync(
    list,
    [
      '"Hello there."',
      '{"id":"bad","text":"Speaker three.","speaker":3}', // the demo voice has one speaker: fails on every try
      '{"text": "unclosed',
      '{"id":"yes","text":"Yes.","lengthScale":1.2}',
      '"No."',
    ].join('\n'),
  );
  // The demo voice with Griffin-Lim's initial phase only (0 iterations): quick, and enough for these checks.
  const speak = { vocoder: { iterations: 0 } };

  it('writes a WAV and a record per line, marks the always-failing line failed after its retries, reports the malformed one', async () => {
    const engine = await getEngine();
    const retried: string[] = [];
    const r = await batch(list, { out, speak, retries: 1, engine, onRetry: (item) => retried.push(item.id) });
    assertEqual(`${r.done} ${r.failed} ${r.skipped}`, '3 1 0', 'done failed skipped');
    assertEqual(JSON.stringify(r.malformed.map((m) => m.line)), '[3]', 'malformed line');
    assertEqual(retried.join(','), 'bad', 'retried');
    const m = manifest(out);
    assertEqual(m.map((x) => `${x.id}:${x.status}`).join(','), '000001:done,bad:failed,yes:done,000005:done', 'manifest');
    const bad = m[1]!;
    assertEqual(bad.attempts, 2, 'tries of the failing line');
    assert(/single speaker/.test(bad.error ?? ''), `error: ${bad.error}`);
    for (const x of m.filter((x) => x.status === 'done')) {
      const wav = decodeWav(readFileSync(join(out, x.file)));
      assertEqual(wav.sampleRate, 22050, 'rate');
      assertEqual(wav.channels[0]!.length, Math.round(x.seconds * 22050), `${x.id} samples`);
      assert(x.seconds > 0.2, `${x.id}: ${x.seconds} s`);
      assertEqual(x.model, 'Glow-TTS + Griffin-Lim', 'model');
      // Word timings: one per word of the line, in order, inside the mel (Griffin-Lim's audio is one hop shorter).
      assertEqual(x.words.map((w) => w.word).join(' '), x.text.toLowerCase().replace(/[^a-z' ]/g, '').trim(), `${x.id} words`);
      for (const [i, w] of x.words.entries()) {
        assert(w.start >= (x.words[i - 1]?.end ?? 0) - 1e-9 && w.end >= w.start && w.end <= x.seconds + 256 / 22050 + 1e-6, `${x.id} word ${i}: ${JSON.stringify(w)}`);
      }
    }
    assertEqual(bad.words.length, 0, 'a failed line has no words');
    assertEqual(JSON.stringify(m[2]!.options), '{"lengthScale":1.2}', 'options recorded');
    assert(!readdirSync(out).some((f) => f.includes('.tmp-')), 'no temporary files left');
  });

  it('resumes: skips what is done, redoes a missing WAV and the failed line, never duplicates a record', async () => {
    const engine = await getEngine();
    rmSync(join(out, 'yes.wav'));
    const r = await batch(list, { out, speak, retries: 0, engine });
    assertEqual(`${r.done} ${r.failed} ${r.skipped}`, '1 1 2', 'done failed skipped');
    const m = manifest(out);
    assertEqual(m.map((x) => `${x.id}:${x.status}`).join(','), '000001:done,bad:failed,yes:done,000005:done', 'manifest');
    assertEqual(m[1]!.attempts, 1, 'tries of the failing line in this run');
    readFileSync(join(out, 'yes.wav'));
  });

  it('loads no models when every line is done (a voice given as a function is not called)', async () => {
    const done = join(dir, 'done.txt');
    writeFileSync(done, 'Hello there.\n');
    const target = join(dir, 'out-done');
    const engine = await getEngine();
    assertEqual((await batch(done, { out: target, speak, engine })).done, 1, 'first run');
    let loads = 0;
    const voice = async (): Promise<never> => {
      loads++;
      throw new Error('the voice was loaded');
    };
    const r = await batch(done, { out: target, speak, voice });
    assertEqual(`${r.done} ${r.failed} ${r.skipped} ${loads}`, '0 0 1 0', 'done failed skipped loads');
  });
});
