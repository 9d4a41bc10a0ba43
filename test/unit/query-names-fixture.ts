/**
 * The `n` column of a query's rows, as strings: what the branch-name query tests compare
 * (query-at-branch, query-case-twins), through the real engine.
 */
import { tableFromIPC } from 'apache-arrow';
import type { DuckDBEngine } from '../../src/lib/query/duckdb-engine.ts';

export async function namesOf(engine: DuckDBEngine, sql: string): Promise<string[]> {
  const r = await engine.query(sql, { describe: false });
  return tableFromIPC(r.ipc)
    .toArray()
    .map((x: { toJSON(): Record<string, unknown> }) => String(x.toJSON().n));
}
