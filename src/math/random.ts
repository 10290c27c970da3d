// Seeded CPU random numbers, reproducible in every runtime (the GPU's counter-based generator is
// src/ops/random.ts). The streams are part of documented behaviour (Flowtron's default seed 1234,
// the Flowtron front end's ARPAbet choice): changing them changes outputs.

/** mulberry32: uniform numbers in [0, 1) (multiples of 2⁻³²) from a 32-bit seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `n` normal values with standard deviation `scale`: Box–Muller over mulberry32(seed), each
 * uniform shifted by 2⁻³³ into (0, 1) so log never sees 0; values 2i and 2i + 1 are the cosine and
 * sine of one pair.
 */
export function gaussian(n: number, seed: number, scale = 1): Float32Array {
  const u = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(u() + 2 ** -33));
    const th = 2 * Math.PI * (u() + 2 ** -33);
    out[i] = r * Math.cos(th) * scale;
    if (i + 1 < n) out[i + 1] = r * Math.sin(th) * scale;
  }
  return out;
}
