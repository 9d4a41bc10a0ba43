/**
 * The rows a SQL WHERE predicate selects, as row ids: what curation keeps and what a share
 * link's filter replays. The predicate is user (or link) SQL, so it only ever runs through a
 * read-only {@link QueryEngine}; it is put on lines of its own so that a trailing `--` comment
 * cannot swallow the closing parenthesis.
 */
import { tableFromIPC } from 'apache-arrow';
import type { QueryEngine } from './engine.ts';
import { QueryError } from './errors.ts';
import { ROWID_COLUMN, lakeSqlName } from './lake-names.ts';
import { ident } from './sql.ts';

/** `SELECT _rowid FROM "<dataset>@<rev>"."<record set>" WHERE (<predicate>)`. */
export function rowidsSql(
  dataset: string,
  rev: string,
  recordSet: string,
  predicate: string,
): string {
  return `SELECT ${ident(ROWID_COLUMN)} FROM ${lakeSqlName(dataset, rev, recordSet)} WHERE (\n${predicate}\n)`;
}

/** `SELECT count(*) AS n FROM … WHERE (<predicate>)`: how many rows {@link rowidsSql} selects. */
export function countWhereSql(
  dataset: string,
  rev: string,
  recordSet: string,
  predicate: string,
): string {
  return `SELECT count(*) AS n FROM ${lakeSqlName(dataset, rev, recordSet)} WHERE (\n${predicate}\n)`;
}

/**
 * Runs {@link rowidsSql} on `engine` and gives the ids, in the order DuckDB returned them. A
 * blank predicate is BAD_INPUT (a filter must say what it keeps).
 */
export async function rowidsWhere(
  engine: QueryEngine,
  dataset: string,
  rev: string,
  recordSet: string,
  predicate: string,
  signal?: AbortSignal,
): Promise<bigint[]> {
  if (!predicate.trim()) {
    throw new QueryError('BAD_INPUT', 'the filter is empty: give a WHERE predicate or a facet');
  }
  const sql = rowidsSql(dataset, rev, recordSet, predicate);
  const result = await engine.query(sql, signal ? { signal } : {});
  const ids = tableFromIPC(result.ipc).getChild(ROWID_COLUMN);
  if (!ids) throw new QueryError('SQL_ERROR', 'the row id query gave no _rowid column', { sql });
  return Array.from(ids.toArray() as BigInt64Array);
}
