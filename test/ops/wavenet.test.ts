import type { Engine } from '../../src/gpu/engine.js';
import type { Tensor } from '../../src/gpu/tensor.js';
import { gatedConv, packGatedWeight, resSkipConv, waveNetTiles, type WaveNetTiles } from '../../src/ops/wavenet.js';
import { transposeForSubgroups } from '../../src/ops/subgroup.js';
import type { Tile } from '../../src/ops/matmul.js';
import { assertClose, assertRejects, randArray } from '../helpers/check.js';
import { getEngine } from '../helpers/engine.js';
import { HALF_TOL, halfWeights, onHalf } from '../helpers/half.js';
import { waveNetLayerRef } from '../reference/wavenet.js';

const TOL = 2e-5;

interface LayerCase {
  name: string;
  hidden: number;
  cond: number;
  t: number;
  k: number;
  d: number;
  last: boolean;
  skipRows: number;
}

const cases: LayerCase[] = [
  { name: 'WaveGlow layer (conditioning rows, dilation 4)', hidden: 11, cond: 13, t: 67, k: 3, d: 4, last: false, skipRows: 6 },
  { name: 'WaveGlow last layer (skip rows only)', hidden: 9, cond: 5, t: 41, k: 3, d: 8, last: true, skipRows: 4 },
  { name: 'Glow-TTS layer (no conditioning, kernel 5)', hidden: 7, cond: 0, t: 29, k: 5, d: 1, last: false, skipRows: 7 },
  { name: 'one frame', hidden: 6, cond: 3, t: 1, k: 3, d: 2, last: false, skipRows: 2 },
];

// The subgroup kernels need channels in vec4s: odd time lengths, padded res/skip rows (4 + 6),
// partial channel groups of a workgroup, one frame.
const subgroupCases: LayerCase[] = [
  { name: 'WaveGlow layer (conditioning rows, dilation 4)', hidden: 12, cond: 13, t: 67, k: 3, d: 4, last: false, skipRows: 6 },
  { name: 'WaveGlow last layer (skip rows only)', hidden: 8, cond: 5, t: 41, k: 3, d: 8, last: true, skipRows: 6 },
  { name: 'Glow-TTS layer (no conditioning, kernel 5)', hidden: 36, cond: 0, t: 29, k: 5, d: 1, last: false, skipRows: 36 },
  { name: 'one frame', hidden: 4, cond: 3, t: 1, k: 3, d: 2, last: false, skipRows: 2 },
];

// The tiles the ops choose on this adapter, and forced CPU- and GPU-style tiles (so both are
// exercised whichever adapter runs the tests), and the subgroup kernels.
const tiles: [string, Tile | null | 'subgroup'][] = [
  ['chosen tiles', null],
  ['16x1 of 16x8 (res/skip 8x8)', { wx: 16, wy: 1, tm: 16, tn: 8 }],
  ['8x8 of 4x4', { wx: 8, wy: 8, tm: 4, tn: 4 }],
  ['16x1 of 2x1', { wx: 16, wy: 1, tm: 2, tn: 1 }],
  ['subgroup tiles', 'subgroup'],
];

/** A weight uploaded in the subgroup kernels' layout (`transposeForSubgroups`). */
const upload = (e: Engine, t: { data: Float32Array; shape: number[] }): Tensor => e.upload(t.data, t.shape);

/** A layer's random inputs and weights (in_layer weights halved: the gate stays out of saturation). */
function layerInputs(c: LayerCase, seed: number) {
  const H = c.hidden;
  const R = c.last ? 0 : H;
  return {
    H, R,
    h: randArray(H * c.t, seed),
    cond: c.cond ? randArray(c.cond * c.t, seed + 1) : null,
    inW: randArray(2 * H * H * c.k, seed + 2).map((v) => v * 0.5),
    condW: c.cond ? randArray(2 * H * c.cond, seed + 3) : null,
    bias: randArray(2 * H, seed + 4),
    rsW: randArray((R + c.skipRows) * H, seed + 5),
    rsB: randArray(R + c.skipRows, seed + 6),
    skip0: randArray(c.skipRows * c.t, seed + 7),
  };
}

describe('wavenet layer (gatedConv + resSkipConv)', () => {
  for (const [tname, forced] of tiles) {
    for (const c of forced === 'subgroup' ? subgroupCases : cases) {
      it(`${c.name}, [${c.hidden}, ${c.t}], ${tname}`, async () => {
        const e = await getEngine();
        const sub = forced === 'subgroup';
        if (sub && e.subgroupSize === 0) {
          await assertRejects(() => waveNetTiles(e, c.hidden, c.cond, c.k, 0, c.skipRows, c.t, true), /need an adapter with fixed-size subgroups/);
          return;
        }
        const { H, R, h, cond, inW, condW, bias, rsW, rsB, skip0 } = layerInputs(c, c.hidden * 31 + c.t);
        const auto = waveNetTiles(e, H, c.cond, c.k, R, c.skipRows, c.t, sub);
        const layerTiles: WaveNetTiles = forced && !sub
          ? { gate: { ...forced, tm: Math.min(forced.tm, 16) }, resSkip: { ...forced, tm: forced.tm === 16 ? 8 : forced.tm }, subgroup: null }
          : auto;
        const gateW = packGatedWeight(inW, condW, H, c.k);
        for (const first of [true, false]) {
          const ref = waveNetLayerRef(h, cond, inW, condW, bias, rsW, rsB, skip0, { hidden: H, t: c.t, k: c.k, d: c.d, resRows: R, first });
          const x = new Float32Array((H + c.cond) * c.t);
          x.set(h);
          if (cond) x.set(cond, H * c.t);
          const tx = e.upload(x, [H + c.cond, c.t]);
          const tGate = sub ? upload(e, transposeForSubgroups(gateW, 2 * H, H * c.k + c.cond)) : e.upload(gateW, [2 * H, H * c.k + c.cond]);
          const acts = gatedConv(e, tx, tGate, e.upload(bias, [2 * H]), { hidden: H, kernelSize: c.k, dilation: c.d, tiles: layerTiles });
          assertClose(await e.readF32(acts), ref.acts, TOL, 'acts');
          // The first layer assigns the skip sum: NaN there must not leak into it.
          const tSkip = e.upload(first ? new Float32Array(skip0.length).fill(Number.NaN) : skip0, [c.skipRows, c.t]);
          const hView = R ? tx.view(0, [H, c.t]) : null;
          const rows = R + c.skipRows;
          const tRs = sub ? upload(e, transposeForSubgroups(rsW, rows, H)) : e.upload(rsW, [rows, H]);
          resSkipConv(e, acts, tRs, e.upload(rsB, [rows]), hView, tSkip, first, layerTiles);
          assertClose(await e.readF32(tSkip), ref.skip, TOL, 'skip');
          if (hView) assertClose(await e.readF32(hView), ref.h, TOL, 'h');
        }
      });
    }
  }

  it('names the shapes that do not fit', async () => {
    const e = await getEngine();
    const tiles: WaveNetTiles = { gate: { wx: 16, wy: 1, tm: 4, tn: 4 }, resSkip: { wx: 16, wy: 1, tm: 4, tn: 4 }, subgroup: null };
    const x = e.upload(new Float32Array(5 * 10), [5, 10]);
    await assertRejects(
      () => gatedConv(e, x, e.upload(new Float32Array(8 * 12), [8, 12]), e.upload(new Float32Array(8), [8]), { hidden: 4, kernelSize: 3, dilation: 1, tiles }),
      /gatedConv: x \[5, 10\], weight \[8, 12\], bias \[8\] do not fit 4 channels, kernel 3/,
    );
    const w = e.upload(new Float32Array(8 * 13), [8, 13]);
    await assertRejects(() => gatedConv(e, x, w, e.upload(new Float32Array(8), [8]), { hidden: 4, kernelSize: 3, dilation: 1, tiles: { ...tiles, gate: { ...tiles.gate, tm: 3 } } }), /gatedConv: tile rows 3 must be even/);
  });
});

// precision 'f16': the gated conv's and res/skip conv's weights stored as f16, checked as
// matmul's are (test/ops/matmul.test.ts); biases, h and skip stay f32.
describe('wavenet layer, f16 weights', () => {
  for (const c of cases) {
    // The subgroup kernels take f32 weights only (models use them at precision 'f32').
    for (const [tname, forced] of tiles.filter((t): t is [string, Tile | null] => t[1] !== 'subgroup')) {
      it(`${c.name}, [${c.hidden}, ${c.t}], ${tname}`, async () => {
        const e = await getEngine();
        const { H, R, h, cond, inW, condW, bias, rsW, rsB, skip0 } = layerInputs(c, c.hidden * 37 + c.t);
        const gateW = halfWeights(packGatedWeight(inW, condW, H, c.k));
        const rsHalf = halfWeights(rsW);
        // The reference takes in_layer and cond weights apart: the rounded halves, unpacked.
        const hk = H * c.k;
        const roundedIn = new Float32Array(inW.length);
        const roundedCond = condW && new Float32Array(condW.length);
        for (let r = 0; r < 2 * H; r++) {
          roundedIn.set(gateW.rounded.subarray(r * (hk + c.cond), r * (hk + c.cond) + hk), r * hk);
          roundedCond?.set(gateW.rounded.subarray(r * (hk + c.cond) + hk, (r + 1) * (hk + c.cond)), r * c.cond);
        }
        const auto = waveNetTiles(e, H, c.cond, c.k, R, c.skipRows, c.t);
        const layerTiles: WaveNetTiles = forced ? { gate: forced, resSkip: { ...forced, tm: forced.tm === 16 ? 8 : forced.tm }, subgroup: null } : auto;
        const opts = { hidden: H, t: c.t, k: c.k, d: c.d, resRows: R, first: false };
        await onHalf(e, async () => {
          const x = new Float32Array((H + c.cond) * c.t);
          x.set(h);
          if (cond) x.set(cond, H * c.t);
          const tx = e.upload(x, [H + c.cond, c.t]);
          const acts = gatedConv(e, tx, e.upload(gateW.bits, [2 * H, hk + c.cond]), e.upload(bias, [2 * H]), { hidden: H, kernelSize: c.k, dilation: c.d, tiles: layerTiles });
          const tSkip = e.upload(skip0, [c.skipRows, c.t]);
          const hView = R ? tx.view(0, [H, c.t]) : null;
          resSkipConv(e, acts, e.upload(rsHalf.bits, [R + c.skipRows, H]), e.upload(rsB, [R + c.skipRows]), hView, tSkip, false, layerTiles);
          const [gotActs, gotSkip] = [await e.readF32(acts), await e.readF32(tSkip)];
          const rounded = waveNetLayerRef(h, cond, roundedIn, roundedCond, bias, rsHalf.rounded, rsB, skip0, opts);
          const exact = waveNetLayerRef(h, cond, inW, condW, bias, rsW, rsB, skip0, opts);
          assertClose(gotActs, rounded.acts, TOL, 'acts, f16-rounded weights');
          assertClose(gotSkip, rounded.skip, TOL, 'skip, f16-rounded weights');
          assertClose(gotActs, exact.acts, HALF_TOL, 'acts, f32 weights');
          assertClose(gotSkip, exact.skip, HALF_TOL, 'skip, f32 weights');
          if (hView) assertClose(await e.readF32(hView), rounded.h, TOL, 'h, f16-rounded weights');
        });
      });
    }
  }
});
