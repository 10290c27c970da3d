import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/cli/speak.js';
import type { Checkpoint, HostTensor } from '../../src/io/host-tensor.js';
import { writeSafetensors } from '../../src/io/safetensors.js';
import { decodeWav } from '../../src/io/wav.js';
import { assert, assertEqual, assertRejects, rng } from '../helpers/check.js';
import { getEngine } from '../helpers/engine.js';
import { capture } from './cli-helpers.js';

const GLOWTTS = '../shared/golden/glowtts-small.safetensors';
const WAVEGLOW_20 = '../shared/golden/waveglow-small.safetensors'; // 20 mel channels

/** A tiny WaveGlow (glow.py layout) with random weights: 2 flows, no early outputs, WN 2×8. */
function tinyWaveGlow(nMel: number, seed: number): Checkpoint {
  const r = rng(seed);
  const tensors = new Map<string, HostTensor>();
  const put = (name: string, shape: number[], scale: number, fill?: (i: number) => number): void => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = fill ? fill(i) : (r() * 2 - 1) * scale;
    tensors.set(name, { dtype: 'f32', shape, data });
  };
  const [group, nc, layers, k, upK] = [8, 8, 2, 3, 256];
  put('upsample.weight', [nMel, nMel, upK], 0.01);
  put('upsample.bias', [nMel], 0.1);
  for (let f = 0; f < 2; f++) {
    // near-identity 1x1 convolution, comfortably invertible
    put(`convinv.${f}.conv.weight`, [group, group, 1], 0, (i) => (i % (group + 1) === 0 ? 1 : 0) + (r() * 2 - 1) * 0.1);
    const p = `WN.${f}.`;
    put(`${p}start.weight`, [nc, group / 2, 1], 0.3);
    put(`${p}start.bias`, [nc], 0.1);
    put(`${p}cond_layer.weight`, [2 * nc * layers, nMel * group, 1], 0.05);
    put(`${p}cond_layer.bias`, [2 * nc * layers], 0.1);
    for (let i = 0; i < layers; i++) {
      put(`${p}in_layers.${i}.weight`, [2 * nc, nc, k], 0.2);
      put(`${p}in_layers.${i}.bias`, [2 * nc], 0.1);
      const out = i < layers - 1 ? 2 * nc : nc;
      put(`${p}res_skip_layers.${i}.weight`, [out, nc, 1], 0.2);
      put(`${p}res_skip_layers.${i}.bias`, [out], 0.1);
    }
    put(`${p}end.weight`, [group, nc, 1], 0.05);
    put(`${p}end.bias`, [group], 0.05);
  }
  return { tensors, metadata: {} };
}

describe('flowgpu speak', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowgpu-speak-'));
  const wg80 = join(dir, 'waveglow-80.safetensors');
  writeFileSync(wg80, writeSafetensors(tinyWaveGlow(80, 1)));

  it('Glow-TTS golden + a WaveGlow with 80 mel channels writes a WAV end to end', async () => {
    const e = await getEngine();
    const out = join(dir, 'hello.wav');
    const log = await capture(() => run([GLOWTTS, wg80, 'Hello world.', '-o', out, '--seed', '1', '--vocoder-sigma', '0.5'], e));
    const m = /wrote .*hello\.wav: (\d+) samples \([\d.]+ s at 22050 Hz\) from a mel \[80, (\d+)\] via waveglow/.exec(log);
    assert(m, `log: ${log}`);
    const wav = decodeWav(readFileSync(out));
    assertEqual(wav.sampleRate, 22050, 'sample rate');
    assertEqual(wav.channels.length, 1, 'channels');
    assertEqual(wav.channels[0]!.length, Number(m![2]) * 256, 'samples = frames · hop');
    assertEqual(wav.channels[0]!.length, Number(m![1]), 'samples reported');
    assert(wav.channels[0]!.some((v) => v !== 0), 'audio is not silent');
  });

  it('--normalize scales to a 0.95 peak', async () => {
    const e = await getEngine();
    const out = join(dir, 'norm.wav');
    await capture(() => run([GLOWTTS, wg80, '--ids', '[20, 11, 40, 41, 57, 60]', '--normalize', '-o', out], e));
    const s = decodeWav(readFileSync(out)).channels[0]!;
    let peak = 0;
    for (const v of s) peak = Math.max(peak, Math.abs(v));
    assert(Math.abs(peak - 0.95) < 1e-3, `peak ${peak}`);
  });

  it('refuses a vocoder whose mel channels differ from the TTS model\'s', async () => {
    const e = await getEngine();
    await assertRejects(
      () => run([GLOWTTS, WAVEGLOW_20, 'Hello world.', '-o', join(dir, 'x.wav')], e),
      /mel channel mismatch: the Glow-TTS model makes 80-channel mels, but the WaveGlow vocoder takes 20/,
    );
  });

  it('NaN weights give an error, not a silent WAV (issue 13, class 7)', async () => {
    const e = await getEngine();
    const broken = tinyWaveGlow(80, 2);
    const w = broken.tensors.get('WN.0.end.weight')!;
    w.data = new Float32Array((w.data as Float32Array).length).fill(Number.NaN);
    const path = join(dir, 'waveglow-nan.safetensors');
    writeFileSync(path, writeSafetensors(broken));
    const out = join(dir, 'nan.wav');
    await assertRejects(() => run([GLOWTTS, path, 'Hello.', '-o', out], e), /the WaveGlow audio holds \d+ non-finite values? \(NaN or ±Infinity; the first at index \d+\): the vocoder's weights or the mel are broken/);
    assert(!existsSync(out), 'no WAV written');
  });

  it('gives clear errors for bad arguments', async () => {
    const e = await getEngine();
    const out = join(dir, 'y.wav');
    await assertRejects(() => run([GLOWTTS, wg80, '', '-o', out], e), /the text is empty/);
    await assertRejects(() => run([GLOWTTS, wg80, '### <>', '-o', out], e), /nothing the glowtts front end can speak/);
    await assertRejects(() => run([GLOWTTS, wg80, 'Hello.'], e), /give the output file with -o/);
    await assertRejects(() => run([GLOWTTS, GLOWTTS, 'Hello.', '-o', out], e), /glowtts-small\.safetensors: this checkpoint holds a Glow-TTS model; expected WaveGlow or HiFi-GAN/);
    await assertRejects(() => run([wg80, wg80, 'Hello.', '-o', out], e), /waveglow-80\.safetensors: this checkpoint holds a WaveGlow model; expected Glow-TTS, Flowtron or XSpkEmoTrans/);
  });
});
