/**
 * Facets and column statistics without DuckDB: the predicates facets make (NULLs included), how
 * a filter's parts are joined and a chart's own facet left out, how columns are planned from
 * what the profile queries answer (a stub stands in for DuckDB), the statistics SQL and how its
 * row is read, and the SQL history. The e2e tests run all of it on DuckDB in the browser.
 */
import { describe, expect, it } from 'vitest';
import {
  describeFacet,
  facetPredicate,
  filterPredicate,
  toggleValue,
  type Facet,
} from '../../src/lib/query/facets.ts';
import { rowidsSql } from '../../src/lib/query/rowids.ts';
import { binning } from '../../src/lib/query/binning.ts';
import { planColumn, planColumns, type RowsOf } from '../../src/lib/query/stats-plan.ts';
import {
  chartsSql,
  classBalance,
  readCharts,
  readStats,
  statsSql,
} from '../../src/lib/query/stats.ts';
import {
  addToHistory,
  clearHistory,
  readHistory,
  HISTORY_LIMIT,
} from '../../src/app/sql-history.ts';

const sex = { column: 'sex', label: 'sex', expr: '"sex"' };
const age: Facet = {
  column: 'age',
  label: 'age',
  expr: '"age"',
  kind: 'range',
  lo: 20,
  hi: 30,
  closed: false,
  exclude: false,
};

describe('facets', () => {
  it('turn values and ranges into predicates, keeping NULLs out of exclusions unless named', () => {
    const f: Facet = { ...sex, kind: 'values', values: ['female', "o'hara"], exclude: false };
    expect(facetPredicate(f)).toBe(`("sex" IN ('female', 'o''hara'))`);
    expect(facetPredicate({ ...f, exclude: true })).toBe(
      `("sex" IS NULL OR "sex" NOT IN ('female', 'o''hara'))`,
    );
    expect(facetPredicate({ ...f, values: ['male', null] })).toBe(
      `("sex" IN ('male') OR "sex" IS NULL)`,
    );
    expect(facetPredicate({ ...f, values: [null], exclude: true })).toBe(`("sex" IS NOT NULL)`);
    expect(facetPredicate(age)).toBe(`("age" >= 20 AND "age" < 30)`);
    expect(facetPredicate({ ...age, closed: true, exclude: true })).toBe(
      `("age" IS NULL OR NOT ("age" >= 20 AND "age" <= 30))`,
    );
    expect(describeFacet(age)).toBe('age in [20, 30)');
    expect(describeFacet({ ...f, values: ['female'], exclude: true })).toBe('sex ≠ female');
    expect(describeFacet({ ...f, values: [null] })).toBe('sex = NULL');
    expect(describeFacet({ ...f, values: ['', null, 'x'] })).toBe("sex in {'', NULL, x}");
    // A range of instants: days, or times within one day; never a throw past a Date's range.
    const taken = { ...age, column: 'taken', label: 'taken', expr: '"taken"', dates: true };
    const [d1, d2] = [Date.UTC(2024, 2, 1), Date.UTC(2024, 2, 8)];
    expect(describeFacet({ ...taken, lo: d1, hi: d2 })).toBe('taken in [2024-03-01, 2024-03-08)');
    const [t1, t2] = [Date.UTC(2024, 2, 1, 9), Date.UTC(2024, 2, 1, 9, 30)];
    expect(describeFacet({ ...taken, lo: t1, hi: t2, closed: true })).toBe(
      'taken in [2024-03-01 09:00, 2024-03-01 09:30]',
    );
    expect(describeFacet({ ...taken, lo: 9e15, hi: 9.1e15 })).toBe(
      'taken in [9000000000000000, 9100000000000000)',
    );
  });

  it("join the WHERE text and the facets, leaving out a chart's own facet", () => {
    const facets = toggleValue([age], sex, 'female');
    expect(filterPredicate('', [])).toBe('');
    expect(filterPredicate('fare > 10', [])).toBe('fare > 10');
    expect(filterPredicate('fare > 10 -- cheap', facets)).toBe(
      `(\nfare > 10 -- cheap\n)\nAND ("age" >= 20 AND "age" < 30)\nAND ("sex" IN ('female'))`,
    );
    expect(filterPredicate('', facets, 'age')).toBe(`("sex" IN ('female'))`);
    // Toggling the last value away removes the facet.
    expect(toggleValue(facets, sex, 'female')).toEqual([age]);
  });

  it('select row ids on lines of their own, so a comment cannot eat the parenthesis', () => {
    expect(rowidsSql('titanic', 'main', 'passengers', 'age > 3 -- x')).toBe(
      'SELECT "_rowid" FROM "titanic@main"."passengers" WHERE (\nage > 3 -- x\n)',
    );
  });
});

describe('column statistics', () => {
  it('plan strings as categories, numbers with a missing marker, lists or text', async () => {
    // What DuckDB would answer: the profile of one column (c0_…, its sample's numbers c0_s…),
    // then what the second query was asked (d0_…).
    let profile: Record<string, unknown> = {
      total: 1309n,
      ...{ c0_n: 1309n, c0_d: 99n, c0_filled: 1309n, c0_arrays: 0n, c0_llo: 1, c0_lhi: 6 },
      ...{ c0_sfilled: 1309n, c0_snums: 1046n, c0_sm1: '?', c0_sm2: '?' },
    };
    let detail: Record<string, unknown> = {
      ...{ d0_filled: 1309n, d0_nums: 1046n, d0_m1: '?', d0_m2: '?' },
      ...{ d0_nlo: 0.1667, d0_nhi: 80 },
    };
    const seen: string[] = [];
    const rows: RowsOf = async (sql) => {
      seen.push(sql);
      return [sql.includes('approx_count_distinct') ? profile : detail];
    };
    // 99 distinct values: too many for categories. Numbers on the sample but for `?`: every
    // row is then parsed, and decides (numbers, from 0.1667 to 80).
    const [plan] = await planColumn(rows, '"t@main"."p"', { name: 'age', type: 'utf8' });
    expect(plan).toMatchObject({ kind: 'number', column: 'age', binning: { lo: 0, width: 5 } });
    expect(plan!.expr).toBe(`TRY_CAST(nullif(trim("age"), '') AS DOUBLE)`);
    expect(seen).toHaveLength(2);
    expect(seen[0]).toContain('USING SAMPLE reservoir(4096 ROWS) REPEATABLE (42)');
    expect(seen[0]).not.toMatch(/TRY_CAST\(nullif\(trim\("age"\)/);
    expect(seen[1]).toContain(`count(TRY_CAST(nullif(trim("age"), '') AS DOUBLE)) AS d0_nums`);

    // A second marker (`n/a`) the sample missed: every row decides, so text by length (1 to 6
    // characters, unit bins).
    detail = { ...detail, d0_m2: 'n/a' };
    const [text] = await planColumn(rows, '"t@main"."p"', { name: 'age', type: 'utf8' });
    expect(text).toMatchObject({ kind: 'text', label: 'age (length)', binning: { bins: 6 } });
    // No numbers on the sample: text, in one query.
    profile = { ...profile, c0_snums: 0n, c0_sm2: 'x' };
    seen.length = 0;
    const [name] = await planColumn(rows, '"t@main"."p"', { name: 'name', type: 'utf8' });
    expect(name).toMatchObject({ kind: 'text' });
    expect(seen).toHaveLength(1);

    // Three values: counted exactly, most frequent first, ties by value.
    profile = { ...profile, c0_d: 3n };
    detail = {
      d0_values: [
        { key: 'Q', value: 123n },
        { key: 'S', value: 914n },
        { key: 'C', value: 123n },
      ],
    };
    const [embarked] = await planColumn(rows, '"t@main"."p"', { name: 'embarked', type: 'utf8' });
    expect(embarked).toMatchObject({ kind: 'category', categories: ['S', 'C', 'Q'] });
    expect(embarked!.profile).toEqual({ nonNull: 1309, distinct: 3, constant: false });
    expect(seen.at(-1)).toContain('histogram("embarked")');

    // Every value a JSON list: charted by length, the lengths' range from the second query.
    profile = { ...profile, c0_arrays: 1309n, c0_d: 200n };
    detail = { d0_llo: 0, d0_lhi: 4 };
    const [tags] = await planColumn(rows, '"t@main"."p"', { name: 'tags', type: 'utf8' });
    expect(tags).toMatchObject({ kind: 'list', label: 'tags (length)', binning: { bins: 5 } });

    profile = { total: 2n, c0_n: 2n, c0_d: 2n, c0_lo: 10, c0_hi: 30, c0_hlo: 5, c0_hhi: 5 };
    const [images, heights] = await planColumn(rows, '"c@main"."i"', {
      name: 'image',
      type: 'image',
    });
    expect(images!.column).toBe('image.width');
    expect(heights!.expr).toBe(`struct_extract("image", 'height')`);
    // Every image 5 pixels high: a constant chart, shown after the widths.
    expect(heights!.profile?.constant).toBe(true);
    expect(seen.every((s) => !s.includes('WHERE ('))).toBe(true);
  });

  it('plan every column of a record set in two queries, most telling first', async () => {
    const seen: string[] = [];
    const rows: RowsOf = async (sql) => {
      seen.push(sql);
      if (sql.includes('approx_count_distinct')) {
        return [
          {
            total: 40n,
            ...{ c0_n: 40n, c0_d: 40n, c0_lo: 0, c0_hi: 39 },
            ...{ c1_n: 40n, c1_d: 2n, c1_lo: 0, c1_hi: 1 },
            ...{ c2_n: 40n, c2_d: 31n, c2_lo: 0.5, c2_hi: 3.5 },
          },
        ];
      }
      return [
        {
          d0_values: [
            { key: 1n, value: 25n },
            { key: 0n, value: 15n },
          ],
        },
      ];
    };
    const plans = await planColumns(rows, 't', [
      { name: 'id', type: 'int64' },
      { name: 'survived', type: 'int64' },
      { name: 'x', type: 'float64' },
    ]);
    // One profile of all three; then exact counts of the one that may be a category (2
    // estimated values; id's 40 are more than twice the 15 an integer category may have).
    expect(seen).toHaveLength(2);
    expect(seen[0]!.match(/FROM t/g)).toHaveLength(1);
    expect(seen[1]).toContain('histogram("survived")');
    expect(seen[1]).not.toContain('"id"');
    // The label, then the number with a spread, then the key (every value distinct).
    expect(plans.map((p) => [p.column, p.kind])).toEqual([
      ['survived', 'category'],
      ['x', 'number'],
      ['id', 'number'],
    ]);
    expect(plans[0]).toMatchObject({ isLabel: true, categories: [1, 0] });
  });

  it('compute every chart under one filter in one query, and read its row', () => {
    const plan = {
      column: 'survived',
      label: 'survived',
      type: 'int64' as const,
      kind: 'category' as const,
      expr: '"survived"',
      valueExpr: '"survived"',
      categories: [0, 1],
      isLabel: true,
    };
    const sql = statsSql('"t@main"."p"', plan, `("sex" IN ('female'))`);
    expect(sql).toContain('map_entries(histogram(v0)) AS counts0');
    expect(sql).toContain(`WHERE (\n("sex" IN ('female'))\n)`);
    const stats = readStats(plan, {
      total: 466n,
      filled0: 466n,
      counts0: [
        { key: 1n, value: 339n },
        { key: 0n, value: 127n },
      ],
    });
    expect(stats).toMatchObject({ rows: 466, nulls: 0, distinct: 2, other: 0 });
    expect(stats.categories).toEqual([
      { value: 0, count: 127 },
      { value: 1, count: 339 },
    ]);
    expect(classBalance(stats)).toEqual({ majority: 1, minority: 0, ratio: 339 / 127 });

    const num = {
      ...plan,
      column: 'age',
      kind: 'number' as const,
      expr: '"age"',
      valueExpr: '"age"',
      binning: binning(0, 80, false)!,
      isLabel: false,
    };
    const n = statsSql('"t@main"."p"', num, '');
    expect(n).not.toContain('WHERE (');
    expect(n).toContain('median(x0) AS median0');
    // Edges 5, 10, …, 75, negated: DuckDB's histogram closes bins on the right, so on -x the
    // key -75 counts [75, 80] (bin 15), -10 counts [10, 15) (bin 2), null what is below 5.
    expect(n).toContain('histogram(-x0, [-75, -70, -65,');
    const got = readStats(num, {
      total: 10n,
      filled0: 9n,
      ...{ min0: 12, max0: 80, mean0: 30, median0: 28, std0: 9.5 },
      bins0: [
        { key: -10, value: 7n },
        { key: -75, value: 1n },
        { key: null, value: 1n },
      ],
    });
    expect(got.nulls).toBe(1);
    expect(got.bins).toEqual([1, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);

    // Both charts in one query: one scan, each chart's columns numbered by its place.
    const both = chartsSql('"t@main"."p"', [plan, num], `"fare" > 10`);
    expect(both.match(/FROM "t@main"\."p"/g)).toHaveLength(1);
    expect(both).toContain('"survived" AS v0');
    expect(both).toContain('("age")::DOUBLE AS x1');
    const r = readCharts([plan, num], { total: 3n, filled0: 3n, counts0: [], filled1: 0n });
    expect(r.map((c) => c.rows)).toEqual([3, 3]);
    expect(r[1]!.nulls).toBe(3);
  });
});

describe('SQL history', () => {
  function memoryStorage(): Storage {
    const m = new Map<string, string>();
    return {
      get length() {
        return m.size;
      },
      clear: () => m.clear(),
      getItem: (k) => m.get(k) ?? null,
      key: (i) => [...m.keys()][i] ?? null,
      removeItem: (k) => void m.delete(k),
      setItem: (k, v) => void m.set(k, v),
    };
  }

  it('keeps queries newest first, without duplicates, within its limit', () => {
    const s = memoryStorage();
    addToHistory('SELECT 1', s);
    addToHistory('SELECT 2', s);
    expect(addToHistory(' SELECT 1 ', s).map((e) => e.sql)).toEqual(['SELECT 1', 'SELECT 2']);
    for (let i = 0; i < HISTORY_LIMIT + 5; i++) addToHistory(`SELECT ${i}`, s);
    expect(readHistory(s)).toHaveLength(HISTORY_LIMIT);
    s.setItem('croissant-lake.sql-history', '{bad json');
    expect(readHistory(s)).toEqual([]);
    clearHistory(s);
    expect(readHistory(s)).toEqual([]);
  });
});
