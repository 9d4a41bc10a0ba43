/**
 * How each column of a record set is summarised and charted (the Hugging Face dataset viewer's
 * choices, decided in DuckDB from the unfiltered data):
 *
 * - integers with at most {@link MAX_CATEGORIES} values, booleans, and strings with at most
 *   {@link MAX_CATEGORIES} distinct values: **categories** (frequencies, class balance);
 * - other numbers, and strings that parse as numbers (but for one marker of missing values such
 *   as `?`): **number** (binned histogram);
 * - timestamps: **date** (binned by time);
 * - JSON arrays (repeated fields): **list** (binned by length);
 * - other strings: **text** (binned by length);
 * - images: their **width** and **height** (binned), one chart each;
 * - anything else (blobs): counts only.
 *
 * The plan fixes each chart's bins or categories, so that a filtered chart is drawn on the same
 * axes as the unfiltered one.
 */
import type { ColumnType } from '../versions/manifest.ts';
import type { FacetValue } from './facets.ts';
import { isLabelColumn } from './roles.ts';
import { ident, literal } from './sql.ts';

/** How a column is charted. */
export type StatsKind = 'number' | 'category' | 'text' | 'date' | 'list' | 'other';

/** Runs a read-only query and gives its rows as plain objects (int64 as bigint is fine). */
export type RowsOf = (sql: string) => Promise<Record<string, unknown>[]>;

/** Strings with at most this many distinct values are categories; larger sets keep the top. */
export const MAX_CATEGORIES = 30;
/** Categories drawn; the rest add up to "other". */
export const SHOWN_CATEGORIES = 20;
/** Bins of a histogram whose values are not a small range of whole numbers. */
export const BINS = 20;

/** Bins of a charted numeric expression: `bins` bins of `width` from `lo`. */
export interface Binning {
  lo: number;
  hi: number;
  bins: number;
  width: number;
  /** The values are whole numbers (bin edges are shown without decimals). */
  integer: boolean;
}

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
}

/** A column as DESCRIBE gives it. */
export interface PlanColumn {
  name: string;
  type: ColumnType;
  /** Its field's description in the Croissant document (it may declare the label). */
  description?: string;
}

const num = (v: unknown): number => (v === null || v === undefined ? NaN : Number(v));

/** Bins for values in [lo, hi]: unit bins for a small range of whole numbers, else {@link BINS}. */
export function binning(lo: number, hi: number, integer: boolean): Binning | undefined {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return undefined;
  if (integer && hi - lo + 1 <= BINS + 10) {
    return { lo, hi, bins: hi - lo + 1, width: 1, integer };
  }
  if (hi === lo) return { lo, hi, bins: 1, width: 1, integer };
  // Round bin edges (0.5, 2, 25…), so that a range picked on the chart reads well.
  const step = niceStep((hi - lo) / BINS, integer);
  const start = Math.floor(lo / step) * step;
  const bins = Math.max(1, Math.ceil((hi - start) / step - 1e-9));
  return { lo: start, hi, bins, width: step, integer };
}

/** The smallest of 1, 2, 2.5, 5 × 10^k at least `raw` (whole numbers for whole values). */
export function niceStep(raw: number, integer: boolean): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw * (1 - 1e-9))!;
  return integer ? Math.max(1, Math.ceil(step)) : step;
}

async function topValues(rows: RowsOf, table: string, expr: string): Promise<FacetValue[]> {
  const sql = `SELECT ${expr} AS v, count(*) AS n FROM ${table} WHERE ${expr} IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${SHOWN_CATEGORIES}`;
  return (await rows(sql)).map((r) =>
    typeof r.v === 'bigint' ? Number(r.v) : (r.v as FacetValue),
  );
}

async function range(rows: RowsOf, table: string, expr: string): Promise<[number, number]> {
  const [r] = await rows(
    `SELECT min(${expr})::DOUBLE AS lo, max(${expr})::DOUBLE AS hi FROM ${table}`,
  );
  return [num(r?.lo), num(r?.hi)];
}

async function numberPlan(
  rows: RowsOf,
  table: string,
  base: Omit<ColumnPlan, 'kind' | 'expr' | 'binning'>,
  kind: StatsKind,
  expr: string,
  integer: boolean,
): Promise<ColumnPlan> {
  const [lo, hi] = await range(rows, table, expr);
  const b = binning(lo, hi, integer);
  return { ...base, kind, expr, ...(b ? { binning: b } : {}) };
}

async function stringPlan(
  rows: RowsOf,
  table: string,
  base: Omit<ColumnPlan, 'kind' | 'expr' | 'binning'>,
): Promise<ColumnPlan> {
  const v = base.valueExpr;
  const asNumber = `TRY_CAST(nullif(trim(${v}), '') AS DOUBLE)`;
  const [p] = await rows(
    `SELECT count(DISTINCT ${v}) AS d, count(nullif(trim(${v}), '')) AS filled,
            count(${asNumber}) AS nums,
            count(DISTINCT ${v}) FILTER (WHERE ${asNumber} IS NULL AND trim(${v}) <> '') AS markers,
            count(*) FILTER (WHERE starts_with(ltrim(${v}), '[')) AS arrays
       FROM ${table}`,
  );
  const d = num(p?.d);
  const filled = num(p?.filled);
  // Lists (JSON arrays of a repeated field) are charted by length, however few distinct.
  if (filled > 0 && num(p?.arrays) === filled) {
    // DuckDB's own string-to-list cast: the JSON extension is not available offline.
    const length = `len(TRY_CAST(nullif(trim(${v}), '') AS VARCHAR[]))`;
    return numberPlan(
      rows,
      table,
      { ...base, label: `${base.label} (length)` },
      'list',
      length,
      true,
    );
  }
  if (d <= MAX_CATEGORIES) {
    return { ...base, kind: 'category', expr: v, categories: await topValues(rows, table, v) };
  }
  // Numbers written as text, maybe with one marker of missing values (`?`, `NA`), which then
  // counts as null.
  if (num(p?.nums) > 0 && num(p?.markers) <= 1 && num(p?.nums) >= filled / 2) {
    return numberPlan(rows, table, base, 'number', asNumber, false);
  }
  const length = `length(${v})`;
  return numberPlan(
    rows,
    table,
    { ...base, label: `${base.label} (length)` },
    'text',
    length,
    true,
  );
}

/**
 * Plans the charts of one column of `table` (an SQL name such as `"titanic@main"."passengers"`)
 * with a query or two on the unfiltered data.
 */
export async function planColumn(
  rows: RowsOf,
  table: string,
  col: PlanColumn,
): Promise<ColumnPlan[]> {
  const v = ident(col.name);
  const base = { column: col.name, label: col.name, type: col.type, valueExpr: v };
  const isLabel = isLabelColumn(col);
  switch (col.type) {
    case 'int64': {
      const [p] = await rows(`SELECT count(DISTINCT ${v}) AS d FROM ${table}`);
      if (num(p?.d) <= MAX_CATEGORIES / 2 || (isLabel && num(p?.d) <= MAX_CATEGORIES)) {
        const categories = await topValues(rows, table, v);
        return [{ ...base, kind: 'category', expr: v, categories, isLabel }];
      }
      return [await numberPlan(rows, table, { ...base, isLabel: false }, 'number', v, true)];
    }
    case 'float64':
      return [await numberPlan(rows, table, { ...base, isLabel: false }, 'number', v, false)];
    case 'bool':
      return [{ ...base, kind: 'category', expr: v, categories: [true, false], isLabel }];
    case 'timestamp':
      return [
        await numberPlan(rows, table, { ...base, isLabel: false }, 'date', `epoch_ms(${v})`, true),
      ];
    case 'utf8': {
      const plan = await stringPlan(rows, table, { ...base, isLabel: false });
      return [{ ...plan, isLabel: isLabel && plan.kind === 'category' }];
    }
    case 'image':
      return Promise.all(
        (['width', 'height'] as const).map((dim) =>
          numberPlan(
            rows,
            table,
            {
              ...base,
              column: `${col.name}.${dim}`,
              label: `${col.name} (${dim})`,
              isLabel: false,
            },
            'number',
            `struct_extract(${v}, ${literal(dim)})`,
            true,
          ),
        ),
      );
    default:
      return [{ ...base, kind: 'other', expr: v, isLabel: false }];
  }
}
