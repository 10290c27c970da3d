// The CMU pronouncing dictionary, parsed the way keithito's `cmudict.py` (vendored by Flowtron and
// Glow-TTS) parses it: lines that start with A-Z or an apostrophe, the word before the first double
// space with "(n)" variant markers removed, the pronunciation after it dropped unless every phone is
// one of the 84 ARPAbet symbols; variants collect under one word in file order.
//
// The package ships the copies the originals read (CMUdict 0.7b; src/text/lexicons/README.md):
// Flowtron's file gzipped, and Glow-TTS's as a line diff from it. Each is decompressed on first use
// (DecompressionStream: Node ≥ 18, Deno, browsers) and kept.

import { FlowgpuError } from '../gpu/errors.js';
import { ARPABET } from './arpabet.js';

const VARIANT_RE = /\(\d+\)/g;
const VALID = new Set(ARPABET);

/** Which original's copy: the two differ in a few dozen entries (AM, AI, CPU, FEYNMAN, ...). */
export type Lexicon = 'flowtron' | 'glowtts';

export class CmuDict {
  private constructor(private readonly entries: ReadonlyMap<string, readonly string[]>) {}

  /**
   * Pronunciations of a word (any case), first variant first. With `keepAmbiguous` false only
   * words with exactly one pronunciation are known (Flowtron's `keep_ambiguous=False`).
   */
  lookup(word: string, keepAmbiguous = true): readonly string[] | undefined {
    const prons = this.entries.get(word.toUpperCase());
    return prons && (keepAmbiguous || prons.length === 1) ? prons : undefined;
  }

  get size(): number {
    return this.entries.size;
  }

  /** From the text of a CMUdict file ("WORD  P1 P2", ";;;" comments), e.g. an original's `cmu_dictionary`. */
  static fromText(text: string): CmuDict {
    const entries = new Map<string, string[]>();
    for (const line of text.split('\n')) {
      const c = line.charCodeAt(0);
      if (!((c >= 0x41 && c <= 0x5a) || c === 0x27)) continue; // 'A'..'Z' or "'"
      const parts = line.split('  ');
      if (parts.length < 2) continue;
      const phones = parts[1]!.trim().split(' ');
      if (!phones.every((p) => VALID.has(p))) continue;
      const word = parts[0]!.replace(VARIANT_RE, '');
      const pron = phones.join(' ');
      const list = entries.get(word);
      if (list) list.push(pron);
      else entries.set(word, [pron]);
    }
    return new CmuDict(entries);
  }
}

/** Bytes as latin-1 text (the originals open the file with encoding='latin-1'). */
function latin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 0x8000) out += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return out;
}

async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * Applies a line diff: blocks of "<line> <deleted> <inserted>" (line numbers of the original text)
 * followed by the inserted lines, in increasing order.
 */
export function applyLineDiff(text: string, diff: string): string {
  const lines = text.split('\n');
  const ops = diff.split('\n');
  const out: string[] = [];
  let at = 0;
  for (let i = 0; i < ops.length && ops[i] !== '';) {
    const m = /^(\d+) (\d+) (\d+)$/.exec(ops[i]!);
    if (!m || Number(m[1]) < at) throw new FlowgpuError(`lexicon diff: malformed block at its line ${i + 1}`);
    const [start, deleted, inserted] = [Number(m[1]), Number(m[2]), Number(m[3])];
    out.push(...lines.slice(at, start), ...ops.slice(i + 1, i + 1 + inserted));
    at = start + deleted;
    i += 1 + inserted;
  }
  out.push(...lines.slice(at));
  return out.join('\n');
}

let flowtronText: Promise<string> | undefined;

/** The text of an original's dictionary file, exactly as it shipped. */
export async function lexiconText(lexicon: Lexicon): Promise<string> {
  const data = await import('./lexicons/index.js');
  flowtronText ??= gunzip(data.CMUDICT_GZ).then(latin1);
  const text = await flowtronText;
  return lexicon === 'glowtts' ? applyLineDiff(text, data.GLOWTTS_DIFF) : text;
}

const loaded = new Map<Lexicon, Promise<CmuDict>>();

/** The dictionary an original read (Flowtron's by default), loaded on first use and kept. */
export function loadCmuDict(lexicon: Lexicon = 'flowtron'): Promise<CmuDict> {
  let dict = loaded.get(lexicon);
  if (!dict) {
    dict = lexiconText(lexicon).then((t) => CmuDict.fromText(t));
    dict.catch(() => loaded.delete(lexicon)); // a failed load may be retried
    loaded.set(lexicon, dict);
  }
  return dict;
}
