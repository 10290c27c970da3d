// Flowtron's fused step kernels against plain-TS references, on odd shapes, with and without
// the split-K reduction used on GPUs.
import {
  additiveAttention, affineInverse, attnCellFused, attnCellParts, packAttnCell, packMatvec, lstmCellFused, matvec, packLstm,
  type StepTuning, transposeHost,
} from '../../src/ops/flowtron.js';
import { assertClose, randArray } from '../helpers/check.js';
import { getEngine } from '../helpers/engine.js';

const TOL = 1e-5;
// The CPU-driver default (no barriers) and the GPU default (split-K reductions, wide attention workgroup).
const TUNINGS: StepTuning[] = [{ units: 64, ksplit: 1, attnWg: 64 }, { units: 16, ksplit: 16, attnWg: 256 }];
const sig = (x: number): number => 1 / (1 + Math.exp(-x));

function lstmRef(wih: Float32Array, whh: Float32Array, bih: Float32Array, bhh: Float32Array, x: Float32Array, h: Float32Array, c: Float32Array): { h: Float32Array; c: Float32Array } {
  const H = h.length;
  const K = x.length;
  const hn = new Float32Array(H);
  const cn = new Float32Array(H);
  const gate = (r: number): number => {
    let s = bih[r]! + bhh[r]!;
    for (let k = 0; k < K; k++) s += wih[r * K + k]! * x[k]!;
    for (let k = 0; k < H; k++) s += whh[r * H + k]! * h[k]!;
    return s;
  };
  for (let j = 0; j < H; j++) {
    const [i, f, g, o] = [gate(j), gate(H + j), gate(2 * H + j), gate(3 * H + j)];
    cn[j] = sig(f) * c[j]! + sig(i) * Math.tanh(g);
    hn[j] = sig(o) * Math.tanh(cn[j]!);
  }
  return { h: hn, c: cn };
}

describe('flowtron kernels', () => {
  for (const tn of TUNINGS) {
    it(`lstm cell with two inputs at offsets (H=37, K1=13, K2=6, units ${tn.units} × ksplit ${tn.ksplit})`, async () => {
      const e = await getEngine();
      const [H, K1, K2] = [37, 13, 6];
      const wih = randArray(4 * H * (K1 + K2), 1, 0.5);
      const whh = randArray(4 * H * H, 2, 0.5);
      const bih = randArray(4 * H, 3);
      const bhh = randArray(4 * H, 4);
      const x1 = randArray(K1 + 5, 5);
      const x2 = randArray(K2 + 3, 6);
      const h = randArray(H, 7);
      const c = randArray(H, 8);
      const x = new Float32Array([...x1.subarray(5), ...x2.subarray(3)]);
      const want = lstmRef(wih, whh, bih, bhh, x, h, c);
      const p = packLstm(wih, whh, bih, bhh, H);
      const cw = { w: e.upload(p.w, [p.k + H, 4 * H]), bias: e.upload(p.bias, [4 * H]), hidden: H, k1: K1, k2: K2 };
      const ct = e.upload(c, [H]);
      const hOut = e.upload(new Float32Array(H + 2), [H + 2]);
      const seq = e.upload(new Float32Array(3 * H), [3 * H]);
      lstmCellFused(e, cw, { x1: e.upload(x1, [x1.length]), off1: 5, x2: e.upload(x2, [x2.length]), off2: 3, hIn: e.upload(h, [H]), c: ct, hOut, hOutOff: 2, seq, seqOff: H }, tn);
      const [gc, gh, gs] = await e.readMany([ct, hOut, seq]);
      assertClose(gc as Float32Array, want.c, TOL, 'c');
      assertClose((gh as Float32Array).subarray(2), want.h, TOL, 'h');
      assertClose((gs as Float32Array).subarray(H, 2 * H), want.h, TOL, 'seq');
    });

    for (const tx of [11, 300]) it(`additive attention + gate over frames (Tx=${tx}, A=7, H=9, attnWg ${tn.attnWg})`, async () => {
      const e = await getEngine();
      const [A, H, F] = [7, 9, 3];
      const wq = randArray(A * H, 10);
      const kv = randArray(tx * 2 * A, 11);
      const small = randArray(A + H + A + 1, 12);
      const hs = randArray(F * H, 13);
      const temp = 0.8;
      const attn = e.upload(new Float32Array((F + 2) * tx), [F + 2, tx]);
      const ctx = e.upload(new Float32Array(F * A), [F, A]);
      const gates = e.upload(new Float32Array(F + 2), [F + 2]);
      additiveAttention(e, { wqT: e.upload(transposeHost(wq, A, H), [H, A]), small: e.upload(small, [small.length]), hidden: H, attn: A },
        { kv: e.upload(kv, [tx, 2 * A]), tx, h: e.upload(hs, [F * H]), hStride: H, row0: 2, frames: F, attn, ctx, gate: gates, temperature: temp }, tn);
      const [ga, gctx, gg] = (await e.readMany([attn, ctx, gates])) as Float32Array[];
      // The same with the queries precomputed (the GPU path computes them with a wide mat-vec).
      const qHost = new Float32Array(F * A);
      for (let f = 0; f < F; f++) for (let a = 0; a < A; a++) for (let k = 0; k < H; k++) qHost[f * A + a]! += wq[a * H + k]! * hs[f * H + k]!;
      const attn2 = e.upload(new Float32Array((F + 2) * tx), [F + 2, tx]);
      const ctx2 = e.upload(new Float32Array(F * A), [F, A]);
      const gates2 = e.upload(new Float32Array(F + 2), [F + 2]);
      additiveAttention(e, { wqT: e.upload(transposeHost(wq, A, H), [H, A]), small: e.upload(small, [small.length]), hidden: H, attn: A },
        { kv: e.upload(kv, [tx, 2 * A]), tx, h: e.upload(hs, [F * H]), hStride: H, q: e.upload(qHost, [F, A]), row0: 2, frames: F, attn: attn2, ctx: ctx2, gate: gates2, temperature: temp }, tn);
      const [ga2, gctx2, gg2] = (await e.readMany([attn2, ctx2, gates2])) as Float32Array[];
      assertClose(ga2!, ga!, TOL, 'attn (precomputed q)');
      assertClose(gctx2!, gctx!, TOL, 'ctx (precomputed q)');
      assertClose(gg2!, gg!, TOL, 'gate (precomputed q)');
      for (let f = 0; f < F; f++) {
        const h = hs.subarray(f * H, (f + 1) * H);
        const q = Array.from({ length: A }, (_, a) => h.reduce((s, v, k) => s + wq[a * H + k]! * v, 0));
        const en = Array.from({ length: tx }, (_, j) => q.reduce((s, qa, a) => s + small[a]! * Math.tanh(qa + kv[j * 2 * A + a]!), 0) / temp);
        const mx = Math.max(...en);
        const ex = en.map((v) => Math.exp(v - mx));
        const sum = ex.reduce((s, v) => s + v, 0);
        const al = ex.map((v) => v / sum);
        const c = Array.from({ length: A }, (_, a) => al.reduce((s, v, j) => s + v * kv[j * 2 * A + A + a]!, 0));
        assertClose(ga!.subarray((f + 2) * tx, (f + 3) * tx), new Float32Array(al), TOL, `attn ${f}`);
        assertClose(gctx!.subarray(f * A, (f + 1) * A), new Float32Array(c), TOL, `ctx ${f}`);
        let g = small[A + H + A]!;
        for (let k = 0; k < H; k++) g += small[A + k]! * h[k]!;
        for (let a = 0; a < A; a++) g += small[A + H + a]! * c[a]!;
        assertClose(gg!.subarray(f + 2, f + 3), new Float32Array([g]), TOL, `gate ${f}`);
      }
    });

    it(`fused attention-LSTM step: previous frame's inverse affine, cell, partial queries (H=37, M=6, A=5, units ${tn.units} × ksplit ${tn.ksplit})`, async () => {
      const e = await getEngine();
      const [H, M, A] = [37, 6, 5];
      const wih = randArray(4 * H * M, 50, 0.5);
      const whh = randArray(4 * H * H, 51, 0.3);
      const bih = randArray(4 * H, 52);
      const bhh = randArray(4 * H, 53);
      const wq = randArray(A * H, 54);
      const conv = randArray(2 * M * H, 55, 0.2);
      const convB = randArray(2 * M, 56);
      const d = randArray(H, 57);
      const z = randArray(3 * M, 58);
      const h = randArray(H, 59);
      const c = randArray(H, 60);
      const p = packLstm(wih, whh, bih, bhh, H);
      const packed = packAttnCell(p.w, wq, conv, convB, H, M, A);
      const parts = attnCellParts(H, tn);
      const cw = { w: e.upload(packed, [packed.length]), bias: e.upload(p.bias, [4 * H]), hidden: H, mel: M, attn: A };
      for (const first of [false, true]) {
        const hIn = e.upload(new Float32Array([...h, ...new Float32Array(parts * A)]), [H + parts * A]);
        const hOut = e.upload(new Float32Array(H + parts * A), [H + parts * A]);
        const ct = e.upload(c, [H]);
        const out = e.upload(new Float32Array(3 * M), [3 * M]);
        attnCellFused(e, cw, { d: e.upload(d, [H]), z: e.upload(z, [3 * M]), zOff: M, out, oOff: 2 * M, first, hIn, hOut, c: ct }, tn);
        const [gh, gc, go] = (await e.readMany([hOut, ct, out])) as Float32Array[];
        const dec = Array.from({ length: 2 * M }, (_, r) => convB[r]! + d.reduce((s, v, k) => s + conv[r * H + k]! * v, 0));
        const x = new Float32Array(M).map((_, m) => (first ? 0 : (z[M + m]! - dec[M + m]!) / Math.exp(dec[m]!)));
        if (!first) assertClose(go!.subarray(2 * M), x, TOL, 'previous frame');
        else assertClose(go!, new Float32Array(3 * M), 0, 'nothing written at step 0');
        const want = lstmRef(wih, whh, bih, bhh, x, h, c);
        assertClose(gc!, want.c, TOL, `c (first=${first})`);
        assertClose(gh!.subarray(0, H), want.h, TOL, `h (first=${first})`);
        const q = new Float32Array(A);
        for (let pp = 0; pp < parts; pp++) for (let a = 0; a < A; a++) q[a]! += gh![H + pp * A + a]!;
        const wantQ = new Float32Array(A).map((_, a) => want.h.reduce((s, v, k) => s + wq[a * H + k]! * v, 0));
        assertClose(q, wantQ, TOL, `query from partials (first=${first})`);
      }
    });

    it(`matvec + tanh and conv/inverse affine (K=45, N=70 (not a multiple of 4), M=5, units ${tn.units} × ksplit ${tn.ksplit})`, async () => {
      const e = await getEngine();
      const [K, N, M] = [45, 70, 5];
      const w = randArray(N * K, 20, 0.3);
      const b = randArray(N, 21);
      const x = randArray(K + 4, 22);
      const y = e.upload(new Float32Array(N + 1), [N + 1]);
      const pk = packMatvec(w, N, K, b);
      matvec(e, { w: e.upload(pk.w, [K, pk.b.length]), b: e.upload(pk.b, [pk.b.length]), k: K, n: N }, e.upload(x, [K + 4]), y, tn, { act: 'tanh', xOff: 4, yOff: 1 });
      const want = Array.from({ length: N }, (_, n) => Math.tanh(b[n]! + x.subarray(4).reduce((s, v, k) => s + w[n * K + k]! * v, 0)));
      assertClose((await e.readF32(y)).subarray(1), new Float32Array(want), TOL, 'matvec');
      // 1x1 conv [2M, K] → log_s (first) and b, then (z − b)/exp(log_s).
      const cw = randArray(2 * M * K, 23, 0.2);
      const cb = randArray(2 * M, 24);
      const d = randArray(K, 25);
      const z = randArray(3 * M, 26);
      const out = e.upload(new Float32Array(2 * M), [2 * M]);
      affineInverse(e, e.upload(transposeHost(cw, 2 * M, K), [K, 2 * M]), e.upload(cb, [2 * M]), e.upload(d, [K]), e.upload(z, [3 * M]), out, 2 * M, M, tn);
      const dec = Array.from({ length: 2 * M }, (_, r) => cb[r]! + d.reduce((s, v, k) => s + cw[r * K + k]! * v, 0));
      const wantA = Array.from({ length: M }, (_, m) => (z[2 * M + m]! - dec[M + m]!) / Math.exp(dec[m]!));
      assertClose((await e.readF32(out)).subarray(M), new Float32Array(wantA), TOL, 'affine inverse');
    });
  }

});
