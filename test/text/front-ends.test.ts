// Front-end behaviour beyond the goldens: ARPAbet passthrough, dictionary rules, the CSET
// table and its lexicon fallback, errors, and the `flowgpu ids` argument handling.

import { idsFor } from '../../src/cli/ids.js';
import { lexiconText } from '../../src/text/cmudict.js';
import { CmuDict, CSET_SYMBOLS, loadCmuDict, symbolsOf, textToIds, type FrontEnd } from '../../src/text/index.js';
import { assert, assertArrayEqual, assertEqual, assertRejects } from '../helpers/check.js';
import { readFileBytes, readGolden } from '../helpers/files.js';

/** keithito's `sequence_to_text`: phones back in braces. */
function decode(frontEnd: FrontEnd, ids: readonly number[]): string {
  const text = ids.map((id) => {
    const s = symbolsOf(frontEnd)[id]!;
    return s.length > 1 && s.startsWith('@') ? `{${s.slice(1)}}` : s;
  });
  return text.join('').replace(/\}\{/g, ' ');
}

const DICT = CmuDict.fromText([
  ';;; a comment line',
  'HELLO  HH AH0 L OW1',
  'HELLO(1)  HH EH0 L OW1',
  'WORLD  W ER1 L D',
  'JOHN  JH AA1 N',
  'JONES  JH OW1 N Z',
  'RECORD  R EH1 K ER0 D',
  'BAD  B AE1 D # a comment is not a phone',
  'WRONG  R AO1 NG XX',
  'DOOR  D AO1 R',
  'SITTING  S IH1 T IH0 NG',
].join('\n'));

describe('CMU dictionary', () => {
  it('parses variants in order, drops invalid pronunciations, ignores case', () => {
    assertEqual(DICT.lookup('hello')?.join('|'), 'HH AH0 L OW1|HH EH0 L OW1', 'variants');
    assertEqual(DICT.lookup('Hello', false), undefined, 'ambiguous word hidden');
    assertEqual(DICT.lookup('world', false)?.join('|'), 'W ER1 L D', 'unambiguous');
    assertEqual(DICT.lookup('bad'), undefined, '"#" is no phone: the original drops the line');
    assertEqual(DICT.lookup('wrong'), undefined, 'invalid phone');
    assertEqual(DICT.size, 7, 'words');
  });

  it('the shipped dictionaries are the files the originals read, byte for byte', async () => {
    const latin1 = (b: Uint8Array) => Array.from(b, (c) => String.fromCharCode(c)).join('');
    for (const [lexicon, file] of [['flowtron', 'flowtron-cmudict_dictionary.gz'], ['glowtts', 'glowtts-cmu_dictionary.gz']] as const) {
      const gz = await readFileBytes(`../shared/reference/lexicons/${file}`);
      const stream = new Blob([gz as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
      const want = latin1(new Uint8Array(await new Response(stream).arrayBuffer()));
      const got = await lexiconText(lexicon);
      assertEqual(got.length, want.length, `${lexicon}: length`);
      assert(got === want, `${lexicon}: text differs`);
    }
  });

  it("each original's dictionary loads lazily, once, and they differ where the files do", async () => {
    const [flowtron, glowtts] = [await loadCmuDict('flowtron'), await loadCmuDict('glowtts')];
    assert(flowtron.size > 120000, `Flowtron's dictionary has ${flowtron.size} words`);
    assertEqual(flowtron.lookup('street')?.[0], 'S T R IY1 T', 'street');
    assertEqual(flowtron.lookup('am')?.join('|'), 'AE1 M|EY1 AE1 M', 'Flowtron: AM');
    assertEqual(glowtts.lookup('am')?.join('|'), 'EY1 AE1 M|AE1 M', 'Glow-TTS: AM');
    assertEqual(flowtron.lookup('déjà')?.[0], 'D EY2 JH AA1', 'a latin-1 word');
    assertEqual(await loadCmuDict('flowtron'), flowtron, 'cached');
    assertEqual(await loadCmuDict(), flowtron, "Flowtron's by default");
  });
});

describe('glowtts front end', () => {
  it('reads words from the dictionary (first pronunciation), spells the rest, passes {ARPAbet} through', async () => {
    // As in the original, only the text after the last {…} span is looked up.
    const { ids, unknown } = await textToIds('glowtts', 'Hello {HH AW1 S} hello "world", hello', { dictionary: DICT });
    assertEqual(decode('glowtts', ids), 'hello {HH AW1 S} {HH AH0 L OW1} world, {HH AH0 L OW1}', 'ids');
    assertEqual(unknown.join(' '), '"', 'the quote is dropped, and reported once');
  });
});

describe('flowtron front end', () => {
  it('possessives, heteronyms, attached punctuation', async () => {
    const { ids } = await textToIds('flowtron', "John's record: Jones's world!", { dictionary: DICT });
    assertEqual(decode('flowtron', ids), '{JH AA1 N Z} record: {JH OW1 N Z Z} {W ER1 L D}!', 'ids');
  });

  it('p_arpabet between 0 and 1 mixes readings reproducibly per seed', async () => {
    const text = 'world '.repeat(40).trim();
    const a = await textToIds('flowtron', text, { dictionary: DICT, pArpabet: 0.5, seed: 7 });
    const b = await textToIds('flowtron', text, { dictionary: DICT, pArpabet: 0.5, seed: 7 });
    assertArrayEqual(a.ids, b.ids, 'same seed');
    const words = decode('flowtron', a.ids).split(' {').length;
    assert(words > 5 && words < 36, `about half the words read as ARPAbet (${words - 1} of 40)`);
  });
});

describe('cset front end', () => {
  it('symbol table: Glow-TTS symbols, pinyin, pauses; the golden embedding has one more row', async () => {
    assertEqual(CSET_SYMBOLS.length, 360, 'symbols');
    assertEqual(CSET_SYMBOLS.indexOf('@b'), 148, 'first pinyin');
    assertEqual(CSET_SYMBOLS.indexOf('@vn5'), 355, 'last final');
    assertEqual(CSET_SYMBOLS.indexOf('@sp'), 357, 'sp');
    assertEqual(CSET_SYMBOLS.indexOf('@sil'), 359, 'sil');
    const bytes = await readGolden('cset-small.safetensors');
    const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<string, { shape: number[] }>;
    assertEqual(header['weights.encoder.src_word_emb.weight']!.shape[0], CSET_SYMBOLS.length + 1, 'embedding rows');
  });

  it('phones only: pauses for inner punctuation, trailing punctuation removed, letters for unknown words', async () => {
    const { ids } = await textToIds('cset', 'Hello, world-door; Zq 2 sitting!?', { dictionary: DICT });
    // "Zq" is in no lexicon: spelled Z, Q; "2" is read as "two", itself spelled (not in this
    // dictionary); g2p_en's character filter removes ";", so it gives no pause.
    assertEqual(decode('cset', ids), '{HH AH0 L OW1 sp W ER1 L D sp D AO1 R Z IY1 K Y UW1 T IY1 D AH1 B AH0 L Y UW0 OW1 S IH1 T IH0 NG}', 'ids');
  });
});

describe('text errors', () => {
  for (const fe of ['glowtts', 'flowtron', 'cset'] as const) {
    it(`${fe}: empty text, and text with nothing to speak`, async () => {
      await assertRejects(() => textToIds(fe, '', { dictionary: DICT }), /text is empty/, 'empty');
      await assertRejects(() => textToIds(fe, ' \n\t', { dictionary: DICT }), /text is empty/, 'blank');
      await assertRejects(() => textToIds(fe, '日本 語', { dictionary: DICT }), /nothing the \w+ front end can speak/, 'unknown only');
      await assertRejects(() => textToIds(fe, '?! ...', { dictionary: DICT }), /nothing the \w+ front end can speak/, 'punctuation only');
    });
  }

  it('options that do not apply are refused', async () => {
    await assertRejects(() => textToIds('glowtts', 'hello', { pArpabet: 1 }), /flowtron front end only/, 'p_arpabet on glowtts');
    await assertRejects(() => textToIds('flowtron', 'hello', { addBlank: true }), /glowtts front end only/, 'add_blank on flowtron');
    await assertRejects(() => textToIds('flowtron', 'hello', { pArpabet: 1.5 }), /between 0 and 1/, 'p_arpabet range');
    await assertRejects(() => textToIds('tacotron' as FrontEnd, 'hello'), /unknown front end/, 'front end');
  });

  it('reports the dropped symbols in the error', async () => {
    await assertRejects(() => textToIds('glowtts', '日本', { dictionary: DICT }), /dropped: 日 本/, 'dropped list');
  });
});

describe('flowgpu ids arguments', () => {
  it('parses the front end, options and text', async () => {
    const plain = await textToIds('glowtts', 'Hello world');
    assertArrayEqual((await idsFor(['--front-end', 'glowtts', 'Hello world'])).ids, plain.ids, 'glowtts');
    assertEqual((await idsFor(['--front-end=glowtts', '--add-blank', 'Hello world'])).ids.length, 2 * plain.ids.length + 1, 'add blank');
    const p0 = await textToIds('flowtron', 'Hello world', { pArpabet: 0 });
    assertArrayEqual((await idsFor(['--p-arpabet', '0', '--front-end', 'flowtron', '--', 'Hello world'])).ids, p0.ids, 'flowtron p 0');
  });

  it('refuses bad arguments', async () => {
    await assertRejects(() => idsFor(['hello']), /--front-end/, 'no front end');
    await assertRejects(() => idsFor(['--front-end', 'glowtts']), /one quoted argument/, 'no text');
    await assertRejects(() => idsFor(['--front-end', 'glowtts', 'a', 'b']), /one quoted argument/, 'two texts');
    await assertRejects(() => idsFor(['--front-end', 'flowtron', '--p-arpabet', 'x', 'a']), /--p-arpabet must be a number from 0 to 1, got "x"/, 'p');
    await assertRejects(() => idsFor(['--front-end', 'glowtts', '--speed', '2', 'a']), /unknown option --speed/, 'option');
  });
});
