// Register tiles of the GEMM-shaped kernels (matmul, conv, wavenet) chosen per adapter AND
// runtime. The same lavapipe driver favours different tiles under Dawn (Node; Tint's SPIR-V)
// and under wgpu (Deno; Naga's SPIR-V, which guards every array index): measured in one
// minute on this machine, matmul 512³ ran fastest with 16×8 (or 8×8) register tiles in Node but
// with 4×4 in Deno. So the large-work tile is measured, not assumed: `tuneTiles` times each
// candidate on a short GEMM and caches the fastest by the adapter's description and backend
// (which differ between runtimes on one driver); `pickTile` uses it for large work.

import type { Engine } from '../gpu/engine.js';

/** A register-tiled kernel's shape: workgroup WG_X × WG_Y, each invocation TM rows × TN cols. */
export interface Tile {
  wx: number;
  wy: number;
  tm: number;
  tn: number;
}

export interface TileTiming {
  tile: Tile;
  /** Milliseconds of one GEMM with this tile (the fastest of a few runs). */
  ms: number;
}

/** Candidates for large work: the CPU-driver tiles (one invocation row, uniform weight loads)
 *  from large to small, then the GPU-style 8×8 workgroup. */
export const TILE_CANDIDATES: readonly Tile[] = [
  { wx: 16, wy: 1, tm: 16, tn: 8 },
  { wx: 16, wy: 1, tm: 8, tn: 8 },
  { wx: 16, wy: 1, tm: 4, tn: 4 },
  { wx: 8, wy: 8, tm: 4, tn: 4 },
];

/**
 * The candidates measured on this adapter. A software adapter only tries the one-row tiles: the
 * 8×8 workgroup sometimes wins the matmul probe on lavapipe (within its noise) yet ran WaveGlow's
 * fused convolutions 2.6× slower (16 frames: 30 s against 11.5 s), so it is kept for hardware.
 */
export function tileCandidates(e: Engine): readonly Tile[] {
  return e.isSoftware ? TILE_CANDIDATES.filter((t) => t.wy === 1) : TILE_CANDIDATES;
}

/** The fastest of the measured tiles (the earlier candidate on a tie). */
export function fastestTile(timings: readonly TileTiming[]): Tile {
  if (timings.length === 0) throw new Error('fastestTile: no timings');
  return timings.reduce((best, t) => (t.ms < best.ms ? t : best)).tile;
}

/** What the tile choice is cached by: the adapter and the runtime's WebGPU implementation. */
export function adapterKey(e: Engine): string {
  const i = e.info;
  return `${i.vendor}|${i.architecture}|${i.device}|${i.description}|${i.backend}`;
}

const tuned = new Map<string, { tile: Tile; timings: TileTiming[] }>();

/** The measured large-work tile of this adapter and runtime, if `tuneTiles` has run. */
export function tunedTile(e: Engine): Tile | undefined {
  return tuned.get(adapterKey(e))?.tile;
}

/**
 * Measures `run(tile)` (one GEMM, resolved when the GPU has finished it) for each candidate:
 * one warm-up each (compiles the pipeline), then the fastest of `reps` runs taken in turns (on a busy machine the
 * fastest run is the one least disturbed by other work). Caches and returns the timings; a
 * second call on the same adapter and runtime returns the cached ones.
 */
export async function tuneTiles(
  e: Engine, run: (tile: Tile) => Promise<void>, candidates: readonly Tile[] = TILE_CANDIDATES, reps = 5,
): Promise<{ tile: Tile; timings: TileTiming[] }> {
  const key = adapterKey(e);
  const hit = tuned.get(key);
  if (hit) return hit;
  for (const tile of candidates) await run(tile);
  const timings: TileTiming[] = candidates.map((tile) => ({ tile, ms: Infinity }));
  // Round-robin: a burst of other work on the machine slows every candidate alike, not just one.
  for (let r = 0; r < reps; r++) {
    for (const t of timings) {
      const t0 = performance.now();
      await run(t.tile);
      t.ms = Math.min(t.ms, performance.now() - t0);
    }
  }
  const result = { tile: fastestTile(timings), timings };
  tuned.set(key, result);
  return result;
}
