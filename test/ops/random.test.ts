import { randn, randomBits } from '../../src/ops/random.js';
import { assert, assertArrayEqual, assertClose, assertRejects } from '../helpers/check.js';
import { getEngine } from '../helpers/engine.js';
import { philox4x32_10, randnRef, randomBitsRef } from '../reference/random.js';

// Integer words are exact. Normals use the kernel's own log and cos/sin polynomials (accurate to a
// few f32 ulps; only sqrt and division are the driver's), so every adapter agrees to ~1e-6.
const TOL = 2e-6;

describe('random', () => {
  it('the reference Philox4x32-10 matches the Random123 known-answer vectors', () => {
    const hex = (w: number[]): string => w.map((v) => v.toString(16).padStart(8, '0')).join(' ');
    assert(hex(philox4x32_10([0, 0, 0, 0], [0, 0])) === '6627e8d5 e169c58d bc57ac4c 9b00dbd8', 'zero vector');
    assert(hex(philox4x32_10([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff])) === '408f276d 41c83b0e a20bc7c6 6d5451fd', 'ones vector');
    assert(hex(philox4x32_10([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0])) === 'd16cfe09 94fdcceb 5001e420 24126ea1', 'pi vector');
  });

  it('raw words are bit-exact against the reference, including a 64-bit seed and offset', async () => {
    const e = await getEngine();
    for (const [seed, offset, n] of [[0, 0, 1001], [1234, 7, 333], [2 ** 40 + 5, 2 ** 33 + 3, 77]] as const) {
      const got = await e.read(randomBits(e, [n], seed, { offset }));
      assertArrayEqual(got, randomBitsRef(n, seed, offset), `seed ${seed} offset ${offset}`);
    }
  });

  it('normals match the reference; same (seed, offset) reproduces, offsets continue the stream', async () => {
    const e = await getEngine();
    const a = await e.readF32(randn(e, [7, 143], 42));
    assertClose(a, randnRef(7 * 143, 42), TOL, 'vs reference');
    const again = await e.readF32(randn(e, [1001], 42));
    assertArrayEqual(again, a, 'same seed, same values');
    const tail = await e.readF32(randn(e, [500], 42, { offset: 501 }));
    assertArrayEqual(tail, a.subarray(501), 'offset continues the stream');
    const other = await e.readF32(randn(e, [1001], 43));
    let same = 0;
    for (let i = 0; i < other.length; i++) if (other[i] === a[i]) same++;
    assert(same === 0, `seed 43 repeats ${same} values of seed 42`);
    const scaled = await e.readF32(randn(e, [1001], 42, { scale: 0.6, mean: -1 }));
    assertClose(scaled, Array.from(a, (v) => v * 0.6 - 1), 1e-6, 'scale and mean');
  });

  it('100k samples: mean ≈ 0, variance ≈ 1, tails and pairwise correlation as for N(0, 1)', async () => {
    const e = await getEngine();
    const n = 100_003;
    const z = await e.readF32(randn(e, [n], 2024, { offset: 12345 }));
    let s = 0;
    let s2 = 0;
    let within1 = 0;
    let beyond3 = 0;
    let lag = 0;
    for (let i = 0; i < n; i++) {
      const v = z[i]!;
      assert(Number.isFinite(v), `sample ${i} is ${v}`);
      s += v;
      s2 += v * v;
      if (Math.abs(v) < 1) within1++;
      if (Math.abs(v) > 3) beyond3++;
      if (i > 0) lag += v * z[i - 1]!;
    }
    const picks = Array.from({ length: 1000 }, (_, k) => k * 97 + 5);
    const want = picks.map((i) => randnRef(1, 2024, 12345 + i)[0]!);
    assertClose(picks.map((i) => z[i]!), want, TOL, 'every 97th sample vs reference');
    const mean = s / n;
    const variance = s2 / n - mean * mean;
    // Bounds at ~5 standard errors: mean ±5/√n, variance ±5·√(2/n), P(|z|<1) = 0.6827 ± 5·√(p(1−p)/n).
    assert(Math.abs(mean) < 5 / Math.sqrt(n), `mean ${mean}`);
    assert(Math.abs(variance - 1) < 5 * Math.sqrt(2 / n), `variance ${variance}`);
    assert(Math.abs(within1 / n - 0.6827) < 5 * Math.sqrt(0.6827 * 0.3173 / n), `P(|z| < 1) = ${within1 / n}`);
    assert(Math.abs(beyond3 / n - 0.0027) < 5 * Math.sqrt(0.0027 / n), `P(|z| > 3) = ${beyond3 / n}`);
    assert(Math.abs(lag / n) < 5 / Math.sqrt(n), `lag-1 correlation ${lag / n}`);
  });

  it('rejects bad seeds and offsets, naming the op', async () => {
    const e = await getEngine();
    await assertRejects(() => randn(e, [4], -1), /randn: seed -1 must be a non-negative safe integer/);
    await assertRejects(() => randn(e, [4], 1.5), /randn: seed 1.5/);
    await assertRejects(() => randn(e, [4], 1, { offset: 2 ** 53 }), /randn: offset 9007199254740992/);
    await assertRejects(() => randomBits(e, [4], 1, { out: e.empty([4]) }), /randomBits: output Tensor<f32>\[4\] is not u32 \[4\]/);
  });
});
