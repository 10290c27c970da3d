// The CMU pronouncing dictionary, parsed the way keithito's `cmudict.py` parses it: words start
// with a letter or an apostrophe, "(n)" variant markers are removed so variants collect under one
// word in order, and a pronunciation with any symbol outside the 84 ARPAbet ones is dropped.
// The packaged copy (npm `cmu-pronouncing-dictionary`) is imported lazily, never fetched; a copy
// of the file an original shipped can be given instead to reproduce its ids exactly.

import { ARPABET } from './arpabet.js';

const VARIANT_RE = /\((\d+)\)/;
// Phones separated by single spaces, every one of them an ARPAbet symbol.
const PHONE = `(?:${[...ARPABET].sort((a, b) => b.length - a.length).join('|')})`;
const PRONUNCIATION_RE = new RegExp(`^${PHONE}(?: ${PHONE})*$`);

export class CmuDict {
  private constructor(private readonly entries: ReadonlyMap<string, readonly string[]>) {}

  /**
   * Pronunciations of a word (any case), first variant first. With `keepAmbiguous` false only
   * words with exactly one pronunciation are known (Flowtron's `keep_ambiguous=False`).
   */
  lookup(word: string, keepAmbiguous = true): readonly string[] | undefined {
    const prons = this.entries.get(word.toUpperCase());
    return prons && (keepAmbiguous || prons.length === 1) ? prons : undefined;
  }

  get size(): number {
    return this.entries.size;
  }

  /** From (word, pronunciation) pairs, variants keyed "WORD(n)" and ordered by n. */
  static fromPairs(pairs: Iterable<readonly [string, string]>): CmuDict {
    const entries = new Map<string, string[]>();
    const order = new Map<string[], number[]>(); // variant numbers, kept only for words that have several
    for (const [key, value] of pairs) {
      const c = key.charCodeAt(0) | 0x20; // lower-cases ASCII letters
      if (!((c >= 0x61 && c <= 0x7a) || key[0] === "'")) continue;
      // The packaged dictionary has "# comment" after some pronunciations; they are not phones.
      const pron = (value.includes('#') ? value.slice(0, value.indexOf('#')) : value).trim();
      if (!PRONUNCIATION_RE.test(pron)) continue;
      const variant = key.endsWith(')') ? VARIANT_RE.exec(key) : null;
      const word = (variant ? key.replace(VARIANT_RE, '') : key).toUpperCase();
      const list = entries.get(word);
      if (!list) {
        entries.set(word, [pron]);
        continue;
      }
      const ns = order.get(list) ?? [0];
      list.push(pron);
      ns.push(variant ? Number(variant[1]) : 0);
      order.set(list, ns);
    }
    for (const [list, ns] of order) {
      const sorted = list.map((pron, i) => ({ pron, n: ns[i]! })).sort((a, b) => a.n - b.n);
      sorted.forEach((v, i) => (list[i] = v.pron));
    }
    return new CmuDict(entries);
  }

  /** From the text of a CMUdict file ("WORD  P1 P2", ";;;" comments), e.g. an original's `cmu_dictionary`. */
  static fromText(text: string): CmuDict {
    const pairs: [string, string][] = [];
    for (const line of text.split('\n')) {
      const sep = line.indexOf('  ');
      if (sep > 0) pairs.push([line.slice(0, sep), line.slice(sep + 2)]);
    }
    return CmuDict.fromPairs(pairs);
  }
}

let packaged: Promise<CmuDict> | undefined;

/** The entries of a large record without building them all as an array first. */
function* pairsOf(record: Readonly<Record<string, string>>): Generator<[string, string]> {
  for (const key in record) yield [key, record[key]!];
}

/** The packaged dictionary (about 126,000 words), loaded on first use and kept. */
export function loadCmuDict(): Promise<CmuDict> {
  packaged ??= import('cmu-pronouncing-dictionary').then((m) => CmuDict.fromPairs(pairsOf(m.dictionary)));
  return packaged;
}
