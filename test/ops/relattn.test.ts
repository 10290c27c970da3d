import { relAttention } from '../../src/ops/relattn.js';
import { assertClose, assertRejects, randArray } from '../helpers/check.js';
import { getEngine } from '../helpers/engine.js';
import { relAttentionRef } from '../reference/relattn.js';

const TOL = 2e-5;

interface Case {
  name: string;
  heads: number;
  d: number;
  l: number;
  window?: number;
  relHeads?: number;
  length?: number;
  blockLength?: number;
  proximal?: boolean;
}

const cases: Case[] = [
  { name: 'shared tables, window 4, 21 frames (the golden shape)', heads: 2, d: 16, l: 21, window: 4 },
  { name: 'sequence shorter than the window (3 frames, window 4)', heads: 2, d: 5, l: 3, window: 4 },
  { name: 'one frame', heads: 1, d: 7, l: 1, window: 2 },
  { name: 'per-head tables (heads_share false), 3 heads', heads: 3, d: 6, l: 13, window: 2, relHeads: 3 },
  { name: 'no relative tables (window_size None)', heads: 4, d: 3, l: 70 },
  { name: 'masked tail (length 9 of 12)', heads: 2, d: 4, l: 12, window: 1, length: 9 },
  { name: 'block_length 2 and proximal bias', heads: 2, d: 4, l: 11, window: 3, blockLength: 2, proximal: true },
];

describe('relAttention', () => {
  for (const cs of cases) {
    it(cs.name, async () => {
      const e = await getEngine();
      const c = cs.heads * cs.d;
      const q = randArray(c * cs.l, 11 + cs.l, 1.5);
      const k = randArray(c * cs.l, 12 + cs.d, 1.5);
      const v = randArray(c * cs.l, 13 + c);
      const relHeads = cs.relHeads ?? 1;
      const span = 2 * (cs.window ?? 0) + 1;
      const relK = cs.window !== undefined ? randArray(relHeads * span * cs.d, 14, 0.8) : undefined;
      const relV = cs.window !== undefined ? randArray(relHeads * span * cs.d, 15, 0.8) : undefined;
      const r = relAttention(e, e.upload(q, [c, cs.l]), e.upload(k, [c, cs.l]), e.upload(v, [c, cs.l]), {
        heads: cs.heads,
        relK: relK && e.upload(relK, [relHeads, span, cs.d]),
        relV: relV && e.upload(relV, [relHeads, span, cs.d]),
        length: cs.length,
        blockLength: cs.blockLength,
        proximalBias: cs.proximal,
        keepProbs: true,
      });
      const ref = relAttentionRef(q, k, v, c, cs.l, {
        heads: cs.heads, relK, relV, relHeads, window: cs.window, length: cs.length, blockLength: cs.blockLength, proximal: cs.proximal,
      });
      const [out, probs] = await e.readMany([r.out, r.probs!]);
      assertClose(probs as Float32Array, ref.probs, TOL, 'probs');
      assertClose(out as Float32Array, ref.out, TOL, 'out');
    });
  }

  it('names the shapes when heads do not divide the channels', async () => {
    const e = await getEngine();
    const x = e.upload(new Float32Array(10 * 3), [10, 3]);
    await assertRejects(() => relAttention(e, x, x, x, { heads: 3 }), /relAttention: 10 channels do not split into 3 heads/);
    const t = e.upload(new Float32Array(9 * 4), [1, 9, 4]);
    await assertRejects(() => relAttention(e, x, x, x, { heads: 2, relK: t, relV: t }), /relative table \[1, 9, 4\] should be \[1 or 2, 2·window\+1, 5\]/);
  });
});
