// Issue 13, class 6: text normalisation is linear. Every cleaner and front end gets long
// adversarial runs (digits, commas, `$1,1,1…`, braces, punctuation, one long word); each must
// finish within a time budget, or (on a slow or loaded machine) at least scale linearly: four
// times the text may take at most eight times as long. The originals' patterns took minutes on
// these (Flowtron's measurement pattern was cubic) or grew sixteenfold (quadratic ones).
// A FlowgpuError (e.g. a number too long to read) is a fine outcome.

import { FlowgpuError } from '../../src/gpu/errors.js';
import { englishCleaners, flowtronCleaners, loadCmuDict, textToIds, type CmuDict } from '../../src/text/index.js';
import { assert } from '../helpers/check.js';

const N = 40_000;
const RUNS: Record<string, (n: number) => string> = {
  digits: (n) => '7'.repeat(n),
  'digits then a unit': (n) => `${'7'.repeat(n)} k`,
  'digits and dots': (n) => '1.'.repeat(n / 2),
  'digits and commas': (n) => '1,'.repeat(n / 2),
  'dollars 1,1,1…': (n) => `$${'1,'.repeat(n / 2)}`,
  'pounds and commas': (n) => `£${','.repeat(n)}`,
  'commas then a digit': (n) => `${','.repeat(n)}1`,
  'ordinal-like': (n) => `${'1'.repeat(n)}s`,
  times: (n) => '1:'.repeat(n / 2),
  'one long word': (n) => 'a'.repeat(n),
  'a 3000-letter word in a sentence': (n) => `Say ${'b'.repeat(3000)} twice. `.repeat(Math.max(1, Math.round(n / 3011))),
  capitals: (n) => 'A'.repeat(n),
  'dotted acronym': (n) => 'A.'.repeat(n / 2),
  'open braces': (n) => '{'.repeat(n),
  'brace pairs': (n) => '{A}'.repeat(n / 4),
  'punctuation then a letter': (n) => `${'!'.repeat(n)}a`,
  hyphens: (n) => 'a-'.repeat(n / 2),
  'spaces between digits': (n) => `1${' '.repeat(n)}1`,
};

const BUDGET_MS = 3000; // far above the linear cost (well under a second) on an idle machine

async function ms(fn: () => unknown): Promise<number> {
  const t0 = performance.now();
  try {
    await fn();
  } catch (e) {
    if (!(e instanceof FlowgpuError)) throw e;
  }
  return performance.now() - t0;
}

async function linear(what: string, make: (n: number) => string, fn: (text: string) => unknown): Promise<void> {
  const big = await ms(() => fn(make(N)));
  if (big < BUDGET_MS) return;
  const small = await ms(() => fn(make(N / 4)));
  assert(big < 8 * small + 200, `${what}: ${big.toFixed(0)} ms for ${N} characters (budget ${BUDGET_MS} ms), ${small.toFixed(0)} ms for ${N / 4}: worse than linear`);
}

describe('hostile input: 6. text normalisation is linear', () => {
  let dict: CmuDict;
  before(async () => {
    dict = await loadCmuDict();
  });

  for (const [name, make] of Object.entries(RUNS)) {
    it(`${name} (${make(N).length} characters)`, async () => {
      await linear(`english_cleaners on ${name}`, make, (t) => englishCleaners(t));
      await linear(`flowtron_cleaners on ${name}`, make, (t) => flowtronCleaners(t, dict));
      for (const fe of ['glowtts', 'flowtron', 'cset'] as const) {
        await linear(`${fe} front end on ${name}`, make, (t) => textToIds(fe, t, { dictionary: dict }));
      }
    });
  }
});
