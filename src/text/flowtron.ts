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

/** mulberry32: a small seeded generator of uniform numbers in [0, 1). */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
  const random = seededRandom(opts.seed ?? 1234);
  const words = flowtronCleaners(text, dict).match(WORD_RE) ?? [];
  const mixed = words.map((w) => (random() < pArpabet ? wordToArpabet(w, dict) : w)).join(' ');
  const enc = new Encoder(TABLE);
  enc.curly(mixed, (part) => enc.chars(part));
  return enc;
}
