import { actNormInvConv, expandPrior, squeezeFrames, unsqueezeFrames } from '../../src/ops/flowstep.js';
import { assertArrayEqual, assertClose, assertRejects, randArray } from '../helpers/check.js';
import { getEngine } from '../helpers/engine.js';
import { actNormInvConvRef, squeezeRef, unsqueezeRef } from '../reference/flowstep.js';

const TOL = 1e-5;

describe('flowstep', () => {
  for (const [c, t, n] of [[80, 32, 2], [5, 9, 3], [3, 7, 1], [4, 10, 2], [6, 11, 2]] as const) {
    it(`squeeze / unsqueeze [${c}, ${t}] by ${n}`, async () => {
      const e = await getEngine();
      const x = randArray(c * t, c + t);
      const sq = squeezeFrames(e, e.upload(x, [c, t]), n);
      const got = await e.readF32(sq);
      assertArrayEqual(got, squeezeRef(x, c, t, n), 'squeeze');
      const tq = Math.floor(t / n);
      const back = await e.readF32(unsqueezeFrames(e, sq, n));
      assertArrayEqual(back, unsqueezeRef(got, c * n, tq, n), 'unsqueeze');
    });
  }

  for (const [c, t, ns] of [[160, 16, 4], [12, 5, 6], [8, 33, 2]] as const) {
    for (const reverse of [false, true]) {
      it(`ActNorm + InvConvNear [${c}, ${t}], n_split ${ns}, ${reverse ? 'reverse' : 'forward'}`, async () => {
        const e = await getEngine();
        const x = randArray(c * t, c * 3 + t);
        const logs = randArray(c, 1, 0.5);
        const bias = randArray(c, 2);
        const w = randArray(ns * ns, 3);
        const y = actNormInvConv(e, e.upload(x, [c, t]), e.upload(logs, [c]), e.upload(bias, [c]), e.upload(w, [ns, ns]), { reverse });
        assertClose(await e.readF32(y), actNormInvConvRef(x, c, t, logs, bias, w, ns, reverse), TOL);
      });
    }
  }

  for (const withLogs of [false, true]) {
    it(`expandPrior ${withLogs ? 'with' : 'without'} log-stds`, async () => {
      const e = await getEngine();
      const [c, tx, t] = [5, 4, 9];
      const m = randArray(c * tx, 10);
      const logs = withLogs ? randArray(c * tx, 11, 0.5) : null;
      const noise = randArray(c * t, 12);
      const idx = Int32Array.from([0, 0, 1, 1, 1, 2, 3, 3, -1]);
      const z = expandPrior(e, e.upload(m, [c, tx]), logs ? e.upload(logs, [c, tx]) : undefined, e.upload(idx, [t]), e.upload(noise, [c, t]), 0.667);
      const want = new Float64Array(c * t);
      for (let ch = 0; ch < c; ch++) for (let tt = 0; tt < t; tt++) {
        const i = idx[tt]!;
        if (i < 0) continue;
        const ls = logs ? logs[ch * tx + i]! : 0;
        want[ch * t + tt] = m[ch * tx + i]! + Math.exp(ls) * noise[ch * t + tt]! * 0.667;
      }
      assertClose(await e.readF32(z), want, TOL);
    });
  }

  it('names the problem for a bad InvConvNear matrix', async () => {
    const e = await getEngine();
    const x = e.upload(new Float32Array(10 * 2), [10, 2]);
    const v = e.upload(new Float32Array(10), [10]);
    await assertRejects(() => actNormInvConv(e, x, v, v, e.upload(new Float32Array(16), [4, 4]), { reverse: true }), /matrix \[4, 4\] must be square with an even size dividing 10 channels/);
  });
});
