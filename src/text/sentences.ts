// Long text → sentences, each spoken on its own (streaming). A sentence ends at . ! ? (with any
// closing quotes or brackets) followed by whitespace, or at a blank line; a full stop after one
// of the abbreviations the cleaners read out ("Dr.", "Mr.", "no.") does not end one.

import { ABBREVIATION_WORDS } from './cleaners.js';

const ABBREVIATED = new Set([...ABBREVIATION_WORDS.map(([abbr]) => abbr), 'no']);
const LETTER = /\p{L}/u;
const END_RE = /[.!?]+["')\]]*(?=\s)|\n\s*\n/g;

/** The sentences of `text`, trimmed, in order (none for blank text). */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  let from = 0;
  for (const m of text.matchAll(END_RE)) {
    const end = m.index + m[0].length;
    if (m[0].startsWith('.') && m[0].length === 1) {
      if (ABBREVIATED.has(wordBefore(text, from, m.index).toLowerCase())) continue;
    }
    add(out, text.slice(from, end));
    from = end;
  }
  add(out, text.slice(from));
  return out;
}

/** The letters right before `end` (back to `from`), found by walking back: an anchored regex
 *  would rescan a long run of letters from every start (quadratic). */
function wordBefore(text: string, from: number, end: number): string {
  let i = end;
  while (i > from && LETTER.test(text[i - 1]!)) i--;
  return text.slice(i, end);
}

/** Adds a sentence; one with nothing to speak (only punctuation) joins the one before. */
function add(out: string[], sentence: string): void {
  const s = sentence.trim();
  if (!s) return;
  if (out.length > 0 && !/[\p{L}\p{N}]/u.test(s)) out[out.length - 1] += ` ${s}`;
  else out.push(s);
}
