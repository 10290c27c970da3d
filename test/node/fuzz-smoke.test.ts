// The fuzz harness's smoke run in `npm test` (issue 13): a few hundred seeded cases of
// test/fuzz/cases.ts in this process, each within the per-case time and memory budget, every one
// read cleanly or refused with a FlowgpuError. `npm run fuzz` runs thousands, with the CLI.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadCmuDict } from '../../src/text/index.js';
import { loadSeeds, makeCase, runCase } from '../fuzz/cases.js';

const CASES = 300;
const SEED = 13;

describe('fuzz smoke run', () => {
  it(`${CASES} seeded mutations of checkpoints, .npy, WAV and text: none crashes, hangs or over-allocates`, async function () {
    const seeds = await loadSeeds(async (p) => new Uint8Array(await readFile(join(process.cwd(), p))));
    const dict = await loadCmuDict();
    const memory = () => { const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };
    const failures: string[] = [];
    const outcomes = { ok: 0, refused: 0 };
    for (let i = 0; i < CASES; i++) {
      const c = makeCase(seeds, SEED, i);
      const { outcome } = await runCase(c, dict, memory);
      if (outcome.result === 'failure') failures.push(`case ${i} (${c.seed}; ${c.how.join(', ')}): ${outcome.message.split('\n')[0]}`);
      else outcomes[outcome.result]++;
    }
    if (failures.length) throw new Error(`${failures.length} of ${CASES} fuzz cases failed (reproduce: npm run fuzz -- --seed ${SEED} --case N):\n${failures.join('\n')}`);
    // Both outcomes occur, so the mutations neither all break nor all miss the readers.
    if (outcomes.ok === 0 || outcomes.refused === 0) throw new Error(`degenerate run: ${JSON.stringify(outcomes)}`);
  });
});
