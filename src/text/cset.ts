// The front end of keonlee9420's Cross-Speaker-Emotion-Transfer (`synthesize.preprocess_english`):
// trailing punctuation removed, the text split at , ; . - ? ! + and whitespace, every piece read
// from a lexicon, a lone punctuation mark becoming the pause "sp"; only phones reach the model.
//
// The original reads the LibriSpeech lexicon (itself derived from CMUdict) and sends words it
// lacks to g2p_en, a neural model. Here the lexicon is CMUdict (first pronunciation), and a
// missing word goes through g2p_en's own preparation (numbers in words, ASCII, lower case), each
// resulting word looked up again and, when still missing, spelled out letter by letter.

import { LETTER_NAMES } from './arpabet.js';
import { toAscii } from './cleaners.js';
import type { CmuDict } from './cmudict.js';
import { GLOWTTS_SYMBOLS } from './glowtts.js';
import { normalizeNumbers } from './numbers.js';
import { Encoder, SymbolTable } from './symbols.js';

const PINYIN_INITIALS = ['b', 'c', 'ch', 'd', 'f', 'g', 'h', 'j', 'k', 'l', 'm', 'n', 'p', 'q', 'r', 's', 'sh', 't', 'w', 'x', 'y', 'z', 'zh'];
const PINYIN_FINALS = [
  'a', 'ai', 'an', 'ang', 'ao', 'e', 'ei', 'en', 'eng', 'er', 'i', 'ia', 'ian', 'iang', 'iao', 'ie', 'ii', 'iii',
  'in', 'ing', 'iong', 'iou', 'o', 'ong', 'ou', 'u', 'ua', 'uai', 'uan', 'uang', 'uei', 'uen', 'uo', 'v', 'van', 've', 'vn',
];
const PINYIN = [...PINYIN_INITIALS, ...PINYIN_FINALS.flatMap((f) => [1, 2, 3, 4, 5].map((tone) => f + tone)), 'rr'];

/** 360 symbols (the model's embedding has one more row): Glow-TTS's 148, pinyin, then pauses. */
export const CSET_SYMBOLS: readonly string[] = [...GLOWTTS_SYMBOLS, ...PINYIN.map((p) => `@${p}`), '@sp', '@spn', '@sil'];

const TABLE = new SymbolTable(CSET_SYMBOLS);

// Python's string.punctuation at the end, anchored where the run starts: one scan of a long run.
const TRAILING_PUNCT_RE = /(?<![!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~])[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]+$/;
const PIECE_SPLIT_RE = /([,;.\-?!\s+])/;

/** g2p_en's preparation of a word it must guess: words and single punctuation marks. */
function g2pTokens(piece: string): string[] {
  const text = toAscii(normalizeNumbers(piece, 'keithito')).toLowerCase().replace(/[^ a-z'.,?!-]/g, '');
  return text.match(/[a-z']+|[.,?!-]/g) ?? [];
}

function readPiece(piece: string, dict: CmuDict): string[] {
  const pron = dict.lookup(piece)?.[0];
  if (pron !== undefined) return pron.split(' ');
  return g2pTokens(piece).flatMap((token) => {
    if (!/[a-z]/.test(token)) return ['sp'];
    const known = dict.lookup(token)?.[0] ?? [...token.toUpperCase()].flatMap((c) => LETTER_NAMES[c] ?? []).join(' ');
    return known.split(' ');
  });
}

export function csetEncode(text: string, dict: CmuDict): Encoder {
  const pieces = text.replace(TRAILING_PUNCT_RE, '').split(PIECE_SPLIT_RE);
  const enc = new Encoder(TABLE);
  for (const piece of pieces) enc.word(piece, () => enc.phones(readPiece(piece, dict).join(' ')));
  return enc;
}
