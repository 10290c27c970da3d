import type { Engine } from '../../src/gpu/engine.js';
import { conv1d, convTranspose1d, type TransposedConvWeight } from '../../src/ops/conv.js';
import { matmul, type Tile } from '../../src/ops/matmul.js';
import { transposeForSubgroups } from '../../src/ops/subgroup.js';
import { assertArrayEqual, assertClose, assertRejects, randArray } from '../helpers/check.js';
import { getEngine } from '../helpers/engine.js';
import { HALF_TOL, halfWeights, onHalf } from '../helpers/half.js';
import { conv1dRef, convTranspose1dRef } from '../reference/conv.js';
import { matmulRef } from '../reference/matmul.js';

// f32 accumulation over Cin/groups·K terms of magnitude ≤ 1: max error / max |ref| stays near 1e-6.
const TOL = 1e-5;

interface ConvCase {
  name: string;
  batch?: number; // undefined: unbatched [Cin, T] input
  cin: number;
  cout: number;
  t: number;
  k: number;
  stride?: number;
  padding?: number | [number, number];
  dilation?: number;
  groups?: number;
  bias?: boolean;
  activation?: 'relu' | 'tanh' | 'sigmoid';
}

const acts = { relu: (v: number) => Math.max(v, 0), tanh: Math.tanh, sigmoid: (v: number) => 1 / (1 + Math.exp(-v)) };

const convCases: ConvCase[] = [
  { name: 'WaveGlow in_layer pattern (k3, dilation 8, padding 8)', cin: 13, cout: 26, t: 37, k: 3, dilation: 8, padding: 8, bias: true },
  { name: 'stride 2, asymmetric padding [3, 2]', cin: 5, cout: 7, t: 41, k: 5, stride: 2, padding: [3, 2], bias: true },
  { name: 'stride 3, dilation 2, no padding', cin: 4, cout: 3, t: 50, k: 4, stride: 3, dilation: 2 },
  { name: 'groups 3', cin: 6, cout: 9, t: 29, k: 3, padding: 1, groups: 3, bias: true },
  { name: 'depthwise (groups = channels)', cin: 10, cout: 10, t: 67, k: 5, padding: 2, groups: 10, bias: true },
  { name: '1x1 with bias and relu', cin: 17, cout: 35, t: 70, k: 1, bias: true, activation: 'relu' },
  { name: '1x1 with tanh, more channels than one workgroup tile', cin: 33, cout: 71, t: 9, k: 1, activation: 'tanh' },
  { name: 'HiFi-GAN conv_pre pattern (k7, padding 3), sigmoid', cin: 11, cout: 19, t: 45, k: 7, padding: 3, bias: true, activation: 'sigmoid' },
  { name: 'batched [B, Cin, T], groups 2, dilation 3', batch: 3, cin: 8, cout: 6, t: 23, k: 3, dilation: 3, padding: 3, groups: 2, bias: true },
  { name: 'single output frame (T = kernel span)', cin: 7, cout: 5, t: 5, k: 5 },
  { name: 'batched [B, Cin, T], dilation 5, two channel blocks, tanh', batch: 2, cin: 9, cout: 70, t: 33, k: 3, dilation: 5, padding: 5, bias: true, activation: 'tanh' },
];

interface TransCase {
  name: string;
  batch?: number;
  cin: number;
  coutG: number;
  t: number;
  k: number;
  stride: number;
  padding?: number;
  outputPadding?: number;
  groups?: number;
  bias?: boolean;
}

const transCases: TransCase[] = [
  { name: 'HiFi-GAN upsample (k16, stride 8, padding 4)', cin: 6, coutG: 5, t: 9, k: 16, stride: 8, padding: 4, bias: true },
  { name: 'WaveGlow upsample (k1024, stride 256)', cin: 3, coutG: 2, t: 3, k: 1024, stride: 256, bias: true },
  { name: 'stride 1, k3, padding 1', cin: 9, coutG: 11, t: 31, k: 3, stride: 1, padding: 1 },
  { name: 'kernel shorter than stride (k2, stride 3)', cin: 4, coutG: 3, t: 7, k: 2, stride: 3, bias: true },
  { name: 'batched, groups 2, outputPadding 1, padding 2', batch: 2, cin: 6, coutG: 4, t: 13, k: 5, stride: 3, padding: 2, outputPadding: 1, groups: 2, bias: true },
  { name: 'many output channels (k4, stride 2, padding 1)', cin: 5, coutG: 37, t: 19, k: 4, stride: 2, padding: 1 },
];

/** A `[Cout, Cin, K]` weight uploaded in the subgroup kernel's layout. */
function transposedWeight(e: Engine, w: Float32Array, shape: [number, number, number]): TransposedConvWeight {
  const t = transposeForSubgroups(w, shape[0], shape[1] * shape[2]);
  return { tensor: e.upload(t.data, t.shape), shape };
}

describe('conv1d', () => {
  for (const c of convCases) {
    it(c.name, async () => {
      const e = await getEngine();
      const groups = c.groups ?? 1;
      const batch = c.batch ?? 1;
      const seed = c.cin * 131 + c.cout * 7 + c.t;
      const x = randArray(batch * c.cin * c.t, seed);
      const w = randArray(c.cout * (c.cin / groups) * c.k, seed + 1);
      const bias = c.bias ? randArray(c.cout, seed + 2) : undefined;
      const [padL, padR] = typeof c.padding === 'number' ? [c.padding, c.padding] : (c.padding ?? [0, 0]);
      const ref = conv1dRef(x, w, batch, c.cin, c.t, c.cout, c.k, {
        stride: c.stride, padL, padR, dilation: c.dilation, groups, bias, act: c.activation ? acts[c.activation] : undefined,
      });
      const tx = e.upload(x, c.batch === undefined ? [c.cin, c.t] : [batch, c.cin, c.t]);
      const tw = e.upload(w, [c.cout, c.cin / groups, c.k]);
      const tb = bias ? e.upload(bias, [c.cout]) : undefined;
      const o = { stride: c.stride, padding: c.padding, dilation: c.dilation, groups, activation: c.activation };
      const y = conv1d(e, tx, tw, tb, o);
      assertArrayEqual(y.shape, c.batch === undefined ? [c.cout, ref.tout] : [batch, c.cout, ref.tout], 'shape');
      assertClose(await e.readF32(y), ref.y, TOL);
      // With the transposed weight: the subgroup kernel, which runs stride 1, one group, on an
      // adapter with fixed-size subgroups; anything else is refused.
      const sw = transposedWeight(e, w, [c.cout, c.cin / groups, c.k]);
      if (groups === 1 && (c.stride ?? 1) === 1 && e.subgroupSize > 0) {
        assertClose(await e.readF32(conv1d(e, tx, sw, tb, o)), ref.y, TOL, 'transposed weight');
      } else {
        await assertRejects(() => conv1d(e, tx, sw, tb, o), /a transposed weight runs only the subgroup kernel/);
      }
      for (const t of [tx, tw, tb, y, sw.tensor]) t?.release();
    });
  }

  it('fused leaky ReLU on the input and residual add (HiFi-GAN resblock), odd shapes', async () => {
    const e = await getEngine();
    const [cin, cout, t, k, d] = [7, 7, 53, 5, 3];
    const x = randArray(cin * t, 71);
    const w = randArray(cout * cin * k, 72);
    const bias = randArray(cout, 73);
    const res = randArray(cout * t, 74);
    const leaky = Float32Array.from(x, (v) => (v < 0 ? 0.1 * v : v));
    const ref = conv1dRef(leaky, w, 1, cin, t, cout, k, { padL: d * 2, padR: d * 2, dilation: d, bias });
    const tx = e.upload(x, [cin, t]);
    const tr = e.upload(res, [cout, t]);
    const fused = { padding: d * 2, dilation: d, inputLeakySlope: 0.1, residual: tr };
    const want = ref.y.map((v, i) => v + res[i]!);
    for (const tile of [undefined, { wx: 16, wy: 1, tm: 4, tn: 4 }, { wx: 8, wy: 8, tm: 4, tn: 4 }]) {
      const y = conv1d(e, tx, e.upload(w, [cout, cin, k]), e.upload(bias, [cout]), { ...fused, tile });
      assertClose(await e.readF32(y), want, TOL, tile ? `${tile.wx}x${tile.wy}` : 'chosen tile');
    }
    const transposed = transposedWeight(e, w, [cout, cin, k]);
    if (e.subgroupSize > 0) {
      assertClose(await e.readF32(conv1d(e, tx, transposed, e.upload(bias, [cout]), fused)), want, TOL, 'subgroup kernel');
    } else {
      await assertRejects(() => conv1d(e, tx, transposed, e.upload(bias, [cout]), fused), /a transposed weight runs only the subgroup kernel/);
    }
    await assertRejects(
      () => conv1d(e, tx, e.upload(w, [cout, cin, k]), undefined, { padding: 2, residual: e.upload(new Float32Array(3), [3]) }),
      /conv1d: residual \[3\] is not shaped like the output \[7, 53\]/,
    );
  });

  it('an output longer than one dispatch can cover is split over several', async () => {
    const e = await getEngine();
    // One output position per workgroup, so more positions than workgroups per dimension.
    const tile = { wx: 1, wy: 1, tm: 1, tn: 1 };
    const t = e.limits.maxComputeWorkgroupsPerDimension + 1234;
    const x = randArray(2 * t, 31);
    const w = randArray(3 * 2 * 3, 32);
    const ref = conv1dRef(x, w, 1, 2, t, 3, 3, { padL: 1, padR: 1 });
    const y = conv1d(e, e.upload(x, [2, t]), e.upload(w, [3, 2, 3]), undefined, { padding: 1, tile });
    assertClose(await e.readF32(y), ref.y, TOL);
  });

  it('names the op and shapes on a channel mismatch', async () => {
    const e = await getEngine();
    const x = e.upload(new Float32Array(5 * 10), [5, 10]);
    const w = e.upload(new Float32Array(4 * 6 * 3), [4, 6, 3]);
    await assertRejects(() => conv1d(e, x, w), /conv1d: input \[5, 10\] has 5 channels but weight \[4, 6, 3\] with groups=1 expects 6/);
    await assertRejects(() => conv1d(e, x, w, undefined, { groups: 2 }), /conv1d: .*groups=2/);
    const short = e.upload(new Float32Array(6 * 2), [6, 2]);
    await assertRejects(() => conv1d(e, short, w), /conv1d: input \[6, 2\] padded to 2 is shorter than the kernel span 3/);
    const b = e.upload(new Float32Array(3), [3]);
    await assertRejects(() => conv1d(e, e.upload(new Float32Array(6 * 4), [6, 4]), w, b), /conv1d: bias \[3\] should have 4 elements/);
    for (const t of [x, w, short, b]) t.release();
  });
});

describe('convTranspose1d', () => {
  for (const c of transCases) {
    it(c.name, async () => {
      const e = await getEngine();
      const groups = c.groups ?? 1;
      const batch = c.batch ?? 1;
      const cout = c.coutG * groups;
      const seed = c.cin * 17 + c.coutG * 5 + c.k;
      const x = randArray(batch * c.cin * c.t, seed);
      const w = randArray(c.cin * c.coutG * c.k, seed + 1);
      const bias = c.bias ? randArray(cout, seed + 2) : undefined;
      const o = { stride: c.stride, padding: c.padding, outputPadding: c.outputPadding, groups };
      const ref = convTranspose1dRef(x, w, batch, c.cin, c.t, c.coutG, c.k, { ...o, bias });
      const tx = e.upload(x, c.batch === undefined ? [c.cin, c.t] : [batch, c.cin, c.t]);
      const tw = e.upload(w, [c.cin, c.coutG, c.k]);
      const tb = bias ? e.upload(bias, [cout]) : undefined;
      const y = convTranspose1d(e, tx, tw, tb, o);
      assertArrayEqual(y.shape, c.batch === undefined ? [cout, ref.tout] : [batch, cout, ref.tout], 'shape');
      assertClose(await e.readF32(y), ref.y, TOL);
      for (const t of [tx, tw, tb, y]) t?.release();
    });
  }

  it('fused leaky ReLU on the input (HiFi-GAN upsample), odd shapes', async () => {
    const e = await getEngine();
    const [cin, coutG, t, k, stride, padding] = [5, 7, 11, 16, 8, 4];
    const x = randArray(cin * t, 81);
    const w = randArray(cin * coutG * k, 82);
    const leaky = Float32Array.from(x, (v) => (v < 0 ? 0.1 * v : v));
    const ref = convTranspose1dRef(leaky, w, 1, cin, t, coutG, k, { stride, padding });
    for (const tile of [undefined, { wx: 16, wy: 1, tm: 4, tn: 4 }, { wx: 8, wy: 8, tm: 4, tn: 4 }]) {
      const y = convTranspose1d(e, e.upload(x, [cin, t]), e.upload(w, [cin, coutG, k]), undefined, { stride, padding, inputLeakySlope: 0.1, tile });
      assertClose(await e.readF32(y), ref.y, TOL);
    }
  });

  it('names the op and shapes on a channel mismatch', async () => {
    const e = await getEngine();
    const x = e.upload(new Float32Array(5 * 10), [5, 10]);
    const w = e.upload(new Float32Array(4 * 6 * 3), [4, 6, 3]);
    await assertRejects(() => convTranspose1d(e, x, w, undefined, { stride: 2 }), /convTranspose1d: input \[5, 10\] has 5 channels but weight \[4, 6, 3\] expects 4/);
    for (const t of [x, w]) t.release();
  });
});

// The register tiles the ops choose per adapter and problem size (pickTile), forced on small odd
// shapes so every variant is checked whichever adapter runs the tests: the CPU tiles (one row
// of invocations, uniform weight loads) up to 16×8, and the GPU tile (8×8 invocations of 4×4).
describe('conv/matmul register tiles', () => {
  const tiles: Tile[] = [
    { wx: 16, wy: 1, tm: 16, tn: 8 },
    { wx: 16, wy: 1, tm: 1, tn: 8 },
    { wx: 8, wy: 8, tm: 4, tn: 4 },
  ];
  for (const tile of tiles) {
    const name = `${tile.wx}x${tile.wy} invocations of ${tile.tm}x${tile.tn}`;
    it(`conv1d, ${name}`, async () => {
      const e = await getEngine();
      const [cin, cout, t, k] = [7, 37, 151, 3];
      const x = randArray(cin * t, 11);
      const w = randArray(cout * cin * k, 12);
      const bias = randArray(cout, 13);
      const ref = conv1dRef(x, w, 1, cin, t, cout, k, { dilation: 2, padL: 2, padR: 2, bias });
      const y = conv1d(e, e.upload(x, [cin, t]), e.upload(w, [cout, cin, k]), e.upload(bias, [cout]), { dilation: 2, padding: 2, tile });
      assertClose(await e.readF32(y), ref.y, TOL);
    });
    it(`convTranspose1d, ${name}`, async () => {
      const e = await getEngine();
      const [cin, coutG, t, k, stride] = [5, 19, 41, 8, 4];
      const x = randArray(cin * t, 14);
      const w = randArray(cin * coutG * k, 15);
      const ref = convTranspose1dRef(x, w, 1, cin, t, coutG, k, { stride, padding: 2 });
      const y = convTranspose1d(e, e.upload(x, [cin, t]), e.upload(w, [cin, coutG, k]), undefined, { stride, padding: 2, tile });
      assertClose(await e.readF32(y), ref.y, TOL);
    });
    it(`matmul Aᵀ·Bᵀ with row bias, ${name}`, async () => {
      const e = await getEngine();
      const [m, n, k] = [35, 150, 13];
      const a = randArray(m * k, 16);
      const b = randArray(k * n, 17);
      const bias = randArray(m, 18);
      const y = matmul(e, e.upload(a, [k, m]), e.upload(b, [n, k]), {
        transA: true, transB: true, bias: e.upload(bias, [m]), biasOnRows: true, workgroup: [tile.wx, tile.wy], tile: [tile.tm, tile.tn],
      });
      assertClose(await e.readF32(y), matmulRef(a, b, m, n, k, { transA: true, transB: true, bias, biasOnRows: true }), TOL);
    });
  }

  for (const [batch, m] of [[1, 1], [2, 3]] as const) {
    it(`few rows · torch-layout weight (split-K path), batch ${batch}, ${m} rows`, async () => {
      const e = await getEngine();
      const [n, k] = [37, 203];
      const a = randArray(batch * m * k, 19 + m);
      const w = randArray(n * k, 20);
      const bias = randArray(n, 21);
      const y = matmul(e, e.upload(a, [batch, m, k]), e.upload(w, [n, k]), { transB: true, bias: e.upload(bias, [n]), activation: 'tanh' });
      assertArrayEqual(y.shape, [batch, m, n], 'shape');
      const got = await e.readF32(y);
      for (let i = 0; i < batch; i++) {
        const want = matmulRef(a.subarray(i * m * k, (i + 1) * m * k), w, m, n, k, { transB: true, bias, act: Math.tanh });
        assertClose(got.subarray(i * m * n, (i + 1) * m * n), want, TOL, `batch ${i}`);
      }
    });
  }
});

// precision 'f16': the weights stored as f16 (conv1d and convTranspose1d, on every case above
// and the forced tiles), checked as matmul's are (test/ops/matmul.test.ts).
describe('conv, f16 weights', () => {
  for (const c of convCases) {
    it(`conv1d: ${c.name}`, async () => {
      const e = await getEngine();
      const groups = c.groups ?? 1;
      const batch = c.batch ?? 1;
      const seed = c.cin * 131 + c.cout * 7 + c.t;
      const x = randArray(batch * c.cin * c.t, seed);
      const wf = randArray(c.cout * (c.cin / groups) * c.k, seed + 1);
      const w = halfWeights(wf);
      const bias = c.bias ? randArray(c.cout, seed + 2) : undefined;
      const [padL, padR] = typeof c.padding === 'number' ? [c.padding, c.padding] : (c.padding ?? [0, 0]);
      const ref = (wv: Float32Array): Float32Array => conv1dRef(x, wv, batch, c.cin, c.t, c.cout, c.k, {
        stride: c.stride, padL, padR, dilation: c.dilation, groups, bias, act: c.activation ? acts[c.activation] : undefined,
      }).y;
      await onHalf(e, async () => {
        const tx = e.upload(x, c.batch === undefined ? [c.cin, c.t] : [batch, c.cin, c.t]);
        const tw = e.upload(w.bits, [c.cout, c.cin / groups, c.k]);
        const y = await e.readF32(conv1d(e, tx, tw, bias && e.upload(bias, [c.cout]), { stride: c.stride, padding: c.padding, dilation: c.dilation, groups, activation: c.activation }));
        assertClose(y, ref(w.rounded), TOL, 'f16-rounded weights');
        assertClose(y, ref(wf), HALF_TOL, 'f32 weights');
      });
    });
  }
  for (const c of transCases) {
    it(`convTranspose1d: ${c.name}`, async () => {
      const e = await getEngine();
      const groups = c.groups ?? 1;
      const batch = c.batch ?? 1;
      const seed = c.cin * 17 + c.coutG * 5 + c.k;
      const x = randArray(batch * c.cin * c.t, seed);
      const wf = randArray(c.cin * c.coutG * c.k, seed + 1);
      const w = halfWeights(wf);
      const bias = c.bias ? randArray(c.coutG * groups, seed + 2) : undefined;
      const o = { stride: c.stride, padding: c.padding, outputPadding: c.outputPadding, groups };
      const ref = (wv: Float32Array): Float32Array => convTranspose1dRef(x, wv, batch, c.cin, c.t, c.coutG, c.k, { ...o, bias }).y;
      await onHalf(e, async () => {
        const tx = e.upload(x, c.batch === undefined ? [c.cin, c.t] : [batch, c.cin, c.t]);
        const y = await e.readF32(convTranspose1d(e, tx, e.upload(w.bits, [c.cin, c.coutG, c.k]), bias && e.upload(bias, [bias.length]), o));
        assertClose(y, ref(w.rounded), TOL, 'f16-rounded weights');
        assertClose(y, ref(wf), HALF_TOL, 'f32 weights');
      });
    });
  }
  for (const tile of [{ wx: 16, wy: 1, tm: 16, tn: 8 }, { wx: 8, wy: 8, tm: 4, tn: 4 }]) {
    it(`conv1d (fused leaky ReLU and residual) and convTranspose1d, ${tile.wx}x${tile.wy} of ${tile.tm}x${tile.tn}`, async () => {
      const e = await getEngine();
      const [cin, cout, t, k, stride] = [7, 37, 151, 3, 4];
      const x = randArray(cin * t, 11);
      const res = randArray(cout * t, 12);
      const wf = randArray(cout * cin * k, 13);
      const w = halfWeights(wf);
      const leaky = Float32Array.from(x, (v) => (v < 0 ? 0.1 * v : v));
      const ref = (wv: Float32Array): Float32Array => conv1dRef(leaky, wv, 1, cin, t, cout, k, { dilation: 2, padL: 2, padR: 2 }).y.map((v, i) => v + res[i]!);
      const refT = (wv: Float32Array): Float32Array => convTranspose1dRef(x, wv, 1, cin, t, cout, k, { stride, padding: 1 }).y;
      await onHalf(e, async () => {
        const [tx, tw] = [e.upload(x, [cin, t]), e.upload(w.bits, [cout, cin, k])];
        const y = await e.readF32(conv1d(e, tx, tw, undefined, { dilation: 2, padding: 2, inputLeakySlope: 0.1, residual: e.upload(res, [cout, t]), tile }));
        assertClose(y, ref(w.rounded), TOL, 'conv1d, f16-rounded weights');
        assertClose(y, ref(wf), HALF_TOL, 'conv1d, f32 weights');
        // The same values as a transposed conv's [Cin, Cout, K] weight.
        const yt = await e.readF32(convTranspose1d(e, tx, e.upload(w.bits, [cin, cout, k]), undefined, { stride, padding: 1, tile }));
        assertClose(yt, refT(w.rounded), TOL, 'convTranspose1d, f16-rounded weights');
        assertClose(yt, refT(wf), HALF_TOL, 'convTranspose1d, f32 weights');
      });
    });
  }
});
