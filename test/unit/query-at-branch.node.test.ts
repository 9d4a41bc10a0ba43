/**
 * A branch name may hold `@` (`a@b`, `fix@2`: git's ref-name rules allow it), and the Query
 * view names tables `"<dataset>@<branch>".<record set>`. Dataset ids hold no `@`
 * (dataset-id.ts), so the schema name splits at its first `@`: such a branch is described and
 * queried through the engine (DuckDB-WASM, as the CLI runs it) like any other, and clone refuses
 * a remote dataset id that would make the split wrong.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBEngine } from '../../src/lib/query/duckdb-engine.ts';
import { openNodeQueryEngine } from '../../src/lib/query/duckdb-node.ts';
import { LakeCatalog } from '../../src/lib/query/lake-catalog.ts';
import { LakeError } from '../../src/lib/store/errors.ts';
import { clone } from '../../src/lib/sync/pull.ts';
import type { RemoteSession } from '../../src/lib/sync/session.ts';
import { appendRows } from '../../src/lib/versions/append.ts';
import type { Lake } from '../../src/lib/versions/lake.ts';
import { row, setup } from './lake-extend-fixture.ts';
import { namesOf } from './query-names-fixture.ts';

let lake: Lake;
let engine: DuckDBEngine;
beforeAll(async () => {
  ({ lake } = await setup());
  const main = await lake.resolve('d', 'main');
  // `a@b` one row ahead of main, `fix@2` two rows ahead: each name reads its own commit.
  for (const [branch, names] of [
    ['a@b', ['Dee']],
    ['fix@2', ['Eve', 'Fay']],
  ] as const) {
    await lake.createBranch('d', branch, main);
    await appendRows(lake, 'd', {
      branch,
      recordSet: 'people',
      rows: names.map((n) => row(n, 1n, 1, true, 0)),
    });
  }
  engine = await openNodeQueryEngine(lake);
}, 60_000);
afterAll(async () => {
  await engine?.close();
});

const names = (sql: string) => namesOf(engine, sql);

describe('a branch whose name holds @', () => {
  it('is described under the schema "<dataset>@<branch>"', async () => {
    const info = await new LakeCatalog(lake).describe('d', 'a@b');
    expect(info.schema).toBe('d@a@b');
    expect(info.commit).toBe(await lake.resolve('d', 'a@b'));
    const tables = info.tables.map((t) => [t.sqlName, t.rows]);
    expect(tables.sort()).toEqual([
      ['"d@a@b"."other"', 0],
      ['"d@a@b"."people"', 5],
    ]);
  });

  it('is queried at its own commit, beside main and another such branch', async () => {
    expect(await names(`SELECT "name" AS n FROM "d@a@b".people ORDER BY _rowid`)).toEqual([
      'Ann',
      'Bob',
      'Cid',
      'Ann',
      'Dee',
    ]);
    const sql =
      `SELECT "name" AS n FROM "d@fix@2".people EXCEPT ` +
      `SELECT "name" FROM "d@main".people ORDER BY n`;
    expect(await names(sql)).toEqual(['Eve', 'Fay']);
  });
});

describe('clone', () => {
  it('refuses a dataset id with @ before it reads the remote', async () => {
    // Any use of the session fails the test: the refusal comes first.
    const session = new Proxy({} as RemoteSession, {
      get: () => {
        throw new Error('the remote was read');
      },
    });
    const e = await clone(lake, session, 'x@main').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LakeError);
    expect((e as LakeError).code).toBe('BAD_INPUT');
    expect((e as LakeError).message).toContain('"x@main" is not a valid dataset id');
  });
});
