// `flowgpu tts` with an XSpkEmoTrans checkpoint (the cset-small golden file), end to end through
// the command line code: ids or text, speaker embedding .npy, hard (--emotion) and soft
// (--reference .npy/.wav) emotion, mel written [n_mel, frames]; and the errors users can cause.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run as speak } from '../../src/cli/speak.js';
import { run as tts } from '../../src/cli/tts.js';
import { run as vocode } from '../../src/cli/vocode.js';
import { loadCheckpoint, toFloat32 } from '../../src/io/checkpoint.js';
import type { Checkpoint } from '../../src/io/host-tensor.js';
import { readNpy, writeNpy } from '../../src/io/npy.js';
import { decodeWav, encodeWav } from '../../src/io/wav.js';
import { transposeMel } from '../../src/models/cset.js';
import { assert, assertArrayEqual, assertClose, assertRejects } from '../helpers/check.js';
import { getEngine } from '../helpers/engine.js';
import { goldenTensor as tensor } from '../helpers/files.js';

const GOLDEN = '../shared/golden/cset-small.safetensors';
const PTH = '../shared/golden/cset-small.pth.tar';
const HIFIGAN = '../shared/golden/hifigan-small.safetensors';
const HIFIGAN_PTH = '../shared/golden/hifigan-small.pth.tar';

describe('flowgpu tts with XSpkEmoTrans (cset-small)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowgpu-cset-'));
  const path = (n: string): string => join(dir, n);
  let golden: Checkpoint;
  let ids: string;
  let emotion: number;

  before(() => {
    golden = loadCheckpoint(readFileSync(GOLDEN));
    ids = JSON.stringify(Array.from(tensor(golden, 'input.text').data as BigInt64Array, Number));
    emotion = Number((tensor(golden, 'input.emotion').data as BigInt64Array)[0]);
    writeFileSync(path('spk.npy'), writeNpy(toFloat32(tensor(golden, 'input.speaker_embedding')), [16]));
    writeFileSync(path('spk512.npy'), writeNpy(new Float32Array(512), [512]));
    const ref = tensor(golden, 'input.ref_mel'); // [1, 40, 80]
    writeFileSync(path('ref.npy'), writeNpy(transposeMel(toFloat32(ref), 40, 80), [80, 40]));
    writeFileSync(path('ref64.npy'), writeNpy(new Float32Array(64 * 40), [64, 40]));
  });

  function readMelNpy(file: string): { data: Float32Array; shape: number[] } {
    const a = readNpy(readFileSync(file));
    return { data: a.data, shape: a.shape };
  }

  function expectGolden(file: string, which: 'hard' | 'soft'): void {
    const ref = tensor(golden, `output.${which}.mel.0`); // [1, frames, 80]
    const frames = ref.shape[1]!;
    const got = readMelNpy(file);
    assertArrayEqual(got.shape, [80, frames], `${which} mel shape`);
    assertClose(got.data, transposeMel(toFloat32(ref), frames, 80), 1e-3, `${which} mel`);
  }

  it('--ids, --speaker-embedding, --emotion → the golden hard mel, written [n_mel, frames]', async () => {
    const e = await getEngine();
    await tts([GOLDEN, '--ids', ids, '--speaker-embedding', path('spk.npy'), '--emotion', String(emotion), '-o', path('hard.npy')], e);
    expectGolden(path('hard.npy'), 'hard');
  });

  it('--reference ref.npy → the golden soft mel; the .pth.tar file works directly', async () => {
    const e = await getEngine();
    await tts([PTH, '--ids', ids, '--speaker-embedding', path('spk.npy'), '--reference', path('ref.npy'), '-o', path('soft.npy')], e);
    expectGolden(path('soft.npy'), 'soft');
  });

  it('text through the cset front end, and a .wav reference', async () => {
    const e = await getEngine();
    await tts([GOLDEN, 'Dogs are sitting by the door.', '--speaker-embedding', path('spk.npy'), '--emotion', '0', '-o', path('text.npy')], e);
    const m = readMelNpy(path('text.npy'));
    assert(m.shape[0] === 80 && m.shape[1]! > 0, `text mel shape [${m.shape}]`);
    assert(m.data.every(Number.isFinite), 'text mel is finite');
    const t = Float32Array.from({ length: 22050 / 2 }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 220 * i) / 22050));
    writeFileSync(path('ref.wav'), encodeWav(t, 22050));
    await tts([GOLDEN, '--ids', ids, '--speaker-embedding', path('spk.npy'), '--reference', path('ref.wav'), '-o', path('wavref.npy')], e);
    assert(readMelNpy(path('wavref.npy')).data.every(Number.isFinite), 'wav-reference mel is finite');
  });

  it('a speaker embedding of the wrong size is a clear error', async () => {
    const e = await getEngine();
    await assertRejects(() => tts([GOLDEN, '--ids', ids, '--speaker-embedding', path('spk512.npy'), '--emotion', '0', '-o', path('x.npy')], e),
      /the speaker embedding has 512 values, this model expects 16/);
    await assertRejects(() => tts([GOLDEN, '--ids', ids, '--emotion', '0', '-o', path('x.npy')], e), /needs the speaker's external embedding: 16 values/);
  });

  it('an emotion id out of range is a clear error', async () => {
    const e = await getEngine();
    await assertRejects(() => tts([GOLDEN, '--ids', ids, '--speaker-embedding', path('spk.npy'), '--emotion', '4', '-o', path('x.npy')], e),
      /emotion id 4 is out of range: this model has 4 emotions \(0–3\)/);
    await assertRejects(() => tts([GOLDEN, '--ids', ids, '--speaker-embedding', path('spk.npy'), '-o', path('x.npy')], e),
      /give exactly one of an emotion id \(hard token\) or a reference mel/);
  });

  it('a reference mel with the wrong channel count is a clear error', async () => {
    const e = await getEngine();
    await assertRejects(() => tts([GOLDEN, '--ids', ids, '--speaker-embedding', path('spk.npy'), '--reference', path('ref64.npy'), '-o', path('x.npy')], e),
      /reference mel .*ref64\.npy has 64 channels .* but this model expects 80 mel channels/);
  });

  it('flowgpu vocode <hifigan> mel.npy → the golden audio (.npy), and a WAV from the .pth.tar', async () => {
    const e = await getEngine();
    const h = loadCheckpoint(readFileSync(HIFIGAN));
    const mel = tensor(h, 'input.mel'); // [1, 80, frames]
    writeFileSync(path('voc-mel.npy'), writeNpy(toFloat32(mel), mel.shape));
    await vocode([HIFIGAN, path('voc-mel.npy'), '-o', path('audio.npy')], e);
    const audio = readNpy(readFileSync(path('audio.npy')));
    assertArrayEqual(audio.shape, [mel.shape[2]! * 256], 'audio shape');
    assertClose(audio.data, toFloat32(tensor(h, 'output.audio')), 1e-3, 'vocoded audio');
    await vocode([HIFIGAN_PTH, path('voc-mel.npy'), '-o', path('audio.wav')], e);
    const wav = decodeWav(readFileSync(path('audio.wav')));
    assertArrayEqual([wav.sampleRate, wav.channels[0]!.length], [22050, mel.shape[2]! * 256], 'wav rate and length');
  });

  it('flowgpu speak: ids → XSpkEmoTrans (hard emotion) → HiFi-GAN → WAV, the golden audio up to 16-bit rounding', async () => {
    const e = await getEngine();
    await speak([GOLDEN, HIFIGAN, '--ids', ids, '--speaker-embedding', path('spk.npy'), '--emotion', String(emotion), '-o', path('speak.wav')], e);
    const wav = decodeWav(readFileSync(path('speak.wav')));
    // The golden HiFi-GAN input is the CSET hard-path output mel, so the chain reproduces its audio.
    const want = toFloat32(tensor(loadCheckpoint(readFileSync(HIFIGAN)), 'output.audio'));
    const got = wav.channels[0]!;
    assertArrayEqual([wav.sampleRate, got.length], [22050, want.length], 'wav rate and length');
    let peak = 0;
    let worst = 0;
    for (let i = 0; i < want.length; i++) {
      peak = Math.max(peak, Math.abs(want[i]!));
      worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
    }
    assert(worst <= 1e-3 * peak + 1 / 32767, `speak audio: max abs err ${worst} (peak ${peak}) exceeds 1e-3·peak + one 16-bit step`);
  });

  it('flowgpu speak from text with a reference clip', async () => {
    const e = await getEngine();
    await speak([GOLDEN, HIFIGAN_PTH, 'Kids are talking by the door.', '--speaker-embedding', path('spk.npy'), '--reference', path('ref.npy'), '-o', path('speak2.wav')], e);
    const wav = decodeWav(readFileSync(path('speak2.wav')));
    assert(wav.channels[0]!.length > 0 && wav.channels[0]!.length % 256 === 0, `speak wrote ${wav.channels[0]!.length} samples`);
  });
});
