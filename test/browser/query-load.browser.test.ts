/**
 * Loading record sets into DuckDB (src/lib/query/lake-load.ts) gives exactly the rows the lake's
 * own reader gives (read.ts `readTables`, the reference, which the catalog loaded before), in its order, for the manifests the
 * lake can hold: several base fragments with deleted positions (first and last among them),
 * columns added later by extension fragments (newest wins, deleted extension rows skipped, a
 * repeated row id), a base fragment written after the columns were added, columns stored with
 * another type, and an empty record set. A fragment that does not match its commit is refused
 * with CORRUPT_CHUNK and nothing half-loaded is kept. DuckDB-WASM in the page, a memory lake.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBEngine } from '../../src/lib/query/duckdb-engine.ts';
import { LakeCatalog } from '../../src/lib/query/lake-catalog.ts';
import { sqlColumns } from '../../src/lib/query/lake-names.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { buildTable, type LakeRow } from '../../src/lib/versions/columns.ts';
import { withDeletions, writeFragment } from '../../src/lib/versions/fragments.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import type { ColumnDef, FragmentRef, RecordSetManifest } from '../../src/lib/versions/manifest.ts';
import { readTables } from '../../src/lib/versions/read.ts';
import { openDuckDB } from '../../workers/api/query-duckdb.ts';
import { rejects, rowsOf, type Row } from './query-results.ts';

const A: ColumnDef = { name: 'rs/a', type: 'int64' };
const B: ColumnDef = { name: 'rs/b', type: 'utf8' };
const T: ColumnDef = { name: 'rs/t', type: 'timestamp' };
const C: ColumnDef = { name: 'rs/c', type: 'float64' };
const D: ColumnDef = { name: 'rs/d', type: 'utf8' };
const ALL = [A, B, T, C, D];

let lake: Lake;
let engine: DuckDBEngine;

/** A fragment of `columns` (written with those types) holding `rows` with ids `ids`. */
function fragment(columns: ColumnDef[], ids: number[], rows: LakeRow[], extension = false) {
  const table = buildTable(
    columns,
    ids.map((i) => BigInt(i)),
    rows,
  );
  return writeFragment(lake.chunks, table, extension);
}

const base = (i: number): LakeRow => ({
  'rs/a': BigInt(i * 10),
  'rs/b': `row ${i}`,
  'rs/t': Date.UTC(2024, 0, 1 + i),
});

/** Commits `recordSets` on branch `name` of dataset `ds` (created when new). */
async function commit(ds: string, name: string, recordSets: Record<string, RecordSetManifest>) {
  if (!(await lake.backend.refs.get(`dataset/${ds}`))) {
    await lake.backend.refs.cas(`dataset/${ds}`, 0, {
      id: ds,
      name: ds,
      source: 'test',
      createdAt: new Date().toISOString(),
      rawBytes: 0,
    });
  }
  const draft = { message: name, document: null, objects: null, recordSets };
  return lake.commit(ds, name, async () => ({ ...draft, lineage: { op: 'commit', params: {} } }), {
    create: { protected: false },
  });
}

/**
 * The rows read.ts reads (`readTables`: the live rows, typed as the record set says), as the
 * view gives them: short names, int64 as text.
 */
async function reference(rs: RecordSetManifest): Promise<Row[]> {
  const names = new Map(sqlColumns('rs', rs).map((n) => [n.column, n.name]));
  const out: Row[] = [];
  for await (const table of readTables(lake.chunks, rs, 'test')) {
    for (const row of table.toArray() as { toJSON(): Row }[]) {
      const r: Row = {};
      for (const [k, v] of Object.entries(row.toJSON())) {
        r[names.get(k) ?? k] = typeof v === 'bigint' ? String(v) : v;
      }
      out.push(r);
    }
  }
  return out;
}

const all = async (sql: string) => rowsOf(await engine.query(sql));

beforeAll(async () => {
  lake = await Lake.open(memoryBackend());
  const { db, worker } = await openDuckDB();
  engine = await DuckDBEngine.open(db, { binder: new LakeCatalog(lake).binder, worker });
}, 60_000);
afterAll(async () => {
  await engine?.close();
});

describe('loading a record set into DuckDB', () => {
  it('skips deleted positions across fragments, in the lake order', async () => {
    const ids = [
      [0, 1, 2, 3],
      [4, 5],
      [6, 7, 8],
    ];
    const fragments: FragmentRef[] = [];
    for (const group of ids) fragments.push(await fragment([A, B, T], group, group.map(base)));
    fragments[0] = await withDeletions(lake.chunks, fragments[0]!, [0, 2], 'test');
    fragments[2] = await withDeletions(lake.chunks, fragments[2]!, [2], 'test');
    const rs = { name: 'rs', columns: [A, B, T], rows: 6, fragments };
    await commit('del', 'main', { rs });
    const want = await reference(rs);
    expect(want.map((r) => r['_rowid'])).toEqual(['1', '3', '4', '5', '6', '7']);
    // No ORDER BY: the table keeps the order the lake reads its rows in.
    expect(await all('SELECT * FROM "del@main".rs')).toEqual(want);
    expect(await all('SELECT b, epoch_ms(t) AS t FROM "del@main".rs WHERE a = 30')).toEqual([
      { b: 'row 3', t: String(Date.UTC(2024, 0, 4)) },
    ]);
  });

  it('takes columns added later from the newest extension holding the row id', async () => {
    const f1 = await fragment([A, B, T], [1, 2, 3, 4], [1, 2, 3, 4].map(base));
    // Row 2 twice (the last one counts, as read.ts keeps the last); row 4's entry is deleted.
    let e1 = await fragment(
      [C],
      [1, 2, 2, 3, 4],
      [1.5, 2.5, 2.75, 3.5, 4.5].map((c) => ({ 'rs/c': c })),
      true,
    );
    e1 = await withDeletions(lake.chunks, e1, [4], 'test');
    // Written after `c` was added: its own c wins over any extension; its d comes from e2.
    const f2 = await fragment(
      [A, B, T, C],
      [10, 11],
      [10, 11].map((i) => ({ ...base(i), 'rs/c': i + 0.25 })),
    );
    // Newer than e1 for row 1's c; d for rows 1 and 11 (and 12, which no base row holds).
    const e2 = await fragment(
      [C, D],
      [1, 11, 12],
      [
        { 'rs/c': 100, 'rs/d': 'd1' },
        { 'rs/c': 111, 'rs/d': 'd11' },
        { 'rs/c': 112, 'rs/d': 'd12' },
      ],
      true,
    );
    // Stored with other types: a and c as int64 (c is float64), t as epoch milliseconds.
    const odd: ColumnDef[] = [A, B, { ...T, type: 'int64' }, { ...C, type: 'int64' }, D];
    const f3 = await fragment(odd, [20], [{ ...base(20), 'rs/t': 86_400_000n, 'rs/c': 7n }]);
    // Every column as written: loaded as it is, its last row deleted.
    let f4 = await fragment(
      ALL,
      [30, 31],
      [30, 31].map((i) => ({ ...base(i), 'rs/c': 0.5, 'rs/d': `own ${i}` })),
    );
    f4 = await withDeletions(lake.chunks, f4, [1], 'test');
    const rs = { name: 'rs', columns: ALL, rows: 8, fragments: [f1, e1, f2, e2, f3, f4] };
    await commit('ext', 'main', { rs });
    const want = await reference(rs);
    expect(want.map((r) => [r['_rowid'], r['c'], r['d']])).toEqual([
      ['1', 100, 'd1'],
      ['2', 2.75, null],
      ['3', 3.5, null],
      ['4', null, null],
      ['10', 10.25, null],
      ['11', 11.25, 'd11'],
      ['20', 7, null],
      ['30', 0.5, 'own 30'],
    ]);
    expect(await all('SELECT * FROM "ext@main".rs')).toEqual(want);
    expect(await all('SELECT epoch_ms(t) AS t FROM "ext@main".rs WHERE _rowid = 20')).toEqual([
      { t: '86400000' },
    ]);
    const types = await engine.query('SELECT * FROM "ext@main".rs LIMIT 0');
    expect(types.columns.map((c) => c.type)).toEqual([
      'BIGINT',
      'BIGINT',
      'VARCHAR',
      'TIMESTAMP_MS',
      'DOUBLE',
      'VARCHAR',
    ]);
  });

  it('loads an empty record set with its columns and types', async () => {
    await commit('empty', 'main', { rs: { name: 'rs', columns: ALL, rows: 0, fragments: [] } });
    const r = await engine.query('SELECT * FROM "empty@main".rs');
    expect(r.rows).toBe(0);
    expect(r.columns.map((c) => c.name)).toEqual(['_rowid', 'a', 'b', 't', 'c', 'd']);
  });

  it('refuses a fragment that does not match its commit, keeping nothing half-loaded', async () => {
    const good = await fragment([A, B, T], [0, 1], [0, 1].map(base));
    const bad = { ...(await fragment([A, B, T], [2, 3], [2, 3].map(base))), rows: 3 };
    await commit('bad', 'main', {
      rs: { name: 'rs', columns: [A, B, T], rows: 5, fragments: [good, bad] },
    });
    const sql = 'SELECT count(*) FROM "bad@main".rs';
    await rejects(engine.query(sql), 'CORRUPT_CHUNK', 'has 2 rows where the commit says 3');
    // Asked again, it is read again (and refused again), not served from a partial table.
    await rejects(engine.query(sql), 'CORRUPT_CHUNK', 'has 2 rows where the commit says 3');
    expect(
      await all(
        `SELECT count(*)::INT AS n FROM duckdb_tables() WHERE schema_name = '_lake' AND table_name LIKE '%#%'`,
      ),
    ).toEqual([{ n: 0 }]);
  });
});
