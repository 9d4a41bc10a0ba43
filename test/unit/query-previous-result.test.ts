/**
 * A result kept under a failed query (QueryRun.previous, previousResultLine): when a query fails,
 * is refused or is cancelled, the grid still shows the result before it, and the Query view marks
 * it as that earlier query's (SqlPanel) so it is not taken for the failed one's. Over a stub
 * query client: `SELECT …` gives one row per `n` in `… n`, `bad` fails as DuckDB would, `slow`
 * runs until cancelled.
 */
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { abbreviateSql, previousResultLine } from '../../src/app/query-format.ts';
import type { QueryHost } from '../../src/app/query-host.svelte.ts';
import { QueryRun } from '../../src/app/query-run.svelte.ts';
import { QueryError } from '../../src/lib/query/errors.ts';

function stubRun(): QueryRun {
  const query = (sql: string, opts: { signal?: AbortSignal }) => {
    if (sql.includes('bad'))
      return Promise.reject(
        new QueryError('SQL_ERROR', 'Binder Error: Referenced column "bad" not found', { sql }),
      );
    if (sql.includes('slow'))
      return new Promise((_resolve, reject) =>
        opts.signal?.addEventListener('abort', () =>
          reject(new DOMException('aborted', 'AbortError')),
        ),
      );
    const n = Number(/(\d+)\s*$/.exec(sql)?.[1] ?? 1);
    const x = Int32Array.from({ length: n }, (_, i) => i);
    return Promise.resolve({
      columns: [{ name: 'x', type: 'INTEGER' }],
      ipc: tableToIPC(tableFromArrays({ x })),
      rows: n,
      truncated: false,
      loaded: [],
      ms: 1,
    });
  };
  return new QueryRun({ client: { query } } as unknown as QueryHost);
}

const FIRST = 'SELECT x FROM range LIMIT 3';

describe('a result kept under a failed query', () => {
  it('is marked as an earlier query’s once a later query fails, is refused or cancelled', async () => {
    const run = stubRun();
    expect(run.previous).toBeNull();
    expect(await run.run(FIRST)).toBe(true);
    // The result is the last query's: nothing to mark.
    expect(run.previous).toBeNull();

    expect(await run.run('SELECT bad FROM range')).toBe(false);
    expect(run.error?.code).toBe('SQL_ERROR');
    expect(run.previous?.sql).toBe(FIRST);
    expect(run.previous?.rows).toBe(3);
    expect(previousResultLine(run.previous!, run.sql)).toBe(
      `Showing the result of the last query that succeeded (3 rows): ${FIRST}`,
    );
    // Dismissing the error does not make the rows the failed query's.
    run.dismissError();
    expect(run.previous?.sql).toBe(FIRST);

    const slow = run.run('SELECT slow');
    expect(run.previous).toBeNull();
    run.cancel();
    expect(await slow).toBe(false);
    expect(run.status).toBe('cancelled');
    expect(run.previous?.sql).toBe(FIRST);

    run.refuse('SELECT * FROM t WHERE 1; DROP TABLE t', { code: 'BAD_INPUT', message: 'x' });
    expect(run.previous?.sql).toBe(FIRST);

    expect(await run.run('SELECT x FROM range LIMIT 1')).toBe(true);
    expect(run.previous).toBeNull();
  });

  it('with no earlier result, there is nothing to mark', async () => {
    const run = stubRun();
    expect(await run.run('SELECT bad')).toBe(false);
    expect(run.status).toBe('failed');
    expect(run.previous).toBeNull();
  });

  it('says so when the earlier result is of the same SQL', () => {
    expect(previousResultLine({ sql: 'SELECT 1', rows: 1 }, 'SELECT 1')).toBe(
      'Showing the result of an earlier run of this query (1 row).',
    );
  });

  it('shows long SQL on one line, cut with an ellipsis', () => {
    const sql = `SELECT name,\n       age\n  FROM "titanic@main"."passengers"\n WHERE ${'x'.repeat(100)}`;
    const line = 'SELECT name, age FROM "titanic@main"."passengers" WHERE ';
    expect(abbreviateSql(sql, 60)).toBe(`${line}xxx…`);
    expect(abbreviateSql(sql, 60)).toHaveLength(60);
    expect(abbreviateSql('SELECT  1\n', 60)).toBe('SELECT 1');
  });
});
