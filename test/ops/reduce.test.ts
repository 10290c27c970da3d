import { max, mean, sum } from '../../src/ops/reduce.js';
import { assertArrayEqual, assertClose, assertRejects, randArray } from '../helpers/check.js';
import { getEngine } from '../helpers/engine.js';
import { reduceRef } from '../reference/reduce.js';

// f32 sums of ≤ 2000 terms of magnitude ≤ 1 (some cancellation): relative error well under 1e-4.
const TOL = 1e-4;
const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

describe('reduce', () => {
  const cases: [number[], number][] = [[[1], 0], [[7], 0], [[13, 5], 0], [[13, 5], 1], [[3, 37, 11], 1], [[3, 37, 11], -1], [[2, 3, 5, 7], 2], [[4, 2000], 1]];
  for (const [shape, axis] of cases) {
    for (const kernel of ['cols', 'rows'] as const) {
      if (kernel === 'rows' && axis !== -1 && axis !== shape.length - 1) continue;
      it(`sum, mean and max over axis ${axis} of ${shape.join('×')} (${kernel})`, async () => {
        const e = await getEngine();
        const x = randArray(size(shape), size(shape) + axis);
        const t = e.upload(x, shape);
        const a = axis < 0 ? axis + shape.length : axis;
        const y = sum(e, t, axis, { kernel, workgroup: 32 });
        assertArrayEqual(y.shape, shape.filter((_, i) => i !== a), 'shape');
        assertClose(await e.readF32(y), reduceRef(x, shape, a, 'sum'), TOL, 'sum');
        assertClose(await e.readF32(mean(e, t, axis, { kernel })), reduceRef(x, shape, a, 'mean'), TOL, 'mean');
        assertClose(await e.readF32(max(e, t, axis, { kernel })), reduceRef(x, shape, a, 'max'), 0, 'max');
      });
    }
  }

  it('names the op and the shapes on bad arguments', async () => {
    const e = await getEngine();
    const x = e.upload(new Float32Array(6), [2, 3]);
    await assertRejects(() => sum(e, x, 2), /sum: axis 2 is out of range for \[2, 3\]/);
    await assertRejects(() => mean(e, e.upload(new Float32Array(0), [2, 0]), 1), /mean: axis 1 of \[2, 0\] is empty/);
    await assertRejects(() => sum(e, x, 0, { out: e.empty([2]) }), /sum: output \[2\] is not \[3\]/);
  });
});
