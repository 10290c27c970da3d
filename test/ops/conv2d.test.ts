import { conv2d, convOutSize, foldBatchNorm } from '../../src/ops/conv2d.js';
import { gru } from '../../src/ops/rnn.js';
import { assertArrayEqual, assertClose, assertRejects, randArray } from '../helpers/check.js';
import { getEngine } from '../helpers/engine.js';

const TOL = 1e-5;
const sig = (x: number): number => 1 / (1 + Math.exp(-x));

interface Geo { cin: number; h: number; w: number; cout: number; kh: number; kw: number; s: [number, number]; p: [number, number]; d: [number, number] }

/** torch Conv2d on one image, float64, output [Cout, Ho, Wo]. */
function conv2dRef(x: Float32Array, wt: Float32Array, bias: Float32Array, g: Geo): { y: Float64Array; ho: number; wo: number } {
  const ho = convOutSize(g.h, g.kh, g.s[0], g.p[0], g.d[0]);
  const wo = convOutSize(g.w, g.kw, g.s[1], g.p[1], g.d[1]);
  const y = new Float64Array(g.cout * ho * wo);
  for (let c = 0; c < g.cout; c++) {
    for (let i = 0; i < ho; i++) {
      for (let j = 0; j < wo; j++) {
        let s = bias[c]!;
        for (let ci = 0; ci < g.cin; ci++) {
          for (let a = 0; a < g.kh; a++) {
            for (let b = 0; b < g.kw; b++) {
              const ih = i * g.s[0] - g.p[0] + a * g.d[0];
              const iw = j * g.s[1] - g.p[1] + b * g.d[1];
              if (ih < 0 || ih >= g.h || iw < 0 || iw >= g.w) continue;
              s += x[(ci * g.h + ih) * g.w + iw]! * wt[((c * g.cin + ci) * g.kh + a) * g.kw + b]!;
            }
          }
        }
        y[(c * ho + i) * wo + j] = s;
      }
    }
  }
  return { y, ho, wo };
}

describe('conv2d', () => {
  const cases: Geo[] = [
    { cin: 1, h: 40, w: 80, cout: 8, kh: 3, kw: 3, s: [2, 2], p: [1, 1], d: [1, 1] },
    { cin: 5, h: 7, w: 9, cout: 3, kh: 3, kw: 3, s: [2, 2], p: [1, 1], d: [1, 1] },
    { cin: 3, h: 11, w: 6, cout: 7, kh: 2, kw: 3, s: [1, 2], p: [0, 1], d: [2, 1] },
    { cin: 4, h: 1, w: 3, cout: 2, kh: 3, kw: 3, s: [2, 2], p: [1, 1], d: [1, 1] },
  ];
  for (const g of cases) {
    it(`Cin=${g.cin} ${g.h}×${g.w} → Cout=${g.cout}, k ${g.kh}×${g.kw}, stride ${g.s}, pad ${g.p}, dilation ${g.d}`, async () => {
      const e = await getEngine();
      const x = randArray(g.cin * g.h * g.w, g.h + g.w);
      const wt = randArray(g.cout * g.cin * g.kh * g.kw, g.cout + 1, 0.5);
      const b = randArray(g.cout, 3);
      const r = conv2dRef(x, wt, b, g);
      const y = conv2d(e, e.upload(x, [g.cin, g.h, g.w]), e.upload(wt, [g.cout, g.cin, g.kh, g.kw]), e.upload(b, [g.cout]),
        { stride: g.s, padding: g.p, dilation: g.d });
      assertArrayEqual(y.shape, [g.cout, r.ho, r.wo], 'shape');
      assertClose(await e.readF32(y), r.y, TOL);
    });
  }

  it('folded BatchNorm + ReLU, written [Ho, Cout, Wo]', async () => {
    const e = await getEngine();
    const g: Geo = { cin: 3, h: 9, w: 10, cout: 4, kh: 3, kw: 3, s: [2, 2], p: [1, 1], d: [1, 1] };
    const x = randArray(g.cin * g.h * g.w, 31);
    const wt = randArray(g.cout * g.cin * 9, 32);
    const b = randArray(g.cout, 33);
    const [gamma, beta, mean] = [randArray(4, 34), randArray(4, 35), randArray(4, 36)];
    const variance = randArray(4, 37).map((v) => Math.abs(v) + 0.2);
    const { scale, shift } = foldBatchNorm(b, gamma, beta, mean, variance, 1e-5);
    const r = conv2dRef(x, wt, b, g);
    const want = new Float64Array(r.y.length);
    for (let c = 0; c < g.cout; c++) {
      for (let i = 0; i < r.ho; i++) {
        for (let j = 0; j < r.wo; j++) {
          const bn = ((r.y[(c * r.ho + i) * r.wo + j]! - mean[c]!) / Math.sqrt(variance[c]! + 1e-5)) * gamma[c]! + beta[c]!;
          want[(i * g.cout + c) * r.wo + j] = Math.max(bn, 0);
        }
      }
    }
    const y = conv2d(e, e.upload(x, [1, g.cin, g.h, g.w]), e.upload(wt, [g.cout, g.cin, 3, 3]), e.upload(shift, [4]),
      { stride: 2, padding: 1, scale: e.upload(scale, [4]), activation: 'relu', outLayout: 'hcw' });
    assertArrayEqual(y.shape, [r.ho, g.cout, r.wo], 'shape');
    assertClose(await e.readF32(y), want, TOL);
  });

  it('the reference encoder GRU (rnn.ts gru, as CSET runs it; gates r, z, n) matches torch.nn.GRU', async () => {
    const e = await getEngine();
    const [steps, nin, h] = [3, 6, 5];
    const x = randArray(steps * nin, 41);
    const wih = randArray(3 * h * nin, 42, 0.5);
    const bih = randArray(3 * h, 43);
    const whh = randArray(3 * h * h, 44, 0.5);
    const bhh = randArray(3 * h, 45);
    const gi = new Float32Array(steps * 3 * h);
    for (let s = 0; s < steps; s++) {
      for (let r = 0; r < 3 * h; r++) {
        let a = bih[r]!;
        for (let k = 0; k < nin; k++) a += wih[r * nin + k]! * x[s * nin + k]!;
        gi[s * 3 * h + r] = a;
      }
    }
    let hRef = new Float64Array(h);
    for (let s = 0; s < steps; s++) {
      const gh = Array.from({ length: 3 * h }, (_, r) => {
        let a = bhh[r]!;
        for (let k = 0; k < h; k++) a += whh[r * h + k]! * hRef[k]!;
        return a;
      });
      hRef = hRef.map((hp, j) => {
        const rr = sig(gi[s * 3 * h + j]! + gh[j]!);
        const z = sig(gi[s * 3 * h + h + j]! + gh[h + j]!);
        const n = Math.tanh(gi[s * 3 * h + 2 * h + j]! + rr * gh[2 * h + j]!);
        return (1 - z) * n + z * hp;
      });
    }
    const { h: hh } = gru(e, e.upload(x, [steps, nin]), {
      wih: e.upload(wih, [3 * h, nin]), whh: e.upload(whh, [3 * h, h]), bih: e.upload(bih, [3 * h]), bhh: e.upload(bhh, [3 * h]),
    });
    assertClose(await e.readF32(hh), hRef, TOL);
  });

  it('names the problem on bad shapes', async () => {
    const e = await getEngine();
    await assertRejects(() => conv2d(e, e.upload(new Float32Array(2 * 4 * 4), [2, 4, 4]), e.upload(new Float32Array(27), [1, 3, 3, 3])),
      /conv2d: input \[2, 4, 4\] has 2 channels, weight \[1, 3, 3, 3\] expects 3/);
    await assertRejects(() => conv2d(e, e.upload(new Float32Array(4), [1, 2, 2]), e.upload(new Float32Array(9), [1, 1, 3, 3])),
      /conv2d: input \[1, 2, 2\] is too small for kernel 3×3/);
  });
});
