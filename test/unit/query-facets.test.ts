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
import { binning, niceStep, planColumn, type RowsOf } from '../../src/lib/query/stats-plan.ts';
import { classBalance, readStats, statsSql } from '../../src/lib/query/stats.ts';
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
  it('bin small ranges of whole numbers by unit, others on round edges', () => {
    expect(binning(1, 3, true)).toEqual({ lo: 1, hi: 3, bins: 3, width: 1, integer: true });
    expect(niceStep(3.6, false)).toBe(5);
    expect(niceStep(0.021, false)).toBe(0.025);
    const b = binning(0.1667, 80, false)!;
    expect(b).toMatchObject({ lo: 0, width: 5, bins: 16 });
    expect(binning(5, 5, false)).toMatchObject({ bins: 1 });
  });

  it('plan strings as categories, numbers with a missing marker, lists or text', async () => {
    const answers: Record<string, Record<string, unknown>> = {
      d: { d: 99n, filled: 1309n, nums: 1046n, markers: 1n, arrays: 0n },
      range: { lo: 0.1667, hi: 80 },
    };
    const seen: string[] = [];
    const rows: RowsOf = async (sql) => {
      seen.push(sql);
      return [sql.includes('AS markers') ? answers.d! : answers.range!];
    };
    const [plan] = await planColumn(rows, '"t@main"."p"', { name: 'age', type: 'utf8' });
    expect(plan).toMatchObject({ kind: 'number', column: 'age', binning: { lo: 0, width: 5 } });
    expect(plan!.expr).toBe(`TRY_CAST(nullif(trim("age"), '') AS DOUBLE)`);

    answers.d = { d: 3n, filled: 1309n, nums: 0n, markers: 3n, arrays: 0n };
    const cats: RowsOf = async (sql) =>
      sql.includes('GROUP BY') ? [{ v: 'S' }, { v: 'C' }, { v: 'Q' }] : [answers.d!];
    const [embarked] = await planColumn(cats, '"t@main"."p"', { name: 'embarked', type: 'utf8' });
    expect(embarked).toMatchObject({ kind: 'category', categories: ['S', 'C', 'Q'] });

    const [images, heights] = await planColumn(rows, '"c@main"."i"', {
      name: 'image',
      type: 'image',
    });
    expect(images!.column).toBe('image.width');
    expect(heights!.expr).toBe(`struct_extract("image", 'height')`);
    expect(seen.every((s) => !s.includes('WHERE ('))).toBe(true);
  });

  it('compute a chart in one query and read its row', () => {
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
    expect(sql).toContain(`count(*) FILTER (WHERE v = 1) AS c1`);
    expect(sql).toContain(`WHERE (\n("sex" IN ('female'))\n)`);
    const stats = readStats(plan, {
      total: 466n,
      filled: 466n,
      distinct_values: 2n,
      c0: 127n,
      c1: 339n,
    });
    expect(stats).toMatchObject({ rows: 466, nulls: 0, distinct: 2, other: 0 });
    expect(classBalance(stats)).toEqual({ majority: 1, minority: 0, ratio: 339 / 127 });

    const num = {
      ...plan,
      kind: 'number' as const,
      binning: binning(0, 80, false)!,
      isLabel: false,
    };
    const n = statsSql('"t@main"."p"', num, '');
    expect(n).not.toContain('WHERE (');
    expect(n).toContain('median(x) AS median');
    expect(n).toContain(`count(*) FILTER (WHERE b = ${num.binning.bins - 1})`);
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
