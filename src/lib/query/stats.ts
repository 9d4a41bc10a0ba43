/**
 * Column statistics under a filter, one query per chart (see stats-plan.ts for what is
 * charted): counts and nulls always; count, min, max, mean, median, std and bin counts of the
 * charted value for numbers, dates, text lengths and list lengths; the frequency of each planned
 * category otherwise, the rest as "other". All of it computed by DuckDB in one pass.
 */
import type { FacetValue } from './facets.ts';
import type { ColumnPlan, RowsOf } from './stats-plan.ts';
import { literal } from './sql.ts';

/** A summary of the charted value (numbers, dates as epoch ms, lengths). */
export interface NumberSummary {
  min: number;
  max: number;
  mean: number;
  median: number;
  /** Sample standard deviation (NaN for fewer than two values). */
  std: number;
}

/** What one chart shows under a filter. */
export interface ColumnStats {
  /** Rows the filter keeps. */
  rows: number;
  /** Of those, rows whose value is null (for text, empty strings count as text). */
  nulls: number;
  /** Distinct non-null values of the column (text, lists, categories, other). */
  distinct?: number;
  summary?: NumberSummary;
  /** Rows per bin of the plan's binning. */
  bins?: number[];
  /** Rows per planned category, in the plan's order. */
  categories?: { value: FacetValue; count: number }[];
  /** Non-null rows in no planned category. */
  other?: number;
}

const num = (v: unknown): number => (v === null || v === undefined ? NaN : Number(v));

/** The SQL of a chart's statistics over `table` filtered by `predicate` (none when empty). */
export function statsSql(table: string, plan: ColumnPlan, predicate: string): string {
  const where = predicate.trim() ? `\nWHERE (\n${predicate}\n)` : '';
  const cols = ['count(*) AS total'];
  const withDistinct = plan.kind !== 'number' && plan.kind !== 'date';
  if (withDistinct) cols.push('count(DISTINCT v) AS distinct_values');
  if (plan.kind === 'category') {
    cols.push('count(v) AS filled');
    (plan.categories ?? []).forEach((c, i) => {
      cols.push(`count(*) FILTER (WHERE v = ${literal(c)}) AS c${i}`);
    });
    return `SELECT ${cols.join(', ')} FROM (SELECT ${plan.expr} AS v FROM ${table}${where})`;
  }
  if (plan.kind === 'other' || !plan.binning) {
    cols.push('count(v) AS filled');
    if (plan.kind !== 'other') cols.push(...summaryCols());
    const x = plan.kind === 'other' ? '' : `, (${plan.expr})::DOUBLE AS x`;
    return `SELECT ${cols.join(', ')} FROM (SELECT ${plan.valueExpr} AS v${x} FROM ${table}${where})`;
  }
  const b = plan.binning;
  cols.push('count(x) AS filled', ...summaryCols());
  for (let i = 0; i < b.bins; i++) cols.push(`count(*) FILTER (WHERE b = ${i}) AS b${i}`);
  // DuckDB's least and greatest skip NULLs: without the CASE a NULL would land in bin 0.
  const bin = `CASE WHEN x IS NOT NULL THEN least(greatest(floor((x - ${literal(b.lo)}) / ${literal(b.width)}), 0), ${b.bins - 1}) END`;
  return (
    `SELECT ${cols.join(', ')} FROM (SELECT v, x, ${bin} AS b FROM ` +
    `(SELECT ${plan.valueExpr} AS v, (${plan.expr})::DOUBLE AS x FROM ${table}${where}))`
  );
}

function summaryCols(): string[] {
  return [
    'min(x) AS min',
    'max(x) AS max',
    'avg(x) AS mean',
    'median(x) AS median',
    'stddev_samp(x) AS std',
  ];
}

/** Reads the row of {@link statsSql}. */
export function readStats(plan: ColumnPlan, r: Record<string, unknown>): ColumnStats {
  const rows = num(r.total);
  const filled = num(r.filled);
  const out: ColumnStats = { rows, nulls: rows - filled };
  if ('distinct_values' in r) out.distinct = num(r.distinct_values);
  if (plan.kind === 'category') {
    out.categories = (plan.categories ?? []).map((value, i) => ({ value, count: num(r[`c${i}`]) }));
    out.other = filled - out.categories.reduce((n, c) => n + c.count, 0);
    return out;
  }
  if ('min' in r && filled > 0) {
    out.summary = {
      min: num(r.min),
      max: num(r.max),
      mean: num(r.mean),
      median: num(r.median),
      std: num(r.std),
    };
  }
  if (plan.binning) {
    out.bins = Array.from({ length: plan.binning.bins }, (_, i) => num(r[`b${i}`]));
  }
  return out;
}

/** The statistics of a chart under `predicate`. */
export async function columnStats(
  rows: RowsOf,
  table: string,
  plan: ColumnPlan,
  predicate: string,
): Promise<ColumnStats> {
  const [r] = await rows(statsSql(table, plan, predicate));
  return readStats(plan, r ?? {});
}

/**
 * Class balance of a label's categories: the most and least frequent class and their ratio
 * (null with fewer than two non-empty classes).
 */
export function classBalance(
  stats: ColumnStats,
): { majority: FacetValue; minority: FacetValue; ratio: number } | null {
  const present = (stats.categories ?? []).filter((c) => c.count > 0);
  if (present.length < 2) return null;
  const sorted = [...present].sort((a, b) => b.count - a.count);
  const majority = sorted[0]!;
  const minority = sorted.at(-1)!;
  // Every value once: names or ids, not classes.
  if (majority.count < 2) return null;
  return {
    majority: majority.value,
    minority: minority.value,
    ratio: majority.count / minority.count,
  };
}
