/**
 * Result columns of the types DuckDB-WASM's Arrow results lose, read as DuckDB's own text:
 *
 * - ENUM: its streamed results (a pending query, which the engine runs so that a query can be
 *   cancelled) carry no dictionary for an ENUM column, so every value read back as null
 *   (duckdb/duckdb-wasm#1548: `send` gives nulls where `query` gives the values);
 * - TIME WITH TIME ZONE: Arrow's time64 keeps the time and drops the offset (`13:45:00+02`
 *   came back as 13:45:00);
 * - BIT and BIGNUM (VARINT): Arrow gets DuckDB's internal bytes, which inside a list or a
 *   struct cannot be told from a BLOB's.
 *
 * A result whose DESCRIBE names such a type is run with those columns cast to VARCHAR, inside
 * nested types too (`ENUM('a', 'b')[]` → `VARCHAR[]`): the same values, as DuckDB writes them.
 * The columns keep their SQL type for the grid's header.
 */
import type { ResultColumn } from './engine.ts';

/**
 * The types read as text, in a SQL type name: an ENUM (its labels quoted, with '' for a
 * quote), TIME WITH TIME ZONE, BIT (not a struct field named "BIT": DuckDB quotes that), and
 * BIGNUM or VARINT as a whole type.
 */
const AS_TEXT =
  /ENUM\((?:'(?:[^']|'')*'(?:,\s*)?)*\)|TIME WITH TIME ZONE|(?<![\w"])BIT(?![\w"])|^(?:BIGNUM|VARINT)$/g;

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * `sql`, the engine's wrapped statement (`SELECT * FROM (…)`, read-only.ts `wrapped`), with every
 * column of `columns` whose type holds a type read as text cast to that type with VARCHAR in its
 * place. Unchanged when there is none, or when two columns share a name (REPLACE could not tell
 * them apart).
 */
export function typesAsText(sql: string, columns: readonly ResultColumn[]): string {
  const cast = columns.filter((c) => c.type.search(AS_TEXT) >= 0);
  const head = 'SELECT * FROM (';
  if (!cast.length || !sql.startsWith(head)) return sql;
  if (new Set(columns.map((c) => c.name)).size !== columns.length) return sql;
  const casts = cast.map(
    (c) => `CAST(${quoted(c.name)} AS ${c.type.replace(AS_TEXT, 'VARCHAR')}) AS ${quoted(c.name)}`,
  );
  return `SELECT * REPLACE (${casts.join(', ')}) FROM (${sql.slice(head.length)}`;
}
