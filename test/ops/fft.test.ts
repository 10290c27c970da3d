import { fftPlan, twiddles } from '../../src/ops/fft.js';
import { istft, stft } from '../../src/ops/stft.js';
import { assertClose, assertEqual, assertRejects, randArray } from '../helpers/check.js';
import { getEngine } from '../helpers/engine.js';
import { istftRef, stftRef } from '../reference/stft.js';

const LIMITS = { maxComputeWorkgroupStorageSize: 16384, maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupSizeX: 256 };

describe('fft (real FFT in workgroup memory, through the STFT kernels)', () => {
  it('every power-of-two size 4 … 4096 matches the float64 DFT on an odd number of frames', async () => {
    const e = await getEngine();
    for (let nFft = 4; nFft <= 4096; nFft *= 2) {
      const hop = Math.max(1, nFft / 2);
      const x = randArray(hop * 2 + 3, nFft, 0.7); // 3 frames
      const { re, im } = stftRef(x, nFft, hop);
      const got = await e.readF32(stft(e, e.upload(x, [x.length]), { nFft, hop }));
      const want = new Float32Array(2 * re.length);
      want.set(re);
      want.set(im, re.length);
      assertClose(got, want, 2e-6 * Math.log2(nFft), `n_fft ${nFft}`);
    }
  });

  it('the inverse matches the float64 reference for any spectrum (imaginary DC/Nyquist ignored), odd frame counts', async () => {
    const e = await getEngine();
    for (const [nFft, hop, frames] of [[8, 2, 7], [64, 16, 11], [512, 128, 5], [4096, 1024, 3]] as const) {
      const bins = nFft / 2 + 1;
      const spec = randArray(2 * bins * frames, nFft + frames);
      const re = Float64Array.from(spec.subarray(0, bins * frames));
      const im = Float64Array.from(spec.subarray(bins * frames));
      const got = await e.readF32(istft(e, e.upload(spec, [2, bins, frames]), { nFft, hop }));
      assertClose(got, istftRef(re, im, frames, nFft, hop), 2e-6 * Math.log2(nFft), `n_fft ${nFft}, ${frames} frames`);
    }
  });

  it('more frames than one grid dimension holds (70 002, over a 2-D grid of workgroups) gives every frame', async () => {
    const e = await getEngine();
    const x = randArray(70001, 3);
    const { re, im, frames } = stftRef(x, 4, 1);
    assertEqual(frames, 70002, 'frames');
    const got = await e.readF32(stft(e, e.upload(x, [x.length]), { nFft: 4, hop: 1 }));
    const want = new Float32Array(2 * re.length);
    want.set(re);
    want.set(im, re.length);
    assertClose(got, want, 1e-6, 're|im');
  });

  it('plans: workgroup size within the adapter limits; sizes it cannot hold are named', async () => {
    assertEqual(fftPlan(LIMITS, 1024).wg, 64, 'wg at 1024');
    assertEqual(fftPlan(LIMITS, 16).wg, 4, 'wg at 16');
    assertEqual(fftPlan({ ...LIMITS, maxComputeInvocationsPerWorkgroup: 32 }, 4096).wg, 32, 'wg capped');
    await assertRejects(() => fftPlan(LIMITS, 1000), /n_fft 1000 must be a power of two/);
    await assertRejects(() => fftPlan(LIMITS, 8192), /n_fft 8192 needs 32768 bytes of workgroup memory, this adapter allows 16384 \(n_fft ≤ 4096\)/);
    await assertRejects(() => fftPlan({ ...LIMITS, maxComputeWorkgroupStorageSize: 8192 }, 4096), /n_fft ≤ 2048/);
    const e = await getEngine();
    await assertRejects(() => stft(e, e.upload(new Float32Array(100), [100]), { nFft: 48 }), /stft: n_fft 48 must be a power of two/);
  });

  it('twiddles are e^{-2πij/n} for j ≤ n/2', () => {
    const t = twiddles(8);
    assertClose(t, [1, 0, Math.SQRT1_2, -Math.SQRT1_2, 0, -1, -Math.SQRT1_2, -Math.SQRT1_2, -1, 0], 1e-7, 'n = 8');
  });
});
