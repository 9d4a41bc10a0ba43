/**
 * "Run as branch" with an "Only rows where" predicate (src/app/pipeline-branch.svelte.ts), over
 * a real lake and the Node DuckDB engine: a predicate DuckDB cannot parse fails the run with the
 * place in the predicate as typed (not in the app's row-id query around it), a whole statement
 * is refused before any query runs, and nothing is written either way. Expected lines and
 * columns are counted by hand in the texts written here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BranchRun, predicateError, type BranchJob } from '../../src/app/pipeline-branch.svelte.ts';
import type { DuckDBEngine } from '../../src/lib/query/duckdb-engine.ts';
import { openNodeQueryEngine } from '../../src/lib/query/duckdb-node.ts';
import { rowidsSql, rowidsWhere } from '../../src/lib/query/rowids.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { DATASET, IMAGE, buildImageDataset } from './loader-fixture.ts';

let lake: Lake;
let engine: DuckDBEngine;
beforeAll(async () => {
  lake = await Lake.open(memoryBackend());
  await buildImageDataset(lake, { n: 6 });
  engine = await openNodeQueryEngine(lake);
}, 60_000);
afterAll(async () => {
  await engine?.close();
});

const job = (where: string): BranchJob => ({
  dataset: DATASET,
  from: 'main',
  recordSet: 'pics',
  imageColumn: IMAGE,
  spec: [{ op: 'flip', axis: 'horizontal', p: 1 }],
  seed: 0,
  branch: 'only-some',
  where,
});

/** A run whose predicate goes to the engine; `queries` counts the predicates it was given. */
function branchRun(): { run: BranchRun; queries: string[] } {
  const queries: string[] = [];
  const run = new BranchRun({
    openLake: () => Promise.resolve(lake),
    spawn: () => {
      throw new Error('no rows get this far');
    },
    rowidsWhere: (dataset, rev, recordSet, predicate, signal) => {
      queries.push(predicate);
      return rowidsWhere(engine, dataset, rev, recordSet, predicate, signal);
    },
  });
  return { run, queries };
}

async function branches(): Promise<string[]> {
  return (await lake.branches(DATASET)).map((r) => r.name);
}

describe('Run as branch, only rows where', () => {
  it('points into the predicate as typed when DuckDB cannot parse it', async () => {
    const before = await branches();
    const { run, queries } = branchRun();
    expect(await run.run(job('label = = 1'))).toBe(false);
    expect(queries).toEqual(['label = = 1']);
    const state = run.state;
    expect(state.status).toBe('failed');
    if (state.status !== 'failed') return;
    // "label = = 1": the second "=" is the 9th character of the only line.
    expect(state.error.sql).toBe('label = = 1');
    expect(state.error.position).toEqual({ line: 1, column: 9 });
    expect(state.error.message).toMatch(/^In "Only rows where": Parser Error: syntax error/);
    expect(await branches()).toEqual(before);
  });

  it.each([
    // "label =" has 7 characters, "label = 'x" 10: the place after them is column 8 or 11.
    ['label =', 8, 'the condition stops before it is complete (Parser Error: syntax error'],
    ["label = 'x", 11, 'a quote or parenthesis of the condition is never closed (Parser Error'],
  ])(
    'tells %j, which DuckDB blames on the parentheses around it, at its end',
    async (where, column, message) => {
      const { run } = branchRun();
      expect(await run.run(job(where))).toBe(false);
      const state = run.state;
      expect(state.status).toBe('failed');
      if (state.status !== 'failed') return;
      expect(state.error.sql).toBe(where);
      expect(state.error.position).toEqual({ line: 1, column });
      expect(state.error.message).toContain(`In "Only rows where": ${message}`);
    },
  );

  it('refuses a whole query before any runs, pointing at its first word', async () => {
    const before = await branches();
    const { run, queries } = branchRun();
    expect(await run.run(job('SELECT * FROM pics'))).toBe(false);
    expect(queries).toEqual([]);
    expect(run.state).toEqual({
      status: 'failed',
      branch: 'only-some',
      error: {
        code: 'BAD_INPUT',
        message:
          `"Only rows where" takes a condition (e.g. age > 30 AND sex = 'female'), ` +
          'not a query (it starts with SELECT)',
        sql: 'SELECT * FROM pics',
        position: { line: 1, column: 1 },
      },
    });
    expect(await branches()).toEqual(before);
  });
});

describe('predicateError', () => {
  const where = 'label = 1\nAND bad';
  const sql = rowidsSql(DATASET, 'c'.repeat(64), 'pics', where);

  it('maps a position on the second line of the predicate as it is', () => {
    // The row-id query's lines: 1 the SELECT … WHERE (, 2 "label = 1", 3 "AND bad", 4 ")".
    const error = {
      code: 'SQL_ERROR',
      message: 'Binder Error: bad',
      sql,
      position: { line: 3, column: 5 },
    };
    expect(predicateError(error, sql, where)).toEqual({
      code: 'SQL_ERROR',
      message: 'In "Only rows where": Binder Error: bad',
      sql: where,
      position: { line: 2, column: 5 },
    });
  });

  it('leaves errors of other queries, outside the predicate or without a place as they are', () => {
    const other = {
      code: 'SQL_ERROR',
      message: 'x',
      sql: 'SELECT 1',
      position: { line: 1, column: 1 },
    };
    expect(predicateError(other, sql, where)).toBe(other);
    const outside = { ...other, sql, position: { line: 1, column: 3 } };
    expect(predicateError(outside, sql, where)).toBe(outside);
    const bare = { code: 'SQL_ERROR', message: 'x', sql };
    expect(predicateError(bare, sql, where)).toBe(bare);
  });
});
