/**
 * The QueryEngine contract: one suite, run against each implementation (DuckDB-WASM in the
 * page, the query worker through its protocol) over the same kind of browser lake.
 */
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineProgress, QueryEngine } from '../../src/lib/query/engine.ts';
import type { LakeSchemaInfo } from '../../src/lib/query/lake-catalog.ts';
import { recordSetOf, readAllRows } from '../../src/lib/versions/read.ts';
import { safetyTests } from './query-contract-safety.ts';
import { rejects, rowsOf } from './query-results.ts';
import { appendToy, buildQueryFixture, type QueryFixture } from './query-fixture.ts';

/** An engine under test, with what the lake side exposes. */
export interface QueryTarget {
  engine: QueryEngine;
  describe(dataset: string, rev: string): Promise<LakeSchemaInfo>;
  /** Record sets loaded from the lake so far. */
  loads(): Promise<number>;
  /** Closes the engine and whatever the target opened for it. */
  close(): Promise<void>;
}

export interface QueryContractSetup {
  name: string;
  /**
   * True where a query's progress callback runs inside the engine's own load (DuckDB in the
   * page), so a cancel made from it stops that load; across a worker, progress is a message
   * that may arrive after the load finished.
   */
  progressInThread: boolean;
  /** Opens an engine over the browser lake `lakeName`. */
  open(lakeName: string): Promise<QueryTarget>;
}

export function queryEngineContract(setup: QueryContractSetup): void {
  describe(`QueryEngine contract: ${setup.name}`, () => {
    let fx: QueryFixture;
    let t: QueryTarget;
    const q = (sql: string, opts?: Parameters<QueryEngine['query']>[1]) =>
      t.engine.query(sql, opts);
    const all = async (sql: string) => rowsOf(await q(sql));

    beforeAll(async () => {
      fx = await buildQueryFixture(setup.name.replace(/\W+/g, '-'));
      t = await setup.open(fx.lakeName);
    }, 120_000);
    afterAll(async () => {
      await t?.close();
      await fx?.cleanup();
    });

    safetyTests({ q, all });

    it('names record sets at a branch, a tag, a commit prefix and a full hash', async () => {
      const names = (rev: string) => all(`SELECT name FROM "toy@${rev}".people ORDER BY _rowid`);
      const v1 = ['Ann', 'Bob', 'Cid', 'Dee'].map((name) => ({ name }));
      expect(await names('v1')).toEqual(v1);
      expect(await names(fx.toy.v1.slice(0, 8))).toEqual(v1);
      expect(await names(fx.toy.v1)).toEqual(v1);
      expect(await names('main')).toEqual(v1.filter((r) => r.name !== 'Bob'));
      expect(await all('SELECT count(*)::INT AS n FROM "titanic@main".passengers')).toEqual([
        { n: 1309 },
      ]);
      // The record set by @id as well, and qualified column references.
      const r = await all(
        'SELECT "titanic@main".genders.label FROM memory."titanic@main"."genders" ORDER BY 1',
      );
      expect(r.map((x) => x['label'])).toEqual(['female', 'male']);
    });

    it('exposes _rowid first, then short column names where unambiguous, with SQL types', async () => {
      const r = await q('SELECT * FROM "toy@main".people LIMIT 0');
      expect(r.columns).toEqual([
        { name: '_rowid', type: 'BIGINT' },
        { name: 'name', type: 'VARCHAR' },
        { name: 'age', type: 'BIGINT' },
        { name: 'score', type: 'DOUBLE' },
        { name: 'born', type: 'TIMESTAMP_MS' },
        { name: 'label', type: 'VARCHAR' },
        { name: 'people/label', type: 'VARCHAR' },
        { name: 'grade', type: 'VARCHAR' },
      ]);
      const info = await t.describe('toy', 'main');
      expect(info.commit).toBe(fx.toy.extended);
      const people = info.tables.find((x) => x.name === 'people')!;
      expect(people.sqlName).toBe('"toy@main"."people"');
      expect(people.columns.map((c) => [c.name, c.column])).toEqual([
        ['_rowid', '_rowid'],
        ['name', 'people/name'],
        ['age', 'people/age'],
        ['score', 'people/score'],
        ['born', 'people/born'],
        ['label', 'label'],
        ['people/label', 'people/label'],
        ['grade', 'people/grade'],
      ]);
      const img = await q('SELECT image_content FROM "coco2014-mini@main".images LIMIT 1');
      expect(img.columns[0]!.type).toMatch(/^STRUCT\(.*sha256 VARCHAR/);
      const sha = await all(
        'SELECT image_content.sha256 AS s, image_content.width > 0 AS w FROM "coco2014-mini@main".images',
      );
      expect(sha.length).toBeGreaterThan(0);
      for (const row of sha)
        expect(row).toEqual({ s: expect.stringMatching(/^[0-9a-f]{64}$/), w: true });
    });

    it('applies deletion vectors and extension columns as the lake reads them', async () => {
      const rows = await all(
        'SELECT _rowid, name, age, grade, epoch_ms(born) AS born FROM "toy@main".people ORDER BY _rowid',
      );
      expect(rows).toEqual([
        { _rowid: '0', name: 'Ann', age: '30', grade: 'A', born: String(Date.UTC(1994, 0, 2)) },
        { _rowid: '2', name: 'Cid', age: null, grade: 'C', born: String(Date.UTC(2001, 6, 3, 12)) },
        { _rowid: '3', name: 'Dee', age: '25', grade: null, born: '0' },
      ]);
      // Titanic's edit branch, against the lake's own reader.
      const head = await fx.lake.resolve('titanic', 'edit');
      const [, rs] = recordSetOf(await fx.lake.readCommit(head), 'passengers');
      const want = (await readAllRows(fx.lake.chunks, rs, 'passengers')).map((r) => ({
        _rowid: String(r.rowid),
        name: r.row['passengers/name'],
      }));
      expect(
        await all('SELECT _rowid, name FROM "titanic@edit".passengers ORDER BY _rowid'),
      ).toEqual([...want].sort((a, b) => Number(a._rowid) - Number(b._rowid)));
      expect(want).toHaveLength(1309 - fx.titanicDeleted.length);
    });

    it('loads a record set once per commit, lazily, with progress', async () => {
      const fresh = await setup.open(fx.lakeName);
      try {
        const before = await fresh.loads();
        const seen: EngineProgress[] = [];
        const first = await fresh.engine.query(
          'SELECT count(*) AS n FROM "titanic@main".passengers',
          {
            onProgress: (p) => seen.push(p),
          },
        );
        expect(first.loaded).toEqual([
          expect.objectContaining({
            sqlName: '"titanic@main"."passengers"',
            recordSet: 'passengers',
            rows: 1309,
            fragments: 1,
          }),
        ]);
        expect(seen.at(-1)).toMatchObject({
          stage: 'load',
          sqlName: '"titanic@main"."passengers"',
          dataset: 'titanic',
          rev: 'main',
          name: 'passengers',
          fragmentsDone: 1,
          fragments: 1,
          rows: 1309,
          totalRows: 1309,
        });
        // The Parquet bytes read: those of the fragment's chunk in the lake.
        const head = await fx.lake.resolve('titanic', 'main');
        const [, rs] = recordSetOf(await fx.lake.readCommit(head), 'passengers');
        const chunk = await fx.lake.chunks.get(rs.fragments[0]!.chunk);
        expect(first.loaded[0]!.bytes).toBe(chunk.byteLength);
        expect(seen.at(-1)).toMatchObject({ bytes: chunk.byteLength });
        // Only the record set the query names was loaded, not the dataset's other two.
        expect(seen.every((p) => p.stage === 'start' || p.recordSet === 'passengers')).toBe(true);
        const again = await fresh.engine.query('SELECT max(_rowid) FROM "titanic@main".passengers');
        expect(again.loaded).toEqual([]);
        // Another name for the same commit reuses the table; genders was never asked for.
        await fresh.engine.query(
          `SELECT 1 FROM "titanic@${first.loaded[0]!.commit.slice(0, 10)}".passengers`,
        );
        expect(await fresh.loads()).toBe(before + 1);
        // A cancelled load leaves nothing behind: the next query loads the record set whole.
        // Cancelled as the call is made (both the call and the cancel then reach a worker
        // before it can finish), or, where progress is reported from inside the engine's own
        // load, part-way from its first progress report.
        const controller = new AbortController();
        const cancelled = fresh.engine.query('SELECT * FROM "titanic@main".genders', {
          signal: controller.signal,
          ...(setup.progressInThread ? { onProgress: () => controller.abort() } : {}),
        });
        if (!setup.progressInThread) controller.abort();
        await rejects(cancelled, 'ABORTED');
        const loadsBefore = await fresh.loads();
        const genders = await fresh.engine.query('SELECT label FROM "titanic@main".genders');
        expect(genders.rows).toBe(2);
        expect(genders.loaded.map((l) => [l.recordSet, l.rows])).toEqual([['genders', 2]]);
        expect(await fresh.loads()).toBe(loadsBefore + 1);
      } finally {
        await fresh.close();
      }
    });

    it('binds a branch that moved to its new commit', async () => {
      await fx.lake.createBranch('toy', 'moving', 'v1');
      const count = () => all('SELECT count(*)::INT AS n FROM "toy@moving".people');
      expect(await count()).toEqual([{ n: 4 }]);
      await appendToy(fx.lake, 'moving', 'Eve');
      const r = await q('SELECT list(name ORDER BY name) AS names FROM "toy@moving".people');
      expect(rowsOf(r)).toEqual([{ names: ['Ann', 'Bob', 'Cid', 'Dee', 'Eve'] }]);
      expect(r.loaded.map((l) => l.rows)).toEqual([5]);
      expect(await all('SELECT count(*)::INT AS n FROM "toy@v1".people')).toEqual([{ n: 4 }]);
      // Moving again: the commit no name refers to any more is dropped from the cache.
      const stale = r.loaded[0]!.commit;
      await appendToy(fx.lake, 'moving', 'Fay');
      expect(await count()).toEqual([{ n: 6 }]);
      const cached = await all(
        `SELECT count(*)::INT AS n FROM duckdb_tables()
         WHERE schema_name = '_lake' AND starts_with(table_name, '${stale}')`,
      );
      expect(cached).toEqual([{ n: 0 }]);
    });

    it('unions and joins across datasets and revisions', async () => {
      const u = await all(
        `SELECT * FROM "titanic@main".genders UNION ALL BY NAME
         SELECT * FROM "coco2014-mini@main".split_enums ORDER BY label NULLS LAST, name`,
      );
      expect(Object.keys(u[0]!).sort()).toEqual(['_rowid', 'label', 'name', 'url']);
      expect(u.slice(0, 2).map((r) => r['label'])).toEqual(['female', 'male']);
      expect(u.length).toBeGreaterThan(2);
      const j = await all(
        `SELECT count(*) FILTER (WHERE e._rowid IS NULL)::INT AS removed,
                count(*) FILTER (WHERE m._rowid IS NOT NULL AND e._rowid IS NOT NULL)::INT AS kept
         FROM "titanic@main".passengers m FULL OUTER JOIN "titanic@edit".passengers e USING (_rowid)`,
      );
      expect(j).toEqual([
        { removed: fx.titanicDeleted.length, kept: 1309 - fx.titanicDeleted.length },
      ]);
      const x = await all(
        `SELECT count(*)::INT AS n FROM "toy@main".people p
         LEFT JOIN "titanic@main".genders g ON lower(g.label) = lower(p.name)`,
      );
      expect(x).toEqual([{ n: 3 }]);
    });

    it('limits the rows returned and says when it did', async () => {
      const r = await q('SELECT range AS i FROM range(10) ORDER BY i DESC', { limit: 3 });
      expect([r.rows, r.truncated]).toEqual([3, true]);
      expect(rowsOf(r)).toEqual([{ i: '9' }, { i: '8' }, { i: '7' }]);
      const s = await q('SELECT range AS i FROM range(3)', { limit: 3 });
      expect([s.rows, s.truncated]).toEqual([3, false]);
    });

    it('skips DESCRIBE when asked: Arrow type names, still read-only', async () => {
      const r = await q('SELECT 1::INTEGER AS one, 2::BIGINT AS two', { describe: false });
      expect(r.columns).toEqual([
        { name: 'one', type: 'Int32' },
        { name: 'two', type: 'Int64' },
      ]);
      await rejects(q('CREATE TABLE x AS SELECT 1', { describe: false }), 'READ_ONLY');
    });

    it('registers Arrow tables that join the lake', async () => {
      const ipc = tableToIPC(
        tableFromArrays({ _rowid: BigInt64Array.from([0n, 3n]), note: ['first', 'last'] }),
        'stream',
      );
      expect(await t.engine.registerTable('notes', [ipc])).toBe(2);
      expect(
        await all(
          'SELECT p.name, n.note FROM "toy@main".people p JOIN notes n USING (_rowid) ORDER BY 1',
        ),
      ).toEqual([
        { name: 'Ann', note: 'first' },
        { name: 'Dee', note: 'last' },
      ]);
      await rejects(t.engine.registerTable('empty', []), 'BAD_INPUT', 'no Arrow data');
    });

    it('runs DESCRIBE, SUMMARIZE, SHOW, EXPLAIN, PIVOT, VALUES and FROM-first queries', async () => {
      const d = await all('DESCRIBE "toy@main".people');
      expect(d.map((r) => r['column_name'])).toContain('grade');
      const s = await all('SUMMARIZE "toy@main".people');
      expect(s.find((r) => r['column_name'] === 'age')).toMatchObject({ min: '25', max: '30' });
      expect((await all('SHOW TABLES')).map((r) => r['name'])).toContain('notes');
      const e = await q('EXPLAIN SELECT * FROM "toy@main".people');
      expect(e.rows).toBeGreaterThan(0);
      expect(await all('PIVOT (VALUES (1, 2)) t(a, b) ON a USING first(b)')).toEqual([{ '1': 2 }]);
      expect(await all('FROM "toy@main".people SELECT name WHERE age > 26')).toEqual([
        { name: 'Ann' },
      ]);
    });

    it('rejects calls after close with CLOSED', async () => {
      const other = await setup.open(fx.lakeName);
      await other.engine.close();
      await rejects(other.engine.query('SELECT 1'), 'CLOSED');
      await other.close();
    });
  });
}
