/**
 * The safety half of the QueryEngine contract: user SQL is read-only (every other statement is
 * refused by name, files and URLs are out of reach), errors carry DuckDB's message and the
 * query, unknown lake names are reported, and long queries can be cancelled.
 */
import { expect, it } from 'vitest';
import type { QueryEngine, QueryResult } from '../../src/lib/query/engine.ts';
import { rejects, type Row } from './query-results.ts';

/** What the safety tests need from the suite around them. */
export interface SafetyContext {
  q(sql: string, opts?: Parameters<QueryEngine['query']>[1]): Promise<QueryResult>;
  all(sql: string): Promise<Row[]>;
}

/** Registers the safety tests inside the contract's describe block. */
export function safetyTests({ q, all }: SafetyContext): void {
  it('refuses every statement that is not a read-only query, naming it', async () => {
    const refused: [string, string][] = [
      ['INSERT INTO t VALUES (1)', 'INSERT'],
      ['UPDATE "toy@main".people SET age = 1', 'UPDATE'],
      ['DELETE FROM "toy@main".people', 'DELETE'],
      ['CREATE TABLE t (a INT)', 'CREATE TABLE'],
      ['create or replace view v as select 1', 'CREATE VIEW'],
      ['CREATE SCHEMA s', 'CREATE SCHEMA'],
      ['DROP TABLE "_lake"."x"', 'DROP TABLE'],
      ['DROP SCHEMA "toy@main" CASCADE', 'DROP SCHEMA'],
      ['ALTER TABLE t ADD COLUMN b INT', 'ALTER TABLE'],
      ["COPY (SELECT 1) TO 'out.csv'", 'COPY'],
      ["EXPORT DATABASE 'dir'", 'EXPORT DATABASE'],
      ["ATTACH ':memory:' AS m", 'ATTACH'],
      ['DETACH m', 'DETACH'],
      ['INSTALL json', 'INSTALL'],
      ['LOAD json', 'LOAD'],
      ['PRAGMA version', 'PRAGMA'],
      ['SET enable_external_access = true', 'SET'],
      ['RESET lock_configuration', 'RESET'],
      ['CALL pragma_version()', 'CALL'],
      ['CHECKPOINT', 'CHECKPOINT'],
      ['BEGIN TRANSACTION', 'BEGIN'],
      ['USE memory', 'USE'],
      ['  -- a comment\n  /* another */ TRUNCATE t', 'TRUNCATE'],
      ['WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x', 'WITH … INSERT'],
      ['EXPLAIN ANALYZE DELETE FROM "toy@main".people', 'DELETE'],
    ];
    for (const [sql, kind] of refused) {
      const e = await rejects(q(sql), 'READ_ONLY', `${kind} statements are not allowed`);
      expect((e as { sql?: string }).sql).toBe(sql);
    }
    await rejects(q('SELECT 1; DROP TABLE t'), 'READ_ONLY', 'one statement at a time');
    await rejects(q("SELECT 'a;b'; SELECT 2"), 'READ_ONLY', 'one statement at a time');
    // Semicolons and keywords inside strings, identifiers and comments are not statements.
    expect(await all(`SELECT 'x; DROP TABLE t' AS "a;b" -- ; INSERT\n;`)).toEqual([
      { 'a;b': 'x; DROP TABLE t' },
    ]);
    // Text that would close the wrapping subquery is refused, not run.
    await rejects(q('SELECT 1) UNION ALL (SELECT 2'), 'SQL_ERROR', 'closes nothing');
    // Still working, still locked down.
    expect(await all('SELECT count(*)::INT AS n FROM "toy@main".people')).toEqual([{ n: 3 }]);
    expect(
      await all(
        `SELECT current_setting('enable_external_access') AS ext,
                current_setting('lock_configuration') AS locked,
                current_setting('autoload_known_extensions') AS autoload`,
      ),
    ).toEqual([{ ext: false, locked: true, autoload: false }]);
  });

  it('refuses reading local files and URLs', async () => {
    for (const sql of [
      "SELECT * FROM read_csv('/etc/passwd')",
      "SELECT * FROM read_parquet('http://localhost/x.parquet')",
      "FROM read_json_auto('https://example.com/x.json')",
      "SELECT * FROM glob('*')",
      "SELECT * FROM 'data.csv'",
      `SELECT * FROM "toy@main".people JOIN 'https://example.com/x.parquet' USING (_rowid)`,
    ]) {
      await rejects(q(sql), 'READ_ONLY', 'reading files or URLs', 'is not allowed', sql);
    }
    // What gets past the statement check meets the locked-down instance.
    for (const sql of [
      `SELECT * FROM "toy@main".people, 'data.csv'`,
      "SELECT * FROM query_table('x.csv')",
      "SELECT * FROM query('SELECT * FROM ''data.csv''')",
    ]) {
      const e = await rejects(q(sql), 'READ_ONLY', 'reading files or URLs is not allowed');
      expect((e as { duckdb?: string }).duckdb).toMatch(/^Permission Error/);
    }
    await rejects(q("SELECT * FROM query('DROP TABLE x')"), 'SQL_ERROR', 'SELECT');
    expect(await all('SELECT 42 AS x')).toEqual([{ x: 42 }]);
  });

  it("reports DuckDB's message with the query, at the user's line", async () => {
    const sql = 'SELECT name,\n       nope\nFROM "toy@main".people';
    const e = (await rejects(q(sql), 'SQL_ERROR', 'Binder Error', 'nope', 'LINE 2:', sql)) as {
      sql?: string;
      duckdb?: string;
    };
    expect(e.sql).toBe(sql);
    expect(e.duckdb).toContain('Binder Error');
    await rejects(q('SELECT FROM WHERE'), 'SQL_ERROR', 'Parser Error', 'SELECT FROM WHERE');
    await rejects(q('SELEC 1'), 'SQL_ERROR', 'syntax error', 'SELEC 1');
    await rejects(q('   '), 'BAD_INPUT', 'empty');
  });

  it('reports unknown datasets, revisions and record sets', async () => {
    await rejects(q('SELECT * FROM "nope@main".x'), 'UNKNOWN_DATASET', 'nope', 'titanic');
    await rejects(q('SELECT * FROM "toy@nobranch".people'), 'UNKNOWN_REF', 'nobranch', 'main');
    await rejects(
      q('SELECT * FROM "toy@main".animals'),
      'BAD_INPUT',
      'no record set "animals"',
      '"toy@main"."people"',
    );
    await rejects(
      q('SELECT * FROM "toy@main".people JOIN nope USING (_rowid)'),
      'SQL_ERROR',
      'nope',
    );
  });

  it('says where in the query the name it cannot find is', async () => {
    // Each error points at the first mention of what is missing: the dataset or branch at its
    // schema, the record set at its own name. Lines and columns counted here by hand.
    const located = async (sql: string, code: string, line: number, column: number) => {
      const e = (await rejects(q(sql), code, `(line ${line}, column ${column})`, sql)) as {
        detail?: unknown;
      };
      expect(e.detail).toMatchObject({ sql, position: { line, column } });
    };
    await located('SELECT *\n  FROM "nope@main".x', 'UNKNOWN_DATASET', 2, 8);
    await located(
      'SELECT 1,\n2 FROM "toy@main".people, "toy@nobranch".people',
      'UNKNOWN_REF',
      2,
      27,
    );
    await located(
      'SELECT *\nFROM "toy@main".people p\nJOIN "toy@main".animals a USING (_rowid)',
      'BAD_INPUT',
      3,
      17,
    );
  });

  it('cancels a long query, and keeps working', async () => {
    await q('SELECT 1 FROM "titanic@main".passengers LIMIT 1');
    const controller = new AbortController();
    // About 1.7e11 rows. Whether the cancel lands before DuckDB starts it or while it runs
    // (the engine polls), the caller gets ABORTED and the engine is free: the query queued
    // behind it answers, where an uncancelled one would wait past the test's time limit. No
    // clock is read. (explore.e2e.ts cancels a query the UI shows running.)
    const slow = q(
      `SELECT count(*) FROM "titanic@main".passengers a, "titanic@main".passengers b, range(100000) c
       WHERE (a._rowid * b._rowid + c.range) % 7 = 3`,
      { signal: controller.signal },
    );
    const next = all('SELECT 7 AS x');
    controller.abort();
    await rejects(slow, 'ABORTED', 'cancelled');
    expect(await next).toEqual([{ x: 7 }]);
    await rejects(q('SELECT 1', { signal: AbortSignal.abort() }), 'ABORTED');
  });
}
