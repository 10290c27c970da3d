import { pickTile, tuneMatmulTiles } from '../../src/ops/matmul.js';
import { fastestTile, TILE_CANDIDATES, tileCandidates, tunedTile } from '../../src/ops/tiles.js';
import { assert, assertEqual } from '../helpers/check.js';
import { getEngine } from '../helpers/engine.js';

describe('tile choice per adapter and runtime', () => {
  it('picks the fastest measured tile (the earlier one on a tie)', () => {
    const [a, b, c] = TILE_CANDIDATES as [typeof TILE_CANDIDATES[0], typeof TILE_CANDIDATES[0], typeof TILE_CANDIDATES[0]];
    assertEqual(fastestTile([{ tile: a, ms: 30 }, { tile: b, ms: 12 }, { tile: c, ms: 19 }]), b, 'fastest');
    assertEqual(fastestTile([{ tile: a, ms: 5 }, { tile: b, ms: 5 }]), a, 'tie');
  });

  it('on this adapter: measures every candidate, chooses the fastest, and pickTile uses it for large work', async () => {
    const e = await getEngine();
    const { tile, timings } = await tuneMatmulTiles(e, 64);
    assertEqual(timings.length, tileCandidates(e).length, 'timings');
    if (e.isSoftware) assert(timings.every((t) => t.tile.wy === 1), 'a software adapter tries the one-row tiles only');
    for (const t of timings) assert(Number.isFinite(t.ms) && t.ms >= 0, `a timing of ${JSON.stringify(t.tile)} is ${t.ms}`);
    const best = timings.reduce((x, y) => (y.ms < x.ms ? y : x));
    assert(best.ms === timings.find((t) => t.tile === tile)!.ms, `chosen ${JSON.stringify(tile)} is not the fastest of ${JSON.stringify(timings)}`);
    assertEqual(tunedTile(e), tile, 'cached choice');
    assertEqual(JSON.stringify(pickTile(e, 512, 512, 512)), JSON.stringify(tile), 'large-work tile');
    assertEqual((await tuneMatmulTiles(e, 64)).tile, tile, 'second call uses the cache');
  });

  it('does not pad short inputs to the large tile: columns per workgroup follow N', async () => {
    const e = await getEngine();
    for (const n of [1, 20, 32, 100]) {
      const t = pickTile(e, 512, n, 768);
      assert(t.wx * t.tn < 2 * Math.max(n, t.wx), `N = ${n}: tile ${JSON.stringify(t)} covers ${t.wx * t.tn} columns`);
    }
  });
});
