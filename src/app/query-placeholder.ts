/**
 * The WHERE box's example, made from the explored record set itself: a number column compared
 * with a value from the middle of its range and a category column equal to its most frequent
 * value (a text one when there is one), as the column statistics found them
 * (`e.g. kvp > 120 AND site = 'A'`). Before the
 * statistics are in, a column of the record set; never another dataset's columns.
 */
import type { ColumnPlan } from '../lib/query/stats-plan.ts';
import { ident, literal } from '../lib/query/sql.ts';

/** Names that can be written without quotes (DuckDB folds unquoted names' case). */
const BARE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Keywords that need quotes as column names (the ones likely in datasets). */
const RESERVED = new Set(
  'all and any array as asc case cast check collate column constraint create default desc distinct do else end except false fetch for foreign from grant group having in initially intersect into lateral leading limit not null offset on only or order placing primary references returning select some symmetric table then to trailing true union unique using variadic when where window with'.split(
    ' ',
  ),
);

/** A column name as it can be typed in SQL: bare when it may be, else quoted. */
export function sqlColumnName(name: string): string {
  return BARE.test(name) && !RESERVED.has(name.toLowerCase()) ? name : ident(name);
}

/** A round value from the middle of a number chart's bins. */
function middle(plan: ColumnPlan): number | null {
  const b = plan.binning;
  if (!b) return null;
  const v = b.lo + b.width * Math.floor(b.bins / 2);
  return b.integer ? Math.round(v) : Number(v.toPrecision(3));
}

/**
 * The WHERE example for a record set with these columns (SQL names, `_rowid` first) and, once
 * computed, these chart plans.
 */
export function wherePlaceholder(
  columns: readonly { name: string }[],
  plans: readonly ColumnPlan[] = [],
): string {
  const parts: string[] = [];
  // Charts of a column's own value (not an image's width, a text's length).
  const own = plans.filter((p) => p.expr === ident(p.column));
  const number = own.find((p) => p.kind === 'number' && middle(p) !== null);
  if (number) parts.push(`${sqlColumnName(number.column)} > ${literal(middle(number))}`);
  // A category of text first (the example then shows how a string is written), then any.
  const categories = own.filter((p) => p.kind === 'category');
  const text = categories.find((p) => p.categories?.some((v) => typeof v === 'string'));
  const category = text ?? categories.find((p) => p.categories?.some((v) => v !== null));
  if (category) {
    const value = text
      ? category.categories!.find((v) => typeof v === 'string')!
      : category.categories!.find((v) => v !== null)!;
    parts.push(`${sqlColumnName(category.column)} = ${literal(value)}`);
  }
  if (parts.length) return `e.g. ${parts.join(' AND ')}`;
  const first = columns.find((c) => c.name !== '_rowid');
  return first ? `e.g. ${sqlColumnName(first.name)} IS NOT NULL` : 'a SQL condition on the columns';
}
