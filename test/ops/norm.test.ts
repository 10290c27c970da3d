import { instanceNorm, layerNorm } from '../../src/ops/norm.js';
import { assertClose, assertRejects, randArray } from '../helpers/check.js';
import { getEngine } from '../helpers/engine.js';
import { normRef } from '../reference/norm.js';

// Two-pass f32 statistics over ≤ 1000 values with an offset of 3: relative error ~1e-6.
const TOL = 2e-5;

describe('norm', () => {
  for (const [c, t] of [[1, 1], [7, 13], [192, 37], [5, 300]] as const) {
    it(`layerNorm channels-first [${c}, ${t}] with gamma/beta, eps 1e-4`, async () => {
      const e = await getEngine();
      const x = randArray(c * t, c + 3 * t);
      for (let i = 0; i < x.length; i++) x[i] = x[i]! * 2 + 3; // a non-zero mean
      const g = randArray(c, 2);
      const b = randArray(c, 3);
      const y = layerNorm(e, e.upload(x, [c, t]), e.upload(g, [c]), e.upload(b, [c]), { eps: 1e-4, axis: 'channels' });
      assertClose(await e.readF32(y), normRef(x, 1, c, t, { gamma: g, beta: b, eps: 1e-4 }), TOL);
    });
  }

  it('layerNorm channels-first batched [3, 11, 17], no affine', async () => {
    const e = await getEngine();
    const x = randArray(3 * 11 * 17, 4, 5);
    const y = layerNorm(e, e.upload(x, [3, 11, 17]), undefined, undefined, { eps: 1e-5 });
    assertClose(await e.readF32(y), normRef(x, 3, 11, 17, { eps: 1e-5 }), TOL);
  });

  for (const kernel of ['cols', 'rows'] as const) {
    for (const [rows, c] of [[1, 3], [9, 64], [5, 333], [70, 19]] as const) {
      it(`layerNorm last dim [${rows}, ${c}] (${kernel} kernel)`, async () => {
        const e = await getEngine();
        const x = randArray(rows * c, rows * 7 + c, 3);
        const g = randArray(c, 5);
        const b = randArray(c, 6);
        const y = layerNorm(e, e.upload(x, [rows, c]), e.upload(g, [c]), e.upload(b, [c]), { axis: 'last', kernel });
        assertClose(await e.readF32(y), normRef(x, rows, c, 1, { gamma: g, beta: b, eps: 1e-5 }), TOL);
      });
    }
  }

  it('layerNorm last dim of [2, 3, 64] with gamma only, unbiased std and eps on σ (SCLN)', async () => {
    const e = await getEngine();
    const x = randArray(2 * 3 * 64, 8);
    const g = randArray(64, 9);
    const y = layerNorm(e, e.upload(x, [2, 3, 64]), e.upload(g, [64]), undefined, { axis: 'last', eps: 1e-8, unbiased: true, epsOnStd: true });
    assertClose(await e.readF32(y), normRef(x, 6, 64, 1, { gamma: g, eps: 1e-8, unbiased: true, epsOnStd: true }), TOL);
  });

  for (const kernel of ['cols', 'rows'] as const) {
    for (const [b, c, t] of [[1, 7, 1], [1, 13, 29], [1, 5, 700], [2, 3, 45]] as const) {
      it(`instanceNorm [${b}, ${c}, ${t}] affine (${kernel} kernel, workgroup 32)`, async () => {
        const e = await getEngine();
        const x = randArray(b * c * t, b + c + t, 4);
        const g = randArray(c, 10);
        const bt = randArray(c, 11);
        const shape = b === 1 ? [c, t] : [b, c, t];
        const y = instanceNorm(e, e.upload(x, shape), e.upload(g, [c]), e.upload(bt, [c]), 1e-5, { kernel, workgroup: 32 });
        assertClose(await e.readF32(y), normRef(x, b * c, t, 1, { gamma: g, beta: bt, eps: 1e-5, byRow: c }), TOL);
      });
    }
  }

  it('instanceNorm without affine on a constant channel gives 0', async () => {
    const e = await getEngine();
    const x = new Float32Array(2 * 9).fill(4);
    for (let i = 9; i < 18; i++) x[i] = i;
    const y = await e.readF32(instanceNorm(e, e.upload(x, [2, 9])));
    assertClose(y, normRef(x, 2, 9, 1, { eps: 1e-5 }), TOL);
  });

  it('names the op and the shapes on bad input', async () => {
    const e = await getEngine();
    const x = e.upload(new Float32Array(12), [3, 4]);
    await assertRejects(() => layerNorm(e, x, e.upload(new Float32Array(4), [4])), /layerNorm\(channels\): gamma \[4\] should have 3 elements for input \[3, 4\]/);
    await assertRejects(() => layerNorm(e, x, undefined, e.upload(new Float32Array(3), [3]), { axis: 'last' }), /layerNorm\(last\): beta \[3\] should have 4 elements/);
    await assertRejects(() => layerNorm(e, e.upload(new Float32Array(2), [2])), /layerNorm\(channels\): input must be \[C, T\] or \[B, C, T\], got \[2\]/);
    await assertRejects(() => instanceNorm(e, e.upload(new Float32Array(24), [2, 3, 2, 2])), /instanceNorm: input must be \[C, T\] or \[B, C, T\], got \[2, 3, 2, 2\]/);
    await assertRejects(() => instanceNorm(e, x, e.upload(new Float32Array(4), [4])), /instanceNorm: gamma \[4\] should have 3 elements/);
    await assertRejects(() => instanceNorm(e, x, undefined, undefined, 1e-5, { out: x }), /instanceNorm: its output y \(binding 4\) shares a buffer with its input x \(binding 1\)/);
  });
});
