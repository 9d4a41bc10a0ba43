/**
 * How each column of a record set is summarised and charted (the Hugging Face dataset viewer's
 * choices, decided in DuckDB from the unfiltered data):
 *
 * - integers with at most {@link MAX_CATEGORIES} values, booleans, and strings with at most
 *   {@link MAX_CATEGORIES} distinct values: **categories** (frequencies, class balance);
 * - other numbers, and strings that parse as numbers (but for one marker of missing values such
 *   as `?`): **number** (binned histogram);
 * - timestamps: **date** (binned by time, on days or round times: binning.ts);
 * - JSON arrays (repeated fields) and `FLOAT[]` columns (probabilities, embeddings): **list**
 *   (binned by length);
 * - other strings: **text** (binned by length);
 * - images: their **width** and **height** (binned), one chart each;
 * - anything else (blobs): counts only.
 *
 * The plan fixes each chart's bins or categories, so that a filtered chart is drawn on the same
 * axes as the unfiltered one. Every column of a record set is planned together, in two scans of
 * its rows (stats-profile.ts), and the charts come ordered by what they tell (stats-order.ts).
 */
import type { ColumnType } from '../versions/manifest.ts';
import { binning, dateBinning, type Binning } from './binning.ts';
import type { FacetValue } from './facets.ts';
import { isLabelColumn } from './roles.ts';
import { ident, literal } from './sql.ts';
import { orderCharts } from './stats-order.ts';
import {
  detailSql,
  holdsNumbers,
  listLength,
  profileSql,
  readDetails,
  readProfiles,
  textAsNumber,
  type Detail,
  type DetailAsk,
  type Profile,
  type ValueCounts,
} from './stats-profile.ts';

/** How a column is charted. */
export type StatsKind = 'number' | 'category' | 'text' | 'date' | 'list' | 'other';

/** Runs a read-only query and gives its rows as plain objects (int64 as bigint is fine). */
export type RowsOf = (sql: string) => Promise<Record<string, unknown>[]>;

/** Strings with at most this many distinct values are categories; larger sets keep the top. */
export const MAX_CATEGORIES = 30;
/** Categories drawn; the rest add up to "other". */
export const SHOWN_CATEGORIES = 20;
/** A chart of a column (an image column has two: width and height). */
export interface ColumnPlan {
  /**
   * The chart's key, and its facet's: the column's SQL name, or `<name>.width` and
   * `<name>.height` for the two charts of an image column.
   */
  column: string;
  /** Shown above the chart: the column, and what of it is charted when not its value. */
  label: string;
  type: ColumnType;
  kind: StatsKind;
  /** The SQL of the charted value: the column, a cast, its length, an image's width. */
  expr: string;
  /** The column's own value, for its distinct count (text, list). */
  valueExpr: string;
  binning?: Binning;
  /** Categories drawn, most frequent first (kind "category"). */
  categories?: FacetValue[];
  /** The column holds class labels: its balance is shown. */
  isLabel: boolean;
  /** What the unfiltered data showed of the charted value (stats-order.ts orders by it). */
  profile?: ChartProfile;
}

/** How much a chart can tell, from the unfiltered rows. */
export interface ChartProfile {
  /** Rows whose value is not null. */
  nonNull: number;
  /** Distinct non-null values of the column: exact for categories, else estimated. */
  distinct: number;
  /** One value only (or none): a constant column. */
  constant: boolean;
}

/** A column as DESCRIBE gives it. */
export interface PlanColumn {
  name: string;
  type: ColumnType;
  /** `FLOAT[]` in SQL (lake-names.ts): charted by length. */
  floats?: true;
  /** Its field's description in the Croissant document (it may declare the label). */
  description?: string;
}

/** Most distinct values of an integer column charted as categories (labels: {@link MAX_CATEGORIES}). */
function categoryLimit(col: PlanColumn): number {
  if (col.type === 'int64') return isLabelColumn(col) ? MAX_CATEGORIES : MAX_CATEGORIES / 2;
  return MAX_CATEGORIES;
}

/**
 * Whether a column estimated to hold `distinct` values may have at most `limit`: its values are
 * then counted exactly. The estimate's error at these sizes is a few percent; twice the limit
 * leaves a wide margin.
 */
const mayBeCategories = (distinct: number, limit: number) => distinct <= 2 * limit;

/** A text column holding JSON lists only (a repeated field): charted by length. */
function isList(p: Profile): boolean {
  return p.text !== undefined && p.text.filled > 0 && p.text.arrays === p.text.filled;
}

/** What the second scan is asked about each column (by index), if anything. */
function asksOf(cols: readonly PlanColumn[], profiles: readonly Profile[]): (DetailAsk | null)[] {
  return cols.map((col, j) => {
    const p = profiles[j]!;
    if (col.floats) return null;
    if (col.type === 'utf8' && isList(p)) return { column: col.name, lists: true };
    if (col.type !== 'int64' && col.type !== 'utf8') return null;
    const ask: DetailAsk = { column: col.name };
    if (mayBeCategories(p.distinct, categoryLimit(col))) ask.values = true;
    // Numbers on the sample: whether on every row decides (and gives their range).
    if (p.text && holdsNumbers(p.text.sample)) ask.numbers = true;
    return ask.values || ask.numbers ? ask : null;
  });
}

type Base = Omit<ColumnPlan, 'kind' | 'expr' | 'binning' | 'isLabel'>;

function ranged(
  base: Base,
  kind: StatsKind,
  expr: string,
  range: [number, number] | undefined,
  integer: boolean,
  nonNull: number,
  distinct: number,
): ColumnPlan {
  const [lo, hi] = range ?? [NaN, NaN];
  const b = kind === 'date' ? dateBinning(lo, hi) : binning(lo, hi, integer);
  const constant = nonNull === 0 || !(lo < hi);
  return {
    ...base,
    kind,
    expr,
    isLabel: false,
    ...(b ? { binning: b } : {}),
    profile: { nonNull, distinct, constant },
  };
}

function categories(base: Base, counts: ValueCounts, isLabel: boolean, nonNull: number) {
  const distinct = counts.values.length;
  return {
    ...base,
    kind: 'category' as const,
    expr: base.valueExpr,
    categories: counts.values.slice(0, SHOWN_CATEGORIES),
    isLabel,
    profile: { nonNull, distinct, constant: distinct <= 1 },
  };
}

/** The charts of one column from what the scans found. */
function planOne(col: PlanColumn, p: Profile, detail: Detail): ColumnPlan[] {
  const v = ident(col.name);
  const base: Base = { column: col.name, label: col.name, type: col.type, valueExpr: v };
  const isLabel = isLabelColumn(col);
  const counts = detail.counts;
  const { nonNull, distinct } = p;
  if (col.floats) {
    const length = { ...base, label: `${col.name} (length)` };
    return [ranged(length, 'list', `len(${v})`, p.range, true, nonNull, distinct)];
  }
  switch (col.type) {
    case 'int64':
      if (counts && counts.values.length <= categoryLimit(col)) {
        return [categories(base, counts, isLabel, nonNull)];
      }
      return [ranged(base, 'number', v, p.range, true, nonNull, distinct)];
    case 'float64':
      return [ranged(base, 'number', v, p.range, false, nonNull, distinct)];
    case 'bool': {
      const profile = { nonNull, distinct, constant: distinct <= 1 };
      return [{ ...base, kind: 'category', expr: v, categories: [true, false], isLabel, profile }];
    }
    case 'timestamp':
      return [ranged(base, 'date', `epoch_ms(${v})`, p.range, true, nonNull, distinct)];
    case 'utf8': {
      const length = { ...base, label: `${col.name} (length)` };
      if (detail.lists) {
        return [ranged(length, 'list', listLength(v), detail.lists, true, nonNull, distinct)];
      }
      if (counts && counts.values.length <= MAX_CATEGORIES) {
        return [categories(base, counts, isLabel, nonNull)];
      }
      // Numbers written as text, maybe with one marker of missing values (`?`, `NA`), which is
      // left out of the chart and counted apart (stats.ts: SQL sees it as text, not NULL).
      const n = detail.numbers;
      if (n && holdsNumbers(n)) {
        return [ranged(base, 'number', textAsNumber(v), n.range, false, n.nums, distinct)];
      }
      return [ranged(length, 'text', `length(${v})`, p.text!.length, true, nonNull, distinct)];
    }
    case 'image':
      return (['width', 'height'] as const).map((dim) =>
        ranged(
          { ...base, column: `${col.name}.${dim}`, label: `${col.name} (${dim})` },
          'number',
          `struct_extract(${v}, ${literal(dim)})`,
          dim === 'width' ? p.range : p.heights,
          true,
          nonNull,
          distinct,
        ),
      );
    default: {
      const profile = { nonNull, distinct, constant: distinct <= 1 };
      return [{ ...base, kind: 'other', expr: v, isLabel: false, profile }];
    }
  }
}

/**
 * Plans the charts of every column of `table` (an SQL name such as `"titanic@main"."passengers"`)
 * in two queries on the unfiltered data (one when no column may be a category, a list or text
 * holding numbers), most telling first (stats-order.ts).
 */
export async function planColumns(
  rows: RowsOf,
  table: string,
  cols: readonly PlanColumn[],
): Promise<ColumnPlan[]> {
  if (cols.length === 0) return [];
  const [r] = await rows(profileSql(table, cols));
  const profiles = readProfiles(cols, r ?? {});
  const asks = asksOf(cols, profiles);
  const wanted = asks.filter((a): a is DetailAsk => a !== null);
  const details = wanted.length
    ? readDetails(wanted, (await rows(detailSql(table, wanted)))[0] ?? {})
    : [];
  let k = 0;
  const plans = cols.flatMap((col, j) => planOne(col, profiles[j]!, asks[j] ? details[k++]! : {}));
  return orderCharts(plans);
}

/** Plans the charts of one column (see {@link planColumns}). */
export function planColumn(rows: RowsOf, table: string, col: PlanColumn): Promise<ColumnPlan[]> {
  return planColumns(rows, table, [col]);
}
