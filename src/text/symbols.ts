// A model's symbol table and keithito's `text_to_sequence` mapping onto it: characters map one by
// one, text inside {braces} is ARPAbet, and anything the table lacks is dropped (and noted here,
// once, so the caller can warn).

const SILENT_PHONES = new Set(['@sp', '@spn', '@sil']);


export class SymbolTable {
  private readonly ids: ReadonlyMap<string, number>;

  constructor(readonly symbols: readonly string[]) {
    this.ids = new Map(symbols.map((s, i) => [s, i]));
  }

  /** `_should_keep_symbol`: the id of a symbol, or undefined when it is absent or '_' / '~' (never emitted). */
  idOf(symbol: string): number | undefined {
    return symbol === '_' || symbol === '~' ? undefined : this.ids.get(symbol);
  }

  /** Whether an id is spoken: a letter, a digit or a phone (not punctuation, space or a pause). */
  isSpoken(id: number): boolean {
    const s = this.symbols[id] ?? '';
    return s.length > 1 ? s.startsWith('@') && !SILENT_PHONES.has(s) : /[\p{L}\p{N}]/u.test(s);
  }
}

/** A word of the cleaned text and the tokens `[from, to)` that speak it. */
export interface WordTokens {
  word: string;
  from: number;
  to: number;
}

/** Token ids under construction, with the symbols dropped on the way. */
export class Encoder {
  readonly ids: number[] = [];
  /** The words spoken, each with its tokens (for word timings; ids are unaffected). */
  readonly words: WordTokens[] = [];
  private readonly dropped = new Set<string>();

  constructor(private readonly table: SymbolTable) {}

  get unknown(): string[] {
    return [...this.dropped];
  }

  /** Whether anything would be spoken: false for text of only punctuation, spaces or dropped symbols. */
  get speaks(): boolean {
    return this.ids.some((id) => this.table.isSpoken(id));
  }

  private push(symbol: string, shownAs: string): void {
    const id = this.table.idOf(symbol);
    if (id === undefined) this.dropped.add(shownAs);
    else this.ids.push(id);
  }

  /**
   * Runs `emit` and records the tokens it pushed as `word` (surrounding punctuation trimmed), when
   * any of them is spoken: punctuation and pauses are not words.
   */
  word(word: string, emit: () => void): void {
    const from = this.ids.length;
    emit();
    const to = this.ids.length;
    if (!this.ids.slice(from, to).some((id) => this.table.isSpoken(id))) return;
    const w = word.replace(/^[^\p{L}\p{N}{]+|[^\p{L}\p{N}}]+$/gu, '');
    this.words.push({ word: w || word, from, to });
  }

  /** `_symbols_to_sequence`: one symbol per character. */
  chars(text: string): void {
    for (const ch of text) this.push(ch, ch);
  }

  /** `_arpabet_to_sequence`: whitespace-separated phones, each the symbol '@' + phone. */
  phones(text: string): void {
    for (const p of text.split(/\s+/)) if (p) this.push(`@${p}`, `{${p}}`);
  }

  /**
   * The `text_to_sequence` loop: `plain` gets the text before each {…} span and, with `last`
   * true, what follows the final one; span contents are read as phones. Like the original, text
   * after a newline that follows a span is ignored.
   */
  curly(text: string, plain: (part: string, last: boolean) => void): void {
    // The original's `_curly_re` (`(.*?)\{(.+?)\}(.*)`, anchored at the start, `.` stopping at a
    // newline) matched again on each remainder is quadratic; this walks the first line once.
    // A span is the first '{' that has a '}' at least two places after it on the line.
    const nl = text.indexOf('\n');
    const lineEnd = nl < 0 ? text.length : nl;
    const lastClose = lineEnd > 0 ? text.lastIndexOf('}', lineEnd - 1) : -1;
    let at = 0;
    let end = text.length; // without a span the whole text is plain, newlines and all
    while (at < end) {
      const open = text.indexOf('{', at);
      if (open < 0 || open >= lineEnd || lastClose < open + 2) break;
      const close = text.indexOf('}', open + 2);
      plain(text.slice(at, open), false);
      this.phones(text.slice(open + 1, close));
      at = close + 1;
      end = lineEnd;
    }
    if (at < end) plain(text.slice(at, end), true);
  }
}
