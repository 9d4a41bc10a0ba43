/**
 * Coding metadata columns as features (src/lib/analysis/features.ts): levels and codes worked by
 * hand here, and every level's SQL predicate run in DuckDB-WASM on the same rows, where it must
 * select exactly the rows of that level.
 */
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildFeatureTable,
  codeFeature,
  type FeatureValue,
} from '../../src/lib/analysis/features.ts';
import { quantileBins } from '../../src/lib/analysis/features-bins.ts';
import type { CodedFeature } from '../../src/lib/analysis/blindspots-types.ts';
import { DuckDBEngine } from '../../src/lib/query/duckdb-engine.ts';
import { openNodeDuckDB } from '../../src/lib/query/duckdb-node.ts';
import { literal } from '../../src/lib/query/sql.ts';

/**
 * Thirteen rows (id 0..12).
 *   kvp: 100 105 … (step 5) … 145, 150, 160, null. 12 distinct numbers > 10 → 4 quantile bins.
 *     Quantiles at sorted positions ⌊k·12/4⌋ = 3, 6, 9: 115, 130, 145. Range 60 → one
 *     significant digit: step 10 → cuts 120 (115 rounds half up), 130, 150; no bin empty.
 *     Outer edges 100 and 160. Rows: [100,120) 0-3, [120,130) 4-5, [130,150) 6-9, [150,160] 10-11.
 *   site: a a a b b c c d o'brien '' null e a → counts a 4, b 2, c 2, d/o'brien/e 1.
 *     maxLevels 2 keeps a and b (b beats c on the tie by value); c, d, o'brien, e → (other);
 *     '' and null → (missing).
 *   bits: 8 12 12 16 … as numbers, 3 distinct → categorical, numeric order 8, 12, 16.
 *   noise: 0.5 or NaN or null → levels 0.5, 1.5 and (missing) (NaN and null).
 *   flag: booleans, false before true.
 */
const ids = [...Array(13).keys()];
const kvp: FeatureValue[] = [100, 105, 110, 115, 120, 125, 130, 135, 140, 145, 150, 160, null];
const site: FeatureValue[] = [
  'a',
  'a',
  'a',
  'b',
  'b',
  'c',
  'c',
  'd',
  "o'brien",
  '',
  null,
  'e',
  'a',
];
const bits: FeatureValue[] = [8n, 12n, 12n, 16n, 8n, 8n, 16n, 12n, 12n, 8n, 8n, 16n, null];
const noise: FeatureValue[] = [0.5, NaN, 1.5, 0.5, null, 0.5, 1.5, 0.5, NaN, 0.5, 0.5, 1.5, 0.5];
const flag: FeatureValue[] = [
  true,
  false,
  true,
  true,
  false,
  true,
  true,
  true,
  false,
  true,
  true,
  true,
  true,
];

let engine: DuckDBEngine;
beforeAll(async () => {
  engine = await DuckDBEngine.open(await openNodeDuckDB());
});
afterAll(() => engine.close());

const sqlValue = (v: FeatureValue) =>
  typeof v === 'number' && Number.isNaN(v) ? "'nan'::DOUBLE" : literal(v);

/** The rows as a DuckDB table expression, the column names quoted as the features quote them. */
const table = (() => {
  const rows = ids.map(
    (i) =>
      `(${i}, ${sqlValue(kvp[i]!)}::DOUBLE, ${sqlValue(site[i]!)}::VARCHAR, ${sqlValue(bits[i]!)}::BIGINT, ` +
      `${sqlValue(noise[i]!)}::DOUBLE, ${sqlValue(flag[i]!)}::BOOLEAN)`,
  );
  return `(VALUES ${rows.join(', ')}) AS t(id, kvp, "site ""name""", bits, noise, flag)`;
})();

async function selected(predicate: string): Promise<number[]> {
  const r = await engine.query(`SELECT id FROM ${table} WHERE ${predicate} ORDER BY id`);
  return tableFromIPC(r.ipc)
    .toArray()
    .map((row: { id: number }) => Number(row.id));
}

/** Rows of each level, by code. */
const rowsOf = (f: CodedFeature) => f.levels.map((_, c) => ids.filter((i) => f.codes[i] === c + 1));

/** Checks that each level's predicate selects exactly its rows in DuckDB. */
async function predicatesExact(f: CodedFeature): Promise<void> {
  const rows = rowsOf(f);
  for (let c = 0; c < f.levels.length; c++) {
    expect(await selected(f.predicates[c]!), `${f.name} = ${f.levels[c]}`).toEqual(rows[c]);
  }
}

describe('codeFeature', () => {
  it('bins numbers by quantiles with readable edges; missing is a level; SQL agrees', async () => {
    const f = codeFeature('kvp', 'croissant', 'kvp', kvp, { bins: 4 });
    expect(f.levels).toEqual(['[100, 120)', '[120, 130)', '[130, 150)', '[150, 160]', '(missing)']);
    expect(rowsOf(f)).toEqual([[0, 1, 2, 3], [4, 5], [6, 7, 8, 9], [10, 11], [12]]);
    expect(f.column).toBe('"kvp"');
    expect(f.predicates[0]).toBe('"kvp" >= 100 AND "kvp" < 120');
    expect(f.predicates[3]).toBe('"kvp" >= 150 AND "kvp" <= 160');
    await predicatesExact(f);
  });

  it('keeps the top text values, the rest in (other), empty and null missing; SQL agrees', async () => {
    const f = codeFeature('site', 'croissant', 'site "name"', site, { maxLevels: 2 });
    expect(f.levels).toEqual(['a', 'b', '(other)', '(missing)']);
    expect(rowsOf(f)).toEqual([
      [0, 1, 2, 12],
      [3, 4],
      [5, 6, 7, 8, 11],
      [9, 10],
    ]);
    expect(f.predicates[2]).toBe(`"site ""name""" NOT IN ('a', 'b') AND "site ""name""" <> ''`);
    await predicatesExact(f);
  });

  it('keeps few distinct numbers as categories in numeric order; SQL agrees', async () => {
    const f = codeFeature('bits', 'dicom', 'bits', bits);
    expect(f.levels).toEqual(['8', '12', '16', '(missing)']);
    expect(rowsOf(f)).toEqual([[0, 4, 5, 9, 10], [1, 2, 7, 8], [3, 6, 11], [12]]);
    await predicatesExact(f);
  });

  it('counts NaN as missing, in SQL too', async () => {
    const f = codeFeature('noise', 'image-stats', 'noise', noise);
    expect(f.levels).toEqual(['0.5', '1.5', '(missing)']);
    expect(rowsOf(f)[2]).toEqual([1, 4, 8]);
    await predicatesExact(f);
  });

  it('codes booleans false then true; SQL agrees', async () => {
    const f = codeFeature('flag', 'croissant', 'flag', flag);
    expect(f.levels).toEqual(['false', 'true']);
    expect(rowsOf(f)[0]).toEqual([1, 4, 8]);
    await predicatesExact(f);
  });

  it('gives null predicates to a feature that is not a column of the branch', () => {
    const f = codeFeature('image.noise', 'image-stats', null, kvp, { bins: 4 });
    expect(f.column).toBeNull();
    expect(f.predicates).toEqual([null, null, null, null, null]);
  });
});

describe('quantileBins', () => {
  it('rounds cuts finer when coarse rounding would merge bins', () => {
    // 0.00, 0.01, … 0.99 (range 0.99 → magnitude -1). Quartiles at positions 25, 50, 75:
    // 0.25, 0.5, 0.75. One significant digit (step 0.1) gives 0.3, 0.5, 0.8 (three cuts kept).
    const v = Array.from({ length: 100 }, (_, i) => i / 100);
    expect(quantileBins(v, 4).edges).toEqual([0, 0.3, 0.5, 0.8, 1]);
    // 1000.0 … 1009.9 in steps of 0.1: range 9.9 → step 1 first; quartiles 1002.5, 1005, 1007.5
    // round to 1003, 1005, 1008.
    const w = Array.from({ length: 100 }, (_, i) => 1000 + i / 10);
    expect(quantileBins(w, 4).edges).toEqual([1000, 1003, 1005, 1008, 1010]);
    // Skewed: 90 zeros, then 1..10. The first quartile is 0, the minimum: the cut moves to the
    // next value, 1, and the 10 values left are spread over 3 bins: positions 90 + ⌊10/3⌋ = 93
    // (value 4), then 93 + ⌊7/2⌋ = 96 (value 7). Step 10 would keep only the cut 10, so step 1.
    const s = [...Array(90).fill(0), ...Array.from({ length: 10 }, (_, i) => i + 1)];
    expect(quantileBins(s, 4).edges).toEqual([0, 1, 4, 7, 10]);
  });
});

describe('buildFeatureTable', () => {
  const rowIds = BigInt64Array.from(ids.map((i) => BigInt(i + 100)));
  it('leaves out what cannot be a feature, and says why', () => {
    const { table, skipped } = buildFeatureTable({
      rowIds,
      columns: [
        { name: 'kvp', source: 'croissant', column: 'kvp', values: kvp },
        {
          name: 'file',
          source: 'croissant',
          column: 'file',
          values: ids.map((i) => `img${i}.png`),
        },
        {
          name: 'scan_id',
          source: 'croissant',
          column: 'scan_id',
          values: ids.map((i) => i * 7 + 20),
        },
        { name: 'study', source: 'croissant', column: 'study', values: ids.map(() => 'S1') },
        {
          name: 'image',
          source: 'croissant',
          column: 'image',
          type: 'image',
          values: ids.map(() => null),
        },
        {
          name: 'embedding',
          source: 'croissant',
          column: 'embedding',
          values: ids.map(() => '[0.1,0.2]'),
        },
        { name: 'site', source: 'croissant', column: 'site', values: site },
      ],
    });
    expect(table.rowIds).toBe(rowIds);
    expect(table.features.map((f) => f.name)).toEqual(['kvp', 'site']);
    expect(skipped.map((s) => s.name)).toEqual(['file', 'scan_id', 'study', 'image', 'embedding']);
    expect(skipped[0]!.reason).toMatch(/identifier-like/);
    expect(skipped[2]!.reason).toMatch(/constant/);
  });

  it('uses only the columns asked for, in that order, and names the unknown ones', () => {
    const { table, skipped } = buildFeatureTable(
      {
        rowIds,
        columns: [
          { name: 'kvp', source: 'croissant', column: 'kvp', values: kvp },
          { name: 'site', source: 'croissant', column: 'site', values: site },
        ],
      },
      { columns: ['site', 'nope'], maxLevels: 3 },
    );
    expect(table.features.map((f) => [f.name, f.levels.length])).toEqual([['site', 5]]);
    expect(skipped).toEqual([{ name: 'nope', reason: 'no such column among the evaluated rows' }]);
  });

  it('leaves out, for a minimum support, a column where only (other) or (missing) reaches it', () => {
    // 40 rows. patient: 20 patients of 2 rows each (top 10 kept, 20 rows in (other));
    // ward: 'A' on 6 rows, the rest 34 rows of 17 other wards (2 each).
    const n = 40;
    const rows = BigInt64Array.from(Array.from({ length: n }, (_, i) => BigInt(i)));
    const patient = Array.from({ length: n }, (_, i) => `p${Math.floor(i / 2)}`);
    const ward = Array.from({ length: n }, (_, i) => (i < 6 ? 'A' : `w${Math.floor(i / 2)}`));
    const columns = [
      { name: 'patient', source: 'croissant' as const, column: 'patient', values: patient },
      { name: 'ward', source: 'croissant' as const, column: 'ward', values: ward },
    ];
    // Support 5: no patient has 5 rows, ward A has 6.
    const five = buildFeatureTable({ rowIds: rows, columns }, { minSupport: 5 });
    expect(five.table.features.map((f) => f.name)).toEqual(['ward']);
    expect(five.skipped).toEqual([
      {
        name: 'patient',
        reason:
          'no value holds the minimum support of 5 rows (only (other) or (missing) could be sliced)',
      },
    ]);
    // Support 2: every patient reaches it; support 7: ward A does not either.
    expect(buildFeatureTable({ rowIds: rows, columns }, { minSupport: 2 }).skipped).toEqual([]);
    expect(buildFeatureTable({ rowIds: rows, columns }, { minSupport: 7 }).table.features).toEqual(
      [],
    );
    // A column asked for by name is kept.
    const asked = buildFeatureTable(
      { rowIds: rows, columns },
      { minSupport: 5, columns: ['patient'] },
    );
    expect(asked.table.features.map((f) => f.name)).toEqual(['patient']);
  });

  it('refuses a column whose length is not the number of rows', () => {
    expect(() =>
      buildFeatureTable({
        rowIds,
        columns: [{ name: 'x', source: 'croissant', column: 'x', values: [1] }],
      }),
    ).toThrow(/x has 1 value\(s\) for 13/);
  });
});
