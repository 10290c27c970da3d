import { affineCoupling, interleave, upsampleSqueeze } from '../../src/ops/coupling.js';
import { assertClose, assertRejects, randArray } from '../helpers/check.js';
import { getEngine } from '../helpers/engine.js';
import { couplingRef as glowTtsCouplingRef } from '../reference/flowstep.js';

const TOL = 1e-5;

function couplingRef(x: Float32Array, st: Float32Array, t: number, x1: number, n1: number, shiftRow: number, scaleRow: number, reverse: boolean, mask?: Float32Array): Float32Array {
  const y = x.slice();
  for (let j = 0; j < n1; j++) {
    for (let i = 0; i < t; i++) {
      const b = st[(shiftRow + j) * t + i]!;
      const s = st[(scaleRow + j) * t + i]!;
      const v = x[(x1 + j) * t + i]!;
      y[(x1 + j) * t + i] = (reverse ? (v - b) * Math.exp(-s) : v * Math.exp(s) + b) * (mask ? mask[i]! : 1);
    }
  }
  return y;
}

describe('affineCoupling', () => {
  for (const [c, t] of [[2, 1], [8, 37], [6, 300]] as const) {
    for (const order of ['shift-first', 'scale-first'] as const) {
      for (const reverse of [true, false]) {
        it(`[${c}, ${t}] ${order} reverse=${reverse}`, async () => {
          const e = await getEngine();
          const h = c / 2;
          const x = randArray(c * t, c + t);
          const st = randArray(c * t, c * t + 1);
          const y = affineCoupling(e, e.upload(x, [c, t]), e.upload(st, [c, t]), { order, reverse });
          const [sh, sc] = order === 'shift-first' ? [0, h] : [h, 0];
          assertClose(await e.readF32(y), couplingRef(x, st, t, h, c - h, sh, sc, reverse), TOL);
        });
      }
    }
  }

  it('forward then reverse is the identity; mask and explicit rows', async () => {
    const e = await getEngine();
    const [c, t] = [5, 23];
    const x = randArray(c * t, 1);
    const st = randArray(7 * t, 2);
    const opts = { x1Start: 1, n1: 3, shiftRow: 4, scaleRow: 0 };
    const xt = e.upload(x, [c, t]);
    const stT = e.upload(st, [7, t]);
    const back = affineCoupling(e, affineCoupling(e, xt, stT, { ...opts, reverse: false }), stT, { ...opts, reverse: true });
    assertClose(await e.readF32(back), x, TOL, 'round trip');
    const mask = Float32Array.from({ length: t }, (_, i) => (i < 17 ? 1 : 0));
    const y = affineCoupling(e, xt, stT, { ...opts, mask: e.upload(mask, [t]) });
    assertClose(await e.readF32(y), couplingRef(x, st, t, 1, 3, 4, 0, true, mask), TOL, 'masked');
  });

  for (const reverse of [false, true]) {
    for (const sigmoidScale of [false, true]) {
      it(`Glow-TTS [m | logs] (${reverse ? 'reverse' : 'forward'}${sigmoidScale ? ', sigmoid scale' : ''}), [10, 13]`, async () => {
        const e = await getEngine();
        const [c, t] = [10, 13];
        const x = randArray(c * t, 4);
        const st = randArray(c * t, 5);
        const y = affineCoupling(e, e.upload(x, [c, t]), e.upload(st, [c, t]), { reverse, sigmoidScale });
        assertClose(await e.readF32(y), glowTtsCouplingRef(x, st, c, t, reverse, sigmoidScale), TOL);
      });
    }
  }

  it('Flowtron: time-major x [T, M] with [log_s | b] rows [T, 2M], forward and back', async () => {
    const e = await getEngine();
    const [T, M] = [7, 3];
    const dec = randArray(T * 2 * M, 40);
    const x = randArray(T * M, 41);
    const opts = { order: 'scale-first', x1Start: 0, n1: M, timeMajor: true } as const;
    const z = affineCoupling(e, e.upload(x, [T, M]), e.upload(dec, [T, 2 * M]), { ...opts, reverse: false });
    const want = new Float32Array(T * M);
    for (let t = 0; t < T; t++) for (let m = 0; m < M; m++) want[t * M + m] = Math.exp(dec[t * 2 * M + m]!) * x[t * M + m]! + dec[t * 2 * M + M + m]!;
    assertClose(await e.readF32(z), want, TOL, 'forward');
    const back = affineCoupling(e, z, e.upload(dec, [T, 2 * M]), { ...opts, reverse: true });
    assertClose(await e.readF32(back), x, TOL, 'round trip');
  });

  it('names the rows that do not exist', async () => {
    const e = await getEngine();
    await assertRejects(() => affineCoupling(e, e.upload(new Float32Array(8), [4, 2]), e.upload(new Float32Array(4), [2, 2])), /stats \[2, 2\] has no rows/);
  });
});

describe('WaveGlow plumbing', () => {
  it('upsampleSqueeze = ConvTranspose1d, trim, unfold by group (window of group steps)', async () => {
    const e = await getEngine();
    const [m, frames, stride, k, group] = [3, 5, 8, 20, 4];
    const mel = randArray(m * frames, 3);
    const w = randArray(m * m * k, 4);
    const b = randArray(m, 5);
    // Reference: full transposed conv, trim to stride·frames samples, then unfold.
    const len = (frames - 1) * stride + k;
    const y = new Float64Array(m * len);
    for (let co = 0; co < m; co++) for (let o = 0; o < len; o++) y[co * len + o] = b[co]!;
    for (let ci = 0; ci < m; ci++) for (let co = 0; co < m; co++) for (let t = 0; t < frames; t++) for (let kk = 0; kk < k; kk++) {
      y[co * len + t * stride + kk] += mel[ci * frames + t]! * w[(ci * m + co) * k + kk]!;
    }
    const tg = (stride * frames) / group;
    const [t0, n] = [3, 6];
    const want = new Float32Array(m * group * n);
    for (let co = 0; co < m; co++) for (let j = 0; j < group; j++) for (let tt = 0; tt < n; tt++) {
      want[(co * group + j) * n + tt] = y[co * len + (t0 + tt) * group + j]!;
    }
    const got = upsampleSqueeze(e, e.upload(mel, [m, frames]), e.upload(w, [m, m, k]), e.upload(b, [m]), { stride, group, t0, len: n });
    assertClose(await e.readF32(got), want, TOL);
    // Into the rows after 5 others of a larger tensor (WaveGlow's [h | cond] buffer).
    const into = e.upload(new Float32Array((5 + m * group) * n).fill(7), [5 + m * group, n]);
    upsampleSqueeze(e, e.upload(mel, [m, frames]), e.upload(w, [m, m, k]), e.upload(b, [m]), { stride, group, t0, len: n, out: into, dst: 5 * n });
    const all = await e.readF32(into);
    assertClose(all.subarray(0, 5 * n), new Float32Array(5 * n).fill(7), 0, 'rows before dst');
    assertClose(all.subarray(5 * n), want, TOL, 'rows from dst');
    await assertRejects(() => upsampleSqueeze(e, e.upload(mel, [m, frames]), e.upload(w, [m, m, k]), e.upload(b, [m]), { stride, group, t0: tg - 2, len: 3 }), /outside the 10 group steps/);
  });

  it('interleave writes a column window as samples', async () => {
    const e = await getEngine();
    const [c, t] = [8, 13];
    const x = randArray(c * t, 9);
    const out = e.upload(new Float32Array(200), [200]);
    interleave(e, e.upload(x, [c, t]), out, 2, 5, 10);
    const want = new Float32Array(200);
    for (let tt = 0; tt < 5; tt++) for (let ch = 0; ch < c; ch++) want[10 + tt * c + ch] = x[ch * t + 2 + tt]!;
    assertClose(await e.readF32(out), want, 0);
  });
});
