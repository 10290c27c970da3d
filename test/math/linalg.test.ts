import { FlowgpuError } from '../../src/gpu/errors.js';
import { invertMatrix } from '../../src/math/linalg.js';
import { assert, assertClose, randArray } from '../helpers/check.js';

function matmul(a: ArrayLike<number>, b: ArrayLike<number>, n: number): Float64Array {
  const y = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) y[i * n + j]! += a[i * n + k]! * b[k * n + j]!;
  return y;
}

const eye = (n: number): Float64Array => Float64Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0));

function throwsSingular(fn: () => unknown, pattern: RegExp): void {
  try {
    fn();
  } catch (err) {
    assert(err instanceof FlowgpuError, `expected a FlowgpuError, got ${String(err)}`);
    assert(pattern.test(err.message), `message "${err.message}" does not match ${pattern}`);
    return;
  }
  throw new Error('expected a throw');
}

describe('math/linalg invertMatrix', () => {
  for (const n of [1, 2, 3, 8, 12]) {
    it(`A·A⁻¹ = I for a random ${n}×${n} matrix`, () => {
      const a = randArray(n * n, 100 + n);
      const inv = invertMatrix(a, n, 'a');
      assertClose(matmul(a, inv, n), eye(n), 1e-10);
      assertClose(matmul(inv, a, n), eye(n), 1e-10);
    });
  }

  it('needs row exchanges (zero leading pivot) and keeps float64 precision', () => {
    const a = new Float64Array([0, 1, 0, 0, 0, 1, 1, 0, 0]); // a permutation: inverse is its transpose
    assertClose(invertMatrix(a, 3), new Float64Array([0, 0, 1, 1, 0, 0, 0, 1, 0]), 0);
    const b = Float32Array.from([2, 1, 1, 3]);
    assertClose(invertMatrix(b, 2), new Float64Array([0.6, -0.2, -0.2, 0.4]), 1e-15);
  });

  it('names the singular matrix', () => {
    throwsSingular(() => invertMatrix([1, 2, 2, 4], 2, 'flows.0.invconv'), /flows\.0\.invconv: the 2×2 matrix is singular/);
    throwsSingular(() => invertMatrix([0, 0, 0, 0], 2, 'zeros'), /zeros: the 2×2 matrix is singular/);
    throwsSingular(() => invertMatrix([1, Number.NaN, 0, 1], 2, 'nan'), /nan: the 2×2 matrix is singular/);
    throwsSingular(() => invertMatrix([1, 2, 3], 2, 'short'), /invertMatrix: short has 3 values, not the 2×2 = 4/);
  });
});
