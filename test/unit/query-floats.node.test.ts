/**
 * `floats` columns (manifest.ts): a model's probabilities and embedding, stored as JSON text, are
 * `FLOAT[]` in SQL through the CLI's DuckDB-WASM engine. The values read back are the float32s
 * written; list functions work on them; a lake written before the flag keeps VARCHAR; a value
 * that is not a list of numbers gives an error naming the record set, column and row; the
 * Query view's statistics, the chat's grounding and "Save as branch" take such a column.
 */
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCell } from '../../src/app/query-format.ts';
import { gatherGrounding } from '../../src/lib/chat/grounding.ts';
import { PREDICTION_COLUMNS, floatList } from '../../src/lib/model/predictions.ts';
import type { DuckDBEngine } from '../../src/lib/query/duckdb-engine.ts';
import { openNodeQueryEngine } from '../../src/lib/query/duckdb-node.ts';
import { LakeCatalog } from '../../src/lib/query/lake-catalog.ts';
import { addColumns } from '../../src/lib/versions/add-columns.ts';
import { rowidsWhere } from '../../src/lib/query/rowids.ts';
import { chartsStats } from '../../src/lib/query/stats.ts';
import { planColumns } from '../../src/lib/query/stats-plan.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import type { LakeRow } from '../../src/lib/versions/columns.ts';
import { filterToBranch } from '../../src/lib/versions/filter.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import type { ColumnDef, Commit } from '../../src/lib/versions/manifest.ts';
import { writeRows } from '../../src/lib/versions/write.ts';

/** The columns as a predictions record set has them (the flag on or off). */
function columns(flag: boolean): ColumnDef[] {
  return [
    { name: 'predicted', type: 'utf8' },
    { name: 'probabilities', type: 'utf8', ...(flag ? { floats: true as const } : {}) },
    { name: 'embedding', type: 'utf8', ...(flag ? { floats: true as const } : {}) },
  ];
}

// Not float32 values: they must read back as Math.fround of themselves.
const PROBS = [
  [0.1, 0.9],
  [0.7, 0.3],
  [0.55, 0.45],
];
const EMBEDDINGS: (number[] | null)[] = [[0.1, 0.2, 0.3], [-1.5, 0, 1e-7], null];

type Sets = Record<string, { cols: ColumnDef[]; rows: LakeRow[] }>;

/** Adds dataset `id` to `lake` with record sets `sets` on main (row ids 0, 1, 2…). */
async function addDataset(lake: Lake, id: string, sets: Sets) {
  await lake.backend.refs.cas(`dataset/${id}`, 0, {
    id,
    name: id,
    source: 'test',
    createdAt: new Date().toISOString(),
    rawBytes: 0,
  });
  const recordSets: Commit['recordSets'] = {};
  for (const [name, { cols, rows }] of Object.entries(sets)) {
    const fragments = await writeRows(
      lake.chunks,
      cols,
      rows.map((row, i) => ({ rowid: BigInt(i), row })),
    );
    recordSets[name] = { name, columns: cols, rows: rows.length, fragments };
  }
  await lake.commit(
    id,
    'main',
    async () => ({
      message: 'predictions',
      lineage: { op: 'predictions', params: {} },
      document: null,
      objects: null,
      recordSets,
    }),
    { create: { protected: false } },
  );
}

/** The rows as writePredictions writes them (floatList is its writer of JSON text). */
const predictionRows = (): LakeRow[] =>
  PROBS.map((p, i) => ({
    predicted: p[0]! > p[1]! ? 'a' : 'b',
    probabilities: floatList(p),
    embedding: EMBEDDINGS[i] ? floatList(EMBEDDINGS[i]) : null,
  }));

/** Values that are not lists of numbers: not a list, nested, an empty item, JSON objects. */
const MALFORMED = ['0.5', '[[1]]', '[1,,2]', '{"a":1}', '[1,2', '[0.5,"x",1]'];

/**
 * One lake and one engine for every test (DuckDB-WASM takes seconds to start on a busy
 * machine): `d` holds predictions with the flag, `old` the same rows without it (a lake
 * written before the flag), `bad` one record set per malformed value (in row 1), `mixed` the
 * predictions and a fourth row whose embedding is malformed.
 */
let lake: Lake;
let engine: DuckDBEngine;
beforeAll(async () => {
  lake = await Lake.open(memoryBackend());
  await addDataset(lake, 'd', { preds: { cols: columns(true), rows: predictionRows() } });
  await addDataset(lake, 'old', { preds: { cols: columns(false), rows: predictionRows() } });
  const bad: Sets = {};
  MALFORMED.forEach((text, i) => {
    const r = predictionRows();
    r[1]!.embedding = text;
    bad[`bad${i}`] = { cols: columns(true), rows: r };
  });
  await addDataset(lake, 'bad', bad);
  const mixed = predictionRows();
  mixed.push({ predicted: 'a', probabilities: '[1,0]', embedding: '["oops"]' });
  await addDataset(lake, 'mixed', { preds: { cols: columns(true), rows: mixed } });
  // A float list column added later: in an extension fragment, on rows 0 and 2 only.
  await addDataset(lake, 'ext', { preds: { cols: columns(true), rows: predictionRows() } });
  await addDataset(lake, 'extbad', { preds: { cols: columns(true), rows: predictionRows() } });
  for (const [id, row2] of [
    ['ext', '[3]'],
    ['extbad', '[3,"three"]'],
  ] as const) {
    await addColumns(lake, id, {
      branch: 'main',
      recordSet: 'preds',
      columns: [{ name: 'extra', type: 'utf8', floats: true }],
      key: { by: 'rowid' },
      rows: [
        { _rowid: 0, extra: '[1.5,null]' },
        { _rowid: 2, extra: row2 },
      ],
    });
  }
  engine = await openNodeQueryEngine(lake);
}, 60_000);
afterAll(async () => {
  await engine?.close();
});

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  const r = await engine.query(sql, { describe: false });
  return tableFromIPC(r.ipc)
    .toArray()
    .map((x: { toJSON(): Record<string, unknown> }) => x.toJSON());
}

async function rejection(p: Promise<unknown>): Promise<Error & { code: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { code: string };
  }
  throw new Error('expected a rejection');
}

/** Cosine similarity in float64 of two lists of float32 values. */
function cosine(a: number[], b: number[]): number {
  const dot = a.reduce((s, x, i) => s + x * b[i]!, 0);
  const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return dot / (norm(a) * norm(b));
}

describe('floats columns', () => {
  it('the predictions record set declares probabilities and embedding as floats', () => {
    const flagged = PREDICTION_COLUMNS.filter((c) => c.floats).map((c) => c.name);
    expect(flagged).toEqual(['probabilities', 'embedding']);
    expect(PREDICTION_COLUMNS.filter((c) => c.floats).every((c) => c.type === 'utf8')).toBe(true);
  });

  it('are FLOAT[] in SQL, hold the float32 values written, and take list functions', async () => {
    const r = await engine.query(
      'SELECT _rowid, typeof(embedding) AS te, typeof(probabilities) AS tp, embedding, probabilities, ' +
        'array_length(embedding) AS n, list_cosine_similarity(embedding, [1, 2, 3]::FLOAT[]) AS cos ' +
        'FROM "d@main".preds ORDER BY _rowid',
    );
    expect(r.columns.find((c) => c.name === 'embedding')?.type).toBe('FLOAT[]');
    const got = tableFromIPC(r.ipc).toArray();
    expect(got).toHaveLength(3);
    got.forEach((row, i) => {
      const o = row.toJSON() as Record<string, unknown>;
      expect(o.te).toBe('FLOAT[]');
      expect(o.tp).toBe('FLOAT[]');
      const probs = [...(o.probabilities as Iterable<number>)];
      expect(probs).toEqual(PROBS[i]!.map(Math.fround));
      const e = EMBEDDINGS[i];
      if (!e) {
        expect(o.embedding).toBeNull();
        expect(o.n).toBeNull();
        return;
      }
      const want = e.map(Math.fround);
      expect([...(o.embedding as Iterable<number>)]).toEqual(want);
      expect(o.n).toBe(BigInt(e.length));
      // DuckDB computes in float32: about 7 significant digits.
      expect(o.cos as number).toBeCloseTo(cosine(want, [1, 2, 3]), 6);
    });
    // docs/model.md's nearest neighbours of an item: itself first (cosine 1), then the other.
    const near = await rows(
      'SELECT _rowid, list_cosine_similarity(embedding, (SELECT embedding FROM "d@main".preds ' +
        'WHERE _rowid = 1)) AS sim FROM "d@main".preds ORDER BY sim DESC NULLS LAST LIMIT 2',
    );
    expect(near.map((o) => o._rowid)).toEqual([1n, 0n]);
    // The grid shows each item as the float32's shortest decimal, as it was written.
    const cell = tableFromIPC(r.ipc).getChild('embedding')!.get(0);
    expect(formatCell(cell, 'FLOAT[]')).toBe('[0.1,0.2,0.3]');
  });

  it('a lake written before the flag keeps the JSON text as VARCHAR', async () => {
    const got = await rows(
      'SELECT typeof(embedding) AS te, embedding, len(CAST(embedding AS FLOAT[])) AS n ' +
        'FROM "old@main".preds ORDER BY _rowid',
    );
    expect(got.map((o) => o.te)).toEqual(['VARCHAR', 'VARCHAR', 'VARCHAR']);
    expect(got.map((o) => o.embedding)).toEqual(['[0.1,0.2,0.3]', '[-1.5,0,1e-7]', null]);
    expect(got.map((o) => o.n)).toEqual([3n, 3n, null]);
  });

  it('a value that is not a list of numbers is refused, naming the record set, column and row', async () => {
    for (const [i, text] of MALFORMED.entries()) {
      const err = await rejection(engine.query(`SELECT embedding FROM "bad@main".bad${i}`));
      expect(err.code, text).toBe('SCHEMA_MISMATCH');
      expect(err.message, text).toMatch(
        new RegExp(`record set bad${i} at commit [0-9a-f]{12}, fragment [0-9a-f]{64}, column`),
      );
      expect(err.message, text).toContain(
        `column embedding, row 1: ${JSON.stringify(text)} is not a JSON list of numbers`,
      );
    }
    // The engine stays usable, and the error repeats: nothing half-loaded was kept.
    expect(await rows('SELECT 42 AS n')).toEqual([{ n: 42 }]);
    const again = await rejection(engine.query('SELECT count(*) FROM "bad@main".bad0'));
    expect(again.code).toBe('SCHEMA_MISMATCH');
  });

  it('a float list column added later (an extension fragment) is FLOAT[] too, and checked', async () => {
    const got = await rows(
      'SELECT _rowid, typeof(extra) AS t, extra FROM "ext@main".preds ORDER BY _rowid',
    );
    expect(got.map((o) => [o._rowid, o.t])).toEqual([
      [0n, 'FLOAT[]'],
      [1n, 'FLOAT[]'],
      [2n, 'FLOAT[]'],
    ]);
    const lists = got.map((o) => (o.extra === null ? null : [...(o.extra as Iterable<unknown>)]));
    expect(lists).toEqual([[1.5, null], null, [3]]);
    const err = await rejection(engine.query('SELECT extra FROM "extbad@main".preds'));
    expect(err.code).toBe('SCHEMA_MISMATCH');
    expect(err.message).toContain('column extra, row 2: "[3,\\"three\\"]" is not a JSON list');
  });

  it('"Save as branch" keeps FLOAT[]; a malformed row filtered out no longer blocks the branch', async () => {
    // Row 3 makes the record set unreadable as FLOAT[] at main…
    const err = await rejection(engine.query('SELECT * FROM "mixed@main".preds'));
    expect(err.message).toContain('column embedding, row 3');
    // …and a branch without it reads (its row is deleted, not rewritten: the check skips it).
    await filterToBranch(lake, 'mixed', {
      from: await lake.resolve('mixed', 'main'),
      branch: 'good',
      recordSet: 'preds',
      predicate: '_rowid < 3',
      keep: [0n, 1n, 2n],
    });
    const kept = await rows(
      'SELECT _rowid, typeof(embedding) AS t, list_cosine_similarity(embedding, embedding) AS self ' +
        'FROM "mixed@good".preds ORDER BY _rowid',
    );
    expect(kept.map((o) => [o._rowid, o.t])).toEqual([
      [0n, 'FLOAT[]'],
      [1n, 'FLOAT[]'],
      [2n, 'FLOAT[]'],
    ]);
    expect(kept[0]!.self as number).toBeCloseTo(1, 6);
    // The rows a predicate on the embedding keeps are chosen in SQL, and saved as a branch
    // whose record set is still a floats one.
    const predicate = 'list_cosine_similarity(embedding, [0.1, 0.2, 0.3]::FLOAT[]) > 0.99';
    const near = await rowidsWhere(engine, 'mixed', 'good', 'preds', predicate);
    expect(near).toEqual([0n]);
    await filterToBranch(lake, 'mixed', {
      from: await lake.resolve('mixed', 'good'),
      branch: 'near',
      recordSet: 'preds',
      predicate,
      keep: near,
    });
    const c = await lake.readCommit(await lake.resolve('mixed', 'near'));
    expect(c.recordSets.preds!.columns.filter((x) => x.floats).map((x) => x.name)).toEqual([
      'probabilities',
      'embedding',
    ]);
    expect(await rows('SELECT typeof(embedding) AS t FROM "mixed@near".preds')).toEqual([
      { t: 'FLOAT[]' },
    ]);
  });

  it('statistics chart them by length, and the chat is told FLOAT[]', async () => {
    const catalog = new LakeCatalog(lake);
    const info = await catalog.describe('d', 'main');
    const table = info.tables[0]!;
    const cols = table.columns.filter((c) => c.name !== '_rowid');
    expect(cols.find((c) => c.name === 'embedding')?.floats).toBe(true);
    const sqlName = '"d@main"."preds"';
    const plans = await planColumns(rows, sqlName, cols);
    const plan = plans.find((p) => p.column === 'embedding')!;
    expect(plan.kind).toBe('list');
    expect(plan.label).toBe('embedding (length)');
    const stats = await chartsStats(rows, sqlName, plans, '');
    const s = stats[plans.indexOf(plan)]!;
    // Two embeddings of 3 floats, one null.
    expect(s.rows).toBe(3);
    expect(s.nulls).toBe(1);
    expect(s.summary).toMatchObject({ min: 3, max: 3 });
    const filtered = await chartsStats(rows, sqlName, plans, 'embedding[1] < 0');
    expect(filtered[plans.indexOf(plan)]!.rows).toBe(1);

    const [g] = await gatherGrounding(lake, catalog, [{ dataset: 'd', rev: 'main' }], {
      engine,
    });
    const gc = g!.tables[0]!.columns.find((c) => c.name === 'embedding')!;
    expect(gc.sqlType).toBe('FLOAT[]');
    expect(gc.stats?.nulls).toBe(1);
    expect(gc.samples).toEqual(['[-1.5, 0.0, 1e-07]', '[0.1, 0.2, 0.3]']);
  });
});
