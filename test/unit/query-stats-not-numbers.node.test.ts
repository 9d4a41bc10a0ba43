/**
 * The statistics card of a text column charted as numbers agrees with SQL: Titanic's `age` is
 * VARCHAR with `?` for unknown ages, and `age IS NULL` is false there. The card's "nulls" are
 * the rows SQL sees as NULL; the `?`s are counted and named apart, as values that are not
 * numbers. Expected counts come from the fixture CSV (Papa Parse), and SQL is asked the same.
 */
import { readFileSync } from 'node:fs';
import { tableFromIPC } from 'apache-arrow';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBEngine } from '../../src/lib/query/duckdb-engine.ts';
import { notNumbersText } from '../../src/app/query-format.ts';
import { openNodeQueryEngine } from '../../src/lib/query/duckdb-node.ts';
import { chartsStats } from '../../src/lib/query/stats.ts';
import { planColumns } from '../../src/lib/query/stats-plan.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import type { LakeRow } from '../../src/lib/versions/columns.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import type { ColumnDef } from '../../src/lib/versions/manifest.ts';
import { writeRows } from '../../src/lib/versions/write.ts';

const CSV = readFileSync('public/examples/titanic/data/titanic.csv', 'utf8');
const parsed = (Papa as unknown as { parse(s: string, c: object): { data: string[][] } }).parse(
  CSV.trim(),
  {},
).data;
const header = parsed[0]!;
// `body` is a number on few rows and `?` on most: charted as numbers too, the `?`s apart.
const COLS = ['age', 'fare', 'body'];
const COLUMNS: ColumnDef[] = COLS.map((name) => ({ name, type: 'utf8' }));
/** The fixture's ages and fares as text; every seventh age made a real NULL as well. */
const ROWS: LakeRow[] = parsed.slice(1).map((r, i) => {
  const row: LakeRow = {};
  for (const c of COLS) row[c] = r[header.indexOf(c)]!;
  if (i % 7 === 0) row.age = null;
  return row;
});

/** What the card should say of column `c`, from the rows themselves. */
function expected(c: string) {
  const values = ROWS.map((r) => r[c] as string | null);
  const text = values.filter((v): v is string => v !== null);
  const bad = text.filter((v) => v.trim() === '' || Number.isNaN(Number(v)));
  return { nulls: values.length - text.length, count: bad.length, values: [...new Set(bad)] };
}

let engine: DuckDBEngine;
const TABLE = '"t@main"."p"';
beforeAll(async () => {
  const lake = await Lake.open(memoryBackend());
  await lake.backend.refs.cas('dataset/t', 0, {
    id: 't',
    name: 't',
    source: 'test',
    createdAt: new Date().toISOString(),
    rawBytes: 0,
  });
  const fragments = await writeRows(
    lake.chunks,
    COLUMNS,
    ROWS.map((row, i) => ({ rowid: BigInt(i), row })),
  );
  await lake.commit(
    't',
    'main',
    async () => ({
      message: 'titanic',
      lineage: { op: 'ingest', params: {} },
      document: null,
      objects: null,
      recordSets: { p: { name: 'p', columns: COLUMNS, rows: ROWS.length, fragments } },
    }),
    { create: { protected: false } },
  );
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

describe('statistics of text charted as numbers', () => {
  it('counts SQL NULLs as nulls and the values that are not numbers apart, as SQL sees them', async () => {
    const plans = await planColumns(rows, TABLE, COLUMNS);
    const stats = await chartsStats(rows, TABLE, plans, '');
    for (const c of COLS) {
      const i = plans.findIndex((p) => p.column === c);
      expect(plans[i]!.kind).toBe('number');
      const want = expected(c);
      expect(want.count).toBeGreaterThan(0);
      expect(stats[i]!.nulls).toBe(want.nulls);
      expect(stats[i]!.notNumbers).toEqual({
        count: want.count,
        distinct: want.values.length,
        values: want.values,
      });
      const [sql] = await rows(
        `SELECT count(*) FILTER (WHERE "${c}" IS NULL) AS nulls,` +
          ` count(*) FILTER (WHERE "${c}" = '?') AS marks FROM ${TABLE}`,
      );
      expect(Number(sql!.nulls)).toBe(stats[i]!.nulls);
      expect(Number(sql!.marks)).toBe(stats[i]!.notNumbers!.count);
    }
    expect(expected('age').nulls).toBeGreaterThan(0);
  });

  it('counts them under a filter', async () => {
    const plans = await planColumns(rows, TABLE, COLUMNS);
    const i = plans.findIndex((p) => p.column === 'age');
    const [s] = await chartsStats(rows, TABLE, [plans[i]!], `"fare" = '?' OR "age" = '?'`);
    const kept = ROWS.filter((r) => r.fare === '?' || r.age === '?');
    expect(s!.rows).toBe(kept.length);
    expect(s!.nulls).toBe(kept.filter((r) => r.age === null).length);
    expect(s!.notNumbers?.count).toBe(kept.filter((r) => r.age === '?').length);
  });
});

describe('notNumbersText', () => {
  it('names the values as SQL literals, the least and greatest of more than two', () => {
    expect(notNumbersText({ count: 263, distinct: 1, values: ['?'] }, 1309)).toBe(
      "263 (20.1%): '?'",
    );
    expect(notNumbersText({ count: 3, distinct: 2, values: ["it's", 'NA'] }, 300)).toBe(
      "3 (1.0%): 'it''s', 'NA'",
    );
    expect(notNumbersText({ count: 9, distinct: 4, values: ['', 'n/a'] }, 300)).toBe(
      "9 (3.0%): '' … 'n/a' (4 values)",
    );
    expect(notNumbersText({ count: 0, distinct: 0, values: [] }, 300)).toBe('0 (0.0%)');
  });
});
