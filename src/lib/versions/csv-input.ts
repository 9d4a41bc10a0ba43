/**
 * CSV files given to append and add-columns: parsed with the reader's Papa Parse based
 * streaming parser (`csvRecords`), numbered like a spreadsheet (the header is row 1), and hashed
 * as they stream so the operation's lineage names the exact content it read. Line endings may be
 * CRLF (Python's `csv` module, Excel), LF or a lone CR (old Mac), even mixed: see
 * {@link normalizeLineEndings}.
 */
import { CroissantError } from '../croissant/errors.ts';
import { csvRecords } from '../croissant/formats/csv.ts';
import type { ByteSource } from '../io/source.ts';
import { LakeError, checkAborted } from '../store/errors.ts';
import { sha256Stream } from '../store/hash.ts';
import { matchColumn } from './cells.ts';
import type { ColumnDef } from './manifest.ts';

/** One CSV record and its row number (the header is row 1; blank lines are skipped). */
export interface CsvRecord {
  row: number;
  cells: string[];
}

/** Options shared by appendCsv and addColumnsCsv. */
export interface CsvOptions {
  /** The CSV file (its `name` appears in errors and lineage). */
  csv: ByteSource;
  /** Field delimiter (default `,`). */
  delimiter?: string;
  signal?: AbortSignal;
}

/** The sha256 of a source's bytes (one streaming pass). */
export async function sourceSha256(src: ByteSource, signal?: AbortSignal): Promise<string> {
  const h = await sha256Stream();
  for await (const c of src.stream(signal)) {
    checkAborted(signal);
    h.update(c);
  }
  return h.digest('hex');
}

const CR = 0x0d;
const LF = 0x0a;
const QUOTE = 0x22;

/**
 * Rewrites every record separator of a CSV byte stream to LF: CRLF and a lone CR outside quoted
 * fields become LF, while line breaks inside a quoted field are kept as written (a cell holding
 * "a\r\nb" keeps its CRLF, as Python's csv module and pandas keep it). Papa Parse's core parser,
 * given one newline, would otherwise leave the CR of a CRLF file at the end of the last cell of
 * every row. Works on bytes (UTF-8 never uses bytes below 0x80 inside a multi-byte character),
 * carrying the quote state and a trailing CR from one chunk to the next.
 */
export async function* normalizeLineEndings(
  chunks: AsyncIterable<Uint8Array>,
  delimiter = ',',
): AsyncGenerator<Uint8Array> {
  const delim = delimiter.length === 1 ? delimiter.charCodeAt(0) : -1;
  let fieldStart = true;
  let quoted = false;
  /** Inside a quoted field, a quote was seen: it closes the field unless another follows. */
  let quoteSeen = false;
  /** The previous byte was a CR outside quotes (already written as LF): drop an LF after it. */
  let afterCr = false;
  for await (const chunk of chunks) {
    // Chunks without a CR pass through uncopied; the loop only follows the quote state.
    const copy = chunk.indexOf(CR) >= 0 || (afterCr && chunk[0] === LF);
    const out = copy ? new Uint8Array(chunk.byteLength) : chunk;
    let n = 0;
    for (let i = 0; i < chunk.byteLength; i++) {
      let b = chunk[i]!;
      if (quoted) {
        if (quoteSeen && b !== QUOTE) {
          quoted = quoteSeen = false;
        } else {
          if (b === QUOTE) quoteSeen = !quoteSeen;
          if (copy) out[n++] = b;
          continue;
        }
      }
      if (afterCr) {
        afterCr = false;
        if (b === LF) continue;
      }
      if (b === CR) {
        b = LF;
        afterCr = true;
      }
      if (b === LF || b === delim) fieldStart = true;
      else if (b === QUOTE && fieldStart) {
        quoted = true;
        fieldStart = false;
      } else fieldStart = false;
      if (copy) out[n++] = b;
    }
    yield copy ? out.subarray(0, n) : chunk;
  }
}

/**
 * Streams a CSV file: first its header (as `row: 1`), then batches of data records. A record
 * whose cell count differs from the header's is refused with its row number; malformed quoting
 * becomes BAD_INPUT naming the file.
 */
export async function* csvRows(
  opts: CsvOptions,
): AsyncGenerator<{ header: string[]; records: CsvRecord[] }> {
  const file = opts.csv.name;
  let header: string[] | null = null;
  let row = 0;
  try {
    const delimiter = opts.delimiter ?? ',';
    const bytes = normalizeLineEndings(opts.csv.stream(opts.signal), delimiter);
    for await (const batch of csvRecords(bytes, delimiter, file)) {
      checkAborted(opts.signal);
      const records: CsvRecord[] = [];
      for (const cells of batch) {
        row++;
        if (!header) {
          header = cells.map((h) => h.trim());
          continue;
        }
        if (cells.length !== header.length) {
          throw new LakeError(
            'BAD_INPUT',
            `${file}, row ${row}: has ${cells.length} cells but the header (row 1) has ${header.length}`,
          );
        }
        records.push({ row, cells });
      }
      if (header) yield { header, records };
    }
  } catch (e) {
    if (e instanceof CroissantError) {
      throw new LakeError('BAD_INPUT', `${file} is not a readable CSV file: ${e.message}`, {
        cause: e,
      });
    }
    throw e;
  }
  if (!header) throw new LakeError('BAD_INPUT', `${file} is empty: it needs a header row`);
}

/** Reads a whole CSV file into memory (add-columns holds its rows anyway). */
export async function readCsvAll(
  opts: CsvOptions,
): Promise<{ header: string[]; records: CsvRecord[] }> {
  let header: string[] = [];
  const records: CsvRecord[] = [];
  for await (const b of csvRows(opts)) {
    header = b.header;
    records.push(...b.records);
  }
  return { header, records };
}

/** Refuses a header that names one column twice. */
export function checkDuplicateHeaders(header: readonly string[], file: string): void {
  const seen = new Set<string>();
  for (const h of header) {
    if (seen.has(h)) {
      throw new LakeError('BAD_INPUT', `${file}, row 1: the header names "${h}" twice`);
    }
    seen.add(h);
  }
}

/**
 * A hint when a header read as one column holds another usual separator (a `;`- or
 * tab-separated file, as spreadsheets export in many locales): the file must be comma-separated.
 */
export function otherSeparator(header: readonly string[]): string {
  if (header.length !== 1) return '';
  const sep = [';', '\t', '|'].find((x) => header[0]!.includes(x));
  const name = sep === '\t' ? 'tab' : `"${sep}"`;
  return sep
    ? `. The file looks ${name}-separated: save it comma-separated (CSV) and try again`
    : '';
}

/**
 * The record set column each header names (see `matchColumn`), or SCHEMA_MISMATCH naming the
 * header (row 1); two headers naming one column are BAD_INPUT.
 */
export function mapCsvHeader(
  header: readonly string[],
  columns: readonly ColumnDef[],
  rsId: string,
  file: string,
): ColumnDef[] {
  checkDuplicateHeaders(header, file);
  const used = new Map<string, string>();
  return header.map((h) => {
    let c: ColumnDef | undefined;
    try {
      c = matchColumn(h, columns);
    } catch (e) {
      throw new LakeError('SCHEMA_MISMATCH', `${file}, row 1: ${(e as Error).message}`);
    }
    if (!c) {
      throw new LakeError(
        'SCHEMA_MISMATCH',
        `${file}, row 1: column "${h}" is not in record set ${rsId}, which has: ${columns.map((x) => x.name).join(', ')}${otherSeparator(header)}`,
      );
    }
    const prev = used.get(c.name);
    if (prev !== undefined) {
      throw new LakeError(
        'BAD_INPUT',
        `${file}, row 1: "${prev}" and "${h}" both name column ${c.name}`,
      );
    }
    used.set(c.name, h);
    return c;
  });
}
