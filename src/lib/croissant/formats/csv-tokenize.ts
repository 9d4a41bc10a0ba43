/**
 * A fast tokenizer for delimited text, for the common case: every quoted field closed and
 * followed at once by a delimiter, a record break or the end. Records end at `\n`, `\r\n` or
 * a lone `\r`, as in pandas' C tokenizer, so no separate pass rewrites the line endings.
 *
 * What it does not take on, it hands back: at the first quoted field followed by anything else
 * (`"ab"c`, `"ab" ,`) or left open at the end of the input, it reports `irregular` at the start
 * of that record, and the caller parses the rest with Papa Parse, whose results (and errors)
 * on such input define the reader's. Papa Parse itself runs about three times slower here, and
 * needs the line endings rewritten first.
 */

const CR = 13;
const LF = 10;
const QUOTE = 34;

/** What one call of `tokenize` found. */
export interface Tokens {
  /** Complete records, blank lines left out (pandas skips them). */
  records: string[][];
  /** Records seen, blank lines included (the row numbers of Papa Parse, for error locations). */
  seen: number;
  /** Where the first record not returned starts. */
  next: number;
  /** The record at `next` needs Papa Parse (irregular quoting). */
  irregular: boolean;
}

/**
 * Splits `text` from `start` (the start of a record) into records of fields, stopping after
 * `max` records, at an irregular record, or where the text ends. Unless `last` (the input
 * ends with this text), a record that reaches the end of the text is left for the next call
 * with more text: it may be cut anywhere, even between the `\r` and `\n` of a record break.
 */
export function tokenize(
  text: string,
  start: number,
  delimiter: number,
  max: number,
  last: boolean,
): Tokens {
  const records: string[][] = [];
  const n = text.length;
  let seen = 0;
  let i = start;
  while (i < n && records.length < max) {
    const recordStart = i;
    const fields: string[] = [];
    // -1 while the record goes on, else the index after its record break.
    let end = -1;
    while (end < 0) {
      let c: number;
      if (text.charCodeAt(i) === QUOTE) {
        let value = '';
        let from = i + 1;
        for (;;) {
          const q = text.indexOf('"', from);
          if (q < 0 || (q === n - 1 && !last)) {
            // Open at the end of the text: more text may close it; at the end of the input,
            // Papa Parse reports it.
            return { records, seen, next: recordStart, irregular: last };
          }
          if (text.charCodeAt(q + 1) === QUOTE) {
            value += text.slice(from, q + 1); // `""`: one quote
            from = q + 2;
            continue;
          }
          value += text.slice(from, q);
          i = q + 1;
          break;
        }
        fields.push(value);
        c = i < n ? text.charCodeAt(i) : -1;
        if (c !== delimiter && c !== LF && c !== CR && c !== -1) {
          return { records, seen, next: recordStart, irregular: true };
        }
      } else {
        let j = i;
        c = -1;
        for (; j < n; j++) {
          const d = text.charCodeAt(j);
          if (d === delimiter || d === LF || d === CR) {
            c = d;
            break;
          }
        }
        fields.push(text.slice(i, j));
        i = j;
      }
      if (c === delimiter) {
        i++;
      } else if (c === LF) {
        end = i + 1;
      } else if (c === CR) {
        if (i + 1 === n && !last) return { records, seen, next: recordStart, irregular: false };
        end = text.charCodeAt(i + 1) === LF ? i + 2 : i + 1;
      } else if (last) {
        end = n;
      } else {
        return { records, seen, next: recordStart, irregular: false };
      }
    }
    seen++;
    if (!(fields.length === 1 && fields[0] === '')) records.push(fields);
    i = end;
  }
  return { records, seen, next: i, irregular: false };
}
