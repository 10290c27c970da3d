// Flowtron's front end (NVIDIA/flowtron `Data.get_text`): `flowtron_cleaners`, then each
// whitespace-separated word, with probability `pArpabet`, replaced by its ARPAbet reading from
// the dictionary's unambiguous words (heteronyms excluded), then the 185-symbol table.
// Case-sensitive, no transliteration. At inference Flowtron uses pArpabet 1, which is
// deterministic; other values draw from a seeded generator (one draw per word, as the original).

import { ARPABET } from './arpabet.js';
import { flowtronCleanersBeforeAcronyms } from './cleaners.js';
import { expandAcronyms } from './acronyms.js';
import type { CmuDict } from './cmudict.js';
import { HETERONYMS } from './heteronyms.js';
import { Encoder, SymbolTable } from './symbols.js';
import { mulberry32 } from '../math/random.js';

export const FLOWTRON_SYMBOLS: readonly string[] = [
  ...'!\'",.:;? ', ...'#%&*+-/[]()', ...'_@©°½—₩€$', ...'áçéêëñöøćž', ...'0123456789',
  ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', ...ARPABET.map((p) => `@${p}`),
];

const TABLE = new SymbolTable(FLOWTRON_SYMBOLS);

// Python's \W (Unicode) at either end of a word; the words themselves come from
// `\S*\{.*?\}\S*|\S+`, which keeps a {…} group with what is glued to it.
const LEADING_PUNCT = /^[^\p{L}\p{N}_]+/u;
const TRAILING_PUNCT = /[^\p{L}\p{N}_]+$/u;
const WORD_RE = /\S*\{.*?\}\S*|\S+/g;
const POSSESSIVE_RE = /^(?=\S*')[a-zA-Z'-]+/;

export interface FlowtronOptions {
  /** Probability that a word is read from the dictionary (default 1, as at inference). */
  pArpabet?: number;
  /** Seed of the draws when 0 < pArpabet < 1. */
  seed?: number;
}

/** `get_arpabet`: "Smith," → "{S M IH1 TH},"; "Jones's" → "{JH OW1 N Z Z}"; unknown words unchanged. */
function wordToArpabet(word: string, dict: CmuDict): string {
  const start = LEADING_PUNCT.exec(word)?.[0] ?? '';
  let core = word.slice(start.length);
  const end = TRAILING_PUNCT.exec(core)?.[0] ?? '';
  core = core.slice(0, core.length - end.length);
  let suffix = '';
  const lower = core.toLowerCase();
  if (POSSESSIVE_RE.test(core) && lower !== "it's" && lower.endsWith('s')) {
    // The last two letters are taken for "'s", and stay dropped if the stem is not found.
    core = core.slice(0, -2);
    suffix = ' Z';
  }
  const pron = HETERONYMS.has(core.toLowerCase()) ? undefined : dict.lookup(core, false);
  return pron ? `${start}{${pron[0]}${suffix}}${end}` : start + core + end;
}

/** The cleaned text (`flowtron_cleaners`), as the original feeds to `get_text`'s word split. */
export function flowtronCleaners(text: string, dict: CmuDict): string {
  return expandAcronyms(flowtronCleanersBeforeAcronyms(text), dict);
}

export function flowtronEncode(text: string, dict: CmuDict, opts: FlowtronOptions = {}): Encoder {
  const pArpabet = opts.pArpabet ?? 1;
  const random = mulberry32(opts.seed ?? 1234);
  const words = flowtronCleaners(text, dict).match(WORD_RE) ?? [];
  const enc = new Encoder(TABLE);
  // Word by word, a space between: the same ids as reading the joined words at once (a {…} span never crosses a word).
  words.forEach((w, i) => {
    const read = random() < pArpabet ? wordToArpabet(w, dict) : w;
    if (i > 0) enc.chars(' ');
    enc.word(w, () => enc.curly(read, (part) => enc.chars(part)));
  });
  return enc;
}
