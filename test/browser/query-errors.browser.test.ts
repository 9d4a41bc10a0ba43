/**
 * Issue 11: SQL errors point into the user's SQL, not into the engine's wrapper query
 * (`LINE 2: ) LIMIT 200001`). Real DuckDB-WASM, driven from the page; expected lines and
 * columns are counted by hand in each query.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBEngine } from '../../src/lib/query/duckdb-engine.ts';
import type { QueryError } from '../../src/lib/query/errors.ts';
import { openDuckDB } from '../../workers/api/query-duckdb.ts';

describe("DuckDB's errors at the user's line and column", () => {
  let engine: DuckDBEngine;
  beforeAll(async () => {
    const { db, worker } = await openDuckDB();
    engine = await DuckDBEngine.open(db, { worker });
  });
  afterAll(async () => {
    await engine?.close();
  });

  async function failure(sql: string): Promise<QueryError> {
    // The limit the app asks for, so that the wrapper has its LIMIT line.
    const e = await engine.query(sql, { limit: 200_000 }).then(
      () => null,
      (err: unknown) => err as QueryError,
    );
    if (!e) throw new Error(`expected ${JSON.stringify(sql)} to fail`);
    return e;
  }

  it('puts an error at the end of the input after the last word, not on the wrapper', async () => {
    const e = await failure('SELECT *\nFROM range(3)\nWHERE');
    expect(e.code).toBe('SQL_ERROR');
    expect(e.position).toEqual({ line: 3, column: 6 });
    expect(e.reason).toBe(
      'Parser Error: syntax error at end of input\n\nLINE 3: WHERE\n             ^',
    );
    expect(e.message).not.toContain('LIMIT 200001');
    // DuckDB's own words stay available, unchanged: about the wrapper's `)` on the line after the
    // user's last (the DESCRIBE that binds the query first sees the text without its LIMIT).
    expect(e.duckdb).toContain('syntax error at or near ")"\n\nLINE 5: )');
    expect((await failure('SELECT 1 +')).position).toEqual({ line: 1, column: 11 });
  });

  it('names the line and column of a binder, catalog or parser error', async () => {
    const binder = await failure('SELECT 1\n  , x\nFROM range(2)');
    expect(binder.position).toEqual({ line: 2, column: 5 });
    expect(binder.reason).toContain('LINE 2:   , x\n            ^');
    const catalog = await failure('-- totals\nSELECT abc(1)');
    expect(catalog.position).toEqual({ line: 2, column: 8 });
    const parser = await failure('SELEC 1');
    expect(parser.position).toEqual({ line: 1, column: 7 });
    expect(parser.reason.match(/LINE/g)).toHaveLength(1);
    const explained = await failure('EXPLAIN SELECT nope');
    expect(explained.position).toEqual({ line: 1, column: 16 });
    const long = 'SELECT 1 AS a, ' + '2, '.repeat(40) + ' nope FROM range(3)';
    expect((await failure(long)).position).toEqual({ line: 1, column: 137 });
    expect(long.slice(136, 140)).toBe('nope');
  });

  it('locates a parenthesis the statement check finds unbalanced', async () => {
    const e = await failure('SELECT (1,\n  (2)');
    expect(e.code).toBe('SQL_ERROR');
    expect(e.position).toEqual({ line: 1, column: 8 });
    expect(e.reason).toContain('never closed\n\nLINE 1: SELECT (1,\n               ^');
  });

  it('keeps the position across the wire (toJSON, fromJSON)', async () => {
    const e = await failure('SELECT 1\n  , x\nFROM range(2)');
    const { QueryError } = await import('../../src/lib/query/errors.ts');
    const back = QueryError.fromJSON(JSON.parse(JSON.stringify(e.toJSON())));
    expect(back.position).toEqual({ line: 2, column: 5 });
    expect(back.sql).toBe(e.sql);
  });
});
