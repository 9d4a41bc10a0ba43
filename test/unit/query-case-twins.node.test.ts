/**
 * DuckDB matches identifiers, quoted ones too, ignoring the case of A–Z only, so the Query tab's
 * `"<dataset>@<branch>"` cannot tell branches `Fix` and `fix` apart (checked first below, on
 * DuckDB itself). New names that differ from an existing branch or tag only so are refused; a lake
 * that holds such a pair already (an older version made it) gets a refusal for a query naming
 * both, never one branch's rows for the other's. `Ä` and `ä` are two names to DuckDB, and stay two.
 * Dataset ids are the other half of the name: a new one that is such a twin is refused too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBEngine } from '../../src/lib/query/duckdb-engine.ts';
import { openNodeQueryEngine } from '../../src/lib/query/duckdb-node.ts';
import { fileURLToPath } from 'node:url';
import { nodeResolver } from '../../src/lib/io/node.ts';
import { appendRows } from '../../src/lib/versions/append.ts';
import { ingest } from '../../src/lib/versions/ingest.ts';
import { saveTrainingBranch } from '../../src/lib/opinions/training.ts';
import { runPipelineToBranch } from '../../src/lib/pipeline/batch.ts';
import { filterToBranch } from '../../src/lib/versions/filter.ts';
import type { Lake } from '../../src/lib/versions/lake.ts';
import { refKey } from '../../src/lib/versions/refs.ts';
import { row, setup } from './lake-extend-fixture.ts';
import { namesOf } from './query-names-fixture.ts';

let lake: Lake;
let engine: DuckDBEngine;
beforeAll(async () => {
  ({ lake } = await setup());
  const main = await lake.resolve('d', 'main');
  // `Fix` and `fix` as an older version could make them (no check then): entries written
  // directly. `Ä` and `ä` through the API, which allows them.
  for (const name of ['Fix', 'fix']) {
    await lake.backend.refs.cas(refKey('d', 'branch', name), 0, {
      commit: main,
      protected: false,
      updatedAt: new Date().toISOString(),
    });
  }
  await lake.createBranch('d', 'Ä', main);
  await lake.createBranch('d', 'ä', main);
  for (const [branch, extra] of [
    ['fix', 'Lou'],
    ['Ä', 'Max'],
    ['ä', 'Ned'],
  ] as const) {
    await appendRows(lake, 'd', {
      branch,
      recordSet: 'people',
      rows: [row(extra, 1n, 1, true, 0)],
    });
  }
  engine = await openNodeQueryEngine(lake);
}, 60_000);
afterAll(async () => {
  await engine?.close();
});

const names = (sql: string) => namesOf(engine, sql);

describe('branch names that differ only by case', () => {
  it('are one schema to DuckDB (A–Z), two for Ä and ä', async () => {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const c = await (await DuckDBInstance.create(':memory:')).connect();
    await c.run('CREATE SCHEMA "t@Fix"');
    await expect(c.run('CREATE SCHEMA "t@fix"')).rejects.toThrow(/already exists/);
    await c.run('CREATE SCHEMA "t@Ä"');
    await c.run('CREATE SCHEMA "t@ä"');
  });

  it('cannot be made anew: a branch, a tag, a filtered branch, a pipeline or training-set branch', async () => {
    const main = await lake.resolve('d', 'main');
    await expect(lake.createBranch('d', 'FIX', main)).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(/"FIX" differs from "Fix", already in d, only by upper/),
    });
    await expect(lake.tag('d', 'fIx', main)).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(
      filterToBranch(lake, 'd', {
        from: 'main',
        recordSet: 'people',
        branch: 'FiX',
        predicate: 'true',
        keep: [0n],
      }),
    ).rejects.toMatchObject({ code: 'BAD_INPUT' });
    // The pipeline's Run as branch and a training set's branch: refused before any work.
    const twin = { code: 'BAD_INPUT', message: expect.stringMatching(/only by upper and lower/) };
    const asked = { branch: 'fiX', from: 'main', recordSet: 'people' };
    await expect(runPipelineToBranch(lake, 'd', asked as never)).rejects.toMatchObject(twin);
    await expect(saveTrainingBranch(lake, 'd', {} as never, asked as never)).rejects.toMatchObject(
      twin,
    );
    expect((await lake.branches('d')).map((b) => b.name)).not.toContain('FIX');
    expect((await lake.branches('d')).map((b) => b.name)).not.toContain('fiX');
  });

  it('are each read alone, and a query naming both is refused, not answered from one', async () => {
    // main's four rows (lake-extend-fixture), and fix one more.
    expect(await names(`SELECT "name" AS n FROM "d@Fix".people ORDER BY _rowid`)).toEqual([
      'Ann',
      'Bob',
      'Cid',
      'Ann',
    ]);
    expect(await names(`SELECT "name" AS n FROM "d@fix".people ORDER BY _rowid`)).toEqual([
      'Ann',
      'Bob',
      'Cid',
      'Ann',
      'Lou',
    ]);
    await expect(
      names(`SELECT "name" AS n FROM "d@fix".people EXCEPT SELECT "name" FROM "d@Fix".people`),
    ).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringContaining('"d@fix" and "d@Fix" differ only by upper and lower case'),
    });
  });

  it('cannot be a new dataset id beside an existing one (ingest)', async () => {
    // setup() registers dataset `d`; `D` would be the same "D@main" to SQL.
    const examples = fileURLToPath(new URL('../../public/examples/', import.meta.url));
    await expect(
      ingest(lake, examples + 'titanic/metadata.json', { resolver: nodeResolver(), dataset: 'D' }),
    ).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringContaining('dataset id "D" differs from "d", already in this lake'),
    });
    expect((await lake.datasets()).map((x) => x.id)).toEqual(['d']);
  });

  it('Ä and ä are two branches, read side by side', async () => {
    const sql =
      `SELECT "name" AS n FROM "d@Ä".people EXCEPT SELECT "name" FROM "d@main".people ` +
      `UNION ALL SELECT "name" FROM "d@ä".people EXCEPT SELECT "name" FROM "d@main".people ` +
      `ORDER BY n`;
    expect(await names(sql)).toEqual(['Max', 'Ned']);
  });
});
