import { GriffinLim } from '../../src/models/griffinlim.js';
import { initialPhase, pseudoInverse } from '../../src/ops/griffinlim.js';
import { melFilterbank } from '../../src/ops/stft.js';
import { loadDemoVoice } from '../../src/voice.js';
import { assert, assertClose, assertRejects, relMaxError } from '../helpers/check.js';
import { getEngine } from '../helpers/engine.js';
import { istftRef, stftRef } from '../reference/stft.js';

// Tiny geometry so the CPU reference and software GPUs stay quick.
const CFG = { sampleRate: 8000, nFft: 64, hop: 16, nMel: 20, fmin: 0, fmax: 4000 };
const BINS = CFG.nFft / 2 + 1;


/** The same Griffin-Lim as the GPU (torchaudio's fast Griffin-Lim), in float64, from a log mel. */
function griffinLimRef(logMel: Float32Array, frames: number, iterations: number, momentum: number, seed: number): Float64Array {
  const basis = melFilterbank({ sampleRate: CFG.sampleRate, nFft: CFG.nFft, nMels: CFG.nMel, fmin: CFG.fmin, fmax: CFG.fmax });
  const pinv = pseudoInverse(basis, CFG.nMel, BINS);
  const n = BINS * frames;
  const mag = new Float64Array(n);
  for (let k = 0; k < BINS; k++) {
    for (let f = 0; f < frames; f++) {
      let s = 0;
      for (let m = 0; m < CFG.nMel; m++) s += pinv[k * CFG.nMel + m]! * Math.exp(logMel[m * frames + f]!);
      mag[k * frames + f] = Math.max(s, 0);
    }
  }
  let re = Float64Array.from(mag, (v, i) => v * Math.cos(initialPhase(i, seed)));
  let im = Float64Array.from(mag, (v, i) => v * Math.sin(initialPhase(i, seed)));
  let prevRe: Float64Array | null = null;
  let prevIm: Float64Array | null = null;
  const alpha = momentum / (1 + momentum);
  for (let it = 0; it < iterations; it++) {
    const y = istftRef(re, im, frames, CFG.nFft, CFG.hop);
    const r = stftRef(y, CFG.nFft, CFG.hop);
    const nre = new Float64Array(n);
    const nim = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const a = r.re[i]! - (prevRe ? alpha * prevRe[i]! : 0);
      const b = r.im[i]! - (prevIm ? alpha * prevIm[i]! : 0);
      const s = mag[i]! / (Math.hypot(a, b) + 1e-16);
      nre[i] = a * s;
      nim[i] = b * s;
    }
    prevRe = r.re;
    prevIm = r.im;
    re = nre;
    im = nim;
  }
  return istftRef(re, im, frames, CFG.nFft, CFG.hop);
}

/** Log mel [nMel, frames] of a signal (Tacotron 2: magnitude, mel basis, log(max(x, 1e-5))). */
function logMelRef(x: ArrayLike<number>): { mel: Float32Array; frames: number } {
  const { re, im, frames } = stftRef(x, CFG.nFft, CFG.hop);
  const basis = melFilterbank({ sampleRate: CFG.sampleRate, nFft: CFG.nFft, nMels: CFG.nMel, fmin: CFG.fmin, fmax: CFG.fmax });
  const mel = new Float32Array(CFG.nMel * frames);
  for (let m = 0; m < CFG.nMel; m++) {
    for (let f = 0; f < frames; f++) {
      let s = 0;
      for (let k = 0; k < BINS; k++) s += basis[m * BINS + k]! * Math.hypot(re[k * frames + f]!, im[k * frames + f]!);
      mel[m * frames + f] = Math.log(Math.max(s, 1e-5));
    }
  }
  return { mel, frames };
}

/** A chirp plus a harmonic tone with an envelope: a small speech-like test signal. */
function testSignal(n: number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / CFG.sampleRate;
    const env = 0.5 + 0.5 * Math.sin((2 * Math.PI * i) / n);
    x[i] = 0.4 * env * Math.sin(2 * Math.PI * (300 * t + 4000 * t * t)) + 0.2 * Math.sin(2 * Math.PI * 1200 * t) + 0.1 * Math.sin(2 * Math.PI * 2400 * t);
  }
  return x;
}

/** Spectral convergence of the mel round trip: ‖exp(mel(y)) − exp(mel)‖ / ‖exp(mel)‖. */
function melConvergence(y: ArrayLike<number>, target: Float32Array): number {
  const got = logMelRef(y).mel;
  let num = 0;
  let den = 0;
  const n = Math.min(got.length, target.length);
  for (let i = 0; i < n; i++) {
    num += (Math.exp(got[i]!) - Math.exp(target[i]!)) ** 2;
    den += Math.exp(target[i]!) ** 2;
  }
  return Math.sqrt(num / den);
}

describe('griffinlim', () => {
  it('pseudo-inverse of the mel basis: A·A⁺·A = A and A⁺·A·A⁺ = A⁺ (Tacotron 2 basis, 80×513)', () => {
    const rows = 80;
    const cols = 513;
    const a = melFilterbank({ sampleRate: 22050, nFft: 1024, nMels: rows, fmin: 0, fmax: 8000 });
    const p = pseudoInverse(a, rows, cols); // [cols, rows]
    const ap = new Float64Array(rows * rows); // A·A⁺
    for (let i = 0; i < rows; i++) for (let j = 0; j < rows; j++) {
      let s = 0;
      for (let k = 0; k < cols; k++) s += a[i * cols + k]! * p[k * rows + j]!;
      ap[i * rows + j] = s;
    }
    const apa = new Float32Array(rows * cols);
    for (let i = 0; i < rows; i++) for (let k = 0; k < cols; k++) {
      let s = 0;
      for (let j = 0; j < rows; j++) s += ap[i * rows + j]! * a[j * cols + k]!;
      apa[i * cols + k] = s;
    }
    assertClose(apa, a, 1e-4, 'A·A⁺·A');
    const pap = new Float32Array(cols * rows);
    for (let k = 0; k < cols; k++) for (let j = 0; j < rows; j++) {
      let s = 0;
      for (let i = 0; i < rows; i++) s += p[k * rows + i]! * ap[i * rows + j]!;
      pap[k * rows + j] = s;
    }
    assertClose(pap, p, 1e-4, 'A⁺·A·A⁺');
  });

  it('k iterations on the GPU equal the plain-TS reference of the same algorithm (within 1e-3)', async () => {
    const e = await getEngine();
    const x = testSignal(CFG.hop * 24);
    const { mel, frames } = logMelRef(x);
    const gl = await GriffinLim.load(e, CFG);
    try {
      for (const [iterations, momentum] of [[0, 0.99], [1, 0.99], [4, 0.99], [4, 0]] as const) {
        const got = await gl.infer(mel, frames, { iterations, momentum, seed: 7 });
        const want = griffinLimRef(mel, frames, iterations, momentum, 7);
        assert(got.length === (frames - 1) * CFG.hop, `length ${got.length}`);
        const err = relMaxError(got, want);
        assert(err < 1e-3, `${iterations} iterations (momentum ${momentum}): relative error ${err}`);
      }
    } finally {
      gl.release();
    }
  });

  it('the mel round trip converges as iterations increase', async () => {
    const e = await getEngine();
    const x = testSignal(CFG.hop * 40);
    const { mel, frames } = logMelRef(x);
    const gl = await GriffinLim.load(e, CFG);
    try {
      const sc: number[] = [];
      for (const iterations of [0, 4, 32]) sc.push(melConvergence(await gl.infer(mel, frames, { iterations }), mel));
      assert(sc[1]! < sc[0]! && sc[2]! < sc[1]!, `spectral convergence should fall with iterations: ${sc.map((v) => v.toFixed(4)).join(' → ')}`);
      assert(sc[2]! < 0.25, `after 32 iterations the mel round trip is still far off: ${sc[2]}`);
    } finally {
      gl.release();
    }
  });

  it('as a vocoder: Tacotron 2 geometry, seeded and deterministic; bad input is refused', async () => {
    const e = await getEngine();
    const v = await GriffinLim.load(e, { iterations: 2 });
    try {
      assert(v.kind === 'griffinlim' && v.nMel === 80 && v.sampleRate === 22050 && v.hopLength === 256, 'geometry');
      const frames = 6;
      const mel = Float32Array.from({ length: 80 * frames }, (_, i) => -4 + Math.sin(i));
      const a = await v.infer(mel, frames, { seed: 3 });
      const b = await v.infer(mel, frames, { seed: 3 });
      assert(a.length === (frames - 1) * 256, `length ${a.length}`);
      assertClose(a, b, 0, 'same seed, same audio');
      await assertRejects(() => v.infer(mel, frames + 1), /not \[80, 7\]/, 'wrong mel size');
      await assertRejects(() => v.infer(mel.subarray(0, 80 * 2), 2), /too few/, 'too short');
    } finally {
      v.release();
    }
  });

  // test/models runs in Node and Deno (the browser suite is test/ops and test/gpu; the demo page
  // fetches the voice by URL).
  it('the demo voice (weights/demo-voice.safetensors) loads and speaks through Griffin-Lim (Node, Deno)', async () => {
    const e = await getEngine();
    const tts = await loadDemoVoice(e);
    const v = await GriffinLim.load(e, { iterations: 4 });
    try {
      assert(tts.nMel === 80 && tts.sampleRate === 22050, 'demo voice geometry');
      const r = await tts.synthesize('Hello there.', { seed: 0 });
      assert(r.frames >= 40 && r.frames <= 200, `"Hello there." should last 0.5–2.3 s, got ${r.frames} frames`);
      const audio = await v.infer(r.mel, r.frames);
      let peak = 0;
      for (const x of audio) peak = Math.max(peak, Math.abs(x));
      assert(peak > 0.01 && peak < 4, `audio peak ${peak}`);
    } finally {
      tts.release();
      v.release();
    }
  });
});
