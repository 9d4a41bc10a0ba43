/**
 * A blank SQL editor run (QueryRun.run): it says the query is empty, as a query of comments only
 * does (read-only.ts), and the previous query's error, quoting its SQL, goes. It did nothing,
 * and the stale error stayed. Over a stub query client that fails on `bad` and records what it
 * is asked.
 */
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import type { QueryHost } from '../../src/app/query-host.svelte.ts';
import { QueryRun } from '../../src/app/query-run.svelte.ts';
import { QueryError } from '../../src/lib/query/errors.ts';

function stubRun(asked: string[]): QueryRun {
  const query = (sql: string) => {
    asked.push(sql);
    if (sql.includes('bad'))
      return Promise.reject(new QueryError('SQL_ERROR', 'column "bad" not found', { sql }));
    return Promise.resolve({
      columns: [{ name: 'x', type: 'INTEGER' }],
      ipc: tableToIPC(tableFromArrays({ x: Int32Array.from([1]) })),
      rows: 1,
      truncated: false,
      loaded: [],
      ms: 1,
    });
  };
  return new QueryRun({ client: { query } } as unknown as QueryHost);
}

describe('a blank query', () => {
  for (const blank of ['', '   ', '\n\t \n']) {
    it(`says the query is empty and clears the last error (${JSON.stringify(blank)})`, async () => {
      const asked: string[] = [];
      const run = stubRun(asked);
      expect(await run.run('SELECT 1')).toBe(true);
      expect(await run.run('SELECT bad')).toBe(false);
      expect(run.error?.sql).toBe('SELECT bad');
      const settled = run.settled;

      expect(await run.run(blank)).toBe(false);
      expect(run.status).toBe('failed');
      expect(run.error).toEqual({ code: 'BAD_INPUT', message: 'the query is empty' });
      expect(run.sql).toBe(blank);
      expect(run.settled).toBe(settled + 1);
      // The last result is kept, marked as an earlier query's.
      expect(run.previous?.sql).toBe('SELECT 1');
      expect(asked).toEqual(['SELECT 1', 'SELECT bad']);
    });
  }
});
