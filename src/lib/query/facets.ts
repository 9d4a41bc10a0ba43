/**
 * Facets: filters picked on a chart (a set of values, or a range) turned into SQL WHERE
 * predicates, and the predicate of a whole filter (the user's own WHERE text and every facet).
 * Facet expressions come from stats.ts (quoted identifiers) and values go through
 * {@link literal}, so no user text is spliced into SQL here except the WHERE the user typed,
 * which is user SQL by nature and only ever runs read-only.
 */
import { instantText } from './binning.ts';
import { literal } from './sql.ts';

/** A value a facet can select. */
export type FacetValue = string | number | boolean | null;

interface FacetBase {
  /** The column (SQL name) the facet is on: one facet per column. */
  column: string;
  /** What the chart showed, e.g. `age` or `name (length)`. */
  label: string;
  /** The SQL expression whose values were charted, e.g. `"age"` or `length("name")`. */
  expr: string;
  /** Keep the rows that do NOT match (an exclusion criterion). */
  exclude: boolean;
}

/** Rows whose value is one of `values`. */
export interface ValuesFacet extends FacetBase {
  kind: 'values';
  values: FacetValue[];
}

/** Rows whose value lies in `[lo, hi)`, or `[lo, hi]` when `closed`. */
export interface RangeFacet extends FacetBase {
  kind: 'range';
  lo: number;
  hi: number;
  closed: boolean;
  /** The values are times in ms since the epoch (shown as dates). */
  dates?: boolean;
}

export type Facet = ValuesFacet | RangeFacet;

/** The SQL predicate of one facet. NULLs are kept by an exclusion unless it names NULL. */
export function facetPredicate(f: Facet): string {
  if (f.kind === 'range') {
    const inside = `${f.expr} >= ${literal(f.lo)} AND ${f.expr} ${f.closed ? '<=' : '<'} ${literal(f.hi)}`;
    return f.exclude ? `(${f.expr} IS NULL OR NOT (${inside}))` : `(${inside})`;
  }
  const values = f.values.filter((v) => v !== null);
  const withNull = values.length !== f.values.length;
  const list = values.map((v) => literal(v)).join(', ');
  if (!f.exclude) {
    const parts = [
      ...(list ? [`${f.expr} IN (${list})`] : []),
      ...(withNull ? [`${f.expr} IS NULL`] : []),
    ];
    return parts.length ? `(${parts.join(' OR ')})` : 'FALSE';
  }
  if (withNull)
    return list
      ? `(${f.expr} IS NOT NULL AND ${f.expr} NOT IN (${list}))`
      : `(${f.expr} IS NOT NULL)`;
  return list ? `(${f.expr} IS NULL OR ${f.expr} NOT IN (${list}))` : 'TRUE';
}

/**
 * The predicate of a filter: the user's WHERE text (on lines of its own, so a trailing `--`
 * comment ends there) and each facet, joined with AND. Facets on `skipColumn` are left out: a
 * chart is filtered by every filter but its own (cross-filtering). Empty when nothing filters.
 */
export function filterPredicate(
  where: string,
  facets: readonly Facet[],
  skipColumn?: string,
): string {
  const parts: string[] = [];
  if (where.trim()) parts.push(facets.length ? `(\n${where.trim()}\n)` : where.trim());
  for (const f of facets) if (f.column !== skipColumn) parts.push(facetPredicate(f));
  return parts.join('\nAND ');
}

/** A short text of a facet for its chip: `sex = female`, `age in [20, 30)`, `class ≠ 3`. */
export function describeFacet(f: Facet): string {
  if (f.kind === 'range') {
    const format = (v: number) => (f.dates ? instantText(v) : String(Number(v.toPrecision(6))));
    const range = `[${format(f.lo)}, ${format(f.hi)}${f.closed ? ']' : ')'}`;
    return `${f.label} ${f.exclude ? 'not in' : 'in'} ${range}`;
  }
  // NULL as the tables show it (NullMark), and the empty text visibly so.
  const shown = f.values.map((v) => (v === null ? 'NULL' : v === '' ? "''" : String(v)));
  if (shown.length === 1) return `${f.label} ${f.exclude ? '≠' : '='} ${shown[0]}`;
  return `${f.label} ${f.exclude ? 'not in' : 'in'} {${shown.join(', ')}}`;
}

/** `facets` with the facet on `facet.column` replaced by `facet` (added when there was none). */
export function withFacet(facets: readonly Facet[], facet: Facet): Facet[] {
  const at = facets.findIndex((f) => f.column === facet.column);
  if (at < 0) return [...facets, facet];
  return facets.map((f, i) => (i === at ? facet : f));
}

/**
 * Toggles `value` in the values facet of a column: added when absent, removed when present (the
 * facet goes away with its last value).
 */
export function toggleValue(
  facets: readonly Facet[],
  base: Omit<ValuesFacet, 'values' | 'kind' | 'exclude'>,
  value: FacetValue,
): Facet[] {
  const current = facets.find((f) => f.column === base.column);
  if (current?.kind !== 'values') {
    return withFacet(facets, { ...base, kind: 'values', values: [value], exclude: false });
  }
  const values = current.values.includes(value)
    ? current.values.filter((v) => v !== value)
    : [...current.values, value];
  if (!values.length) return facets.filter((f) => f.column !== base.column);
  return withFacet(facets, { ...current, values });
}
