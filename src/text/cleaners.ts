// The originals' text cleaners: `english_cleaners` (Glow-TTS, Tacotron 2, CSET) and the steps of
// `flowtron_cleaners` that need no dictionary (the acronym step is in acronyms.ts).

import { normalizeNumbers } from './numbers.js';

// Python's regex classes are Unicode-aware; these spell out its \w and \b for JavaScript.
export const WORD_CHAR = '[\\p{L}\\p{N}_]';
const NOT_AFTER_WORD = `(?<!${WORD_CHAR})`;

/** keithito's abbreviations, read before a full stop (matched case-insensitively). */
export const ABBREVIATION_WORDS: readonly (readonly [string, string])[] = [
  ['mrs', 'misess'], ['mr', 'mister'], ['dr', 'doctor'], ['st', 'saint'], ['co', 'company'],
  ['jr', 'junior'], ['maj', 'major'], ['gen', 'general'], ['drs', 'doctors'], ['rev', 'reverend'],
  ['lt', 'lieutenant'], ['hon', 'honorable'], ['sgt', 'sergeant'], ['capt', 'captain'],
  ['esq', 'esquire'], ['ltd', 'limited'], ['col', 'colonel'], ['ft', 'fort'],
];

const ABBREVIATIONS: readonly (readonly [RegExp, string])[] =
  ABBREVIATION_WORDS.map(([abbr, word]) => [new RegExp(`${NOT_AFTER_WORD}${abbr}\\.`, 'giu'), word] as const);

/** Flowtron expands only the abbreviation that cannot be mistaken for a sentence end. */
const SAFE_ABBREVIATIONS: readonly (readonly [RegExp, string])[] = [[new RegExp(`${NOT_AFTER_WORD}no\\.`, 'giu'), 'number']];

/**
 * What unidecode gives for the common characters that Unicode decomposition does not reduce to
 * ASCII. unidecode covers every script; here anything else stays as it is and is later dropped
 * (and reported) as an unknown symbol.
 */
const TRANSLITERATIONS: Readonly<Record<string, string>> = {
  'ß': 'ss', 'æ': 'ae', 'Æ': 'AE', 'œ': 'oe', 'Œ': 'OE', 'ø': 'o', 'Ø': 'O', 'ł': 'l', 'Ł': 'L',
  'đ': 'd', 'Đ': 'D', 'ð': 'd', 'Ð': 'D', 'þ': 'th', 'Þ': 'Th', 'ı': 'i',
  '‘': "'", '’': "'", '‚': ',', '“': '"', '”': '"', '„': ',,', '–': '-', '—': '--', '…': '...',
  '«': '<<', '»': '>>', '¿': '?', '¡': '!', '·': '*', '•': '*', '×': 'x', '°': 'deg',
  '£': 'PS', '€': 'EUR', '¥': 'Y=', '©': '(c)', '®': '(r)', '™': '(tm)', '§': 'SS',
  '¼': ' 1/4', '½': ' 1/2', '¾': ' 3/4', '⁄': '/',
};

/** unidecode's transliteration for Latin text: accents removed, ligatures and quotes spelled in ASCII. */
export function toAscii(text: string): string {
  let out = '';
  for (const ch of text) {
    if (ch <= '\x7f') out += ch;
    else if (ch in TRANSLITERATIONS) out += TRANSLITERATIONS[ch];
    else {
      const plain = ch.normalize('NFKD').replace(/\p{M}/gu, '').replace(/[^\x00-\x7f]/g, (c) => TRANSLITERATIONS[c] ?? c);
      out += /^[\x00-\x7f]+$/.test(plain) ? plain : ch;
    }
  }
  return out;
}

export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ');
}

function expand(text: string, table: readonly (readonly [RegExp, string])[]): string {
  return table.reduce((t, [re, word]) => t.replace(re, word), text);
}

/** "3:30pm" → "3 30 PM", "10:00 am" → "10 AM", "14:05" → "14 05" (Flowtron's `normalize_datestime`). */
export function expandTimes(text: string): string {
  const ampm = new RegExp(`([0-9]|0[0-9]|1[0-9]|2[0-3]):?([0-5][0-9])?\\s*([AaPp][Mm](?!${WORD_CHAR}))`, 'gu');
  const withMarker = text.replace(ampm, (_, hour: string, minutes: string | undefined, marker: string) => {
    const min = minutes && minutes !== '00' ? ` ${minutes}` : '';
    // The original tests only the lower-case letters, so "10AM" becomes "10" with no marker.
    const suffix = marker[0] === 'a' ? ' AM' : marker[0] === 'p' ? ' PM' : '';
    return hour + min + suffix;
  });
  return withMarker.replace(/([0-9]|0[0-9]|1[0-9]|2[0-3]):([0-5][0-9])?/g, (_, hour: string, minutes: string | undefined) => `${hour} ${minutes ?? ''}`);
}

/** Hyphens between word characters become spaces ("well-known" → "well known"). */
export function removeHyphens(text: string): string {
  return text.replace(new RegExp(`(?<=${WORD_CHAR})-(?=${WORD_CHAR})`, 'gu'), ' ');
}

/** Glow-TTS's, Tacotron 2's and CSET's cleaner: ASCII, lower case, numbers and abbreviations in words. */
export function englishCleaners(text: string): string {
  const t = normalizeNumbers(toAscii(text).toLowerCase(), 'keithito');
  return collapseWhitespace(expand(t, ABBREVIATIONS));
}

/** Flowtron's cleaner up to its acronym step: case and accents are kept. */
export function flowtronCleanersBeforeAcronyms(text: string): string {
  const t = expandTimes(removeHyphens(collapseWhitespace(text)));
  return expand(normalizeNumbers(t, 'flowtron'), SAFE_ABBREVIATIONS);
}
