import { concat } from '../../src/ops/shape.js';
import { gru, gruCell, lstm, lstmCell } from '../../src/ops/rnn.js';
import { assertArrayEqual, assertClose, assertRejects, randArray } from '../helpers/check.js';
import { getEngine } from '../helpers/engine.js';
import { gruCellRef, gruRef, lstmCellRef, lstmRef } from '../reference/rnn.js';

// f32 dot products of ≤ 300 terms, then σ/tanh; over ≤ 9 recurrent steps errors stay ~1e-6.
const TOL = 2e-5;

describe('rnn', () => {
  // H = 7 and 30 take the scalar path, 12 and 256 the vec4 path.
  const tunings = [{ units: 64, ksplit: 1 }, { units: 4, ksplit: 32 }, { units: 3, ksplit: 8 }];
  for (const H of [1, 7, 12, 30, 256]) {
    for (const tuning of tunings) {
      if ((H === 1 || H === 256) && tuning.units === 3) continue;
      const wg = `${tuning.units}×${tuning.ksplit}`;
      it(`lstmCell H=${H} with bias, from row 2 of a [3, 4H] projection (tuning ${wg})`, async () => {
        const e = await getEngine();
        const xAll = randArray(3 * 4 * H, H + 1, 2);
        const h = randArray(H, H + 2);
        const c = randArray(H, H + 3, 2);
        const whh = randArray(4 * H * H, H + 4, 1 / Math.sqrt(H));
        const bias = randArray(4 * H, H + 5);
        const out = lstmCell(e, {
          xProj: e.upload(xAll, [3, 4 * H]), xProjRow: 2, h: e.upload(h, [H]), c: e.upload(c, [H]),
          whh: e.upload(whh, [4 * H, H]), bias: e.upload(bias, [4 * H]), tuning,
        });
        const want = lstmCellRef(xAll.subarray(8 * H), h, c, whh, bias);
        const [gh, gc] = await e.readMany([out.h, out.c]);
        assertClose(gh!, want.h, TOL, 'h');
        assertClose(gc!, want.c, TOL, 'c');
      });

      it(`gruCell H=${H} with b_hh, writing h' into a sequence row too (tuning ${wg})`, async () => {
        const e = await getEngine();
        const x = randArray(3 * H, H + 6, 2);
        const h = randArray(H, H + 7);
        const whh = randArray(3 * H * H, H + 8, 1 / Math.sqrt(H));
        const bhh = randArray(3 * H, H + 9);
        const seq = e.upload(new Float32Array(3 * H), [3, H]);
        const out = gruCell(e, { xProj: e.upload(x, [3 * H]), h: e.upload(h, [H]), whh: e.upload(whh, [3 * H, H]), bhh: e.upload(bhh, [3 * H]), seq, seqOffset: H, tuning });
        const want = gruCellRef(x, h, whh, bhh);
        const [gh, gs] = await e.readMany([out, seq]);
        assertClose(gh!, want, TOL, 'h');
        assertClose(gs!.subarray(H, 2 * H), want, TOL, 'seq row');
        assertClose(gs!.subarray(0, H), new Float32Array(H), 0, 'untouched rows');
      });
    }
  }

  it('lstmCell saturates without NaN (huge pre-activations)', async () => {
    const e = await getEngine();
    const H = 8;
    const x = Float32Array.from({ length: 4 * H }, (_, i) => (i % 2 ? 500 : -500));
    const h = randArray(H, 1);
    const c = randArray(H, 2, 50);
    const whh = randArray(4 * H * H, 3);
    const out = lstmCell(e, { xProj: e.upload(x, [4 * H]), h: e.upload(h, [H]), c: e.upload(c, [H]), whh: e.upload(whh, [4 * H, H]) });
    const want = lstmCellRef(x, h, c, whh);
    const [gh, gc] = await e.readMany([out.h, out.c]);
    assertClose(gh!, want.h, TOL, 'h');
    assertClose(gc!, want.c, TOL, 'c');
  });

  for (const [T, inF, H] of [[1, 3, 5], [9, 13, 12], [6, 20, 33]] as const) {
    for (const reverse of [false, true]) {
      it(`lstm and gru over [${T}, ${inF}] → H=${H}${reverse ? ' reversed' : ''}`, async () => {
        const e = await getEngine();
        const x = randArray(T * inF, T + inF + H);
        const wl = { wih: randArray(4 * H * inF, 1, 0.5), whh: randArray(4 * H * H, 2, 0.5), bih: randArray(4 * H, 3), bhh: randArray(4 * H, 4), hidden: H };
        const tx = e.upload(x, [T, inF]);
        const l = lstm(e, tx, { wih: e.upload(wl.wih, [4 * H, inF]), whh: e.upload(wl.whh, [4 * H, H]), bih: e.upload(wl.bih, [4 * H]), bhh: e.upload(wl.bhh, [4 * H]) }, { reverse });
        const wantL = lstmRef(x, T, inF, wl, reverse);
        assertArrayEqual(l.y.shape, [T, H], 'lstm y shape');
        const [ly, lh, lc] = await e.readMany([l.y, l.h, l.c]);
        assertClose(ly!, wantL.y, TOL, 'lstm y');
        assertClose(lh!, wantL.h, TOL, 'lstm h');
        assertClose(lc!, wantL.c, TOL, 'lstm c');

        const wg = { wih: randArray(3 * H * inF, 5, 0.5), whh: randArray(3 * H * H, 6, 0.5), bih: randArray(3 * H, 7), bhh: randArray(3 * H, 8), hidden: H };
        const g = gru(e, tx, { wih: e.upload(wg.wih, [3 * H, inF]), whh: e.upload(wg.whh, [3 * H, H]), bih: e.upload(wg.bih, [3 * H]), bhh: e.upload(wg.bhh, [3 * H]) }, { reverse });
        const wantG = gruRef(x, T, inF, wg, reverse);
        const [gy, gh] = await e.readMany([g.y, g.h]);
        assertClose(gy!, wantG.y, TOL, 'gru y');
        assertClose(gh!, wantG.h, TOL, 'gru h');
      });
    }
  }

  it('a BiLSTM writes both directions into one [T, 2H] (Flowtron encoder layout)', async () => {
    const e = await getEngine();
    const [T, inF, H] = [7, 10, 8];
    const x = randArray(T * inF, 42);
    const mk = (s: number): { wih: Float32Array; whh: Float32Array; bih: Float32Array; bhh: Float32Array; hidden: number } => ({
      wih: randArray(4 * H * inF, s, 0.5), whh: randArray(4 * H * H, s + 1, 0.5), bih: randArray(4 * H, s + 2), bhh: randArray(4 * H, s + 3), hidden: H,
    });
    const [wf, wb] = [mk(10), mk(20)];
    const up = (w: ReturnType<typeof mk>): { wih: ReturnType<typeof e.upload>; whh: ReturnType<typeof e.upload>; bih: ReturnType<typeof e.upload>; bhh: ReturnType<typeof e.upload> } => ({
      wih: e.upload(w.wih, [4 * H, inF]), whh: e.upload(w.whh, [4 * H, H]), bih: e.upload(w.bih, [4 * H]), bhh: e.upload(w.bhh, [4 * H]),
    });
    const tx = e.upload(x, [T, inF]);
    const out = e.empty([T, 2 * H]);
    lstm(e, tx, up(wf), { out, outColumn: 0 });
    lstm(e, tx, up(wb), { out, outColumn: H, reverse: true });
    const f = lstm(e, tx, up(wf)).y;
    const b = lstm(e, tx, up(wb), { reverse: true }).y;
    const want = await e.readF32(concat(e, [f, b], 1));
    assertClose(await e.readF32(out), want, 0, 'bilstm');
    const ref = lstmRef(x, T, inF, wb, true).y;
    for (let t = 0; t < T; t++) assertClose(want.subarray(t * 2 * H + H, (t + 1) * 2 * H), ref.subarray(t * H, (t + 1) * H), TOL, `backward row ${t}`);
  });

  it('names the op and the shapes on bad arguments', async () => {
    const e = await getEngine();
    const H = 4;
    const h = e.upload(new Float32Array(H), [H]);
    const x = e.upload(new Float32Array(4 * H), [4 * H]);
    await assertRejects(() => lstmCell(e, { xProj: x, h, c: h, whh: e.upload(new Float32Array(12 * H), [3 * H, H]) }), /lstmCell: whh \[12, 4\] should be \[16, 4\] for h \[4\]/);
    await assertRejects(() => lstmCell(e, { xProj: e.upload(new Float32Array(12), [12]), h, c: h, whh: e.upload(new Float32Array(16 * H), [4 * H, H]) }), /lstmCell: xProj \[12\] row 0 is not a \[16\] gate projection for hidden size 4/);
    await assertRejects(() => lstmCell(e, { xProj: x, xProjRow: 1, h, c: h, whh: e.upload(new Float32Array(16 * H), [4 * H, H]) }), /lstmCell: xProj \[16\] row 1/);
    await assertRejects(() => gruCell(e, { xProj: e.upload(new Float32Array(12), [12]), h, whh: e.upload(new Float32Array(12 * H), [3 * H, H]), bhh: h }), /gruCell: bhh \[4\] should have 12 elements/);
    const whh = e.upload(new Float32Array(16 * H), [4 * H, H]);
    await assertRejects(() => lstmCell(e, { xProj: x, h, c: e.upload(new Float32Array(H), [H]), whh, hOut: h }), /lstmCell: its output l_h_out \(binding 6\) shares a buffer with its input r_h4? \(binding 2\); write to a separate tensor/);
    const hOut = e.upload(new Float32Array(H), [H]);
    await assertRejects(() => lstmCell(e, { xProj: x, h, c: e.upload(new Float32Array(H), [H]), whh, hOut, cOut: hOut }), /lstmCell: its output l_h_out \(binding 6\) shares a buffer with its output l_c_out \(binding 7\)/);
    await assertRejects(() => gruCell(e, { xProj: e.upload(new Float32Array(3 * H), [3 * H]), h, whh: e.upload(new Float32Array(12 * H), [3 * H, H]), hOut, seq: hOut }), /gruCell: its output g_h_out \(binding 5\) shares a buffer with its output g_seq \(binding 6\)/);
    await assertRejects(() => lstm(e, e.upload(new Float32Array(10), [2, 5]), { wih: e.upload(new Float32Array(16 * 4), [16, 4]), whh: e.upload(new Float32Array(16 * 4), [16, 4]) }), /lstm: wih \[16, 4\] should be \[16, 5\] for input \[2, 5\]/);
  });
});
