/**
 * The Train tab's default split (src/app/train-split.ts): a split column is the default when its
 * values divide the rows as training reads a split column (`train` trains; `val`, `valid`,
 * `validation` validate; `test` is left out: docs/model.md), else the hash split with a line
 * naming the values. The values' query runs on the lake's DuckDB engine here, as in the tab's
 * query worker, and each column is read once per commit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrainSplitDefault } from '../../src/app/train-split-default.svelte.ts';
import { splitDefault, splitValuesSql } from '../../src/app/train-split.ts';
import type { DuckDBEngine } from '../../src/lib/query/duckdb-engine.ts';
import { openNodeQueryEngine } from '../../src/lib/query/duckdb-node.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import type { ColumnDef } from '../../src/lib/versions/manifest.ts';
import { writeRows } from '../../src/lib/versions/write.ts';
import type { RecordSetInfo } from '../../workers/api/lake.api.ts';
import { tableFromIPC } from 'apache-arrow';

const hashNote = (why: string) => `split column images/split ${why}: using a hash split`;
const decide = (values: (string | null)[], more = false) =>
  splitDefault('images/split', { values, more });

describe('the default split decided from a split column’s values', () => {
  it('is the column when it has training and validation values, test rows left out', () => {
    expect(decide(['test', 'train', 'val'])).toEqual({
      kind: 'column',
      note: 'rows with split test are left out',
    });
    expect(decide(['train', 'validation'])).toEqual({ kind: 'column', note: null });
    expect(decide(['train', 'val', 'valid', 'validation'])).toEqual({
      kind: 'column',
      note: null,
    });
  });

  it('is the hash split when the column has other values, saying which', () => {
    expect(decide(['A', 'B'])).toEqual({ kind: 'hash', note: hashNote('has values A, B') });
    // Training compares values exactly: `Train` is not `train`.
    expect(decide(['Train', 'Val'])).toEqual({
      kind: 'hash',
      note: hashNote('has values Train, Val'),
    });
    // Rows without a value would be left out without a word: not a usable column.
    expect(decide(['test', 'train', 'val', null])).toEqual({
      kind: 'hash',
      note: hashNote('has values test, train, val, (no value)'),
    });
    expect(decide(['0', '1', '2', '3', '4', '5', '6', '7'], true)).toEqual({
      kind: 'hash',
      note: hashNote('has values 0, 1, 2, 3, 4, 5, 6, 7, …'),
    });
  });

  it('is the hash split when one side would have no rows', () => {
    expect(decide(['train'])).toEqual({
      kind: 'hash',
      note: hashNote('has no validation rows (values train)'),
    });
    expect(decide(['test', 'val'])).toEqual({
      kind: 'hash',
      note: hashNote('has no training rows (values test, val)'),
    });
    expect(decide([])).toEqual({ kind: 'hash', note: hashNote('has no values') });
  });
});

const DATASET = 'derm';
const SPLITS = ['train', 'val', 'test', null];
const info = (id: string, columns: ColumnDef[], rows: number): RecordSetInfo => ({
  id,
  name: id,
  rows,
  columns,
  fragments: [],
});
const images = info(
  'images',
  [
    { name: 'images/split', type: 'utf8' },
    { name: 'images/lesion', type: 'int64' },
  ],
  12,
);
const folds = info('folds', [{ name: 'folds/fold', type: 'int64' }], 10);

describe('the split values query', () => {
  let lake: Lake;
  let engine: DuckDBEngine;
  let commit: string;
  beforeAll(async () => {
    lake = await Lake.open(memoryBackend());
    await lake.backend.refs.cas(`dataset/${DATASET}`, 0, {
      id: DATASET,
      name: DATASET,
      source: 'test',
      createdAt: '2024-01-01T00:00:00.000Z',
      rawBytes: 0,
    });
    const rows = (n: number, row: (i: number) => Record<string, string | bigint | null>) =>
      Array.from({ length: n }, (_, i) => ({ rowid: BigInt(i), row: row(i) }));
    const recordSet = async (rs: RecordSetInfo, row: Parameters<typeof rows>[1]) => ({
      name: rs.name,
      columns: rs.columns,
      rows: rs.rows,
      fragments: await writeRows(lake.chunks, rs.columns, rows(rs.rows, row)),
    });
    ({ hash: commit } = await lake.commit(
      DATASET,
      'main',
      async () => ({
        message: 'split values',
        lineage: { op: 'commit', params: {} },
        document: null,
        objects: null,
        recordSets: {
          images: await recordSet(images, (i) => ({
            'images/split': SPLITS[i % 4]!,
            'images/lesion': BigInt(i % 2),
          })),
          folds: await recordSet(folds, (i) => ({ 'folds/fold': BigInt(9 - i) })),
        },
      }),
      { create: { protected: false } },
    ));
    engine = await openNodeQueryEngine(lake);
  });
  afterAll(async () => {
    await engine.close();
  });

  /** QueryHost.rows over the engine, counting the queries. */
  let queries = 0;
  const rows = async (sql: string) => {
    queries++;
    const t = tableFromIPC((await engine.query(sql, { describe: false })).ipc);
    return t.toArray().map((r: { v: string | null }) => ({ v: r.v }));
  };

  it('names the column as SQL shows it and the record set at the commit', () => {
    expect(splitValuesSql(DATASET, commit, images, 'images/split')).toBe(
      `SELECT DISTINCT CAST("split" AS VARCHAR) AS v FROM "derm@${commit}"."images" ORDER BY v NULLS LAST LIMIT 9`,
    );
  });

  it('reads the distinct values, nulls last, and says when there are more', async () => {
    const reader = new TrainSplitDefault(rows);
    expect(await reader.values(DATASET, commit, images, 'images/split')).toEqual({
      values: ['test', 'train', 'val', null],
      more: false,
    });
    // As text, sorted as text: 0 … 7 of the ten folds, and more.
    expect(await reader.values(DATASET, commit, folds, 'folds/fold')).toEqual({
      values: ['0', '1', '2', '3', '4', '5', '6', '7'],
      more: true,
    });
  });

  it('reads a column once per commit and record set', async () => {
    const reader = new TrainSplitDefault(rows);
    queries = 0;
    const a = await reader.values(DATASET, commit, images, 'images/split');
    const b = await reader.values(DATASET, commit, images, 'images/split');
    expect(b).toEqual(a);
    expect(queries).toBe(1);
    await reader.values(DATASET, commit, folds, 'folds/fold');
    expect(queries).toBe(2);
  });
});
