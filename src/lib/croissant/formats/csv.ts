/**
 * CSV/TSV tables, streamed twice: a first pass infers pandas dtypes per column, the second
 * emits typed rows. Memory stays bounded by one chunk, whatever the file size.
 */
import { parse } from 'csv-parse/browser/esm';
import { CroissantError } from '../errors.ts';
import type { Dtype } from '../records/pandas.ts';
import { CsvColumnInference, csvCell } from '../records/pandas.ts';
import type { Table } from './table.ts';

type Info = { record: string[]; info: { lines: number; bytes: number } };

/** Parses a text stream into raw records (arrays of cells) with their line numbers. */
async function* csvRecords(
  chunks: AsyncIterable<Uint8Array>,
  delimiter: string,
  file: string,
): AsyncGenerator<Info> {
  const parser = parse({ delimiter, relax_column_count: true, info: true, skip_empty_lines: true });
  let failure: unknown = null;
  parser.on('error', (e: unknown) => {
    failure = e;
  });
  const decoder = new TextDecoder('utf-8');
  const drain = function* (): Generator<Info> {
    for (let r = parser.read() as Info | null; r !== null; r = parser.read() as Info | null)
      yield r;
  };
  const check = () => {
    if (!failure) return;
    const e = failure as Error & { lines?: number; bytes?: number };
    throw new CroissantError('BAD_DATA', `malformed CSV in ${file}: ${e.message}`, {
      cause: e,
      location: { file, ...(e.bytes !== undefined ? { byteOffset: e.bytes } : {}) },
    });
  };
  for await (const chunk of chunks) {
    parser.write(decoder.decode(chunk, { stream: true }));
    check();
    yield* drain();
  }
  const tail = decoder.decode();
  if (tail) parser.write(tail);
  parser.end();
  await new Promise((r) => setTimeout(r, 0));
  check();
  yield* drain();
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
  for await (const { record } of csvRecords(open(), delimiter, file)) {
    if (!header) {
      header = dedupe(record);
      inference = header.map(() => new CsvColumnInference());
      continue;
    }
    for (let i = 0; i < inference.length; i++) inference[i]?.add(record[i]);
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
    for await (const { record } of csvRecords(open(), delimiter, file)) {
      if (first) {
        first = false;
        continue;
      }
      const row: Record<string, unknown> = {};
      for (let i = 0; i < columns.length; i++) {
        const col = columns[i] as string;
        row[col] = csvCell(record[i], dtypes.get(col) ?? 'object');
      }
      yield row;
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
