import { linear, matmul, type Tile } from '../../src/ops/matmul.js';
import { assertClose, assertRejects, randArray } from '../helpers/check.js';
import { getEngine } from '../helpers/engine.js';
import { HALF_TOL, halfWeights, onHalf } from '../helpers/half.js';
import { matmulRef } from '../reference/matmul.js';

// f32 accumulation over K terms of magnitude ≤ 1: relative error stays near 1e-6.
const TOL = 1e-5;

describe('matmul', () => {
  for (const [m, n, k] of [[1, 1, 1], [7, 13, 5], [33, 65, 17], [70, 3, 129]] as const) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        it(`${m}x${k} · ${k}x${n} transA=${transA} transB=${transB}`, async () => {
          const e = await getEngine();
          const a = randArray(m * k, m + 7 * k);
          const b = randArray(k * n, n + 3 * k + 1);
          const ta = e.upload(a, transA ? [k, m] : [m, k]);
          const tb = e.upload(b, transB ? [n, k] : [k, n]);
          const y = matmul(e, ta, tb, { transA, transB });
          assertClose(await e.readF32(y), matmulRef(a, b, m, n, k, { transA, transB }), TOL);
          for (const t of [ta, tb, y]) t.release();
        });
      }
    }
  }

  // The workgroup-memory variant (hardware adapters), forced so every adapter runs it: odd
  // shapes across several 64×64 blocks and 16-deep K slices, every layout.
  for (const [m, n, k] of [[1, 1, 1], [70, 65, 17], [129, 67, 33], [5, 130, 200]] as const) {
    for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      it(`workgroup-memory tiles: ${m}x${k} · ${k}x${n} transA=${transA} transB=${transB}`, async () => {
        const e = await getEngine();
        const a = randArray(m * k, m + 5 * k);
        const b = randArray(k * n, n + 11 * k);
        const bias = randArray(n, 9);
        const y = matmul(e, e.upload(a, transA ? [k, m] : [m, k]), e.upload(b, transB ? [n, k] : [k, n]), {
          transA, transB, bias: e.upload(bias, [n]), activation: 'relu', variant: 'workgroup',
        });
        assertClose(await e.readF32(y), matmulRef(a, b, m, n, k, { transA, transB, bias, act: (v) => Math.max(v, 0) }), TOL);
      });
    }
  }

  it('workgroup-memory tiles: batched, broadcast weight, per-row bias', async () => {
    const e = await getEngine();
    const [batch, m, n, k] = [3, 67, 70, 21];
    const a = randArray(m * k, 11);
    const b = randArray(batch * k * n, 12);
    const bias = randArray(m, 13);
    const y = matmul(e, e.upload(a, [m, k]), e.upload(b, [batch, k, n]), { bias: e.upload(bias, [m]), biasOnRows: true, variant: 'workgroup' });
    const got = await e.readF32(y);
    for (let i = 0; i < batch; i++) {
      const want = matmulRef(a, b.subarray(i * k * n, (i + 1) * k * n), m, n, k, { bias, biasOnRows: true });
      assertClose(got.subarray(i * m * n, (i + 1) * m * n), want, TOL, `batch ${i}`);
    }
  });

  // The subgroup variant (CPU drivers with fixed-size subgroups: lavapipe), forced: shapes that
  // leave partial row and column groups, rows that start off a vec4 (K or N not a multiple of
  // 4), K shorter than a vec4; every column tile nt picks (TN4 1..4). Adapters without
  // fixed-size subgroups must refuse it clearly.
  for (const [m, n, k, transB] of [
    [1, 4, 4, false], [37, 44, 20, false], [70, 132, 36, false], [9, 260, 8, false], [37, 13, 7, false], [5, 3, 130, false], [3, 5, 2, false],
    [1, 1, 4, true], [37, 13, 20, true], [5, 67, 132, true], [70, 29, 12, true], [37, 13, 21, true], [70, 29, 3, true],
  ] as const) {
    it(`subgroup tiles: ${m}x${k} · ${k}x${n} transB=${transB}, bias and tanh`, async () => {
      const e = await getEngine();
      const a = randArray(m * k, m + 3 * k);
      const b = randArray(k * n, n + 5 * k);
      const bias = randArray(n, 4);
      const run = (): ReturnType<typeof matmul> =>
        matmul(e, e.upload(a, [m, k]), e.upload(b, transB ? [n, k] : [k, n]), { transB, bias: e.upload(bias, [n]), activation: 'tanh', variant: 'subgroup' });
      if (e.subgroupSize === 0) {
        await assertRejects(run, /subgroup kernel needs fixed-size subgroups/);
        return;
      }
      assertClose(await e.readF32(run()), matmulRef(a, b, m, n, k, { transB, bias, act: Math.tanh }), TOL);
    });
  }

  it('subgroup tiles: batched both ways, per-row bias', async () => {
    const e = await getEngine();
    if (e.subgroupSize === 0) {
      await assertRejects(() => matmul(e, e.upload(new Float32Array(16), [4, 4]), e.upload(new Float32Array(16), [4, 4]), { variant: 'subgroup' }), /subgroup/);
      return;
    }
    const [batch, m, n, k] = [3, 19, 13, 7];
    const a = randArray(batch * m * k, 21);
    const b = randArray(k * n, 22);
    const bias = randArray(m, 23);
    for (const transB of [false, true]) {
      const y = matmul(e, e.upload(a, [batch, m, k]), e.upload(b, transB ? [n, k] : [k, n]), { transB, bias: e.upload(bias, [m]), biasOnRows: true, variant: 'subgroup' });
      const got = await e.readF32(y);
      for (let i = 0; i < batch; i++) {
        const want = matmulRef(a.subarray(i * m * k, (i + 1) * m * k), b, m, n, k, { transB, bias, biasOnRows: true });
        assertClose(got.subarray(i * m * n, (i + 1) * m * n), want, TOL, `transB=${transB} batch ${i}`);
      }
    }
  });

  it('batched, with a broadcast weight, per-row bias and tanh', async () => {
    const e = await getEngine();
    const [batch, m, n, k] = [3, 9, 11, 6];
    const a = randArray(m * k, 1);
    const b = randArray(batch * k * n, 2);
    const bias = randArray(m, 3);
    const y = matmul(e, e.upload(a, [m, k]), e.upload(b, [batch, k, n]), { bias: e.upload(bias, [m]), biasOnRows: true, activation: 'tanh' });
    const got = await e.readF32(y);
    for (let i = 0; i < batch; i++) {
      const want = matmulRef(a, b.subarray(i * k * n, (i + 1) * k * n), m, n, k, { bias, biasOnRows: true, act: Math.tanh });
      assertClose(got.subarray(i * m * n, (i + 1) * m * n), want, TOL, `batch ${i}`);
    }
  });

  it('linear (torch layout) with bias and relu', async () => {
    const e = await getEngine();
    const [rows, inF, outF] = [5, 19, 10];
    const x = randArray(rows * inF, 4);
    const w = randArray(outF * inF, 5);
    const bias = randArray(outF, 6);
    const y = linear(e, e.upload(x, [rows, inF]), e.upload(w, [outF, inF]), e.upload(bias, [outF]), 'relu');
    assertClose(await e.readF32(y), matmulRef(x, w, rows, outF, inF, { transB: true, bias, act: (v) => Math.max(v, 0) }), TOL);
  });

  it('names the shapes when inner dims differ', async () => {
    const e = await getEngine();
    await assertRejects(() => matmul(e, e.upload(new Float32Array(6), [2, 3]), e.upload(new Float32Array(8), [4, 2])), /matmul: inner dims differ: A \[2, 3\] · B \[4, 2\]/);
  });
});

// precision 'f16': the weight operand (A for a 1x1 conv W·x, B for a torch Linear) stored as f16,
// accumulated in f32. Against the reference on the f16-rounded weights only the summation order
// differs (TOL); against the f32 weights, the rounding's own error (HALF_TOL).
describe('matmul, f16 weights', () => {
  interface HalfCase {
    m: number;
    n: number;
    k: number;
    half: 'a' | 'b';
    trans: boolean;
    batch?: number;
    variant?: 'workgroup';
    tile?: Tile;
  }
  const cases: HalfCase[] = [
    ...([[7, 13, 5], [33, 65, 17], [70, 3, 129]] as const).flatMap(([m, n, k]) =>
      (['a', 'b'] as const).flatMap((half) => [false, true].map((trans) => ({ m, n, k, half, trans })))),
    { m: 3, n: 37, k: 203, half: 'b', trans: true, batch: 2 }, // the split-K mat-vec (rows_bt)
    { m: 70, n: 65, k: 17, half: 'a', trans: true, variant: 'workgroup' },
    { m: 129, n: 67, k: 33, half: 'b', trans: true, variant: 'workgroup' },
    { m: 35, n: 150, k: 13, half: 'a', trans: false, tile: { wx: 16, wy: 1, tm: 16, tn: 8 } },
    { m: 35, n: 150, k: 13, half: 'b', trans: true, tile: { wx: 8, wy: 8, tm: 4, tn: 4 } },
  ];
  for (const c of cases) {
    const how = c.variant ? 'workgroup-memory tiles' : c.tile ? `${c.tile.wx}x${c.tile.wy} of ${c.tile.tm}x${c.tile.tn}` : 'chosen tiles';
    it(`${c.batch ?? 1}×${c.m}x${c.k} · ${c.k}x${c.n}, f16 ${c.half.toUpperCase()}${c.trans ? 'ᵀ' : ''}, ${how}`, async () => {
      const e = await getEngine();
      const batch = c.batch ?? 1;
      const { m, n, k } = c;
      const x = randArray(batch * (c.half === 'a' ? k * n : m * k), m + 3 * n + k);
      const wf = randArray(c.half === 'a' ? m * k : k * n, m + n + 5 * k);
      const w = halfWeights(wf);
      const bias = randArray(c.half === 'a' ? m : n, 7);
      const transA = c.half === 'a' && c.trans;
      const transB = c.half === 'b' && c.trans;
      const wShape = c.half === 'a' ? (transA ? [k, m] : [m, k]) : transB ? [n, k] : [k, n];
      const xShape = c.half === 'a' ? [batch, k, n] : [batch, m, k];
      const o = { transA, transB, biasOnRows: c.half === 'a', activation: 'tanh' as const, variant: c.variant };
      const forced = c.tile ? { workgroup: [c.tile.wx, c.tile.wy] as [number, number], tile: [c.tile.tm, c.tile.tn] as [number, number] } : {};
      await onHalf(e, async () => {
        const [tw, tx] = [e.upload(w.bits, wShape), e.upload(x, xShape)];
        const y = c.half === 'a' ? matmul(e, tw, tx, { ...o, ...forced, bias: e.upload(bias, [m]) }) : matmul(e, tx, tw, { ...o, ...forced, bias: e.upload(bias, [n]) });
        const got = await e.readF32(y);
        for (let i = 0; i < batch; i++) {
          const xi = x.subarray(i * x.length / batch, (i + 1) * x.length / batch);
          const ref = (wv: Float32Array): Float32Array => (c.half === 'a' ? matmulRef(wv, xi, m, n, k, { ...o, bias, act: Math.tanh }) : matmulRef(xi, wv, m, n, k, { ...o, bias, act: Math.tanh }));
          const gi = got.subarray(i * m * n, (i + 1) * m * n);
          assertClose(gi, ref(w.rounded), TOL, `batch ${i}, f16-rounded weights`);
          assertClose(gi, ref(wf), HALF_TOL, `batch ${i}, f32 weights`);
        }
      });
    });
  }
});
