// Plain-TS reference for the counter-based generator: Philox4x32-10 and the Box–Muller map.

function mulhilo(a: number, b: number): [number, number] {
  const p = BigInt(a >>> 0) * BigInt(b >>> 0);
  return [Number(p >> 32n), Number(p & 0xffffffffn)];
}

export function philox4x32_10(ctr: [number, number, number, number], key: [number, number]): [number, number, number, number] {
  let [c0, c1, c2, c3] = ctr.map((v) => v >>> 0) as [number, number, number, number];
  let [k0, k1] = key.map((v) => v >>> 0) as [number, number];
  for (let r = 0; r < 10; r++) {
    const [hi0, lo0] = mulhilo(0xd2511f53, c0);
    const [hi1, lo1] = mulhilo(0xcd9e8d57, c2);
    [c0, c1, c2, c3] = [(hi1 ^ c1 ^ k0) >>> 0, lo1, (hi0 ^ c3 ^ k1) >>> 0, lo0];
    k0 = (k0 + 0x9e3779b9) >>> 0;
    k1 = (k1 + 0xbb67ae85) >>> 0;
  }
  return [c0, c1, c2, c3];
}

function block(n: number, seed: number): [number, number, number, number] {
  const b = Math.floor(n / 4);
  return philox4x32_10([b % 2 ** 32, Math.floor(b / 2 ** 32), 0, 0], [seed % 2 ** 32, Math.floor(seed / 2 ** 32)]);
}

/** Words [offset, offset + count) of the stream of `seed`. */
export function randomBitsRef(count: number, seed: number, offset = 0): Uint32Array {
  return Uint32Array.from({ length: count }, (_, i) => block(offset + i, seed)[(offset + i) % 4]!);
}

const unit = (u: number): number => ((u >>> 8) + 1) / 16777216;
/** θ = q·π/2 + f·π/2: quadrant q from the top 2 bits, f in (0, 1) from the next 24. */
const angle = (u: number): number => (u >>> 30) * (Math.PI / 2) + ((((u >>> 6) & 0xffffff) + 0.5) / 16777216) * (Math.PI / 2);

/** Normals [offset, offset + count) of the stream of `seed`, in float64. */
export function randnRef(count: number, seed: number, offset = 0): Float64Array {
  return Float64Array.from({ length: count }, (_, i) => {
    const n = offset + i;
    const w = block(n, seed);
    const word = n % 4;
    const [a, b] = word >= 2 ? [w[2], w[3]] : [w[0], w[1]];
    const r = Math.sqrt(-2 * Math.log(unit(a!)));
    const theta = angle(b!);
    return word % 2 ? r * Math.sin(theta) : r * Math.cos(theta);
  });
}
