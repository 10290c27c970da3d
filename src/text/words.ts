// Numbers as English words, written the way Python's `inflect` (`number_to_words`) writes them,
// since every original cleaner calls it: hyphenated tens ("twenty-one"), a comma between
// thousands groups ("one thousand, two hundred"), `andword` after "hundred" and in place of the
// last comma when the final group is one word ("one thousand and one"). Works on digit strings
// so long numbers keep every digit.

import { FlowgpuError } from '../gpu/errors.js';

const UNITS = ['', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const TEENS = ['ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const SCALES = ['', 'thousand', 'million', 'billion', 'trillion', 'quadrillion', 'quintillion', 'sextillion', 'septillion', 'octillion', 'nonillion', 'decillion'];
const ORDINAL_ENDINGS: Record<string, string> = {
  ty: 'tieth', one: 'first', two: 'second', three: 'third', five: 'fifth', eight: 'eighth', nine: 'ninth', twelve: 'twelfth',
};
const ORDINAL_END_RE = /(ty|one|two|three|five|eight|nine|twelve)$/;

/** Two digits as words ("twenty-one", "twelve", "five"; "" for 00). */
function tensWords(tens: number, units: number): string {
  if (tens === 1) return TEENS[units]!;
  return TENS[tens]! + (tens && units ? '-' : '') + UNITS[units]!;
}

/** The cardinal of a string of decimal digits (leading zeros ignored). */
export function cardinal(digits: string, andword = 'and'): string {
  const d = digits.replace(/^0+/, '');
  if (d === '') return 'zero';
  if (d.length > 3 * SCALES.length) throw new FlowgpuError(`the number ${digits} is too long to read out: write it in smaller groups`);
  const groups: string[] = [];
  let lastIsOneWord = false;
  for (let end = d.length, scale = 0; end > 0; end -= 3, scale++) {
    const g = d.slice(Math.max(0, end - 3), end).padStart(3, '0');
    const [h, t, u] = [Number(g[0]), Number(g[1]), Number(g[2])];
    const words: string[] = [];
    if (h) words.push(UNITS[h]!, 'hundred');
    if (h && (t || u) && andword) words.push(andword);
    if (t || u) words.push(tensWords(t, u));
    if (words.length === 0) continue; // an all-zero group is silent and takes no comma
    if (scale) words.push(SCALES[scale]!);
    else lastIsOneWord = !h;
    groups.unshift(words.join(' '));
  }
  const last = groups.pop()!;
  if (groups.length === 0) return last;
  const join = lastIsOneWord ? (andword ? ` ${andword} ` : ' ') : ', ';
  return groups.join(', ') + join + last;
}

/** "21" → "twenty-first"; inflect reads ordinals with its default andword. */
export function ordinal(digits: string): string {
  const words = cardinal(digits);
  const m = ORDINAL_END_RE.exec(words);
  return m ? words.slice(0, m.index) + ORDINAL_ENDINGS[m[1]!] : `${words}th`;
}

/** "12.05" → "twelve point zero five": digits after the point are read one by one. */
export function decimal(text: string, andword = 'and'): string {
  const [whole, frac] = text.split('.', 2) as [string, string | undefined];
  if (frac === undefined) return cardinal(whole, andword);
  const digits = [...frac].map((c) => (c === '0' ? 'zero' : UNITS[Number(c)]!));
  return [cardinal(whole, andword), 'point', ...digits].join(' ');
}

/** A four-digit year read in pairs with "oh" for a zero ten ("nineteen ninety-nine", "ten oh one"). */
export function yearPairs(digits: string): string {
  const [a, b, c, d] = [...digits].map(Number) as [number, number, number, number];
  const second = c ? tensWords(c, d) : d ? `oh ${UNITS[d]}` : 'oh oh';
  return `${tensWords(a, b)} ${second}`;
}
