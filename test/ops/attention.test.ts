import { attention } from '../../src/ops/attention.js';
import { assertArrayEqual, assertClose, assertRejects, randArray } from '../helpers/check.js';
import { getEngine } from '../helpers/engine.js';

const TOL = 1e-5;

/** Multi-head attention on time-major q [Tq, H·Dk], k [Tk, H·Dk], v [Tk, H·Dv], float64. */
function attnRef(
  q: ArrayLike<number>, k: ArrayLike<number>, v: ArrayLike<number>, tq: number, tk: number, h: number, dk: number, dv: number,
  scale: number, kvLen = tk,
): { out: Float64Array; probs: Float64Array } {
  const out = new Float64Array(tq * h * dv);
  const probs = new Float64Array(h * tq * tk);
  for (let hh = 0; hh < h; hh++) {
    for (let i = 0; i < tq; i++) {
      const s = Array.from({ length: tk }, (_, j) => {
        if (j >= kvLen) return -Infinity;
        let a = 0;
        for (let d = 0; d < dk; d++) a += q[i * h * dk + hh * dk + d]! * k[j * h * dk + hh * dk + d]!;
        return a * scale;
      });
      const m = Math.max(...s);
      const ex = s.map((x) => Math.exp(x - m));
      const sum = ex.reduce((a, b) => a + b, 0);
      for (let j = 0; j < tk; j++) probs[(hh * tq + i) * tk + j] = ex[j]! / sum;
      for (let d = 0; d < dv; d++) {
        let a = 0;
        for (let j = 0; j < tk; j++) a += (ex[j]! / sum) * v[j * h * dv + hh * dv + d]!;
        out[i * h * dv + hh * dv + d] = a;
      }
    }
  }
  return { out, probs };
}

function transpose(x: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const y = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) y[c * rows + r] = x[r * cols + c]!;
  return y;
}

describe('attention', () => {
  for (const [tq, tk, h, dk, dv] of [[13, 13, 2, 5, 5], [1, 4, 1, 32, 32], [70, 70, 4, 8, 8], [3, 9, 3, 4, 6]] as const) {
    it(`time-major Tq=${tq} Tk=${tk} heads=${h} dk=${dk} dv=${dv}, with probabilities`, async () => {
      const e = await getEngine();
      const q = randArray(tq * h * dk, tq + 1, 2);
      const k = randArray(tk * h * dk, tk + 2, 2);
      const v = randArray(tk * h * dv, dv + 3);
      const r = attnRef(q, k, v, tq, tk, h, dk, dv, 1 / Math.sqrt(dk));
      const { out, probs } = attention(e, e.upload(q, [tq, h * dk]), e.upload(k, [tk, h * dk]), e.upload(v, [tk, h * dv]),
        { heads: h, layout: 'time', returnProbs: true });
      assertArrayEqual(out.shape, [tq, h * dv], 'out shape');
      assertClose(await e.readF32(out), r.out, TOL, 'out');
      assertClose(await e.readF32(probs!), r.probs, TOL, 'probs');
    });
  }

  it('channels-first slices of one fused QKV projection, key padding mask, custom scale', async () => {
    const e = await getEngine();
    const [t, h, d, kvLen] = [11, 2, 3, 8];
    const c = h * d;
    const q = randArray(t * c, 21);
    const k = randArray(t * c, 22);
    const v = randArray(t * c, 23);
    const qkv = new Float32Array(3 * c * t);
    qkv.set(transpose(q, t, c), 0);
    qkv.set(transpose(k, t, c), c * t);
    qkv.set(transpose(v, t, c), 2 * c * t);
    const x = e.upload(qkv, [3 * c, t]);
    const { out } = attention(e, { t: x, offset: 0, width: c }, { t: x, offset: c * t, width: c }, { t: x, offset: 2 * c * t, width: c },
      { heads: h, scale: 0.7, kvLength: kvLen });
    assertArrayEqual(out.shape, [c, t], 'out shape');
    const r = attnRef(q, k, v, t, t, h, d, d, 0.7, kvLen);
    assertClose(await e.readF32(out), transpose(r.out, t, c), TOL);
  });

  it('names the problem on bad shapes', async () => {
    const e = await getEngine();
    const a = e.upload(new Float32Array(12), [6, 2]);
    await assertRejects(() => attention(e, a, a, a, { heads: 4 }), /attention: widths q 6 \/ v 6 do not split into 4 heads/);
    await assertRejects(() => attention(e, a, e.upload(new Float32Array(12), [4, 3]), a, { heads: 2 }), /attention: k has 3 frames but v has 2/);
  });
});
