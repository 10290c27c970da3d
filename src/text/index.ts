// Text → token ids for each seed model, with the same ids as the original front ends.

import { FlowgpuError } from '../gpu/errors.js';
import { CmuDict, loadCmuDict, type Lexicon } from './cmudict.js';
import { CSET_SYMBOLS, csetEncode } from './cset.js';
import { FLOWTRON_SYMBOLS, flowtronEncode } from './flowtron.js';
import { GLOWTTS_BLANK, GLOWTTS_SYMBOLS, glowttsEncode, intersperse } from './glowtts.js';
import type { Encoder, WordTokens } from './symbols.js';

export { CmuDict, loadCmuDict, type Lexicon } from './cmudict.js';
export type { WordTokens } from './symbols.js';
export { englishCleaners } from './cleaners.js';
export { flowtronCleaners } from './flowtron.js';
export { CSET_SYMBOLS, FLOWTRON_SYMBOLS, GLOWTTS_BLANK, GLOWTTS_SYMBOLS };

export type FrontEnd = 'glowtts' | 'flowtron' | 'cset';

export const FRONT_ENDS: readonly FrontEnd[] = ['glowtts', 'flowtron', 'cset'];

export interface TextOptions {
  /** Flowtron: probability that a word is read from the dictionary (default 1, deterministic). */
  pArpabet?: number;
  /** Flowtron: seed of the per-word draws when 0 < pArpabet < 1 (default 1234). */
  seed?: number;
  /** Glow-TTS: intersperse the blank id 148, for models trained with `add_blank` (n_vocab 149). */
  addBlank?: boolean;
  /** Pronunciations to use instead of the dictionary the front end's original read (shipped in the package). */
  dictionary?: CmuDict;
}

export interface TextIds {
  ids: number[];
  /** Characters and {phones} that the model's symbol table lacks, dropped as the original drops them; each once. */
  unknown: string[];
  /** Each word of the cleaned text with the token ids `[from, to)` that speak it (for word timings; text input only). */
  words?: WordTokens[];
}

/** The dictionary each original read; XSpkEmoTrans (which reads librispeech-lexicon.txt with g2p_en
 *  for the rest) uses Flowtron's CMUdict 0.7b as a stand-in. */
const LEXICON: Record<FrontEnd, Lexicon> = { glowtts: 'glowtts', flowtron: 'flowtron', cset: 'flowtron' };

const SYMBOLS: Record<FrontEnd, readonly string[]> = { glowtts: GLOWTTS_SYMBOLS, flowtron: FLOWTRON_SYMBOLS, cset: CSET_SYMBOLS };

/** The symbol table of a front end: token id i is `symbolsOf(f)[i]` (Glow-TTS's blank is one past it). */
export function symbolsOf(frontEnd: FrontEnd): readonly string[] {
  return SYMBOLS[frontEnd];
}

function checkOptions(frontEnd: FrontEnd, opts: TextOptions): void {
  if (!FRONT_ENDS.includes(frontEnd)) throw new FlowgpuError(`unknown front end "${frontEnd}": use one of ${FRONT_ENDS.join(', ')}`);
  if ((opts.pArpabet !== undefined || opts.seed !== undefined) && frontEnd !== 'flowtron') {
    throw new FlowgpuError(`p_arpabet and its seed apply to the flowtron front end only, not ${frontEnd}`);
  }
  if (opts.pArpabet !== undefined && !(opts.pArpabet >= 0 && opts.pArpabet <= 1)) {
    throw new FlowgpuError(`p_arpabet must be between 0 and 1, got ${opts.pArpabet}`);
  }
  if (opts.addBlank && frontEnd !== 'glowtts') throw new FlowgpuError(`add_blank applies to the glowtts front end only, not ${frontEnd}`);
}

/**
 * Token ids of `text` for a model's front end. Symbols the table lacks are dropped and listed
 * in `unknown` (warn about them); text that is empty or leaves nothing to speak is an error.
 */
export async function textToIds(frontEnd: FrontEnd, text: string, opts: TextOptions = {}): Promise<TextIds> {
  checkOptions(frontEnd, opts);
  if (text.trim() === '') throw new FlowgpuError('the text is empty: give the sentence to speak');
  const dict = opts.dictionary ?? (await loadCmuDict(LEXICON[frontEnd]));
  const enc: Encoder =
    frontEnd === 'glowtts' ? glowttsEncode(text, dict) : frontEnd === 'flowtron' ? flowtronEncode(text, dict, opts) : csetEncode(text, dict);
  if (!enc.speaks) {
    const dropped = enc.unknown.length ? ` (dropped: ${enc.unknown.join(' ')})` : '';
    throw new FlowgpuError(`the text ${JSON.stringify(text)} has nothing the ${frontEnd} front end can speak${dropped}: write it with English words, letters or numbers`);
  }
  if (!opts.addBlank) return { ids: enc.ids, unknown: enc.unknown, words: enc.words };
  // Token i moves to 2i + 1; a word keeps the blanks between its own tokens.
  const words = enc.words.map((w) => ({ word: w.word, from: 2 * w.from + 1, to: 2 * w.to }));
  return { ids: intersperse(enc.ids, GLOWTTS_BLANK), unknown: enc.unknown, words };
}
