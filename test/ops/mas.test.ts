import { gaussianLogLikelihood, maskLengths, maximumPath } from '../../src/ops/mas.js';
import { assert, assertArrayEqual, assertClose, assertEqual, assertRejects, randArray, rng } from '../helpers/check.js';
import { getEngine } from '../helpers/engine.js';
import { logLikelihoodRef, maximumPathRef } from '../reference/mas.js';

function checkMonotonic(path: Float32Array, cols: number, tx: number, ty: number): void {
  let prev = 0;
  for (let j = 0; j < ty; j++) {
    let on = -1;
    for (let i = 0; i < tx; i++) {
      if (path[i * cols + j] === 1) {
        assert(on < 0, `frame ${j} is on two tokens`);
        on = i;
      }
    }
    assert(on >= 0, `frame ${j} has no token`);
    assert(on === prev || on === prev + 1 || (j === 0 && on === 0), `frame ${j} jumps from token ${prev} to ${on}`);
    prev = on;
  }
  assertEqual(prev, tx - 1, 'last token');
}

describe('maximumPath (monotonic alignment search)', () => {
  for (const [rows, cols, tx, ty] of [[1, 1, 1, 1], [5, 5, 5, 5], [7, 30, 7, 30], [9, 23, 7, 20], [70, 150, 65, 141], [3, 200, 1, 200]] as const) {
    it(`${tx} tokens × ${ty} frames in [${rows}, ${cols}]`, async () => {
      const e = await getEngine();
      const value = randArray(rows * cols, rows * 31 + cols, 3);
      const got = await e.readF32(maximumPath(e, e.upload(value, [rows, cols]), tx, ty));
      const want = maximumPathRef(value, rows, cols, tx, ty);
      assertArrayEqual(got, want, 'path');
      checkMonotonic(got, cols, tx, ty);
    });
  }

  it('keeps the original tie rule (stay on the token when both moves score the same)', async () => {
    const e = await getEngine();
    // All-equal values: every move ties; backtracking from the end stays on the last token as
    // long as it can, so the last token takes every spare frame.
    const [tx, ty] = [4, 9];
    const got = await e.readF32(maximumPath(e, e.upload(new Float32Array(tx * ty).fill(-1), [tx, ty])));
    assertArrayEqual(got, maximumPathRef(new Float32Array(tx * ty).fill(-1), tx, ty, tx, ty), 'path');
    const onLast = Array.from({ length: ty }, (_, j) => got[(tx - 1) * ty + j]!).reduce((a, b) => a + b, 0);
    assertEqual(onLast, ty - tx + 1, 'frames on the last token');
  });

  it('integer-valued scores (many exact ties) match the reference', async () => {
    const e = await getEngine();
    const r = rng(5);
    const [tx, ty] = [13, 40];
    const value = Float32Array.from({ length: tx * ty }, () => Math.floor(r() * 3));
    const got = await e.readF32(maximumPath(e, e.upload(value, [tx, ty])));
    assertArrayEqual(got, maximumPathRef(value, tx, ty, tx, ty), 'path');
  });

  it('reads the lengths from a mask as the original does', () => {
    const mask = new Float32Array(4 * 6);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 5; j++) mask[i * 6 + j] = 1;
    const { tokens, frames } = maskLengths(mask, 4, 6);
    assertEqual(tokens, 3, 'tokens');
    assertEqual(frames, 5, 'frames');
  });

  it('refuses more tokens than frames', async () => {
    const e = await getEngine();
    await assertRejects(() => maximumPath(e, e.upload(new Float32Array(12), [4, 3])), /4 tokens cannot be aligned to only 3 frames/);
  });
});

describe('gaussianLogLikelihood', () => {
  for (const meanOnly of [true, false]) {
    it(`matches the reference (${meanOnly ? 'mean only' : 'with log-stds'})`, async () => {
      const e = await getEngine();
      const [d, tx, ty] = [10, 7, 33];
      const m = randArray(d * tx, 1, 2);
      const logs = meanOnly ? null : randArray(d * tx, 2, 0.5);
      const z = randArray(d * ty, 3, 2);
      const got = await e.readF32(gaussianLogLikelihood(e, e.upload(m, [d, tx]), logs ? e.upload(logs, [d, tx]) : undefined, e.upload(z, [d, ty])));
      assertClose(got, logLikelihoodRef(m, logs, z, d, tx, ty), 1e-5);
    });
  }
});
