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
import type { CodedFeature, FeatureSource, FeatureTable } from './blindspots-types.ts';
import {
  codeFeature,
  isMissing,
  kindOf,
  MISSING,
  OTHER,
  type CodeOptions,
  type FeatureValue,
} from './features-code.ts';

export { MISSING, OTHER, codeFeature } from './features-code.ts';
export type { CodeOptions, FeatureValue } from './features-code.ts';

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
  /**
   * SliceLine's minimum support in rows: without `columns`, a column none of whose values
   * (`(other)` and `(missing)` aside) holds that many rows is left out, since its only slices
   * would be "every other value" (a patient id with a few images each).
   */
  minSupport?: number;
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

/** Why no value of `f` can make a slice of `minSupport` rows, or null when one can. */
function unsliceable(f: CodedFeature, minSupport: number | undefined): string | null {
  if (!minSupport) return null;
  const counts = new Uint32Array(f.levels.length + 1);
  for (const c of f.codes) counts[c]!++;
  const real = f.levels.findIndex(
    (l, i) => l !== OTHER && l !== MISSING && counts[i + 1]! >= minSupport,
  );
  if (real >= 0) return null;
  return `no value holds the minimum support of ${minSupport} rows (only ${OTHER} or ${MISSING} could be sliced)`;
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
    const no = useless(c, f, opts) ?? (opts.columns ? null : unsliceable(f, opts.minSupport));
    if (no) skipped.push({ name, reason: no });
    else features.push(f);
  }
  return { table: { rowIds: input.rowIds, features }, skipped };
}
