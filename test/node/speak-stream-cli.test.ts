// `flowgpu speak … -o -` streams a WAV to stdout (unknown-length header) that sox reads to the
// end: piped through `sox -t wav - out.wav` it is the same audio as `-o out.wav` (whose header
// is rewritten with the exact length). `--stream` prints each chunk; `--timings` the words.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeWav, WAV_UNKNOWN_SIZE, wavHeader } from '../../src/io/wav.js';
import { assert, assertArrayEqual, assertEqual } from '../helpers/check.js';

const GLOWTTS = '../shared/golden/glowtts-small.safetensors';
const HIFIGAN = '../shared/golden/hifigan-small.safetensors';
const TEXT = 'One two three. Four five, six seven!';

/** Runs `flowgpu speak args` (stdout into `pipe` when given) and returns its stderr. */
function cli(dir: string, args: string[], pipe?: string): string {
  const cmd = ['node', 'bin/flowgpu.js', 'speak', ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const err = join(dir, 'stderr.txt');
  execFileSync('bash', ['-o', 'pipefail', '-c', `${cmd} 2>'${err}' ${pipe ? `| ${pipe}` : '>/dev/null'}`], { timeout: 300_000, stdio: 'inherit' });
  return readFileSync(err, 'utf8');
}

describe('speak streaming to stdout', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowgpu-stream-'));

  it('the unknown-length header has the 0xFFFFFFFF size fields; the exact one the lengths', () => {
    const v = new DataView(wavHeader(22050).buffer);
    assertEqual(v.getUint32(4, true), WAV_UNKNOWN_SIZE, 'RIFF size');
    assertEqual(v.getUint32(40, true), WAV_UNKNOWN_SIZE, 'data size');
    const x = new DataView(wavHeader(22050, { frames: 100 }).buffer);
    assertEqual(x.getUint32(40, true), 200, 'data size');
    assertEqual(x.getUint32(4, true), 36 + 200, 'RIFF size');
  });

  it('-o - | sox -t wav - out.wav gives the same audio as -o out.wav', () => {
    const file = join(dir, 'file.wav');
    const piped = join(dir, 'piped.wav');
    const timings = join(dir, 'words.json');
    cli(dir, [GLOWTTS, HIFIGAN, TEXT, '-o', file, '--timings', timings]);
    const stderr = cli(dir, [GLOWTTS, HIFIGAN, TEXT, '-o', '-', '--stream'], `sox -t wav - '${piped}'`);
    const a = decodeWav(readFileSync(file));
    const b = decodeWav(readFileSync(piped));
    assertEqual(b.sampleRate, a.sampleRate, 'sample rate');
    assert(a.channels[0]!.length > 22050 / 4, `${a.channels[0]!.length} samples`);
    assertArrayEqual(b.channels[0]!, a.channels[0]!, 'samples');
    const chunks = stderr.split('\n').filter((l) => l.startsWith('chunk '));
    assert(chunks.length >= 2 && /sentence 1/.test(stderr), `per-chunk lines:\n${stderr}`);
    const words = JSON.parse(readFileSync(timings, 'utf8')) as { words: { word: string; start: number; end: number }[] };
    assertEqual(words.words.map((w) => w.word).join(' '), 'one two three four five six seven', 'words');
  });
});
