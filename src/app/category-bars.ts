/**
 * The geometry of a category bar chart (CategoryBars.svelte). Each row is the category's name over
 * its bar, and its count in a column of its own to the right: the bars are scaled to the track
 * left of that column, so the longest ends where the column begins, and the column is as wide as
 * the longest count any row can show (the unfiltered ones: a filter only lowers them), so a count
 * is never drawn over a bar's end or cut, and does not move when the filter changes. The rows
 * are lines of their own, so counts never meet each other.
 */
import type { FacetValue } from '../lib/query/facets.ts';
import type { ColumnStats } from '../lib/query/stats.ts';

/** One category's row. */
export interface BarRow {
  value: FacetValue;
  /** Its filtered and unfiltered counts, once computed. */
  count: number | undefined;
  baseCount: number | undefined;
  /** Its filtered count as shown (`1,404`), `…` while it is computed. */
  label: string;
  /** The unfiltered and filtered bars' lengths, as shares of the track (0 to 1). */
  base: number;
  filtered: number;
}

export interface BarLayout {
  rows: BarRow[];
  /** The count column's width, in characters (`ch` of tabular digits). */
  labelChars: number;
}

/** A count as the chart shows it. */
export const countLabel = (n: number | undefined): string => n?.toLocaleString('en-US') ?? '…';

/** The rows of `categories` under these statistics, and the room their counts need. */
export function barLayout(
  categories: readonly FacetValue[],
  base: ColumnStats | null,
  filtered: ColumnStats | null,
): BarLayout {
  const countOf = (s: ColumnStats | null, i: number) => s?.categories?.[i]?.count;
  const max = Math.max(
    1,
    ...categories.map((_, i) => Math.max(countOf(base, i) ?? 0, countOf(filtered, i) ?? 0)),
  );
  const rows = categories.map((value, i) => ({
    value,
    count: countOf(filtered, i),
    baseCount: countOf(base, i),
    label: countLabel(countOf(filtered, i)),
    base: (countOf(base, i) ?? 0) / max,
    filtered: (countOf(filtered, i) ?? 0) / max,
  }));
  // The ellipsis is wider than a digit: two characters' room at least.
  const widest = categories.map((_, i) =>
    Math.max(countLabel(countOf(base, i)).length, countLabel(countOf(filtered, i)).length),
  );
  return { rows, labelChars: Math.max(2, ...widest) };
}
