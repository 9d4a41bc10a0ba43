/**
 * pandas' C tokenizer (which the reference reads every CSV with) ends a record at `\n`, `\r\n`
 * or a lone `\r`, mixed freely in one file, and keeps line breaks inside quoted fields as they
 * are. Papa Parse takes one fixed newline per parse instead, so the reader rewrites the record
 * breaks outside quotes to `\n` before parsing and leaves quoted text untouched.
 */

/** The tokenizer states that decide whether a `\r` or `\n` ends a record. */
const State = {
  /** At the start of a field (or a record). */
  FieldStart: 0,
  /** Inside an unquoted field. */
  Field: 1,
  /** Inside a quoted field. */
  Quoted: 2,
  /** Just after a quote inside a quoted field: a closing quote or the first of `""`. */
  QuoteInQuoted: 3,
} as const;
type State = (typeof State)[keyof typeof State];

const CR = 13;
const LF = 10;
const QUOTE = 34;

/**
 * Streaming line-ending normaliser for delimited text: feed decoded chunks in order; each call
 * returns the chunk with every record break as `\n`. State carries across chunks, so a `\r\n`
 * split between two chunks, or a quoted field spanning them, comes out right.
 */
export class RecordBreaks {
  private state: State = State.FieldStart;
  /** The previous chunk ended with a record-ending `\r`: a leading `\n` belongs to it. */
  private afterCr = false;
  private readonly delimiter: number;

  constructor(delimiter: string) {
    this.delimiter = delimiter.charCodeAt(0);
  }

  /** Returns `text` with the record breaks outside quotes written as `\n`. */
  normalise(text: string): string {
    const parts: string[] = [];
    let from = 0;
    let i = 0;
    if (this.afterCr && text.charCodeAt(0) === LF) {
      from = i = 1;
    }
    this.afterCr = false;
    const n = text.length;
    const delimiter = this.delimiter;
    let state: State = this.state;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (state === State.Quoted) {
        if (c === QUOTE) state = State.QuoteInQuoted;
        continue;
      }
      if (state === State.QuoteInQuoted && c === QUOTE) {
        state = State.Quoted; // `""`: an escaped quote
        continue;
      }
      if (c === CR) {
        // A record break: write `\n` and drop the `\n` of a `\r\n` pair.
        parts.push(text.slice(from, i), '\n');
        if (text.charCodeAt(i + 1) === LF) i++;
        else if (i + 1 === n) this.afterCr = true;
        from = i + 1;
        state = State.FieldStart;
      } else if (c === LF || c === delimiter) {
        state = State.FieldStart;
      } else if (state === State.FieldStart && c === QUOTE) {
        state = State.Quoted;
      } else {
        // Text after a closing quote joins the field, as pandas does (`"ab"c` is `abc`).
        state = State.Field;
      }
    }
    this.state = state;
    if (from === 0) return text;
    parts.push(text.slice(from));
    return parts.join('');
  }
}
