/**
 * What a blind-spot analysis slices (issue 15 §1): every metadata column of the evaluated rows
 * coded as small integers ({@link CodedFeature}, SystemDS's convention), with readable levels and,
 * per level, the SQL predicate that selects exactly its rows.
 *
 * - A missing value (null, NaN, empty text) is a level of its own, `(missing)`, always last.
 * - Numbers with at most `categorical` distinct values, and booleans, keep one level per value
 *   in ascending order; other numbers are binned by quantiles with readable edges
 *   (./features-bins.ts).
 * - Text keeps its `maxLevels` most frequent values (ties by value), in code-point order, and
 *   puts the rest in `(other)`.
 *
 * Columns that cannot be features are left out by {@link buildFeatureTable}, with the reason.
 */
import { LakeError } from '../store/errors.ts';
import { ident, literal } from '../query/sql.ts';
import type { CodedFeature, FeatureSource, FeatureTable } from './blindspots-types.ts';
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

function isMissing(v: FeatureValue): boolean {
  return v === null || v === '' || (typeof v === 'number' && Number.isNaN(v));
}

/** Code-point order, so levels sort the same in every locale. */
function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What kind of column the non-missing values make. */
function kindOf(values: readonly FeatureValue[]): 'number' | 'boolean' | 'text' {
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
  const categorical = opts.categorical ?? 10;
  if (!(maxLevels >= 1 && bins >= 2)) {
    throw new LakeError('BAD_INPUT', `feature ${name}: maxLevels must be ≥ 1 and bins ≥ 2`);
  }
  const col = column === null ? null : ident(column);
  const sql = (s: () => string): string | null => (col === null ? null : s());
  const kind = kindOf(values);
  const coder = new Coder();
  const codes = new Uint16Array(values.length);
  // Per row, the level of its value; missing rows are filled in last.
  const present: ((v: FeatureValue) => number) | null = (() => {
    if (kind === 'number') {
      const nums = values.filter((v) => !isMissing(v)).map(Number);
      const distinct = [...new Set(nums)].sort((a, b) => a - b);
      if (distinct.length === 0) return null;
      if (distinct.length <= categorical) {
        const code = new Map(
          distinct.map((d) => [
            d,
            coder.add(
              String(d),
              sql(() => `${col} = ${literal(d)}`),
            ),
          ]),
        );
        return (v) => code.get(Number(v))!;
      }
      nums.sort((a, b) => a - b);
      const b = quantileBins(nums, bins);
      const first = coder.levels.length + 1;
      for (let i = 0; i + 1 < b.edges.length; i++) {
        const lo = b.edges[i]!;
        const hi = b.edges[i + 1]!;
        const last = i + 2 === b.edges.length;
        coder.add(
          binLabel(b, i),
          sql(() => `${col} >= ${literal(lo)} AND ${col} ${last ? '<=' : '<'} ${literal(hi)}`),
        );
      }
      return (v) => first + binOf(b, Number(v));
    }
    if (kind === 'boolean') {
      const seen = [false, true].filter((x) => values.includes(x));
      const code = new Map(
        seen.map((x) => [
          x,
          coder.add(
            String(x),
            sql(() => `${col} = ${literal(x)}`),
          ),
        ]),
      );
      return (v) => code.get(v as boolean)!;
    }
    const count = new Map<string, number>();
    for (const v of values)
      if (!isMissing(v)) count.set(String(v), (count.get(String(v)) ?? 0) + 1);
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
          sql(() => `${col} = ${literal(t)}`),
        ),
      ]),
    );
    let other = 0;
    if (count.size > top.length) {
      const list = top.map((t) => literal(t)).join(', ');
      other = coder.add(
        OTHER,
        sql(() => `${col} NOT IN (${list}) AND ${col} <> ''`),
      );
    }
    return (v) => code.get(String(v)) ?? other;
  })();
  let missing = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (isMissing(v) || !present) {
      if (!missing)
        missing = coder.add(
          MISSING,
          sql(() => missingSql(col!, values, kind)),
        );
      codes[i] = missing;
    } else codes[i] = present(v);
  }
  return { name, source, column: col, levels: coder.levels, predicates: coder.predicates, codes };
}

/** One column of the evaluated rows, as {@link buildFeatureTable} takes it. */
export interface FeatureColumn {
  /** The name people read (`scanner_model`, `dicom.Manufacturer`, `image.noise`). */
  name: string;
  source: FeatureSource;
  /** Its SQL name in the evaluation branch (unquoted), or null. */
  column: string | null;
  /** The lake's column type when known (`image` and `blob` columns are never features). */
  type?: string;
  values: readonly FeatureValue[];
}

/** The evaluated rows and their metadata columns. */
export interface FeatureInput {
  rowIds: BigInt64Array;
  columns: readonly FeatureColumn[];
}

/** Options of {@link buildFeatureTable}. */
export interface FeatureTableOptions extends CodeOptions {
  /** Names of the columns to use (null or absent: every column that can be a feature). */
  columns?: readonly string[] | null;
}

/** A column left out of the feature table, and why. */
export interface SkippedColumn {
  name: string;
  reason: string;
}

/** The feature table, and the columns left out of it. */
export interface BuiltFeatures {
  table: FeatureTable;
  skipped: SkippedColumn[];
}

const VECTOR_NAMES = /(^|[/._ -])(embedding|embeddings|probabilities|probs)$/i;
const ID_NAMES = /(^|[/._ -])(_?rowid|id|ids|index|idx|uuid|key)$/i;

/** Why a column cannot be a feature, before coding it (null: it may be one). */
function unusable(c: FeatureColumn): string | null {
  if (c.type === 'image') return 'an image column';
  if (c.type === 'blob') return 'a bytes column';
  if (c.type === 'timestamp') return 'a timestamp column (not sliced)';
  if (VECTOR_NAMES.test(c.name)) return 'a vector column (embedding or probabilities)';
  const first = c.values.find((v) => !isMissing(v));
  if (typeof first === 'string' && /^\s*\[\s*-?[\d.]/.test(first)) return 'a vector column';
  return null;
}

/** Why a coded column is not worth slicing (null: it is a feature). */
function useless(c: FeatureColumn, f: CodedFeature, opts: CodeOptions): string | null {
  if (f.levels.length < 2) return `constant (${f.levels[0] ?? 'no rows'} for every row)`;
  const present = c.values.filter((v) => !isMissing(v));
  const distinct = new Set(present.map((v) => String(v))).size;
  const kind = kindOf(c.values);
  const many = distinct === present.length && present.length > (opts.categorical ?? 10);
  // Nine values in ten distinct: ids, file names, paths (a few repeats must not hide one).
  const mostly = distinct >= 0.9 * present.length && present.length > (opts.categorical ?? 10);
  if (kind === 'text' && mostly) {
    return `identifier-like: ${distinct} distinct values in ${present.length} rows (ids, file names, paths)`;
  }
  if (kind === 'number' && many && ID_NAMES.test(c.name)) {
    return `identifier-like: every one of ${present.length} values distinct`;
  }
  return null;
}

/**
 * Codes every usable column of the evaluated rows (or those of `opts.columns`, in that order)
 * into a {@link FeatureTable}. Columns that cannot be features are left out with a reason:
 * images, bytes, timestamps, vectors, constants, and identifier-like columns (every value
 * distinct: ids, file names, paths); so are names in `opts.columns` that no column has.
 */
export function buildFeatureTable(
  input: FeatureInput,
  opts: FeatureTableOptions = {},
): BuiltFeatures {
  const n = input.rowIds.length;
  const byName = new Map<string, FeatureColumn>();
  for (const c of input.columns) {
    if (c.values.length !== n) {
      throw new LakeError(
        'BAD_INPUT',
        `feature column ${c.name} has ${c.values.length} value(s) for ${n} evaluated row(s)`,
      );
    }
    if (byName.has(c.name))
      throw new LakeError('BAD_INPUT', `two feature columns are named ${c.name}`);
    byName.set(c.name, c);
  }
  const skipped: SkippedColumn[] = [];
  const wanted = opts.columns ?? input.columns.map((c) => c.name);
  const features: CodedFeature[] = [];
  for (const name of wanted) {
    const c = byName.get(name);
    const why = c ? unusable(c) : 'no such column among the evaluated rows';
    if (why || !c) {
      skipped.push({ name, reason: why! });
      continue;
    }
    const f = codeFeature(c.name, c.source, c.column, c.values, opts);
    const no = useless(c, f, opts);
    if (no) skipped.push({ name, reason: no });
    else features.push(f);
  }
  return { table: { rowIds: input.rowIds, features }, skipped };
}
