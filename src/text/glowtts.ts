// Glow-TTS's front end (jaywalnut310/glow-tts `text_to_sequence` with a dictionary):
// `english_cleaners`, then each space-separated word replaced by its first CMUdict
// pronunciation when the word, exactly as cleaned (punctuation included), is in the dictionary,
// else spelled out; a space after every word, the final one removed. {ARPAbet} spans pass
// through; text before a span is cleaned but not looked up. `add_blank` models (n_vocab 149)
// take the blank id 148 between and around all tokens.

import { ARPABET } from './arpabet.js';
import { englishCleaners } from './cleaners.js';
import type { CmuDict } from './cmudict.js';
import { Encoder, SymbolTable } from './symbols.js';

export const GLOWTTS_SYMBOLS: readonly string[] = [
  '_', '-', ...'!\'(),.:;? ', ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
  ...ARPABET.map((p) => `@${p}`),
];

const TABLE = new SymbolTable(GLOWTTS_SYMBOLS);
const SPACE = TABLE.idOf(' ')!;

/** The id `add_blank` models put between tokens: one past the symbol table. */
export const GLOWTTS_BLANK = GLOWTTS_SYMBOLS.length;

/** `commons.intersperse`: [b, t0, b, t1, …, b]. */
export function intersperse(ids: readonly number[], blank: number): number[] {
  return [blank, ...ids.flatMap((id) => [id, blank])];
}

export function glowttsEncode(text: string, dict: CmuDict): Encoder {
  const enc = new Encoder(TABLE);
  enc.curly(text, (part, last) => {
    const clean = englishCleaners(part);
    if (!last) return enc.chars(clean);
    for (const word of clean.split(' ')) {
      enc.word(word, () => {
        const pron = dict.lookup(word)?.[0];
        if (pron !== undefined) enc.phones(pron);
        // A word that starts with "{" (a brace with no partner) is read as ARPAbet, as the original does.
        else if (word.startsWith('{')) enc.phones(word.slice(1, -1));
        else enc.chars(word);
      });
      enc.ids.push(SPACE);
    }
  });
  if (enc.ids.at(-1) === SPACE) enc.ids.pop();
  return enc;
}
