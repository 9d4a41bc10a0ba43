/**
 * CSV/TSV tables, streamed twice: a first pass infers pandas dtypes per column, the second
 * emits typed rows. Memory stays bounded by one chunk, whatever the file size.
 */
import Papa from 'papaparse';
import { TaskYield } from '../../io/next-task.ts';
import { CroissantError } from '../errors.ts';
import type { Dtype } from '../records/pandas.ts';
import { CsvColumnInference, csvCell } from '../records/pandas.ts';
import { tokenize } from './csv-tokenize.ts';
import { RecordBreaks } from './line-endings.ts';
import type { Table } from './table.ts';

/** Papa Parse's synchronous core parser, which its own chunked streamer drives the same way. */
interface PapaCore {
  parse(
    input: string,
    baseIndex: number,
    ignoreLastRow: boolean,
  ): {
    data: string[][];
    errors: { type: string; code: string; message: string; row?: number }[];
    meta: { cursor: number };
  };
}
const Parser = (Papa as unknown as { Parser: new (config: object) => PapaCore }).Parser;

/** Records per batch: small batches keep each one's rows short-lived (young garbage). */
const BATCH_RECORDS = 1024;

/** Bytes decoded at a time: a file stream's chunk (Node's default `highWaterMark`). */
const DECODE_BYTES = 64 * 1024;

/**
 * Parses a byte stream into raw records (arrays of cells), in batches of at most
 * `BATCH_RECORDS`: each chunk is parsed up to its last complete record and the rest carried
 * into the next, so memory stays bounded. Records end at `\n`, `\r\n` or `\r`, as in pandas;
 * blank lines are skipped, as pandas does. csv-tokenize.ts reads regular input; from the first
 * irregular record on (a quoted field followed by other text, or never closed), Papa Parse
 * reads the rest, with its results and its errors.
 */
export async function* csvRecords(
  chunks: AsyncIterable<Uint8Array>,
  delimiter: string,
  file: string,
): AsyncGenerator<string[][]> {
  const decoder = new TextDecoder('utf-8');
  const delimiterCode = delimiter.charCodeAt(0);
  /** Set once the input turned irregular: the line-ending rewriter Papa Parse needs. */
  let breaks: RecordBreaks | null = null;
  let carry = '';
  let row = 0;
  const papaParse = (input: string, last: boolean) => {
    const result = new Parser({ delimiter, newline: '\n' }).parse(input, 0, !last);
    // Before the end of the input, an error in the record cut by the end of the text (the one
    // carried into the next parse) is no error yet: more text decides (`"ab" ` may go on
    // with `,`).
    const bad = result.errors.find(
      (e) => e.type === 'Quotes' && (last || (e.row ?? 0) < result.data.length),
    );
    if (bad) {
      // The row where the bad record starts, and no byte offset: the bytes read so far (all
      // this reader knows here) are past the error, and named as its offset they sent people
      // to the wrong place.
      throw new CroissantError('BAD_DATA', `malformed CSV in ${file}: ${bad.message}`, {
        location: { file, row: row + (bad.row ?? 0) + 1 },
      });
    }
    const rows = result.data.filter((r) => !(r.length === 1 && r[0] === ''));
    row += result.data.length;
    carry = input.slice(result.meta.cursor);
    return rows;
  };
  /** Parses `carry` + the new text; batches of records, then the rest stays in `carry`. */
  function* parse(decoded: string, last: boolean): Generator<string[][]> {
    if (breaks) {
      const rows = papaParse(carry + breaks.normalise(decoded), last);
      if (rows.length) yield rows;
      return;
    }
    const text = carry + decoded;
    let at = 0;
    for (;;) {
      const t = tokenize(text, at, delimiterCode, BATCH_RECORDS, last);
      row += t.seen;
      at = t.next;
      if (t.records.length) yield t.records;
      if (t.irregular) {
        // `at` starts a record: the rewriter starts there as at the start of a file.
        breaks = new RecordBreaks(delimiter);
        carry = '';
        const rows = papaParse(breaks.normalise(text.slice(at)), last);
        if (rows.length) yield rows;
        return;
      }
      if (t.records.length < BATCH_RECORDS || at >= text.length) break;
    }
    carry = text.slice(at);
  }
  for await (const chunk of chunks) {
    // A whole file held in memory (one ingest has just stored) arrives as one chunk: decoded
    // at once, it would need a UTF-16 buffer and a string of twice its size, in memory never
    // touched before (each fresh page costs a fault, ~13 µs here), twice per file. Read in
    // slices the size a file stream gives, the buffers are reused.
    for (let at = 0; at < chunk.byteLength; at += DECODE_BYTES) {
      const slice = chunk.subarray(at, at + DECODE_BYTES);
      yield* parse(decoder.decode(slice, { stream: true }), false);
    }
  }
  yield* parse(decoder.decode(), true);
}

/**
 * Reads a delimited file as pandas would (`pd.read_csv`): a header row, then typed cells.
 * `open` is called twice; each call must stream the file from the start.
 */
export async function readCsv(
  open: () => AsyncIterable<Uint8Array>,
  file: string,
  delimiter = ',',
): Promise<Table> {
  let header: string[] | null = null;
  let inference: CsvColumnInference[] = [];
  // A file in memory (one ingest has just stored) is parsed in microtasks alone: the event
  // loop is let turn now and then, so that the file's write goes on meanwhile.
  const clock = new TaskYield();
  for await (const records of csvRecords(open(), delimiter, file)) {
    for (const record of records) {
      if (clock.due()) await clock.turn();
      if (!header) {
        header = dedupe(record);
        inference = header.map(() => new CsvColumnInference());
        continue;
      }
      for (let i = 0; i < inference.length; i++) inference[i]?.add(record[i]);
    }
  }
  if (!header) {
    throw new CroissantError('BAD_DATA', `${file} is empty: no CSV header row`, {
      location: { file },
    });
  }
  const columns = header;
  const dtypes = new Map<string, Dtype>(
    columns.map((c, i) => [c, inference[i]?.dtype ?? 'object']),
  );
  async function* rows() {
    let first = true;
    const types = columns.map((c) => dtypes.get(c) ?? 'object');
    for await (const records of csvRecords(open(), delimiter, file)) {
      const batch: Record<string, unknown>[] = [];
      for (const record of records) {
        if (first) {
          first = false;
          continue;
        }
        const row: Record<string, unknown> = {};
        for (let i = 0; i < columns.length; i++)
          row[columns[i] as string] = csvCell(record[i], types[i] as Dtype);
        batch.push(row);
      }
      if (batch.length) yield batch;
    }
  }
  return { dtypes, rows: rows() };
}

/** pandas renames duplicate headers `a, a` to `a, a.1`. */
function dedupe(header: string[]): string[] {
  const seen = new Map<string, number>();
  return header.map((h) => {
    const n = seen.get(h);
    seen.set(h, (n ?? 0) + 1);
    return n ? `${h}.${n}` : h;
  });
}
