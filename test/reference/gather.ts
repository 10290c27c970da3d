// Plain-TS reference for the embedding lookup.

export function embeddingRef(ids: ArrayLike<number>, table: Float32Array, dim: number, o: { scale?: number; channelsFirst?: boolean } = {}): Float32Array {
  const n = ids.length;
  const vocab = table.length / dim;
  const y = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const id = ids[i]!;
    for (let d = 0; d < dim; d++) {
      const v = id >= 0 && id < vocab ? table[id * dim + d]! * (o.scale ?? 1) : 0;
      y[o.channelsFirst ? d * n + i : i * dim + d] = v;
    }
  }
  return y;
}
