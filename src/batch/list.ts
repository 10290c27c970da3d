// A batch list: one line of text to speak per line of a .txt, .jsonl or .csv file. Each line
// becomes an item with a stable id (given, or its line number) and the per-line options; a line
// that cannot be read is reported with its line number and the rest still runs.

import { FlowgpuError } from '../gpu/errors.js';

/** Per-line options a list may set (anything else on a line is reported as a mistake). */
export interface LineOptions {
  /** Speaker id (multi-speaker Glow-TTS, Flowtron). */
  speaker?: number;
  /** XSpkEmoTrans emotion token id. */
  emotion?: number;
  /** Flowtron: a style mean saved as .npy (`flowgpu style`), relative to the list's folder. */
  style?: string;
  /** Flowtron: standard deviation of the residual. */
  sigma?: number;
  /** Seed of the sampled noise. */
  seed?: number;
  /** Glow-TTS: scale of the prior noise. */
  noiseScale?: number;
  /** Glow-TTS: duration multiplier (> 1 speaks slower). */
  lengthScale?: number;
  /** Flowtron: attention softmax temperature. */
  temperature?: number;
}

export interface ListItem {
  /** 1-based line of the list file (the CSV header is line 1). */
  line: number;
  /** File-name-safe id: `<id>.wav` in the output folder. */
  id: string;
  text: string;
  options: LineOptions;
}

export interface Malformed {
  line: number;
  message: string;
}

export interface ParsedList {
  items: ListItem[];
  malformed: Malformed[];
}

const NUMBER_FIELDS = ['speaker', 'emotion', 'sigma', 'seed', 'noiseScale', 'lengthScale', 'temperature'] as const;
const INTEGER_FIELDS = new Set(['speaker', 'emotion', 'seed']);
/** snake_case spellings accepted as well (the originals' config names). */
const ALIASES: Record<string, string> = { noise_scale: 'noiseScale', length_scale: 'lengthScale' };
const ID_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** The id of a line that gives none: its line number, zero-padded so files sort in list order. */
export function lineId(line: number): string {
  return String(line).padStart(6, '0');
}

/** Checks and normalises one line's fields (from JSON or CSV) into an item; throws a message. */
export function itemFromFields(fields: Record<string, unknown>, line: number): ListItem {
  const options: LineOptions = {};
  let id: string | undefined;
  let text: string | undefined;
  for (const [rawKey, value] of Object.entries(fields)) {
    const key = ALIASES[rawKey] ?? rawKey;
    if (value === undefined || value === null || value === '') continue;
    if (key === 'id') {
      id = String(value);
      if (!ID_PATTERN.test(id)) throw new FlowgpuError(`id ${JSON.stringify(id)} is not a usable file name (letters, digits, _ . -; at most 128)`);
    } else if (key === 'text') {
      if (typeof value !== 'string') throw new FlowgpuError('"text" must be a string');
      text = value;
    } else if (key === 'style') {
      if (typeof value !== 'string') throw new FlowgpuError('"style" must be the path of a style .npy');
      options.style = value;
    } else if ((NUMBER_FIELDS as readonly string[]).includes(key)) {
      const v = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      if (!Number.isFinite(v) || (INTEGER_FIELDS.has(key) && !Number.isInteger(v))) {
        throw new FlowgpuError(`"${rawKey}" must be ${INTEGER_FIELDS.has(key) ? 'an integer' : 'a number'}, got ${JSON.stringify(value)}`);
      }
      options[key as (typeof NUMBER_FIELDS)[number]] = v;
    } else {
      throw new FlowgpuError(`unknown field "${rawKey}" (known: id, text, style, ${NUMBER_FIELDS.join(', ')})`);
    }
  }
  if (text === undefined || text.trim() === '') throw new FlowgpuError('no text to speak');
  return { line, id: id ?? lineId(line), text: text.trim(), options };
}

function parseTxt(source: string, out: ParsedList): void {
  source.split(/\r?\n/).forEach((raw, i) => {
    const text = raw.trim();
    if (text !== '' && !text.startsWith('#')) out.items.push({ line: i + 1, id: lineId(i + 1), text, options: {} });
  });
}

function parseJsonl(source: string, out: ParsedList): void {
  source.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    try {
      let v: unknown;
      try {
        v = JSON.parse(raw);
      } catch (err) {
        throw new FlowgpuError(`not JSON (${(err as Error).message})`);
      }
      if (typeof v === 'string') out.items.push(itemFromFields({ text: v }, line));
      else if (typeof v === 'object' && v !== null && !Array.isArray(v)) out.items.push(itemFromFields(v as Record<string, unknown>, line));
      else throw new FlowgpuError('expected a string or an object {"text": ...}');
    } catch (err) {
      out.malformed.push({ line, message: (err as Error).message });
    }
  });
}

/** RFC 4180 records with the line each starts on (quoted fields may span lines). */
function csvRecords(source: string): { line: number; fields: string[]; error?: string }[] {
  const records: { line: number; fields: string[]; error?: string }[] = [];
  let line = 1;
  let i = 0;
  while (i < source.length) {
    const start = line;
    const fields: string[] = [];
    let field = '';
    let error: string | undefined;
    for (;;) {
      if (source[i] === '"') {
        i++;
        for (;;) {
          if (i >= source.length) {
            error = 'a quoted field is never closed';
            break;
          }
          const c = source[i++]!;
          if (c === '"') {
            if (source[i] === '"') {
              field += '"';
              i++;
            } else break;
          } else {
            if (c === '\n') line++;
            field += c;
          }
        }
      }
      while (i < source.length && source[i] !== ',' && source[i] !== '\n') field += source[i++];
      fields.push(field.replace(/\r$/, ''));
      field = '';
      if (source[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    if (source[i] === '\n') i++;
    line++;
    if (fields.length === 1 && fields[0]!.trim() === '' && !error) continue;
    records.push(error ? { line: start, fields, error } : { line: start, fields });
  }
  return records;
}

function parseCsv(source: string, out: ParsedList): void {
  const [header, ...rows] = csvRecords(source);
  if (!header) return;
  const names = header.fields.map((f) => f.trim());
  if (!names.includes('text')) {
    // No header: one text per row (a single column), as a .txt.
    for (const r of [header, ...rows]) {
      if (r.error || r.fields.length !== 1) out.malformed.push({ line: r.line, message: r.error ?? 'a CSV without a header row must have one column (the text); add a header such as id,text,speaker' });
      else if (r.fields[0]!.trim() !== '') out.items.push({ line: r.line, id: lineId(r.line), text: r.fields[0]!.trim(), options: {} });
    }
    return;
  }
  for (const r of rows) {
    try {
      if (r.error) throw new FlowgpuError(r.error);
      if (r.fields.length !== names.length) throw new FlowgpuError(`${r.fields.length} fields, but the header has ${names.length} (${names.join(',')}); quote text that holds commas`);
      out.items.push(itemFromFields(Object.fromEntries(names.map((n, k) => [n, r.fields[k]])), r.line));
    } catch (err) {
      out.malformed.push({ line: r.line, message: (err as Error).message });
    }
  }
}

export type ListFormat = 'txt' | 'jsonl' | 'csv';

/** The list's format from its file name (.jsonl/.json, .csv, anything else: one text per line). */
export function listFormat(path: string): ListFormat {
  const p = path.toLowerCase();
  return p.endsWith('.jsonl') || p.endsWith('.ndjson') ? 'jsonl' : p.endsWith('.csv') ? 'csv' : 'txt';
}

/** Parses a list's text; a repeated id is reported on the later line. */
export function parseList(source: string, format: ListFormat): ParsedList {
  const out: ParsedList = { items: [], malformed: [] };
  const text = source.replace(/^\uFEFF/, '');
  if (format === 'jsonl') parseJsonl(text, out);
  else if (format === 'csv') parseCsv(text, out);
  else parseTxt(text, out);
  const seen = new Map<string, number>();
  out.items = out.items.filter((it) => {
    const first = seen.get(it.id);
    if (first !== undefined) {
      out.malformed.push({ line: it.line, message: `id "${it.id}" is already used on line ${first}` });
      return false;
    }
    seen.set(it.id, it.line);
    return true;
  });
  out.malformed.sort((a, b) => a.line - b.line);
  return out;
}
