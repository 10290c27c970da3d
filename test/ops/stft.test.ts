import { loadCheckpoint, toFloat32 } from '../../src/io/checkpoint.js';
import { denoiseSpectrum, istft, melFilterbank, melSpectrogram, stft, stftMagnitude } from '../../src/ops/stft.js';
import { assertArrayEqual, assertClose, assertRejects, randArray } from '../helpers/check.js';
import { getEngine } from '../helpers/engine.js';
import { readGolden } from '../helpers/files.js';
import { stftRef } from '../reference/stft.js';

describe('stft', () => {
  it('matches a float64 reference on an odd length (n_fft 64, hop 16)', async () => {
    const e = await getEngine();
    const x = randArray(203, 11);
    const { re, im, frames } = stftRef(x, 64, 16);
    const t = e.upload(x, [x.length]);
    const spec = stft(e, t, { nFft: 64, hop: 16 });
    const got = await e.readF32(spec);
    const want = new Float32Array(2 * re.length);
    want.set(re);
    want.set(im, re.length);
    assertArrayEqual(spec.shape, [2, 33, frames], 'shape');
    assertClose(got, want, 1e-5, 're|im');
    const mag = await e.readF32(stftMagnitude(e, t, { nFft: 64, hop: 16 }));
    assertClose(mag, Float32Array.from(re, (r, i) => Math.hypot(r, im[i]!)), 1e-5, 'magnitude');
  });

  it('inverse of the forward transform gives the signal back (1024/256, Tacotron normalisation)', async () => {
    const e = await getEngine();
    const x = randArray(256 * 12, 5, 0.5);
    const t = e.upload(x, [x.length]);
    const y = await e.readF32(istft(e, stft(e, t)));
    assertClose(y, x, 1e-5, 'round trip');
  });

  it('round trip with n_fft 64, hop 16; zero strength denoising changes nothing', async () => {
    const e = await getEngine();
    const x = randArray(16 * 9, 8);
    const t = e.upload(x, [x.length]);
    const spec = stft(e, t, { nFft: 64, hop: 16 });
    const same = denoiseSpectrum(e, spec, e.upload(new Float32Array(33).fill(1), [33]), 0);
    assertClose(await e.readF32(istft(e, same, { nFft: 64, hop: 16 })), x, 1e-5, 'round trip');
  });

  it('windows of frames (frame0 / out0) give the same samples as the whole inverse', async () => {
    const e = await getEngine();
    const o = { nFft: 64, hop: 16 };
    const x = randArray(16 * 20 + 5, 21);
    const t = e.upload(x, [x.length]);
    const total = 1 + Math.floor(x.length / 16);
    const whole = await e.readF32(istft(e, stft(e, t, o), o));
    const out = e.upload(new Float32Array(whole.length + 3), [whole.length + 3]);
    for (const [a, n] of [[0, 50], [50, 100], [150, whole.length - 150]] as const) {
      const f0 = Math.max(0, Math.ceil((a + 32 - 63) / 16));
      const f1 = Math.min(total - 1, Math.floor((a + n - 1 + 32) / 16));
      const spec = stft(e, t, { ...o, frame0: f0, frames: f1 - f0 + 1 });
      istft(e, spec, { ...o, frame0: f0, totalFrames: total, out0: a, outLen: n, out, dst: a + 3 });
    }
    assertClose((await e.readF32(out)).subarray(3), whole, 1e-6, 'windowed');
    await assertRejects(() => istft(e, stft(e, t, { ...o, frame0: 5, frames: 4 }), { ...o, frame0: 5, totalFrames: total, out0: 40, outLen: 40 }), /need frames \[1, 6\], the spectrum holds \[5, 9\)/);
  });

  it('names the problem for too short a signal', async () => {
    const e = await getEngine();
    await assertRejects(() => stft(e, e.upload(new Float32Array(100), [100])), /100 samples are too few for reflect padding by 512/);
  });
});

describe('mel spectrogram (golden: mel-stft)', () => {
  it('filterbank equals librosa.filters.mel (slaney) used by the reference', async () => {
    const g = loadCheckpoint(await readGolden('mel-stft.safetensors'));
    assertClose(melFilterbank({ sampleRate: 22050, nFft: 1024, nMels: 80, fmin: 0, fmax: 8000 }), toFloat32(g.tensors.get('mel_basis')!), 1e-5, 'mel_basis');
  });

  it('reproduces TacotronSTFT.mel_spectrogram', async () => {
    const e = await getEngine();
    const g = loadCheckpoint(await readGolden('mel-stft.safetensors'));
    const audio = toFloat32(g.tensors.get('input.audio')!);
    const mel = melSpectrogram(e, e.upload(audio, [audio.length]));
    assertArrayEqual(mel.shape, [80, 44], 'mel shape');
    assertClose(await e.readF32(mel), toFloat32(g.tensors.get('output.mel')!), 1e-3, 'mel');
  });
});
