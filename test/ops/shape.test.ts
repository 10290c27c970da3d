import { concat, flip, pad, permute, slice } from '../../src/ops/shape.js';
import { assertArrayEqual, assertClose, assertRejects, randArray } from '../helpers/check.js';
import { getEngine } from '../helpers/engine.js';
import { concatRef, flipRef, padRef, permuteRef, sliceRef } from '../reference/shape.js';

// Data movement only: results must be bit-exact.
const EXACT = 0;
const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

describe('shape', () => {
  const shapes = [[7], [5, 3], [3, 1, 67], [2, 3, 5, 7]];

  for (const shape of shapes) {
    for (let axis = 0; axis < shape.length; axis++) {
      it(`concat 3 inputs along axis ${axis} of ${shape.join('×')}`, async () => {
        const e = await getEngine();
        const parts = [1, 4, 2].map((len, i) => {
          const s = shape.slice();
          s[axis] = len;
          return { data: randArray(size(s), 10 * i + axis), shape: s };
        });
        const y = concat(e, parts.map((p) => e.upload(p.data, p.shape)), axis);
        const want = concatRef(parts, axis);
        assertArrayEqual(y.shape, parts[0]!.shape.map((d, i) => (i === axis ? 7 : d)), 'shape');
        assertClose(await e.readF32(y), want, EXACT);
      });

      it(`slice, flip and pad along axis ${axis} of ${shape.join('×')}`, async () => {
        const e = await getEngine();
        const x = randArray(size(shape), axis + 100);
        const t = e.upload(x, shape);
        const n = shape[axis]!;
        const [s0, s1] = [Math.floor(n / 3), n - Math.floor(n / 4)];
        assertClose(await e.readF32(slice(e, t, axis, s0, s1)), sliceRef(x, shape, axis, s0, s1), EXACT, 'slice');
        assertClose(await e.readF32(slice(e, t, axis - shape.length, -1, n)), sliceRef(x, shape, axis, n - 1, n), EXACT, 'slice negative');
        assertClose(await e.readF32(flip(e, t, axis)), flipRef(x, shape, axis), EXACT, 'flip');
        const p = pad(e, t, axis, 2, 3, -0.5);
        assertArrayEqual(p.shape, shape.map((d, i) => (i === axis ? d + 5 : d)), 'pad shape');
        assertClose(await e.readF32(p), padRef(x, shape, axis, 2, 3, -0.5), EXACT, 'pad');
        assertClose(await e.readF32(pad(e, t, axis, 0, 1)), padRef(x, shape, axis, 0, 1, 0), EXACT, 'pad after only');
      });
    }
  }

  const perms: [number[], number[]][] = [
    [[4, 9], [1, 0]],
    [[3, 5, 7], [2, 0, 1]],
    [[3, 5, 7], [0, 2, 1]],
    [[2, 3, 5, 7], [3, 1, 0, 2]],
    [[2, 3, 5, 7], [0, 2, 1, 3]],
    [[6], [0]],
  ];
  for (const [shape, perm] of perms) {
    it(`permute ${shape.join('×')} by [${perm}]`, async () => {
      const e = await getEngine();
      const x = randArray(size(shape), shape.length * 31 + perm[0]!);
      const y = permute(e, e.upload(x, shape), perm);
      assertArrayEqual(y.shape, perm.map((p) => shape[p]!), 'shape');
      assertClose(await e.readF32(y), permuteRef(x, shape, perm), EXACT);
    });
  }

  it('moves i32 data bit-exactly and pads it with an integer', async () => {
    const e = await getEngine();
    const x = Int32Array.from({ length: 15 }, (_, i) => i * 1000003 - 7);
    const t = e.upload(x, [3, 5]);
    const y = pad(e, permute(e, t, [1, 0]), 1, 1, 0, -9);
    assertArrayEqual(y.shape, [5, 4], 'shape');
    assertArrayEqual(await e.read(y), Int32Array.from(padRef(permuteRef(x, [3, 5], [1, 0]), [5, 3], 1, 1, 0, -9)), 'i32');
    const c = concat(e, [t, t], 0);
    assertArrayEqual(await e.read(c), Int32Array.from([...x, ...x]), 'i32 concat');
  });

  it('an empty slice and an input of length 0 in a concat', async () => {
    const e = await getEngine();
    const a = randArray(6, 1);
    const ta = e.upload(a, [2, 3]);
    const empty = slice(e, ta, 1, 2, 2);
    assertArrayEqual(empty.shape, [2, 0], 'empty shape');
    const y = concat(e, [ta, empty], 1);
    assertClose(await e.readF32(y), a, EXACT);
  });

  it('names the op and the shapes on bad arguments', async () => {
    const e = await getEngine();
    const a = e.upload(new Float32Array(6), [2, 3]);
    const b = e.upload(new Float32Array(8), [2, 4]);
    await assertRejects(() => concat(e, [a, b], 0), /concat: shapes \[2, 3\], \[2, 4\] differ outside axis 0/);
    await assertRejects(() => concat(e, [a, e.upload(new Int32Array(6), [2, 3])], 0), /concat: dtypes differ/);
    await assertRejects(() => concat(e, [a], 2), /concat: axis 2 is out of range for \[2, 3\]/);
    await assertRejects(() => slice(e, a, 1, 2, 4), /slice: \[2, 4\) is outside axis 1 \(length 3\) of \[2, 3\]/);
    await assertRejects(() => permute(e, a, [0, 0]), /permute: \[0, 0\] is not a permutation of the 2 dims of \[2, 3\]/);
    await assertRejects(() => permute(e, e.upload(new Float32Array(32), [2, 2, 2, 2, 2]), [0, 1, 2, 3, 4]), /permute: rank 5 of \[2, 2, 2, 2, 2\] > 4/);
    await assertRejects(() => flip(e, a, -3), /flip: axis -3 is out of range for \[2, 3\]/);
    await assertRejects(() => pad(e, a, 0, -1, 0), /pad: padding \(-1, 0\) of \[2, 3\] must be non-negative/);
  });
});
