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

// Python's \W (Unicode) at either end of a word (the trailing run anchored where it starts, so a
// long run of punctuation is scanned once, not once per character).
const LEADING_PUNCT = /^[^\p{L}\p{N}_]+/u;
const TRAILING_PUNCT = /(?<![^\p{L}\p{N}_])[^\p{L}\p{N}_]+$/u;
const SPACE = /\s/;
const LINE_BREAK = /[\n\r\u2028\u2029]/;

/**
 * The words of `re.findall(r'\S*\{.*?\}\S*|\S+', text)`, which keeps a {…} group with what is
 * glued to it, in one pass (the regex rescans a run of braces from each of its characters). At a
 * run of non-spaces, the first alternative takes the run's last '{' that a '}' follows on its
 * line, through the first such '}' and the non-spaces after it; otherwise the run is the word.
 */
export function splitWords(text: string): string[] {
  const n = text.length;
  const nextClose = new Int32Array(n + 1).fill(-1); // first '}' at or after i on i's line
  for (let i = n - 1; i >= 0; i--) {
    nextClose[i] = text[i] === '}' ? i : LINE_BREAK.test(text[i]!) ? -1 : nextClose[i + 1]!;
  }
  const words: string[] = [];
  let i = 0;
  while (i < n) {
    if (SPACE.test(text[i]!)) { i++; continue; }
    let runEnd = i;
    while (runEnd < n && !SPACE.test(text[runEnd]!)) runEnd++;
    let close = -1;
    for (let k = runEnd - 1; k >= i && close < 0; k--) if (text[k] === '{') close = nextClose[k + 1]!;
    let end = runEnd;
    if (close >= 0) for (end = close + 1; end < n && !SPACE.test(text[end]!);) end++;
    words.push(text.slice(i, end));
    i = end;
  }
  return words;
}
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
  const words = splitWords(flowtronCleaners(text, dict));
  const enc = new Encoder(TABLE);
  // Word by word, a space between: the same ids as reading the joined words at once (a {…} span never crosses a word).
  words.forEach((w, i) => {
    const read = random() < pArpabet ? wordToArpabet(w, dict) : w;
    if (i > 0) enc.chars(' ');
    enc.word(w, () => enc.curly(read, (part) => enc.chars(part)));
  });
  return enc;
}
