// Plain-TS reference of Glow-TTS's MultiHeadAttention.attention (relative keys/values), written
// the way the original computes it: the relative tables padded/sliced to 2L−1 positions, then
// the "relative ↔ absolute" pad-and-reshape skewing, in float64.

export interface RelAttnRefOptions {
  heads: number;
  relK?: Float32Array; // [relHeads, 2w+1, d]
  relV?: Float32Array;
  relHeads?: number;
  window?: number;
  length?: number;
  blockLength?: number;
  proximal?: boolean;
}

/** The table rows used for length L: [relHeads, 2L−1, d] (zero rows where |r| > w). */
function usedEmbeddings(table: Float32Array, relHeads: number, w: number, d: number, l: number): Float64Array[] {
  const padLen = Math.max(l - (w + 1), 0);
  const sliceStart = Math.max(w + 1 - l, 0);
  const out: Float64Array[] = [];
  for (let h = 0; h < relHeads; h++) {
    const rows = 2 * w + 1 + 2 * padLen;
    const padded = new Float64Array(rows * d);
    for (let r = 0; r < 2 * w + 1; r++) for (let c = 0; c < d; c++) padded[(r + padLen) * d + c] = table[(h * (2 * w + 1) + r) * d + c]!;
    out.push(padded.slice(sliceStart * d, (sliceStart + 2 * l - 1) * d));
  }
  return out;
}

/** x [L, 2L−1] (relative) → [L, L] (absolute), via the original's pad + reshape. */
function relToAbs(x: Float64Array, l: number): Float64Array {
  const padded = new Float64Array(l * 2 * l); // each row padded with one zero column → [L, 2L]
  for (let i = 0; i < l; i++) for (let j = 0; j < 2 * l - 1; j++) padded[i * 2 * l + j] = x[i * (2 * l - 1) + j]!;
  const flat = new Float64Array(l * 2 * l + l - 1);
  flat.set(padded);
  // view [L+1, 2L−1], take [:L, L−1:]
  const out = new Float64Array(l * l);
  for (let i = 0; i < l; i++) for (let j = 0; j < l; j++) out[i * l + j] = flat[i * (2 * l - 1) + (l - 1) + j]!;
  return out;
}

/** x [L, L] (absolute) → [L, 2L−1] (relative). */
function absToRel(x: Float64Array, l: number): Float64Array {
  const padded = new Float64Array(l * (2 * l - 1)); // pad each row with L−1 zeros
  for (let i = 0; i < l; i++) for (let j = 0; j < l; j++) padded[i * (2 * l - 1) + j] = x[i * l + j]!;
  const flat = new Float64Array(l + padded.length);
  flat.set(padded, l);
  // view [L, 2L], drop column 0
  const out = new Float64Array(l * (2 * l - 1));
  for (let i = 0; i < l; i++) for (let j = 0; j < 2 * l - 1; j++) out[i * (2 * l - 1) + j] = flat[i * 2 * l + 1 + j]!;
  return out;
}

/** q, k, v channels-first [C, L]; returns [C, L] and the probabilities [heads, L, L]. */
export function relAttentionRef(q: Float32Array, k: Float32Array, v: Float32Array, c: number, l: number, o: RelAttnRefOptions): { out: Float64Array; probs: Float64Array } {
  const heads = o.heads;
  const d = c / heads;
  const scale = 1 / Math.sqrt(d);
  const length = o.length ?? l;
  const out = new Float64Array(c * l);
  const probs = new Float64Array(heads * l * l);
  const w = o.window ?? 0;
  const relHeads = o.relHeads ?? 1;
  const ek = o.relK ? usedEmbeddings(o.relK, relHeads, w, d, l) : [];
  const ev = o.relV ? usedEmbeddings(o.relV, relHeads, w, d, l) : [];
  for (let h = 0; h < heads; h++) {
    const at = (x: Float32Array, ch: number, t: number): number => x[(h * d + ch) * l + t]!;
    const scores = new Float64Array(l * l);
    for (let i = 0; i < l; i++) for (let j = 0; j < l; j++) {
      let s = 0;
      for (let ch = 0; ch < d; ch++) s += at(q, ch, i) * at(k, ch, j);
      scores[i * l + j] = s * scale;
    }
    if (o.relK) {
      const table = ek[relHeads === 1 ? 0 : h]!;
      const rel = new Float64Array(l * (2 * l - 1));
      for (let i = 0; i < l; i++) for (let m = 0; m < 2 * l - 1; m++) {
        let s = 0;
        for (let ch = 0; ch < d; ch++) s += at(q, ch, i) * table[m * d + ch]!;
        rel[i * (2 * l - 1) + m] = s;
      }
      const abs = relToAbs(rel, l);
      for (let n = 0; n < l * l; n++) scores[n]! += abs[n]! * scale;
    }
    for (let i = 0; i < l; i++) for (let j = 0; j < l; j++) {
      if (o.proximal) scores[i * l + j]! -= Math.log1p(Math.abs(i - j));
      if (i >= length || j >= length) scores[i * l + j] = -1e4;
      if (o.blockLength !== undefined && Math.abs(i - j) > o.blockLength) scores[i * l + j] = -1e4;
    }
    const p = new Float64Array(l * l);
    for (let i = 0; i < l; i++) {
      let m = -Infinity;
      for (let j = 0; j < l; j++) m = Math.max(m, scores[i * l + j]!);
      let sum = 0;
      for (let j = 0; j < l; j++) sum += (p[i * l + j] = Math.exp(scores[i * l + j]! - m));
      for (let j = 0; j < l; j++) p[i * l + j]! /= sum;
    }
    probs.set(p, h * l * l);
    const relW = o.relV ? absToRel(p, l) : null;
    const table = o.relV ? ev[relHeads === 1 ? 0 : h]! : null;
    for (let ch = 0; ch < d; ch++) for (let i = 0; i < l; i++) {
      let s = 0;
      for (let j = 0; j < l; j++) s += p[i * l + j]! * at(v, ch, j);
      if (relW && table) for (let m = 0; m < 2 * l - 1; m++) s += relW[i * (2 * l - 1) + m]! * table[m * d + ch]!;
      out[(h * d + ch) * l + i] = s;
    }
  }
  return { out, probs };
}
