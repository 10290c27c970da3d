import { softmax } from '../../src/ops/softmax.js';
import { assertClose, assertRejects, randArray, rng } from '../helpers/check.js';
import { getEngine } from '../helpers/engine.js';
import { softmaxRef } from '../reference/softmax.js';

// exp and a sum of ≤ 1000 positive terms in f32: relative error ~1e-6.
const TOL = 1e-5;

function randMask(n: number, seed: number, pKeep = 0.7): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => (r() < pKeep ? 1 : 0));
}

describe('softmax', () => {
  for (const kernel of ['serial', 'wg'] as const) {
    for (const [rows, len] of [[1, 1], [3, 7], [1, 333], [70, 19], [5, 1000]] as const) {
      it(`[${rows}, ${len}] scale 0.3, no mask (${kernel})`, async () => {
        const e = await getEngine();
        const x = randArray(rows * len, rows * 3 + len, 20); // large logits: exercises max-subtraction
        const y = softmax(e, e.upload(x, [rows, len]), { scale: 0.3, kernel });
        assertClose(await e.readF32(y), softmaxRef(x, rows, len, { scale: 0.3 }), TOL);
      });
    }

    it(`[9, 41] with a [9, 41] f32 mask, value -1e4 (${kernel}, workgroup 16)`, async () => {
      const e = await getEngine();
      const x = randArray(9 * 41, 1, 4);
      const m = randMask(9 * 41, 2);
      m.fill(0, 41, 82); // row 1 fully masked → uniform, like torch
      const y = softmax(e, e.upload(x, [9, 41]), { mask: e.upload(m, [9, 41]), kernel, workgroup: 16 });
      const got = await e.readF32(y);
      assertClose(got, softmaxRef(x, 9, 41, { mask: m }), TOL);
      assertClose(got.subarray(41, 82), new Float32Array(41).fill(1 / 41), TOL, 'fully masked row');
    });

    it(`[2·5, 13] with a broadcast [5, 13] i32 mask and -Infinity (${kernel})`, async () => {
      const e = await getEngine();
      const x = randArray(10 * 13, 3, 4);
      const m = randMask(5 * 13, 4);
      m.fill(0, 26, 39); // mask row 2 (score rows 2 and 7) fully masked → zeros, not NaN
      const mi = Int32Array.from(m);
      const y = softmax(e, e.upload(x, [2, 5, 13]), { mask: e.upload(mi, [5, 13]), maskValue: -Infinity, scale: 1.7, kernel });
      const got = await e.readF32(y);
      assertClose(got, softmaxRef(x, 10, 13, { mask: m, maskValue: -Infinity, scale: 1.7 }), TOL);
      for (const r of [2, 7]) assertClose(got.subarray(r * 13, r * 13 + 13), new Float32Array(13), 0, `fully masked row ${r}`);
    });
  }

  it('one [L] mask over all rows', async () => {
    const e = await getEngine();
    const x = randArray(4 * 29, 5);
    const m = randMask(29, 6);
    const y = softmax(e, e.upload(x, [4, 29]), { mask: e.upload(m, [29]) });
    assertClose(await e.readF32(y), softmaxRef(x, 4, 29, { mask: m }), TOL);
  });

  it('names the op and the shapes on a bad mask', async () => {
    const e = await getEngine();
    const x = e.upload(new Float32Array(12), [3, 4]);
    await assertRejects(() => softmax(e, x, { mask: e.upload(new Float32Array(8), [2, 4]) }), /softmax: mask \[2, 4\] does not fit scores \[3, 4\]/);
    await assertRejects(() => softmax(e, x, { mask: e.upload(new Float32Array(3), [3]) }), /softmax: mask \[3\] does not fit scores \[3, 4\]/);
    await assertRejects(() => softmax(e, x, { maskValue: NaN }), /softmax: maskValue must be finite or -Infinity/);
  });
});
