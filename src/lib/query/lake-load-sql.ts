/**
 * The SQL of loading a record set into DuckDB (lake-load.ts): its table's column types, and the
 * statements of the general path, where a fragment's columns are not exactly the record set's
 * (a column added later by an extension fragment, another type): the fragment is staged as it
 * is, then selected into the cache table with each column cast, taken from the newest extension
 * holding its row id, or null. Built with sql.ts only.
 *
 * A `floats` column (manifest.ts) is stored as JSON text and is `FLOAT[]` in its table: its
 * fragments always take the general path, and {@link badFloatsSql} finds a value that is not a
 * list of numbers before the cast would fail without naming the row.
 */
import { ROWID } from '../versions/columns.ts';
import type { ColumnDef, ColumnType } from '../versions/manifest.ts';
import { ident, qualified, type TableName } from './sql.ts';

/** The DuckDB type a lake column has in SQL (lake-names.ts lists them). */
export function sqlTypeOf(t: ColumnType): string {
  switch (t) {
    case 'int64':
      return 'BIGINT';
    case 'float64':
      return 'DOUBLE';
    case 'bool':
      return 'BOOLEAN';
    case 'timestamp':
      return 'TIMESTAMP_MS';
    case 'image':
      return 'STRUCT("format" VARCHAR, "mode" VARCHAR, "width" INTEGER, "height" INTEGER, "sha256" VARCHAR)';
    case 'utf8':
    case 'blob':
      return 'VARCHAR';
  }
}

/** The SQL type of a float list column (`floats` in manifest.ts). */
export const FLOATS_SQL_TYPE = 'FLOAT[]';

/** The DuckDB type of a lake column: {@link sqlTypeOf} its type, `FLOAT[]` for a `floats` one. */
export function sqlTypeOfColumn(c: { type: ColumnType; floats?: boolean }): string {
  return c.floats ? FLOATS_SQL_TYPE : sqlTypeOf(c.type);
}

/**
 * `CREATE TABLE` of a record set's cache table: `_rowid`, then every column, typed. Columns
 * named in `uncompressed` are stored as they are (`USING COMPRESSION uncompressed`), never
 * dictionary- or FSST-compressed: faster to scan, at the cost of memory (lake-load.ts says
 * which).
 */
export function createTableSql(
  table: TableName,
  columns: readonly ColumnDef[],
  uncompressed: ReadonlySet<string> = new Set(),
): string {
  const cols = [
    `${ident(ROWID)} BIGINT`,
    ...columns.map(
      (c) =>
        `${ident(c.name)} ${sqlTypeOfColumn(c)}${uncompressed.has(c.name) ? ' USING COMPRESSION uncompressed' : ''}`,
    ),
  ];
  return `CREATE TABLE ${qualified(table)} (${cols.join(', ')})`;
}

/** A staged fragment's column: its name and its Arrow type as apache-arrow prints it. */
export interface StagedColumn {
  name: string;
  arrowType: string;
}

/**
 * `expr` (of Arrow type `from`) as a value of column `to`. The lake reads a timestamp stored
 * as a number as milliseconds since the epoch (columns.ts), which a cast would not; a `floats`
 * column's JSON text is cast to `FLOAT[]` (DuckDB parses the list).
 */
export function castTo(expr: string, from: string, to: ColumnDef, expected: string): string {
  if (to.floats) return `CAST(${expr} AS ${FLOATS_SQL_TYPE})`;
  if (from === expected) return expr;
  if (to.type === 'timestamp' && /^(u?int|float)/i.test(from)) {
    return `CAST(epoch_ms(CAST(${expr} AS BIGINT)) AS TIMESTAMP_MS)`;
  }
  return `CAST(${expr} AS ${sqlTypeOf(to.type)})`;
}

/**
 * The first live staged row (`_rowid` and the text as `value`) whose `column` is not null and
 * not a list of numbers: not a list at all, or an item that is not a number (a string, a
 * list, an empty item), which `TRY_CAST` would turn into null where `CAST` fails. JSON `null`
 * items are allowed (a missing value); a number beyond float32's range reads as null, as
 * DuckDB's cast gives it.
 */
export function badFloatsSql(stage: TableName, column: string, deleted: TableName | null): string {
  const v = `s.${ident(column)}`;
  const floats = `TRY_CAST(${v} AS ${FLOATS_SQL_TYPE})`;
  const bad = `${floats} IS NULL OR list_count(${floats}) <> list_count(TRY_CAST(${v} AS VARCHAR[]))`;
  const live = deleted ? ` AND s.rowid NOT IN (SELECT pos FROM ${qualified(deleted)})` : '';
  return (
    `SELECT s.${ident(ROWID)} AS ${ident(ROWID)}, ${v} AS value FROM ${qualified(stage)} s ` +
    `WHERE ${v} IS NOT NULL AND (${bad})${live} ORDER BY s.rowid LIMIT 1`
  );
}

/** An extension fragment loaded as its own table, deduplicated by row id. */
export interface ExtensionTable {
  table: TableName;
  /** Record set columns it holds. */
  columns: Set<string>;
}

/** The positions listed in `deleted` (a table of `pos`), as a condition on `s.rowid`. */
function liveCondition(deleted: TableName | null): string {
  return deleted ? `\nWHERE s.rowid NOT IN (SELECT pos FROM ${qualified(deleted)})` : '';
}

/**
 * `CREATE TABLE` of an extension fragment's table: its live rows, the record set's columns it
 * holds (cast to their types), one row per row id (the last, as read.ts keeps the last).
 */
export function extensionTableSql(
  target: TableName,
  stage: TableName,
  staged: readonly StagedColumn[],
  columns: readonly ColumnDef[],
  expected: (t: ColumnType) => string,
  deleted: TableName | null,
): string {
  const byName = new Map(staged.map((c) => [c.name, c]));
  const list = [
    `s.${ident(ROWID)} AS ${ident(ROWID)}`,
    ...columns
      .filter((c) => byName.has(c.name))
      .map((c) => {
        const from = byName.get(c.name)!.arrowType;
        return `${castTo(`s.${ident(c.name)}`, from, c, expected(c.type))} AS ${ident(c.name)}`;
      }),
  ];
  return (
    `CREATE TABLE ${qualified(target)} AS SELECT ${list.join(', ')} FROM ${qualified(stage)} s` +
    `${liveCondition(deleted)}\nQUALIFY row_number() OVER (PARTITION BY s.${ident(ROWID)} ORDER BY s.rowid DESC) = 1`
  );
}

/**
 * `INSERT` of a staged base fragment's live rows into the cache table, in their order: each
 * column from the fragment when it has it, else from the newest extension table holding it and
 * the row id, else null.
 */
export function insertStagedSql(
  target: TableName,
  stage: TableName,
  staged: readonly StagedColumn[],
  columns: readonly ColumnDef[],
  expected: (t: ColumnType) => string,
  extensions: readonly ExtensionTable[],
  deleted: TableName | null,
): string {
  const byName = new Map(staged.map((c) => [c.name, c]));
  const joined = new Map<number, string>();
  const list = [`s.${ident(ROWID)}`];
  for (const c of columns) {
    const own = byName.get(c.name);
    if (own) {
      list.push(castTo(`s.${ident(c.name)}`, own.arrowType, c, expected(c.type)));
      continue;
    }
    const cases: string[] = [];
    for (let k = extensions.length - 1; k >= 0; k--) {
      if (!extensions[k]!.columns.has(c.name)) continue;
      joined.set(k, `x${k}`);
      cases.push(`WHEN x${k}.${ident(ROWID)} IS NOT NULL THEN x${k}.${ident(c.name)}`);
    }
    const type = sqlTypeOfColumn(c);
    list.push(cases.length ? `CASE ${cases.join(' ')} ELSE NULL::${type} END` : `NULL::${type}`);
  }
  const joins = [...joined]
    .sort(([a], [b]) => a - b)
    .map(
      ([k, alias]) =>
        `\nLEFT JOIN ${qualified(extensions[k]!.table)} ${alias} ON ${alias}.${ident(ROWID)} = s.${ident(ROWID)}`,
    )
    .join('');
  return (
    `INSERT INTO ${qualified(target)} SELECT ${list.join(', ')} FROM ${qualified(stage)} s${joins}` +
    `${liveCondition(deleted)}\nORDER BY s.rowid`
  );
}
