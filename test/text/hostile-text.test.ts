// Issue 13, class 6: text normalisation is linear. Every cleaner and front end gets long
// adversarial runs (digits, commas, `$1,1,1…`, braces, punctuation, one long word) and must
// finish each within a time budget — the originals' patterns took minutes (cubic) or seconds
// (quadratic) on these. A FlowgpuError (e.g. a number too long to read) is a fine outcome.

import { FlowgpuError } from '../../src/gpu/errors.js';
import { englishCleaners, flowtronCleaners, loadCmuDict, textToIds, type CmuDict } from '../../src/text/index.js';
import { assert } from '../helpers/check.js';

const N = 50_000;
const RUNS: Record<string, string> = {
  digits: '7'.repeat(N),
  'digits then a unit': `${'7'.repeat(N)} x`,
  'digits and dots': '1.'.repeat(N / 2),
  'digits and commas': '1,'.repeat(N / 2),
  'dollars 1,1,1…': `$${'1,'.repeat(N / 2)}`,
  'pounds and commas': `£${','.repeat(N)}`,
  'commas then a digit': `${','.repeat(N)}1`,
  'ordinal-like': `${'1'.repeat(N)}s`,
  'times': '1:'.repeat(N / 2),
  'one long word': 'a'.repeat(N),
  'one 3000-letter word in a sentence': `Say ${'b'.repeat(3000)} twice.`,
  'capitals': 'A'.repeat(N),
  'dotted acronym': 'A.'.repeat(N / 2),
  'open braces': '{'.repeat(N),
  'brace pairs': '{A}'.repeat(N / 3),
  'punctuation then a letter': `${'!'.repeat(N)}a`,
  'hyphens': 'a-'.repeat(N / 2),
  'spaces between digits': `1${' '.repeat(N)}1`,
};

const BUDGET_MS = 3000; // far above the linear cost (tens of ms) on a loaded CI machine

async function timed(what: string, fn: () => unknown): Promise<void> {
  const t0 = performance.now();
  try {
    await fn();
  } catch (e) {
    if (!(e instanceof FlowgpuError)) throw e;
  }
  const ms = performance.now() - t0;
  assert(ms < BUDGET_MS, `${what}: ${ms.toFixed(0)} ms (budget ${BUDGET_MS} ms)`);
}

describe('hostile input: 6. text normalisation is linear', () => {
  let dict: CmuDict;
  before(async () => {
    dict = await loadCmuDict();
  });

  for (const [name, text] of Object.entries(RUNS)) {
    it(`${name} (${text.length} characters)`, async () => {
      await timed(`english_cleaners on ${name}`, () => englishCleaners(text));
      await timed(`flowtron_cleaners on ${name}`, () => flowtronCleaners(text, dict));
      for (const fe of ['glowtts', 'flowtron', 'cset'] as const) {
        await timed(`${fe} front end on ${name}`, () => textToIds(fe, text, { dictionary: dict }));
      }
    });
  }
});
