// The reference lists of `style` and `latents`: (audio .wav or log-mel .npy, transcript[, label])
// rows, CSV or Flowtron's "|" filelists, each reference's mel and Flowtron token ids.

import { dirname, isAbsolute, join } from 'node:path';
import type { LoadedFlowtron } from '../api.js';
import { transposeMel } from '../models/cset.js';
import type { StyleReference } from '../models/flowtron.js';
import { textToIds } from '../text/index.js';
import type { Context, OptionSpecs } from './args.js';
import { FlowgpuError } from '../gpu/errors.js';
import { readText } from './files.js';
import { readReferenceMel } from './synthesis.js';

/** Splits a CSV / filelist line: "|" separates when present, else commas (double quotes group). */
export function splitRow(line: string): string[] {
  if (line.includes('|')) return line.split('|').map((s) => s.trim());
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

/** Non-empty, non-comment rows of a list file, split into fields (paths resolved against its folder). */
export function readList(path: string, minFields: number, what: string): { fields: string[]; line: number }[] {
  const text = readText(path, 'the list');
  const rows: { fields: string[]; line: number }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const fields = splitRow(line);
    if (i === 0 && /^(audio|mel|path|file|audio_path|mel_path|wav)$/i.test(fields[0] ?? '') && fields.length >= minFields) return; // header row
    if (fields.length < minFields || fields.slice(0, minFields).some((f) => f === '')) {
      throw new FlowgpuError(`${path}:${i + 1}: expected ${what}, got ${JSON.stringify(raw)}`);
    }
    fields[0] = isAbsolute(fields[0]!) ? fields[0]! : join(dirname(path), fields[0]!);
    rows.push({ fields, line: i + 1 });
  });
  return rows;
}

export type Reference = StyleReference & { path: string; ids: number[]; mel: Float32Array; frames: number };

/** Loads the (audio|mel, text) references of a list file, with Flowtron token ids. */
export async function loadReferences(ctx: Pick<Context<OptionSpecs>, 'engine'>, tts: LoadedFlowtron, rows: { fields: string[]; line: number }[], pArpabet: number): Promise<Reference[]> {
  const refs: Reference[] = [];
  for (const r of rows) {
    const path = r.fields[0]!;
    const m = await readReferenceMel(ctx, path, tts.nMel, tts.sampleRate);
    const mel = m.layout === 'frames' ? transposeMel(m.data, m.frames, tts.nMel) : m.data;
    const { ids } = await textToIds('flowtron', r.fields[1]!, { pArpabet });
    refs.push({ mel, frames: m.frames, ids, path });
  }
  return refs;
}

/** The options `style` and `latents` share. */
export const REFERENCE_OPTIONS = {
  speaker: { kind: 'number', min: 0, max: 65535, integer: true, help: 'speaker id (default 0)' },
  'p-arpabet': { kind: 'number', min: 0, max: 1, help: 'probability of reading a word from CMUdict (default 1)' },
} as const satisfies OptionSpecs;
