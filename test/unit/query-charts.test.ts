/**
 * The statistics panel's order (stats-order.ts: what tells something first, constant columns
 * last), how the Query view groups its charts into one query per filter and keeps them per
 * commit (chart-stats.ts), and its progress lines (query-format.ts). Plain functions, no DuckDB.
 */
import { describe, expect, it } from 'vitest';
import { ChartCache, byPredicate, statsOf } from '../../src/app/chart-stats.ts';
import { loadLine, loadedLine } from '../../src/app/query-format.ts';
import type { Facet } from '../../src/lib/query/facets.ts';
import { QueryError } from '../../src/lib/query/errors.ts';
import { chartRank, orderCharts } from '../../src/lib/query/stats-order.ts';
import type { ChartProfile, ColumnPlan } from '../../src/lib/query/stats-plan.ts';

const plan = (
  column: string,
  p: Partial<ColumnPlan>,
  profile?: Partial<ChartProfile>,
): ColumnPlan => ({
  column,
  label: column,
  type: 'float64',
  kind: 'number',
  expr: `"${column}"`,
  valueExpr: `"${column}"`,
  isLabel: false,
  ...p,
  ...(profile ? { profile: { nonNull: 100, distinct: 50, constant: false, ...profile } } : {}),
});

describe('the order of the charts', () => {
  it('puts the label and categories first, numbers next, text and keys after, constants last', () => {
    const plans = [
      plan('id', { type: 'int64' }, { distinct: 100 }),
      plan('name', { type: 'utf8', kind: 'text' }, { distinct: 98 }),
      plan('site', { type: 'utf8', kind: 'category' }, { distinct: 3 }),
      plan('version', { type: 'utf8', kind: 'category' }, { distinct: 1, constant: true }),
      plan('age', {}, { distinct: 60 }),
      plan('notes', { type: 'utf8', kind: 'text' }, { nonNull: 0, distinct: 0, constant: true }),
      plan('taken', { type: 'timestamp', kind: 'date' }, { distinct: 100 }),
      plan('label', { type: 'int64', kind: 'category', isLabel: true }, { distinct: 2 }),
      plan('sex', { type: 'utf8', kind: 'category' }, { distinct: 2 }),
      plan('dose', { type: 'int64' }, { distinct: 12 }),
      plan('scale', {}, { distinct: 1, constant: true }),
    ];
    expect(orderCharts(plans).map((p) => p.column)).toEqual([
      'label',
      // Categories, in the record set's order.
      'site',
      'sex',
      // Numbers and dates with a spread; a date whose every value differs is still one.
      'age',
      'taken',
      'dose',
      // Text, and an integer whose every value differs (an id).
      'id',
      'name',
      // One value, or none at all.
      'version',
      'notes',
      'scale',
    ]);
    expect(plans.map((p) => p.column)[0]).toBe('id');
  });

  it('ranks a chart planned without a profile by its kind alone', () => {
    expect(chartRank(plan('x', { kind: 'category' }))).toBe(1);
    expect(chartRank(plan('x', { type: 'int64' }))).toBe(2);
    expect(chartRank(plan('x', { kind: 'text' }))).toBe(3);
  });
});

describe('charts in the Query view', () => {
  const sex: Facet = {
    column: 'sex',
    label: 'sex',
    expr: '"sex"',
    kind: 'values',
    values: ['female'],
    exclude: false,
  };

  it('group charts by the filter each is computed under: its own facet left out', () => {
    const plans = ['age', 'sex', 'fare'].map((c) => plan(c, {}));
    expect([...byPredicate(plans, '', [])]).toEqual([['', [0, 1, 2]]]);
    expect([...byPredicate(plans, 'fare > 1', [sex])]).toEqual([
      [`(\nfare > 1\n)\nAND ("sex" IN ('female'))`, [0, 2]],
      // The WHERE text is parenthesised whenever facets exist, its own left out or not.
      ['(\nfare > 1\n)', [1]],
    ]);
  });

  it('compute a group in one query, and each chart alone when that query fails', async () => {
    const plans = [plan('age', { binning: { lo: 0, hi: 1, bins: 1, width: 1, integer: false } })];
    plans.push(plan('bad', { expr: 'nope(' }));
    const seen: string[] = [];
    const rows = async (sql: string) => {
      seen.push(sql);
      if (sql.includes('nope(')) throw new QueryError('SQL_ERROR', 'Parser Error: nope');
      return [{ total: 4n, filled0: 4n, min0: 0, max0: 1, bins0: 4n }];
    };
    const got = await statsOf(rows, 't', plans, '');
    expect(seen).toHaveLength(3);
    expect(got[0]).toMatchObject({ status: 'ready', value: { rows: 4, bins: [4] } });
    expect(got[1]).toMatchObject({ status: 'failed', error: { code: 'SQL_ERROR' } });
    // A cancelled query is not tried again chart by chart.
    seen.length = 0;
    const cancelled = async () => {
      seen.push('x');
      throw new QueryError('ABORTED', 'the query was cancelled');
    };
    const all = await statsOf(cancelled, 't', plans, '');
    expect(seen).toHaveLength(1);
    expect(all.map((s) => s.status)).toEqual(['failed', 'failed']);
  });

  it('keep the charts of the most recently used record sets', () => {
    const cache = new ChartCache(2);
    const entry = { plans: [], base: [] };
    cache.set('c1/a', entry);
    cache.set('c2/a', entry);
    expect(cache.get('c1/a')).toBe(entry);
    cache.set('c3/a', entry);
    expect(cache.get('c2/a')).toBeUndefined();
    expect(cache.get('c1/a')).toBe(entry);
    expect(cache.get('c3/a')).toBe(entry);
  });
});

describe('progress lines', () => {
  it('say what is loading, with fragments, bytes and rows, then what was loaded', () => {
    const p = {
      stage: 'load' as const,
      sqlName: '"titanic@main"."passengers"',
      dataset: 'titanic',
      rev: 'main',
      name: 'passengers',
      commit: 'c'.repeat(64),
      recordSet: 'passengers',
      fragmentsDone: 1,
      fragments: 2,
      rows: 1309,
      totalRows: 2618,
      bytes: 84_321,
    };
    expect(loadLine(p)).toBe(
      'Loading titanic@main · passengers (1 of 2 fragments, 84 kB, 1,309 of 2,618 rows)…',
    );
    const loaded = { ...p, rows: 1309, fragments: 1, ms: 212 };
    expect(loadedLine([loaded])).toBe(
      'loaded titanic@main · passengers (1,309 rows, 1 fragment, 84 kB) in 0.21 s',
    );
  });
});
