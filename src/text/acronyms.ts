// Flowtron's acronym step: runs of capitals ("NASA", "PMs") or dotted capitals ("U.S.") become
// ARPAbet in braces: the dictionary's reading when the word has exactly one, else letter by letter.

import { LETTER_NAMES } from './arpabet.js';
import type { CmuDict } from './cmudict.js';

// No word boundaries, as in the original: the capitals of "{HH AW1}" are read too.
const ACRONYM_RE = /([A-Z][A-Z]+)s?|([A-Z]\.([A-Z]\.)+s?)/g;

function spellOut(acronym: string): string {
  const letters = [...acronym].map((c) => (c === 's' ? 'Z' : LETTER_NAMES[c]!));
  // A plural "s" joins the braces of the letter before it: "PMs" → {P IY1} {EH1 M Z}.
  if (letters.length > 1 && letters.at(-1) === 'Z') letters.splice(-2, 2, `${letters.at(-2)} Z`);
  return letters.map((l) => `{${l}}`).join(' ');
}

export function expandAcronyms(text: string, dict: CmuDict): string {
  return text.replace(ACRONYM_RE, (match) => {
    const acronym = match.replace(/\./g, '');
    const pron = dict.lookup(acronym, false);
    return pron ? `{${pron[0]}}` : spellOut(acronym);
  });
}
