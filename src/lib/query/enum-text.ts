/**
 * ENUM results read as text. DuckDB-WASM's streamed results (a pending query, which the engine
 * runs so that a query can be cancelled) carry no dictionary for an ENUM column, so every value
 * of one read back as null (duckdb/duckdb-wasm#1548: `send` gives nulls where `query` gives the
 * values). A result whose DESCRIBE names ENUM columns is therefore run with those columns cast
 * to VARCHAR, inside nested types too (`ENUM('a', 'b')[]` → `VARCHAR[]`): the same values, as
 * text. The columns keep their SQL type, ENUM, for the grid's header.
 */
import type { ResultColumn } from './engine.ts';

/** An ENUM type in a SQL type name: its labels are quoted, with '' for a quote. */
const ENUM = /ENUM\((?:'(?:[^']|'')*'(?:,\s*)?)*\)/g;

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * `sql`, the engine's wrapped statement (`SELECT * FROM (…)`, read-only.ts `wrapped`), with every
 * column of `columns` whose type holds an ENUM cast to that type with VARCHAR for each ENUM.
 * Unchanged when there is none, or when two columns share a name (REPLACE could not tell them).
 */
export function enumsAsText(sql: string, columns: readonly ResultColumn[]): string {
  const enums = columns.filter((c) => c.type.search(ENUM) >= 0);
  const head = 'SELECT * FROM (';
  if (!enums.length || !sql.startsWith(head)) return sql;
  if (new Set(columns.map((c) => c.name)).size !== columns.length) return sql;
  const casts = enums.map(
    (c) => `CAST(${quoted(c.name)} AS ${c.type.replace(ENUM, 'VARCHAR')}) AS ${quoted(c.name)}`,
  );
  return `SELECT * REPLACE (${casts.join(', ')}) FROM (${sql.slice(head.length)}`;
}
