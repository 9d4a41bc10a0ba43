/**
 * add-columns from a CSV file with a key column (see add-columns.ts for how keys match).
 */
import { LakeError } from '../store/errors.ts';
import { ROWID, type Cell, type LakeRow } from './columns.ts';
import {
  keyColumnOf,
  runAddColumns,
  type AddColumnsOptions,
  type AddColumnsResult,
  type KeyedValues,
} from './add-columns.ts';
import { inferCsvType, parseCsvCell, showValue } from './cells.ts';
import { checkDuplicateHeaders, readCsvAll, sourceSha256, type CsvOptions } from './csv-input.ts';
import { parseRowId } from './extend.ts';
import type { Lake } from './lake.ts';
import type { ColumnDef } from './manifest.ts';

/** Options of {@link addColumnsCsv}. */
export interface AddColumnsCsvOptions
  extends Omit<AddColumnsOptions, 'rows' | 'columns' | 'source' | 'objects'>, CsvOptions {
  /**
   * Names and types of the new columns, matched to headers by full name or a trailing part of
   * it after a `/` (`height` for `people/height`). Default: one per non-key header, typed from its values (int64, float64, bool,
   * ISO timestamp, else utf8), named `<record set>/<header>` when the record set's columns
   * follow that convention.
   */
  columns?: ColumnDef[];
}

/**
 * Adds columns from a CSV file: one header is the key (`_rowid`, or the key column by full
 * name or a trailing part of it after a `/`), every other header a new column. Bad cells are
 * SCHEMA_MISMATCH naming file, row (the header is row 1), column and value; unmatched keys are
 * reported with their CSV rows. The file's sha256 goes into lineage.
 */
export async function addColumnsCsv(
  lake: Lake,
  dataset: string,
  opts: AddColumnsCsvOptions,
): Promise<AddColumnsResult> {
  const file = opts.csv.name;
  return runAddColumns(lake, dataset, opts, async (rsId, rs) => {
    const sha256 = await sourceSha256(opts.csv, opts.signal);
    const { header, records } = await readCsvAll(opts);
    checkDuplicateHeaders(header, file);
    const keyCol = keyColumnOf(rsId, rs, opts.key);
    const keyAt = header.findIndex((h) =>
      keyCol ? h === keyCol.name || keyCol.name.endsWith('/' + h) : h === ROWID,
    );
    if (keyAt < 0) {
      throw new LakeError(
        'BAD_INPUT',
        `${file}, row 1: no key column ${keyCol ? `"${keyCol.name}"` : ROWID} in the header (${header.join(', ')})`,
      );
    }
    const prefixed =
      rs.columns.length > 0 && rs.columns.every((c) => c.name.startsWith(rsId + '/'));
    const columns = header.map((h, i): ColumnDef | null => {
      if (i === keyAt) return null;
      if (opts.columns) {
        const def = opts.columns.find((c) => c.name === h || c.name.endsWith('/' + h));
        if (!def)
          throw new LakeError(
            'SCHEMA_MISMATCH',
            `${file}, row 1: column "${h}" is not among the columns given`,
          );
        return def;
      }
      const name = h.includes('/') || !prefixed ? h : `${rsId}/${h}`;
      return { name, type: inferCsvType(records.map((r) => r.cells[i])) };
    });
    const given = columns.filter((c): c is ColumnDef => c !== null);
    const missing = (opts.columns ?? []).filter((c) => !given.includes(c));
    if (missing.length) {
      throw new LakeError(
        'BAD_INPUT',
        `${file}: column(s) ${missing.map((c) => c.name).join(', ')} are not in the header`,
      );
    }
    const entries = records.map(({ row, cells }): KeyedValues => {
      const values: LakeRow = {};
      let key: Cell = null;
      cells.forEach((cell, i) => {
        const c = columns[i];
        try {
          if (i === keyAt)
            key = keyCol ? parseCsvCell(keyCol.type, cell) : cell === '' ? null : parseRowId(cell);
          else if (c) values[c.name] = parseCsvCell(c.type, cell);
        } catch (e) {
          const type = c?.type ?? keyCol?.type ?? 'row id';
          throw new LakeError(
            'SCHEMA_MISMATCH',
            `${file}, row ${row}, column "${header[i]}" (${type}): ${showValue(cell)} is ${(e as Error).message}`,
          );
        }
      });
      return { key, values, label: `${file} row ${row}` };
    });
    return { columns: given, entries, source: { kind: 'csv', url: file, sha256 } };
  });
}
