/**
 * Coding one metadata column as a {@link CodedFeature} (./features.ts has the rules): its levels,
 * each level's SQL predicate, and each row's code.
 */
import { LakeError } from '../store/errors.ts';
import { ident, literal } from '../query/sql.ts';
import type { CodedFeature, FeatureSource } from './blindspots-types.ts';
import { binLabel, binOf, quantileBins } from './features-bins.ts';

/** A cell of a metadata column as the feature builder takes it. */
export type FeatureValue = string | number | boolean | bigint | null;

/** The level of missing values. */
export const MISSING = '(missing)';
/** The level of the text values past the most frequent ones. */
export const OTHER = '(other)';

/** How columns are coded. */
export interface CodeOptions {
  /** Text values kept before `(other)` (default 10). */
  maxLevels?: number;
  /** Quantile bins of a numeric column (default 5). */
  bins?: number;
  /** A numeric column with at most this many distinct values is categorical (default 10). */
  categorical?: number;
}

/** Null, NaN and empty text. */
export function isMissing(v: FeatureValue): boolean {
  return v === null || v === '' || (typeof v === 'number' && Number.isNaN(v));
}

/** Code-point order, so levels sort the same in every locale. */
function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What kind of column the non-missing values make. */
export function kindOf(values: readonly FeatureValue[]): 'number' | 'boolean' | 'text' {
  let kind: 'number' | 'boolean' | 'text' | null = null;
  for (const v of values) {
    if (isMissing(v)) continue;
    const k = typeof v === 'string' ? 'text' : typeof v === 'boolean' ? 'boolean' : 'number';
    if (kind !== null && kind !== k) return 'text';
    kind = k;
  }
  return kind ?? 'text';
}

/** The SQL that selects missing values of `col`: NULL, and NaN or '' where the column had them. */
function missingSql(col: string, values: readonly FeatureValue[], kind: string): string {
  if (kind === 'text') return `(${col} IS NULL OR ${col} = '')`;
  const nan = values.some((v) => typeof v === 'number' && Number.isNaN(v));
  return nan ? `(${col} IS NULL OR isnan(${col}))` : `${col} IS NULL`;
}

/** Level labels, predicates and codes being assembled. */
class Coder {
  readonly levels: string[] = [];
  readonly predicates: (string | null)[] = [];
  add(label: string, sql: string | null): number {
    this.levels.push(label);
    this.predicates.push(sql);
    return this.levels.length;
  }
}

/** Level of each present value; `sql` makes a level's predicate from the quoted column. */
type Leveller = (v: FeatureValue) => number;
type Sql = (predicate: (col: string) => string) => string | null;

/** One level per value (at most `categorical` of them), else quantile bins. */
function numberLevels(
  values: readonly FeatureValue[],
  coder: Coder,
  sql: Sql,
  bins: number,
  categorical: number,
): Leveller | null {
  const nums = values.filter((v) => !isMissing(v)).map(Number);
  const distinct = [...new Set(nums)].sort((a, b) => a - b);
  if (distinct.length === 0) return null;
  if (distinct.length <= categorical) {
    const code = new Map(
      distinct.map((d) => [
        d,
        coder.add(
          String(d),
          sql((c) => `${c} = ${literal(d)}`),
        ),
      ]),
    );
    return (v) => code.get(Number(v))!;
  }
  nums.sort((a, b) => a - b);
  const b = quantileBins(nums, bins);
  const first = coder.levels.length + 1;
  for (let i = 0; i + 1 < b.edges.length; i++) {
    const lo = literal(b.edges[i]!);
    const hi = literal(b.edges[i + 1]!);
    const upper = i + 2 === b.edges.length ? '<=' : '<';
    coder.add(
      binLabel(b, i),
      sql((c) => `${c} >= ${lo} AND ${c} ${upper} ${hi}`),
    );
  }
  return (v) => first + binOf(b, Number(v));
}

function booleanLevels(values: readonly FeatureValue[], coder: Coder, sql: Sql): Leveller {
  const seen = [false, true].filter((x) => values.includes(x));
  const code = new Map(
    seen.map((x) => [
      x,
      coder.add(
        String(x),
        sql((c) => `${c} = ${literal(x)}`),
      ),
    ]),
  );
  return (v) => code.get(v as boolean)!;
}

/** The `maxLevels` most frequent values (ties by value), the rest `(other)`. */
function textLevels(
  values: readonly FeatureValue[],
  coder: Coder,
  sql: Sql,
  maxLevels: number,
): Leveller | null {
  const count = new Map<string, number>();
  for (const v of values) {
    if (!isMissing(v)) count.set(String(v), (count.get(String(v)) ?? 0) + 1);
  }
  if (count.size === 0) return null;
  const top = [...count]
    .sort((a, b) => b[1] - a[1] || byText(a[0], b[0]))
    .slice(0, maxLevels)
    .map(([v]) => v)
    .sort(byText);
  const code = new Map(
    top.map((t) => [
      t,
      coder.add(
        t,
        sql((c) => `${c} = ${literal(t)}`),
      ),
    ]),
  );
  let other = 0;
  if (count.size > top.length) {
    const list = top.map((t) => literal(t)).join(', ');
    // '' is missing, not other; NULL is excluded by NOT IN itself.
    other = coder.add(
      OTHER,
      sql((c) => `${c} NOT IN (${list}) AND ${c} <> ''`),
    );
  }
  return (v) => code.get(String(v)) ?? other;
}

/**
 * Codes one column. `values` holds one cell per row (row `i` gets `codes[i]`); `column` is the
 * column's SQL name in the evaluation branch (unquoted), or null when it is not a column there,
 * in which case every predicate is null.
 */
export function codeFeature(
  name: string,
  source: FeatureSource,
  column: string | null,
  values: readonly FeatureValue[],
  opts: CodeOptions = {},
): CodedFeature {
  const maxLevels = opts.maxLevels ?? 10;
  const bins = opts.bins ?? 5;
  if (!(maxLevels >= 1 && bins >= 2)) {
    throw new LakeError('BAD_INPUT', `feature ${name}: maxLevels must be ≥ 1 and bins ≥ 2`);
  }
  const col = column === null ? null : ident(column);
  const sql: Sql = (p) => (col === null ? null : p(col));
  const kind = kindOf(values);
  const coder = new Coder();
  const present =
    kind === 'number'
      ? numberLevels(values, coder, sql, bins, opts.categorical ?? 10)
      : kind === 'boolean'
        ? booleanLevels(values, coder, sql)
        : textLevels(values, coder, sql, maxLevels);
  // Missing values (or a column with no value at all) last.
  const codes = new Uint16Array(values.length);
  let missing = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (isMissing(v) || !present) {
      if (!missing)
        missing = coder.add(
          MISSING,
          sql((c) => missingSql(c, values, kind)),
        );
      codes[i] = missing;
    } else codes[i] = present(v);
  }
  return { name, source, column: col, levels: coder.levels, predicates: coder.predicates, codes };
}
