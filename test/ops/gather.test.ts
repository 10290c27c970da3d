import { embedding } from '../../src/ops/gather.js';
import { assertArrayEqual, assertClose, assertRejects, randArray, rng } from '../helpers/check.js';
import { getEngine } from '../helpers/engine.js';
import { embeddingRef } from '../reference/gather.js';

// A lookup is exact; with a scale, one f32 multiply.
const TOL = 1e-7;

function randIds(n: number, vocab: number, seed: number): Int32Array {
  const r = rng(seed);
  return Int32Array.from({ length: n }, () => Math.floor(r() * vocab));
}

describe('gather', () => {
  for (const [n, vocab, dim] of [[1, 1, 1], [37, 185, 13], [300, 7, 192]] as const) {
    it(`embedding of ${n} ids from [${vocab}, ${dim}] (tensor ids)`, async () => {
      const e = await getEngine();
      const table = randArray(vocab * dim, vocab + dim);
      const ids = randIds(n, vocab, n);
      const y = embedding(e, e.upload(ids, [n]), e.upload(table, [vocab, dim]));
      assertArrayEqual(y.shape, [n, dim], 'shape');
      assertClose(await e.readF32(y), embeddingRef(ids, table, dim), 0);
    });
  }

  it('host ids, scaled by √192, channels-first [D, N]', async () => {
    const e = await getEngine();
    const [vocab, dim] = [40, 19];
    const table = randArray(vocab * dim, 1);
    const ids = [0, 39, 5, 5, 17, 2, 38];
    const y = embedding(e, ids, e.upload(table, [vocab, dim]), { scale: Math.sqrt(192), channelsFirst: true });
    assertArrayEqual(y.shape, [dim, ids.length], 'shape');
    assertClose(await e.readF32(y), embeddingRef(ids, table, dim, { scale: Math.sqrt(192), channelsFirst: true }), TOL);
  });

  it('keeps the ids shape: [1, 9] ids → [1, 9, D]', async () => {
    const e = await getEngine();
    const table = randArray(10 * 4, 2);
    const ids = randIds(9, 10, 3);
    const y = embedding(e, e.upload(ids, [1, 9]), e.upload(table, [10, 4]));
    assertArrayEqual(y.shape, [1, 9, 4], 'shape');
    assertClose(await e.readF32(y), embeddingRef(ids, table, 4), 0);
  });

  it('a device-side out-of-range id gives zeros, never an out-of-bounds read', async () => {
    const e = await getEngine();
    const table = randArray(6 * 5, 4);
    const ids = Int32Array.from([1, -1, 6, 1000000, 5]);
    const y = embedding(e, e.upload(ids, [5]), e.upload(table, [6, 5]));
    const got = await e.readF32(y);
    assertClose(got, embeddingRef(ids, table, 5), 0);
    assertClose(got.subarray(5, 20), new Float32Array(15), 0, 'rows of bad ids');
  });

  it('rejects bad host ids and shapes, naming the op', async () => {
    const e = await getEngine();
    const table = e.upload(new Float32Array(185 * 2), [185, 2]);
    await assertRejects(() => embedding(e, [3, 185], table), /embedding: id 185 at position 1 is outside the table \[185, 2\] \(valid ids 0\.\.184\)/);
    await assertRejects(() => embedding(e, Int32Array.from([-2]), table), /embedding: id -2 at position 0/);
    await assertRejects(() => embedding(e, [1.5], table), /embedding: id 1.5 at position 0/);
    await assertRejects(() => embedding(e, [1], e.upload(new Float32Array(4), [4])), /embedding: table must be \[V, D\], got \[4\]/);
    await assertRejects(() => embedding(e, e.upload(new Float32Array(2), [2]), table), /embedding: ids Tensor<f32>\[2\] must be i32 or u32/);
  });
  it('embedding into columns [2, 8) of [9, 9] rows (Flowtron speaker vectors)', async () => {
    const e = await getEngine();
    const [T, C, V] = [9, 6, 10];
    const table = randArray(V * C, 30);
    const ids = new Int32Array([3, 0, 9, 1, 1, 4, 7, 2, 5]);
    const emb = e.upload(new Float32Array(T * (C + 3)), [T, C + 3]);
    embedding(e, e.upload(ids, [T]), e.upload(table, [V, C]), { out: emb, column: 2 });
    const got = await e.readF32(emb);
    for (let t = 0; t < T; t++) {
      assertClose(got.subarray(t * (C + 3) + 2, t * (C + 3) + 2 + C), table.subarray(ids[t]! * C, (ids[t]! + 1) * C), 0, `row ${t}`);
      assertClose(got.subarray(t * (C + 3), t * (C + 3) + 2), new Float32Array(2), 0, `untouched ${t}`);
      assertClose(got.subarray(t * (C + 3) + 2 + C, (t + 1) * (C + 3)), new Float32Array(1), 0, `untouched after ${t}`);
    }
  });

  it('rejects columns that do not fit', async () => {
    const e = await getEngine();
    const out = e.upload(new Float32Array(4 * 5), [4, 5]);
    await assertRejects(() => embedding(e, [0, 1, 2, 0], e.upload(new Float32Array(12), [3, 4]), { out, column: 2 }), /embedding: 4 rows of 4 at column 2 do not fit \[4, 5\]/);
  });
});
