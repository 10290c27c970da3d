import {
  gatherColumns, glu, layerNormChannels, lengthRegulate, lightweightConv, roundDurations, scln,
} from '../../src/ops/lconv.js';
import { assertArrayEqual, assertClose, assertRejects, randArray } from '../helpers/check.js';
import { getEngine } from '../helpers/engine.js';

const TOL = 1e-5;
const sig = (x: number): number => 1 / (1 + Math.exp(-x));

/** fairseq LightweightConv1dTBC on channels-first x [C, T], float64. */
function lconvRef(x: Float32Array, c: number, t: number, w: Float32Array, heads: number, k: number, padL: number, softmax: boolean): Float64Array {
  const y = new Float64Array(c * t);
  const wn = new Float64Array(w);
  if (softmax) {
    for (let h = 0; h < heads; h++) {
      const row = Array.from(w.subarray(h * k, (h + 1) * k));
      const m = Math.max(...row);
      const s = row.reduce((a, v) => a + Math.exp(v - m), 0);
      for (let j = 0; j < k; j++) wn[h * k + j] = Math.exp(row[j]! - m) / s;
    }
  }
  for (let ch = 0; ch < c; ch++) {
    const h = Math.floor(ch / (c / heads));
    for (let i = 0; i < t; i++) {
      let s = 0;
      for (let j = 0; j < k; j++) {
        const src = i + j - padL;
        if (src >= 0 && src < t) s += wn[h * k + j]! * x[ch * t + src]!;
      }
      y[ch * t + i] = s;
    }
  }
  return y;
}

function normRef(x: Float32Array, c: number, t: number, gain: ArrayLike<number>, bias: ArrayLike<number>, eps: number, sclnMode: boolean): Float64Array {
  const y = new Float64Array(c * t);
  for (let i = 0; i < t; i++) {
    let mean = 0;
    for (let ch = 0; ch < c; ch++) mean += x[ch * t + i]!;
    mean /= c;
    let sq = 0;
    for (let ch = 0; ch < c; ch++) sq += (x[ch * t + i]! - mean) ** 2;
    const inv = sclnMode ? 1 / (Math.sqrt(sq / (c - 1)) + eps) : 1 / Math.sqrt(sq / c + eps);
    for (let ch = 0; ch < c; ch++) y[ch * t + i] = gain[ch]! * (x[ch * t + i]! - mean) * inv + bias[ch]!;
  }
  return y;
}

describe('lconv', () => {
  for (const [c, t, heads, k, padL] of [[12, 37, 3, 5, 2], [64, 9, 8, 15, 7], [4, 70, 2, 3, 1], [6, 11, 2, 4, 0], [8, 1, 4, 3, 1]] as const) {
    it(`lightweight conv C=${c} T=${t} H=${heads} K=${k} padding_l=${padL}`, async () => {
      const e = await getEngine();
      const x = randArray(c * t, c + t, 2);
      const w = randArray(heads * k, k + 1, 3);
      const y = lightweightConv(e, e.upload(x, [c, t]), e.upload(w, [heads, 1, k]), { paddingL: padL });
      assertClose(await e.readF32(y), lconvRef(x, c, t, w, heads, k, padL, true), TOL);
    });
  }

  it('without weight softmax, [H, K] weight, with a residual', async () => {
    const e = await getEngine();
    const [c, t, heads, k] = [10, 23, 5, 3];
    const x = randArray(c * t, 1);
    const w = randArray(heads * k, 2);
    const r = randArray(c * t, 3);
    const y = lightweightConv(e, e.upload(x, [c, t]), e.upload(w, [heads, k]), { weightSoftmax: false, residual: e.upload(r, [c, t]) });
    const want = lconvRef(x, c, t, w, heads, k, 1, false).map((v, i) => v + r[i]!);
    assertClose(await e.readF32(y), want, TOL);
  });

  it('glu over channels', async () => {
    const e = await getEngine();
    const [c, t] = [7, 19];
    const x = randArray(2 * c * t, 4, 4);
    const want = Array.from({ length: c * t }, (_, i) => x[i]! * sig(x[i + c * t]!));
    assertClose(await e.readF32(glu(e, e.upload(x, [2 * c, t]))), want, TOL);
  });

  it('layer norm over channels of x + residual (biased variance, eps inside the root)', async () => {
    const e = await getEngine();
    const [c, t] = [33, 17];
    const x = randArray(c * t, 5, 3);
    const r = randArray(c * t, 6);
    const g = randArray(c, 7);
    const b = randArray(c, 8);
    const sum = x.map((v, i) => v + r[i]!);
    const y = layerNormChannels(e, e.upload(x, [c, t]), e.upload(g, [c]), e.upload(b, [c]), 1e-5, e.upload(r, [c, t]));
    assertClose(await e.readF32(y), normRef(sum, c, t, g, b, 1e-5, false), TOL);
  });

  it('SCLN: unbiased std, eps on sigma, affine vector split [bias | gain]', async () => {
    const e = await getEngine();
    const [c, t] = [32, 13];
    const x = randArray(c * t, 9, 2);
    const aff = randArray(2 * c, 10);
    const y = scln(e, e.upload(x, [c, t]), e.upload(aff, [1, 2 * c]), 1e-8);
    assertClose(await e.readF32(y), normRef(x, c, t, aff.subarray(c), aff.subarray(0, c), 1e-8, true), TOL);
  });

  it('gathers columns and regulates lengths', async () => {
    const e = await getEngine();
    const [c, t] = [5, 6];
    const x = randArray(c * t, 11);
    const d = [2, 0, 1, 3, 0, 1];
    const idx: number[] = [];
    d.forEach((n, i) => { for (let r = 0; r < n; r++) idx.push(i); });
    const want = new Float32Array(c * idx.length);
    for (let ch = 0; ch < c; ch++) idx.forEach((s, j) => { want[ch * idx.length + j] = x[ch * t + s]!; });
    const y = lengthRegulate(e, e.upload(x, [c, t]), d);
    assertArrayEqual(y.shape, [c, 7], 'shape');
    assertClose(await e.readF32(y), want, 0);
    const g = gatherColumns(e, e.upload(x, [c, t]), e.upload(Int32Array.from([5, 0, 5]), [3]));
    assertClose(await e.readF32(g), Array.from({ length: c * 3 }, (_, i) => x[Math.floor(i / 3) * t + [5, 0, 5][i % 3]!]!), 0);
  });

  it('rounds durations like torch: exp(log_d) − 1, half to even, clamped at 0', () => {
    const logd = [Math.log(1.5), Math.log(2.5), Math.log(3.5), Math.log(4.6), -3, Math.log(1.4), Math.log(11)];
    assertArrayEqual(Array.from(roundDurations(logd)), [0, 2, 2, 4, 0, 0, 10], 'durations');
  });

  it('names the problem on bad shapes', async () => {
    const e = await getEngine();
    await assertRejects(() => lightweightConv(e, e.upload(new Float32Array(30), [10, 3]), e.upload(new Float32Array(9), [3, 1, 3])),
      /lightweightConv: 10 channels do not split into 3 heads/);
    await assertRejects(() => glu(e, e.upload(new Float32Array(9), [3, 3])), /glu: channel count 3 is odd/);
    await assertRejects(() => scln(e, e.upload(new Float32Array(12), [4, 3]), e.upload(new Float32Array(6), [6])), /scln: affine vector \[6\] should have 2·4/);
  });
});
