/**
 * The Query view's WHERE text as the filter of its queries (explore.svelte.ts): a statement is
 * refused before any query runs, a condition DuckDB cannot bind or parse is found with one
 * cheap query (so that the charts say once that the filter is invalid rather than each failing
 * with the same error), and the rows query's errors point into the WHERE text as typed.
 */
import type { Facet } from '../lib/query/facets.ts';
import { filterPredicate } from '../lib/query/facets.ts';
import type { RowsOf } from '../lib/query/stats-plan.ts';
import { checkPredicate, predicatePosition } from '../lib/query/where.ts';
import { describeError, type ErrorInfo } from './format.ts';

/** The SQL of the rows of `table` under `predicate` ('' when nothing filters). */
export function rowsSql(table: string, predicate: string): string {
  return predicate ? `${rowsHead(table)}${predicate}` : `SELECT * FROM ${table}`;
}

function rowsHead(table: string): string {
  return `SELECT * FROM ${table}\nWHERE `;
}

/** Why `where` is refused before any query runs (a statement, where.ts), if it is. */
export function whereRefusal(where: string): ErrorInfo | null {
  try {
    checkPredicate(where);
    return null;
  } catch (e) {
    return describeError(e);
  }
}

/**
 * DuckDB's error about `where` on `table`, found by a query that reads no row; null when the
 * condition binds (or the check was cancelled).
 */
export async function probeWhere(
  rows: RowsOf,
  table: string,
  where: string,
): Promise<ErrorInfo | null> {
  const sql = `SELECT 1 FROM ${table}\nWHERE ${filterPredicate(where, [])}\nLIMIT 0`;
  try {
    await rows(sql);
    return null;
  } catch (e) {
    const error = describeError(e);
    return error.code === 'ABORTED' ? null : refusedWhere(error, sql, where);
  }
}

/**
 * The read-only guard's refusal of the app's query holding `where` (a statement smuggled after
 * a `;`), told about the WHERE text: the guard names no place, and the app's query is not what
 * the user typed. Any other error is returned as it is.
 */
function refusedWhere(error: ErrorInfo, sql: string, where: string): ErrorInfo {
  if (error.code !== 'READ_ONLY' || error.sql !== sql || !where.trim()) return error;
  return { code: error.code, message: `In the WHERE filter: ${error.message}`, sql: where };
}

/**
 * An error of the rows query of `table` under `where` and `facets` ({@link rowsSql}), told about
 * the WHERE text: its position mapped into that text, which is shown instead of the app's query
 * (a refusal by the read-only guard names no place: only the text). Errors elsewhere, or without
 * a position, are returned as they are.
 */
export function whereError(
  error: ErrorInfo,
  table: string,
  where: string,
  facets: readonly Facet[],
): ErrorInfo {
  const sql = rowsSql(table, filterPredicate(where, facets));
  if (error.code === 'READ_ONLY') return refusedWhere(error, sql, where);
  if (error.code !== 'SQL_ERROR' || !error.position || error.sql !== sql || !where.trim()) {
    return error;
  }
  // filterPredicate puts the WHERE text first, inside "(\n…\n)" when facets follow.
  const at = rowsHead(table).length + (facets.length ? 2 : 0);
  const position = predicatePosition(sql, at, where, error.position);
  if (!position) return error;
  return {
    code: error.code,
    message: `In the WHERE filter: ${error.message}`,
    sql: where,
    position,
  };
}
