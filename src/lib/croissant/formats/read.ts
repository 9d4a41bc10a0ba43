/**
 * Reads one file into a table, choosing the parser from its encodingFormat and from how the
 * fields use it (columns, JSONPath, lines or whole content), as the reference's `Read` does.
 */
import { CroissantError } from '../errors.ts';
import type { Field } from '../model.ts';
import type { Dtype } from '../records/pandas.ts';
import { readArchive } from '../resources/archive.ts';
import type { FileRef } from '../resources/files.ts';
import { readCsv } from './csv.ts';
import { jsonPathTable, readJsonDoc, readJsonLines } from './json.ts';
import { readParquet } from './parquet.ts';
import type { Table } from './table.ts';
import { collect } from '../../io/source.ts';
import { memoryTable } from './table.ts';

export type Format = 'csv' | 'tsv' | 'json' | 'jsonl' | 'parquet' | 'text' | 'binary';

const FORMATS: Record<string, Format> = {
  'text/csv': 'csv',
  'application/csv': 'csv',
  'text/tab-separated-values': 'tsv',
  'text/tsv': 'tsv',
  'application/json': 'json',
  'application/ld+json': 'json',
  'application/jsonlines': 'jsonl',
  'application/jsonl': 'jsonl',
  'application/json-lines': 'jsonl',
  'application/x-ndjson': 'jsonl',
  'application/x-jsonlines': 'jsonl',
  'application/x-parquet': 'parquet',
  'application/parquet': 'parquet',
  'application/vnd.apache.parquet': 'parquet',
  'text/plain': 'text',
  'text/markdown': 'text',
  'application/dicom': 'binary',
  'application/octet-stream': 'binary',
  'application/pdf': 'binary',
};

/** Maps an encodingFormat to a reader, or throws UNKNOWN_FORMAT naming the file. */
export function formatOf(encodingFormat: string | undefined, file: string): Format {
  const mime = (encodingFormat ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const f = FORMATS[mime];
  if (f) return f;
  if (/^(image|audio|video)\//.test(mime)) return 'binary';
  throw new CroissantError(
    'UNKNOWN_FORMAT',
    `unsupported encodingFormat "${encodingFormat ?? ''}" for ${file}; supported: ${Object.keys(FORMATS).join(', ')}, image/*, audio/*, video/*`,
    { location: { file } },
  );
}

type Method = 'content' | 'json' | 'lines' | 'none';

function readingMethod(fields: readonly Field[], file: string): Method {
  const methods = new Set<Method>();
  for (const f of fields) {
    const ex = f.source?.extract;
    if (!ex) continue;
    if (ex.column) methods.add('content');
    else if (ex.fileProperty === 'lines') methods.add('lines');
    else if (ex.fileProperty === 'content') methods.add('content');
    else if (ex.jsonPath) methods.add('json');
  }
  if (methods.size > 1) {
    throw new CroissantError(
      'UNSUPPORTED',
      `fields read ${file} in several ways (${[...methods].join(', ')}); declare one FileObject per way`,
      { location: { file } },
    );
  }
  return [...methods][0] ?? 'none';
}

/** Opens the file, transparently gunzipping `*.gz` like the reference does. */
function opener(file: FileRef): () => AsyncIterable<Uint8Array> {
  if (!/\.gz$/i.test(file.filename)) return () => file.open();
  return async function* () {
    for await (const m of readArchive(file.open(), file.filepath)) yield m.bytes;
  };
}

async function contentTable(
  file: FileRef,
  format: Format,
  method: Method,
  fields: readonly Field[],
): Promise<Table> {
  const open = opener(file);
  const one = (content: unknown) =>
    memoryTable(new Map<string, Dtype>([['content', 'object']]), [{ content }]);
  switch (format) {
    case 'csv':
      return readCsv(open, file.filepath, ',');
    case 'tsv':
      return readCsv(open, file.filepath, '\t');
    case 'parquet':
      return readParquet(open(), file.filepath);
    case 'jsonl':
      return readJsonLines(open(), file.filepath);
    case 'json': {
      const doc = await readJsonDoc(open(), file.filepath);
      if (method === 'json') {
        const paths = fields.flatMap((f) =>
          f.source?.extract.jsonPath ? [f.source.extract.jsonPath] : [],
        );
        return jsonPathTable(doc, [...new Set(paths)], file.filepath);
      }
      return one(doc);
    }
    case 'text': {
      const bytes = await collect(open());
      if (method !== 'lines') return one(bytes);
      const text = new TextDecoder().decode(bytes);
      // The reference reads lines with pandas, whose records end at \n, \r\n or \r alike.
      const lines = text.split(/\r\n|\r|\n/).filter((l) => l.length > 0);
      return memoryTable(
        new Map<string, Dtype>([
          ['lines', 'object'],
          ['lineNumbers', 'int'],
        ]),
        lines.map((l, i) => ({ lines: l, lineNumbers: i })),
      );
    }
    default:
      return one(await collect(open()));
  }
}

/**
 * Reads `file` for `fields` and adds the file properties (filename, fullpath, filepath, and
 * lineNumbers when asked) to every row.
 */
export async function readFileTable(file: FileRef, fields: readonly Field[]): Promise<Table> {
  const method = readingMethod(fields, file.filepath);
  const props = { filename: file.filename, fullpath: file.fullpath, filepath: file.filepath };
  const propTypes: [string, Dtype][] = Object.keys(props).map((k) => [k, 'object']);
  if (method === 'none') {
    return { ...memoryTable(new Map(propTypes), [{}]), constants: props };
  }
  const format = formatOf(file.encodingFormat, file.filepath);
  const table = await contentTable(file, format, method, fields);
  const wantsLineNumbers = fields.some((f) => f.source?.extract.fileProperty === 'lineNumbers');
  const dtypes = new Map([...table.dtypes, ...propTypes]);
  if (wantsLineNumbers) dtypes.set('lineNumbers', 'int');
  if (!wantsLineNumbers) return { dtypes, rows: table.rows, constants: props };
  async function* rows() {
    let i = 0;
    for await (const batch of table.rows) {
      for (const row of batch) if (!('lineNumbers' in row)) row.lineNumbers = i++;
      yield batch;
    }
  }
  return { dtypes, rows: rows(), constants: props };
}
