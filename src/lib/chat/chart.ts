/**
 * Whether a result's shape suggests a chart (issue 18 §2): a count (or any number) per category
 * as bars, a value over time as a line. Decided from the result's column types and row count
 * only, so the suggestion is the same for the same shape.
 */
import type { ResultColumn } from '../query/engine.ts';

/** A chart the UI may draw next to the table. */
export interface ChartSuggestion {
  kind: 'bar' | 'line';
  /** The category or time column. */
  x: string;
  /** The number column. */
  y: string;
}

/** Most bars a bar chart suggestion allows: beyond that it is a table's job. */
export const MAX_BARS = 50;

const NUMBER =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|REAL|DOUBLE|DECIMAL(\(.*\))?|Int\d+|Uint\d+|Float\d+)$/i;
const TIME = /^(DATE|TIMESTAMP(_MS|_S|_NS| WITH TIME ZONE)?|TIMESTAMPTZ|Date\w*|Timestamp\w*)/i;
const CATEGORY = /^(VARCHAR|BOOLEAN|Utf8|LargeUtf8|Bool|ENUM.*)$/i;

/**
 * The chart `columns` suggest, or null: two columns, one of them a number; with a date or
 * timestamp beside it a line, with text or a boolean (or a whole number, for classes coded
 * as numbers) beside it and at most {@link MAX_BARS} rows, bars.
 */
export function suggestChart(
  columns: readonly ResultColumn[],
  rows: number,
): ChartSuggestion | null {
  if (columns.length !== 2 || rows < 1) return null;
  const [a, b] = columns as [ResultColumn, ResultColumn];
  for (const [x, y] of [
    [a, b],
    [b, a],
  ] as const) {
    if (!NUMBER.test(y.type)) continue;
    if (TIME.test(x.type)) return { kind: 'line', x: x.name, y: y.name };
    if (rows <= MAX_BARS && (CATEGORY.test(x.type) || /INT/i.test(x.type))) {
      return { kind: 'bar', x: x.name, y: y.name };
    }
  }
  return null;
}
