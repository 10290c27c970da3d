// The front ends against ../shared/golden/text.json: ids made by the original Python code, with
// the dictionary each original read (shipped in the package). Every id of every entry must equal.

import { englishCleaners, flowtronCleaners, loadCmuDict, symbolsOf, textToIds, GLOWTTS_BLANK } from '../../src/text/index.js';
import { assertArrayEqual, assertEqual } from '../helpers/check.js';
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
    const dict = await loadCmuDict('flowtron');
    for (const e of (await loadGolden()).flowtron) assertEqual(flowtronCleaners(e.text, dict), e.cleaned, 'cleaned');
  });

  it('glowtts: every sentence', async () => {
    const entries = (await loadGolden()).glowtts;
    for (const [i, e] of entries.entries()) assertArrayEqual((await textToIds('glowtts', e.text)).ids, e.ids, `glowtts entry ${i} ${JSON.stringify(e.text)}`);
  });

  for (const p of [0, 1] as const) {
    it(`flowtron: every sentence, p_arpabet ${p}`, async () => {
      for (const [i, e] of (await loadGolden()).flowtron.entries()) {
        const { ids } = await textToIds('flowtron', e.text, { pArpabet: p });
        assertArrayEqual(ids, p === 0 ? e.ids_p_arpabet_0 : e.ids_p_arpabet_1, `flowtron entry ${i} ${JSON.stringify(e.text)}`);
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
