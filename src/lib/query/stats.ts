/**
 * Column statistics under a filter (see stats-plan.ts for what is charted): counts and nulls
 * always; count, min, max, mean, median, std and bin counts of the charted value for numbers,
 * dates, text lengths and list lengths; the frequency of each planned category otherwise, the
 * rest as "other". Every chart under one filter is computed by DuckDB in one query, one pass
 * over the rows; bins and categories are counted by `histogram`, not one filter per bin.
 */
import type { FacetValue } from './facets.ts';
import type { Binning } from './binning.ts';
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

/** Values of a text column charted as numbers that are not numbers (`?`, `NA`, empty text). */
export interface NotNumbers {
  /** Rows holding such a value. */
  count: number;
  /** Distinct such values. */
  distinct: number;
  /** The least and greatest of them (one when they are all the same). */
  values: string[];
}

/** What one chart shows under a filter. */
export interface ColumnStats {
  /** Rows the filter keeps. */
  rows: number;
  /** Of those, rows whose value is SQL NULL (`IS NULL`: not `?` nor empty text). */
  nulls: number;
  /** Text charted as numbers: the values that are not numbers, which SQL sees as text. */
  notNumbers?: NotNumbers;
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

function summaryCols(x: string, i: number): string[] {
  return [
    `min(${x}) AS min${i}`,
    `max(${x}) AS max${i}`,
    `avg(${x}) AS mean${i}`,
    `median(${x}) AS median${i}`,
    `stddev_samp(${x}) AS std${i}`,
  ];
}

/** A text column charted as numbers: its nulls are counted on the text, not on the number. */
const parsesText = (plan: ColumnPlan) => plan.kind === 'number' && plan.type === 'utf8';

/**
 * The aggregates of a text column charted as numbers: its non-null texts (the rest are SQL
 * NULL), and those that are not numbers, named by their least and greatest value.
 */
function textAggs(v: string, x: string, i: number): string[] {
  const not = `FILTER (WHERE ${v} IS NOT NULL AND ${x} IS NULL)`;
  return [
    `count(${v}) AS present${i}`,
    `count(*) ${not} AS nan${i}`,
    `count(DISTINCT ${v}) ${not} AS nand${i}`,
    `min(${v}) ${not} AS nanlo${i}`,
    `max(${v}) ${not} AS nanhi${i}`,
  ];
}

/** The columns a chart reads (`v` its value, `x` the charted number) and its aggregates. */
function chartParts(plan: ColumnPlan, i: number): { inner: string[]; aggs: string[] } {
  const parts = valueParts(plan, i);
  if (!parsesText(plan)) return parts;
  const v = `v${i}`;
  const inner = parts.inner.some((c) => c.endsWith(` AS ${v}`))
    ? parts.inner
    : [`${plan.valueExpr} AS ${v}`, ...parts.inner];
  return { inner, aggs: [...parts.aggs, ...textAggs(v, `x${i}`, i)] };
}

/** {@link chartParts} but for the text of a text column charted as numbers. */
function valueParts(plan: ColumnPlan, i: number): { inner: string[]; aggs: string[] } {
  const v = `v${i}`;
  const x = `x${i}`;
  const withDistinct = plan.kind !== 'number' && plan.kind !== 'date';
  const distinct = withDistinct ? [`count(DISTINCT ${v}) AS distinct${i}`] : [];
  if (plan.kind === 'category') {
    return {
      inner: [`${plan.expr} AS ${v}`],
      aggs: [`count(${v}) AS filled${i}`, `map_entries(histogram(${v})) AS counts${i}`],
    };
  }
  if (plan.kind === 'other' || !plan.binning) {
    const summary = plan.kind === 'other' ? [] : summaryCols(x, i);
    return {
      inner: [
        `${plan.valueExpr} AS ${v}`,
        ...(plan.kind === 'other' ? [] : [`(${plan.expr})::DOUBLE AS ${x}`]),
      ],
      aggs: [`count(${v}) AS filled${i}`, ...distinct, ...summary],
    };
  }
  return {
    inner: [
      ...(withDistinct ? [`${plan.valueExpr} AS ${v}`] : []),
      `(${plan.expr})::DOUBLE AS ${x}`,
    ],
    aggs: [
      `count(${x}) AS filled${i}`,
      ...distinct,
      ...summaryCols(x, i),
      binsAgg(plan.binning, x, i),
    ],
  };
}

/** The inner edges of a binning: `lo + k × width` for k = 1 … bins − 1, as facets write them. */
export function innerEdges(b: Binning): number[] {
  return Array.from({ length: b.bins - 1 }, (_, k) => b.lo + (k + 1) * b.width);
}

/**
 * The bin counts of `x`, bins closed on the left as facets are (`x >= lo AND x < hi`), values
 * below the first edge in the first bin and above the last in the last. DuckDB's
 * `histogram(x, boundaries)` puts a value in the first boundary at least as large (closed on the
 * right), and the rest under a null key; on `-x` with the edges negated that is exactly it: the
 * key `-edge k` counts bin k, the null key bin 0. A binary search per value where one filter per
 * bin was a comparison per value and bin.
 */
function binsAgg(b: Binning, x: string, i: number): string {
  const edges = innerEdges(b);
  if (edges.length === 0) return `count(${x}) AS bins${i}`;
  const negated = edges.map((e) => literal(-e)).reverse();
  return `map_entries(histogram(-${x}, [${negated.join(', ')}]::DOUBLE[])) AS bins${i}`;
}

/**
 * The SQL of the statistics of every chart of `plans` over `table` filtered by `predicate`
 * (none when empty): one row.
 */
export function chartsSql(table: string, plans: readonly ColumnPlan[], predicate: string): string {
  const where = predicate.trim() ? `\nWHERE (\n${predicate}\n)` : '';
  const parts = plans.map((p, i) => chartParts(p, i));
  const inner = parts.flatMap((p) => p.inner);
  const aggs = ['count(*) AS total', ...parts.flatMap((p) => p.aggs)];
  const from = inner.length ? inner.join(', ') : '1 AS one';
  return `SELECT ${aggs.join(', ')} FROM (SELECT ${from} FROM ${table}${where})`;
}

/** The SQL of one chart's statistics (see {@link chartsSql}). */
export function statsSql(table: string, plan: ColumnPlan, predicate: string): string {
  return chartsSql(table, [plan], predicate);
}

/** `{key, value}` entries of a histogram → count by key. */
function histogram(entries: unknown): Map<unknown, number> {
  const out = new Map<unknown, number>();
  for (const e of (entries ?? []) as Iterable<{ key: unknown; value: unknown }>) {
    const key = typeof e.key === 'bigint' ? Number(e.key) : e.key;
    out.set(key, num(e.value));
  }
  return out;
}

/** Reads the statistics of chart `i` of {@link chartsSql}'s row. */
function readChart(plan: ColumnPlan, r: Record<string, unknown>, i: number): ColumnStats {
  const rows = num(r.total);
  const filled = num(r[`filled${i}`]);
  const out: ColumnStats = { rows, nulls: rows - filled };
  if (`present${i}` in r) {
    out.nulls = rows - num(r[`present${i}`]);
    const [lo, hi] = [r[`nanlo${i}`], r[`nanhi${i}`]];
    const values = lo === null || lo === undefined ? [] : lo === hi ? [lo] : [lo, hi];
    const distinct = num(r[`nand${i}`]);
    out.notNumbers = { count: num(r[`nan${i}`]), distinct, values: values.map(String) };
  }
  if (`distinct${i}` in r) out.distinct = num(r[`distinct${i}`]);
  if (plan.kind === 'category') {
    const counts = histogram(r[`counts${i}`]);
    out.distinct = counts.size;
    out.categories = (plan.categories ?? []).map((value) => ({
      value,
      count: counts.get(value) ?? 0,
    }));
    out.other = filled - out.categories.reduce((n, c) => n + c.count, 0);
    return out;
  }
  if (`min${i}` in r && filled > 0) {
    out.summary = {
      min: num(r[`min${i}`]),
      max: num(r[`max${i}`]),
      mean: num(r[`mean${i}`]),
      median: num(r[`median${i}`]),
      std: num(r[`std${i}`]),
    };
  }
  if (plan.binning) out.bins = readBins(plan.binning, r[`bins${i}`]);
  return out;
}

/** The counts of each bin from {@link binsAgg}'s value. */
function readBins(b: Binning, value: unknown): number[] {
  const edges = innerEdges(b);
  if (edges.length === 0) return [num(value)];
  const bins = new Array<number>(b.bins).fill(0);
  const byKey = new Map(edges.map((e, k) => [-e, k + 1]));
  for (const [key, count] of histogram(value)) {
    const k = key === null ? 0 : (byKey.get(Number(key)) ?? 0);
    bins[k] = bins[k]! + count;
  }
  return bins;
}

/** Reads the row of {@link chartsSql}: each chart's statistics, in the order of `plans`. */
export function readCharts(
  plans: readonly ColumnPlan[],
  r: Record<string, unknown>,
): ColumnStats[] {
  return plans.map((p, i) => readChart(p, r, i));
}

/** Reads the row of {@link statsSql}. */
export function readStats(plan: ColumnPlan, r: Record<string, unknown>): ColumnStats {
  return readChart(plan, r, 0);
}

/** The statistics of every chart of `plans` under `predicate`, in one query. */
export async function chartsStats(
  rows: RowsOf,
  table: string,
  plans: readonly ColumnPlan[],
  predicate: string,
): Promise<ColumnStats[]> {
  if (plans.length === 0) return [];
  const [r] = await rows(chartsSql(table, plans, predicate));
  return readCharts(plans, r ?? {});
}

/** The statistics of a chart under `predicate`. */
export async function columnStats(
  rows: RowsOf,
  table: string,
  plan: ColumnPlan,
  predicate: string,
): Promise<ColumnStats> {
  return (await chartsStats(rows, table, [plan], predicate))[0]!;
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
