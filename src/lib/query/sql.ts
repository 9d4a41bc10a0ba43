/**
 * The one place where SQL text is assembled from names and values. Every identifier and literal
 * that reaches DuckDB from anything but a constant goes through {@link ident}, {@link literal} or
 * {@link qualified}; nothing else builds SQL from user text by concatenation.
 */

/** A table (or view) name, optionally in a schema. */
export interface TableName {
  schema?: string;
  name: string;
}

/**
 * Quotes an identifier for DuckDB: `passengers/age` → `"passengers/age"`, `a"b` → `"a""b"`.
 * Always quotes, so keywords and any character are safe. NUL cannot be represented and is
 * refused.
 */
export function ident(name: string): string {
  if (name.includes('\0')) throw new TypeError('an SQL identifier cannot contain NUL');
  return '"' + name.replaceAll('"', '""') + '"';
}

/** `schema.name`, each part quoted. */
export function qualified(table: TableName | string): string {
  if (typeof table === 'string') return ident(table);
  return table.schema === undefined
    ? ident(table.name)
    : `${ident(table.schema)}.${ident(table.name)}`;
}

/**
 * A literal: strings are single-quoted with `'` doubled, numbers and bigints written as
 * decimals (non-finite numbers become `'nan'::DOUBLE` and friends), booleans as TRUE/FALSE,
 * null/undefined as NULL.
 */
export function literal(value: string | number | bigint | boolean | null | undefined): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return String(value);
    return `'${Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf'}'::DOUBLE`;
  }
  if (value.includes('\0')) throw new TypeError('an SQL string literal cannot contain NUL');
  return "'" + value.replaceAll("'", "''") + "'";
}

/** A column of a projection: `source` read and exposed as `as` (the same name when omitted). */
export interface Projection {
  source: string;
  as?: string;
}

/** `SELECT "a", "b" AS "c" FROM "schema"."table"` with every name quoted. */
export function selectFrom(table: TableName, columns: readonly Projection[]): string {
  const list = columns.map((c) =>
    c.as === undefined || c.as === c.source
      ? ident(c.source)
      : `${ident(c.source)} AS ${ident(c.as)}`,
  );
  return `SELECT ${list.join(', ')} FROM ${qualified(table)}`;
}
