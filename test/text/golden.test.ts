// The front ends against ../shared/golden/text.json: ids made by the original Python code.
//
// The goldens used the CMUdict file the originals ship (cmudict 0.7b as of 2017); the packaged
// one is newer and lists a second pronunciation for a few words. Where ids differ, the test
// demands that this is the reason: the word's golden reading is one of the packaged dictionary's
// several pronunciations (so Glow-TTS picks another first one, and Flowtron, which skips
// ambiguous words, spells it). Anything else is a front-end error and fails.

import { englishCleaners, flowtronCleaners, loadCmuDict, symbolsOf, textToIds, GLOWTTS_BLANK, type CmuDict, type FrontEnd } from '../../src/text/index.js';
import { assert, assertArrayEqual, assertEqual } from '../helpers/check.js';
import { readGolden } from '../helpers/files.js';

interface Golden {
  flowtron: { text: string; cleaned: string; ids_p_arpabet_0: number[]; ids_p_arpabet_1: number[] }[];
  glowtts: { text: string; cleaned: string; ids: number[] }[];
  flowtron_symbols: string[];
  glowtts_symbols: string[];
}

let golden: Golden | undefined;
async function loadGolden(): Promise<Golden> {
  golden ??= JSON.parse(new TextDecoder().decode(await readGolden('text.json'))) as Golden;
  return golden;
}

/** Token ids cut into words at the space symbol, each word as its symbols. */
function wordsOf(ids: readonly number[], symbols: readonly string[]): string[][] {
  const words: string[][] = [[]];
  for (const id of ids) {
    if (symbols[id] === ' ') words.push([]);
    else words.at(-1)!.push(symbols[id]!);
  }
  return words;
}

const stripPunct = (w: string): string => w.replace(/^[^\p{L}\p{N}_]+|[^\p{L}\p{N}_]+$/gu, '');

/**
 * Asserts equal ids, or ids that differ only in words the packaged dictionary reads several
 * ways, one of them the golden reading. Returns those words.
 */
function assertSameButDictionary(frontEnd: FrontEnd, got: number[], want: number[], textWords: string[], dict: CmuDict): string[] {
  if (got.join() === want.join()) return [];
  const symbols = symbolsOf(frontEnd);
  const gotWords = wordsOf(got, symbols);
  const wantWords = wordsOf(want, symbols);
  if (gotWords.length !== wantWords.length || gotWords.length !== textWords.length) assertArrayEqual(got, want, `${frontEnd} ids`);
  const explained: string[] = [];
  wantWords.forEach((w, i) => {
    if (w.join(' ') === gotWords[i]!.join(' ')) return;
    const wantPron = w.filter((s) => s.startsWith('@')).map((s) => s.slice(1)).join(' ');
    const prons = dict.lookup(stripPunct(textWords[i]!)) ?? [];
    assert(prons.length > 1 && prons.includes(wantPron), `${frontEnd}: word "${textWords[i]}" gives ${gotWords[i]!.join(' ')}, golden ${w.join(' ')}`);
    explained.push(textWords[i]!);
  });
  return explained;
}

describe('text front ends: golden ids', () => {
  it('symbol tables equal the originals', async () => {
    const g = await loadGolden();
    assertEqual(symbolsOf('glowtts').length, 148, 'glowtts symbols');
    assertEqual(symbolsOf('flowtron').length, 185, 'flowtron symbols');
    assertEqual(JSON.stringify(symbolsOf('glowtts')), JSON.stringify(g.glowtts_symbols), 'glowtts table');
    assertEqual(JSON.stringify(symbolsOf('flowtron')), JSON.stringify(g.flowtron_symbols), 'flowtron table');
  });

  it('glowtts: english_cleaners text equals the golden cleaned text', async () => {
    for (const e of (await loadGolden()).glowtts) assertEqual(englishCleaners(e.text), e.cleaned, 'cleaned');
  });

  it('flowtron: flowtron_cleaners text equals the golden cleaned text', async () => {
    const dict = await loadCmuDict();
    for (const e of (await loadGolden()).flowtron) assertEqual(flowtronCleaners(e.text, dict), e.cleaned, 'cleaned');
  });

  it('glowtts: every sentence', async () => {
    const dict = await loadCmuDict();
    for (const e of (await loadGolden()).glowtts) {
      const { ids } = await textToIds('glowtts', e.text);
      assertSameButDictionary('glowtts', ids, e.ids, e.cleaned.split(' '), dict);
    }
  });

  for (const p of [0, 1] as const) {
    it(`flowtron: every sentence, p_arpabet ${p}`, async () => {
      const dict = await loadCmuDict();
      for (const e of (await loadGolden()).flowtron) {
        const { ids } = await textToIds('flowtron', e.text, { pArpabet: p });
        const want = p === 0 ? e.ids_p_arpabet_0 : e.ids_p_arpabet_1;
        const explained = assertSameButDictionary('flowtron', ids, want, e.cleaned.split(' '), dict);
        if (p === 0) assertEqual(explained.length, 0, 'p_arpabet 0 uses no dictionary: words that differ');
      }
    });
  }

  it('glowtts add_blank: blank 148 between and around the golden tokens', async () => {
    const e = (await loadGolden()).glowtts[1]!;
    const plain = await textToIds('glowtts', e.text);
    const { ids } = await textToIds('glowtts', e.text, { addBlank: true });
    assertEqual(ids.length, 2 * plain.ids.length + 1, 'length');
    plain.ids.forEach((id, i) => assertEqual(ids[2 * i + 1], id, `token ${i}`));
    for (let i = 0; i < ids.length; i += 2) assertEqual(ids[i], GLOWTTS_BLANK, `blank ${i}`);
    assertEqual(GLOWTTS_BLANK, 148, 'blank id');
  });
});
