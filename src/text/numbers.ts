// Numbers in text → words, as the originals' `normalize_numbers` do it. Two variants:
// keithito's (Tacotron 2 / Glow-TTS / CSET `english_cleaners`) and Flowtron's, which adds
// "$5 million", measurements ("5f" → "five fahrenheit"), "1990's" → "nineteen nineties", drops
// the hyphens and commas of the words, and reads money with inflect's default andword.

import { cardinal, decimal, ordinal, yearPairs } from './words.js';

type Variant = 'keithito' | 'flowtron';

// Linear time on any input (SECURITY.md): a pattern that can fail after a greedy run of digits is
// anchored, by a lookbehind, at the start of that run. The originals' patterns could only match
// from there anyway (what follows the run decides), so the matches are the same; unanchored, every
// position inside a long run would rescan it (Flowtron's measurement pattern was cubic).
const COMMA_NUMBER_RE = /([0-9][0-9,]+[0-9])/g;
const POUNDS_RE = /£([0-9,]*[0-9]+)/g;
const DOLLARS_RE = /\$([0-9.,]*[0-9]+)/g;
const DOLLARS_LARGE_RE = /\$([0-9.,]*[0-9]+[ ]?(trillion|billion|million|thousand|hundred)?)/gi;
const LARGE_NUMBERS = ['trillion', 'billion', 'million', 'thousand', 'hundred'];
const DECIMAL_RE = /(?<![0-9])([0-9]+\.[0-9]+)/g;
const ORDINAL_RE = /(?<![0-9])[0-9]+(st|nd|rd|th)/g;
// Python's \b is Unicode-aware: a unit letter must not be followed by any letter or digit.
// The original's `[0-9.,]*[0-9]+` is the same language as `[0-9.,]*[0-9]`, without its
// quadratic number of ways to split a digit run.
const MEASUREMENT_RE = /(?<![0-9.,])([0-9.,]*[0-9](\s)?(f|c|k|d)(?![\p{L}\p{N}_]))/giu;
const MEASUREMENTS: Record<string, string> = { f: 'fahrenheit', c: 'celsius', k: 'thousand', d: 'd' };
const NUMBER_RE = /[0-9]+/g;
const NUMBER_PLURAL_RE = /[0-9]+'s|[0-9]+/g;

/** Python's int() of a digit string, kept as text so long amounts stay exact ("" → "0"). */
function intText(s: string): string {
  return s.replace(/\D/g, '').replace(/^0+(?=\d)/, '') || '0';
}

/** "$12.50" → "12 dollars, 50 cents" (keithito) / "twelve dollars, fifty cents " (Flowtron). */
function dollars(amount: string, variant: Variant): string {
  const parts = amount.split('.');
  if (parts.length > 2) return `${amount} dollars`; // unexpected format: left as is
  const d = intText(parts[0]!);
  const c = intText(parts[1] ?? '');
  const say = variant === 'flowtron' ? (n: string) => cardinal(n) : (n: string) => n;
  const end = variant === 'flowtron' ? ' ' : '';
  const dollarPart = `${say(d)} ${d === '1' ? 'dollar' : 'dollars'}`;
  const centPart = `${say(c)} ${c === '1' ? 'cent' : 'cents'}`;
  if (d !== '0' && c !== '0') return `${dollarPart}, ${centPart}${end}`;
  if (d !== '0') return dollarPart + end;
  if (c !== '0') return centPart + end;
  return 'zero dollars';
}

/** Flowtron's dollar rule: "$5 million" keeps its digits for the number pass. */
function flowtronDollars(match: string): string {
  const parts = match.split(' ');
  // The regex ignores case but the original's membership test does not: "$5 Million" loses "Million".
  if (parts.length === 2 && LARGE_NUMBERS.includes(parts[1]!)) return `${parts[0]} ${parts[1]} dollars `;
  return dollars(parts[0]!, 'flowtron');
}

/** A plain integer: 1001–2999 read as years, the rest as cardinals without "and". */
function integer(digits: string, variant: Variant): string {
  const n = Number(digits);
  if (n > 1000 && n < 3000) {
    if (n === 2000) return 'two thousand';
    if (n > 2000 && n < 2010) return `two thousand ${cardinal(String(n % 100))}`;
    if (n % 100 === 0) return `${cardinal(String(Math.floor(n / 100)))} hundred`;
    const year = yearPairs(String(n));
    return variant === 'flowtron' ? year.replace(/-/g, ' ') : year;
  }
  const words = cardinal(digits, '');
  return variant === 'flowtron' ? words.replace(/-/g, ' ').replace(/,/g, '') : words;
}

/** Flowtron's integer rule, with "1990's" → "nineteen nineties" (an "'s" after another ending is dropped). */
function flowtronInteger(match: string): string {
  const digits = /^\d+/.exec(match)![0];
  const text = integer(digits, 'flowtron');
  const plural = match.slice(digits.length) === "'s";
  return plural && text.endsWith('y') ? `${text.slice(0, -1)}ies` : text;
}

/** Flowtron's measurements: "5f" → "five fahrenheit", "3 k" → "three thousand". */
function measurement(match: string): string {
  const number = /\d+(?:\.\d+)?/.exec(match)![0];
  const unit = match.slice(match.indexOf(number) + number.length).replace(/\s/g, '').toLowerCase();
  return `${decimal(number)} ${MEASUREMENTS[unit]}`;
}

export function normalizeNumbers(text: string, variant: Variant): string {
  let t = text.replace(COMMA_NUMBER_RE, (m) => m.replace(/,/g, ''));
  t = t.replace(POUNDS_RE, '$1 pounds');
  t = variant === 'flowtron'
    ? t.replace(DOLLARS_LARGE_RE, (_, m: string) => flowtronDollars(m))
    : t.replace(DOLLARS_RE, (_, m: string) => dollars(m, variant));
  t = t.replace(DECIMAL_RE, (m) => m.replace('.', ' point '));
  t = t.replace(ORDINAL_RE, (m) => ordinal(m.slice(0, -2)));
  if (variant === 'flowtron') {
    t = t.replace(MEASUREMENT_RE, measurement);
    return t.replace(NUMBER_PLURAL_RE, flowtronInteger);
  }
  return t.replace(NUMBER_RE, (m) => integer(m, variant));
}
