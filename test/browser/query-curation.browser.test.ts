/**
 * The query worker's writing operations through its protocol (QueryClient ⇄ worker): a filter
 * saved as a protected branch that can be queried at once, its share link, and that link
 * replayed in another, empty lake, which runs the link's SQL only once confirmed and verifies
 * the result's content hash.
 */
import {
  Table,
  TimestampMillisecond,
  Utf8,
  tableFromIPC,
  tableToIPC,
  vectorFromArray,
} from 'apache-arrow';
import Dexie from 'dexie';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { facetPredicate } from '../../src/lib/query/facets.ts';
import { planColumn } from '../../src/lib/query/stats-plan.ts';
import { columnStats } from '../../src/lib/query/stats.ts';
import { decodeShareLink } from '../../src/lib/share/link.ts';
import type { ReplayProgress } from '../../src/lib/share/replay.ts';
import { refDatabaseName } from '../../src/lib/store/dexie-refs.ts';
import { getRef } from '../../src/lib/versions/refs.ts';
import { QueryClient } from '../../workers/api/query-client.ts';
import { buildQueryFixture, type QueryFixture } from './query-fixture.ts';
import { rejects, rowsOf } from './query-results.ts';
import { shareRefGeneration } from '../../src/lib/store/ref-generation.ts';

function startWorker(lakeName: string): QueryClient {
  const worker = new Worker(new URL('./query-test.worker.ts', import.meta.url), {
    type: 'module',
    name: lakeName,
  });
  shareRefGeneration(worker);
  return new QueryClient(worker);
}

describe('query worker: curation and share links', () => {
  const where = "gender = 'female' AND survived = 1 -- women who survived";
  const otherLake = `query-replay-${Date.now()}`;
  let fx: QueryFixture;
  let a: QueryClient;
  let b: QueryClient;
  let kept = 0;
  const count = async (client: QueryClient, sql: string) =>
    Number(rowsOf(await client.query(sql))[0]!.n);

  beforeAll(async () => {
    fx = await buildQueryFixture('curation');
    a = startWorker(fx.lakeName);
    b = startWorker(otherLake);
  }, 120_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await fx?.cleanup();
    await Dexie.delete(refDatabaseName(otherLake));
    const root = await navigator.storage.getDirectory();
    await root.removeEntry(otherLake, { recursive: true }).catch(() => undefined);
  });

  it('saves a filter as a protected branch, queryable at once, with main untouched', async () => {
    const target = { dataset: 'titanic', rev: 'main', recordSet: 'passengers' };
    const expected = await count(
      a,
      `SELECT count(*)::INT AS n FROM "titanic@main".passengers WHERE ${where}\n`,
    );
    const saved = await a.saveFilterBranch(target, where, 'women-survived');
    kept = saved.kept;
    expect(saved).toMatchObject({
      branch: 'women-survived',
      recordSet: 'passengers',
      kept: expected,
      removed: 1309 - expected,
      predicate: where,
    });
    const ref = await getRef(fx.lake.backend.refs, 'titanic', 'branch', 'women-survived');
    expect(ref?.protected).toBe(true);
    const commit = await fx.lake.readCommit(saved.commit);
    expect(commit.parents).toEqual([saved.from]);
    expect(commit.lineage).toMatchObject({ op: 'filter', params: { predicate: where } });
    const n = 'SELECT count(*)::INT AS n FROM "titanic@women-survived".passengers';
    expect(await count(a, n)).toBe(expected);
    expect(await count(a, 'SELECT count(*)::INT AS n FROM "titanic@main".passengers')).toBe(1309);

    await rejects(a.saveFilterBranch(target, where, 'women-survived'), 'REF_EXISTS');
    await rejects(
      a.saveFilterBranch(target, '1 = 1; DROP SCHEMA "titanic@main" CASCADE', 'x'),
      'READ_ONLY',
    );
    await rejects(a.saveFilterBranch(target, '  ', 'y'), 'BAD_INPUT', 'empty');
    await rejects(a.saveFilterBranch(target, 'nope > 1', 'z'), 'SQL_ERROR', 'nope');
    // Nothing of the refused saves was left behind.
    for (const name of ['x', 'y', 'z']) {
      expect(await getRef(fx.lake.backend.refs, 'titanic', 'branch', name)).toBeUndefined();
    }
  });

  it('makes a link another lake replays, once its SQL is confirmed, and verifies', async () => {
    const link = await a.shareLink('titanic', 'women-survived', `${location.origin}/app/`);
    if (!('url' in link)) throw new Error('expected a link, not a recipe file');
    expect(link.url).toMatch(new RegExp(`^${location.origin}/app/#share=`));
    const recipe = decodeShareLink(link.url);
    expect(recipe.steps).toMatchObject([{ op: 'filter', predicate: where, kept }]);

    // Not confirmed: refused before anything is imported.
    await rejects(b.replay(recipe, false), 'ABORTED', 'not confirmed');
    expect(rowsOf(await b.query('SELECT 1 AS one'))).toEqual([{ one: 1 }]);

    const phases: ReplayProgress['phase'][] = [];
    const result = await b.replay(recipe, true, {
      onProgress: (p) => {
        if (phases.at(-1) !== p.phase) phases.push(p.phase);
      },
    });
    expect(result).toMatchObject({ verified: true, ingested: true, expected: recipe.result });
    expect(result.report.status).toBe('identical');
    expect(phases).toEqual(
      // (The last message, "done", may arrive after the reply: progress is posted, not awaited.)
      expect.arrayContaining(['check', 'ingest', 'verify-source', 'step', 'verify']),
    );
    const sql = `SELECT count(*)::INT AS n FROM "${result.dataset}@${result.branch}".passengers`;
    expect(await count(b, sql)).toBe(kept);

    // Opened again: the branch is found, nothing is imported twice.
    const again = await b.replay(recipe, true);
    expect(again).toMatchObject({ verified: true, ingested: false, branch: result.branch });
  });

  it('refuses to share what came from no public URL, saying why', async () => {
    await rejects(a.shareLink('toy', 'main', `${location.origin}/`), 'BAD_INPUT', 'cannot share');
  });

  it('plans and computes column statistics in DuckDB, under a filter', async () => {
    // As the app reads them: int64 as bigint, structs as objects.
    const rows = async (sql: string) =>
      tableFromIPC((await a.query(sql)).ipc)
        .toArray()
        .map((r: { toJSON(): Record<string, unknown> }) => r.toJSON());
    const table = '"titanic@main"."passengers"';
    const [age] = await planColumn(rows, table, { name: 'age', type: 'utf8' });
    expect(age).toMatchObject({ kind: 'number', binning: { lo: 0, width: 5, bins: 16 } });
    const all = await columnStats(rows, table, age!, '');
    // `age` is text: its 263 unknown ages are the string '?', which SQL's IS NULL does not find.
    expect(all).toMatchObject({
      rows: 1309,
      nulls: 0,
      notNumbers: { count: 263, distinct: 1, values: ['?'] },
    });
    expect(all.summary!.max).toBe(80);
    expect(all.summary!.mean).toBeCloseTo(29.88, 2);
    expect(all.bins!.reduce((n, b) => n + b, 0)).toBe(1309 - 263);
    // Each bin counts exactly the rows its range facet selects (closed on the left; the last
    // bin closed on both sides), as the chart's pick would filter them.
    const b = age!.binning!;
    for (let k = 0; k < b.bins; k++) {
      const last = k === b.bins - 1;
      const facet = {
        column: 'age',
        label: 'age',
        expr: age!.expr,
        kind: 'range' as const,
        lo: b.lo + k * b.width,
        hi: last ? b.hi : b.lo + (k + 1) * b.width,
        closed: last,
        exclude: false,
      };
      const [r] = await rows(`SELECT count(*) AS n FROM ${table} WHERE ${facetPredicate(facet)}`);
      expect([k, Number(r!['n'])]).toEqual([k, all.bins![k]]);
    }
    const [gender] = await planColumn(rows, table, { name: 'gender', type: 'utf8' });
    expect(gender).toMatchObject({ kind: 'category', categories: ['male', 'female'] });
    const women = await columnStats(rows, table, gender!, `"gender" IN ('female')`);
    expect(women.categories).toEqual([
      { value: 'male', count: 0 },
      { value: 'female', count: 466 },
    ]);
    const [name] = await planColumn(rows, table, { name: 'name', type: 'utf8' });
    expect(name).toMatchObject({ kind: 'text', label: 'name (length)' });
    const [survived] = await planColumn(rows, table, { name: 'survived', type: 'int64' });
    expect(survived).toMatchObject({ kind: 'category', isLabel: true, categories: [0, 1] });
    const [image] = await planColumn(rows, '"coco2014-mini@main"."images"', {
      name: 'image_content',
      type: 'image',
    });
    expect(await columnStats(rows, '"coco2014-mini@main"."images"', image!, '')).toMatchObject({
      rows: 2,
      nulls: 0,
    });
  });

  it('computes date and list statistics in DuckDB: times binned, lists by length', async () => {
    const rows = async (sql: string) =>
      tableFromIPC((await a.query(sql)).ipc)
        .toArray()
        .map((r: { toJSON(): Record<string, unknown> }) => r.toJSON());
    const days = [
      Date.UTC(2020, 0, 1),
      Date.UTC(2020, 0, 2),
      Date.UTC(2021, 5, 1),
      Date.UTC(2022, 11, 31),
    ];
    const lists = ['[]', '["a"]', '["a","b"]', '["x, y","c",[1,2]]']; // a comma in a string, a nested list
    const table = new Table({
      t: vectorFromArray(
        days.map((d) => new Date(d)),
        new TimestampMillisecond(),
      ),
      tags: vectorFromArray(lists, new Utf8()),
    });
    expect(await a.registerTable('dl', [tableToIPC(table, 'stream')])).toBe(4);
    const [t] = await planColumn(rows, 'dl', { name: 't', type: 'timestamp' });
    expect(t).toMatchObject({ kind: 'date' });
    const dates = await columnStats(rows, 'dl', t!, '');
    expect(dates).toMatchObject({ rows: 4, nulls: 0 });
    expect(dates.summary!.min).toBe(days[0]);
    expect(dates.summary!.max).toBe(days[3]);
    expect(dates.bins!.reduce((n, b) => n + b, 0)).toBe(4);
    const [tags] = await planColumn(rows, 'dl', { name: 'tags', type: 'utf8' });
    expect(tags).toMatchObject({ kind: 'list', label: 'tags (length)' });
    const lengths = await columnStats(rows, 'dl', tags!, '');
    expect(lengths.summary).toMatchObject({ min: 0, max: 3, mean: 1.5 });
    // Under a filter, only the matching rows are counted.
    const recent = await columnStats(rows, 'dl', tags!, `"t" >= TIMESTAMP '2021-01-01'`);
    expect(recent.summary).toMatchObject({ min: 2, max: 3 });
  });
});
