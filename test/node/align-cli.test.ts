import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/cli/align.js';
import { assert, assertEqual, assertRejects } from '../helpers/check.js';
import { getEngine } from '../helpers/engine.js';
import { capture, pcm16Wav } from './cli-helpers.js';

const GOLDEN = '../shared/golden/glowtts-small.safetensors';

/** A chirp with a little noise: half a second at 22050 Hz (44 mel frames). */
function testSignal(n: number, sr: number): Float32Array {
  let seed = 7;
  const r = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  return Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin(2 * Math.PI * (200 + 2000 * (i / n)) * (i / sr)) + 0.05 * r());
}

describe('flowgpu align', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowgpu-align-'));
  const wav = join(dir, 'speech.wav');
  writeFileSync(wav, pcm16Wav(testSignal(11025, 22050), 22050));

  it('prints per-token durations (frames and seconds) and writes the alignment JSON', async () => {
    const e = await getEngine();
    const json = join(dir, 'align.json');
    const out = await capture(() => run([GOLDEN, wav, 'Hello there.', '--json', json], e));
    assert(/tokens over 44 frames \(0\.51 s of 44 mel frames/.test(out), `output:\n${out}`);
    assert(/frames\s+0\.\d{3} s/.test(out), `output:\n${out}`);
    const j = JSON.parse(readFileSync(json, 'utf8')) as { frames: number; ids: number[]; tokens: { frames: number; start: number; seconds: number }[]; frameToken: number[] };
    assertEqual(j.frames, 44, 'frames');
    assertEqual(j.tokens.length, j.ids.length, 'one span per token');
    assertEqual(j.tokens.reduce((a, t) => a + t.frames, 0), 44, 'durations sum to the frames');
    assert(j.tokens.every((t) => t.frames >= 1), 'every token has a frame');
    assertEqual(j.frameToken.length, 44, 'frame → token map');
    for (let i = 1; i < 44; i++) assert(j.frameToken[i]! - j.frameToken[i - 1]! <= 1 && j.frameToken[i]! >= j.frameToken[i - 1]!, 'monotonic');
    assert(Math.abs(j.tokens[0]!.seconds - (j.tokens[0]!.frames * 256) / 22050) < 1e-9, 'seconds = frames · hop / rate');
  });

  it('aligns --ids as given', async () => {
    const e = await getEngine();
    const out = await capture(() => run([GOLDEN, wav, '--ids', '[20, 11, 40, 41]'], e));
    assert(/^4 tokens over 44 frames/.test(out), `output:\n${out}`);
  });

  it('gives clear errors for a wrong sample rate, empty text, unspeakable text, too short audio, a non-Glow-TTS model', async () => {
    const e = await getEngine();
    const wav16k = join(dir, 'speech16k.wav');
    writeFileSync(wav16k, pcm16Wav(testSignal(8000, 16000), 16000));
    await assertRejects(() => run([GOLDEN, wav16k, 'Hello.'], e), /sampled at 16000 Hz, but the model works at 22050 Hz/);
    await assertRejects(() => run([GOLDEN, wav, '  '], e), /the text is empty/);
    await assertRejects(() => run([GOLDEN, wav], e), /the text is empty/);
    await assertRejects(() => run([GOLDEN, wav, '### <>'], e), /nothing the glowtts front end can speak/);
    const short = join(dir, 'short.wav');
    writeFileSync(short, pcm16Wav(testSignal(1024, 22050), 22050));
    await assertRejects(() => run([GOLDEN, short, 'This sentence is much longer than the recording.'], e), /tokens need at least \d+ mel frames, the audio gives 4/);
    await assertRejects(() => run(['../shared/golden/hifigan-small.safetensors', wav, 'Hello.'], e), /hifigan-small\.safetensors: this checkpoint holds a HiFi-GAN model; expected Glow-TTS/);
    const notWav = join(dir, 'not.wav');
    writeFileSync(notWav, 'not a wave file at all');
    await assertRejects(() => run([GOLDEN, notWav, 'Hello.'], e), /not\.wav: not a WAV file/);
  });
});
