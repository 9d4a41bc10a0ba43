/**
 * The pieces of a blind-spot report that are plain arithmetic over the evaluated rows: the error
 * vector an analysis slices (`zero-one`, `loss`, `class:<name>`), the parameters checked and
 * filled in, a mean with its seeded bootstrap interval, and SliceLine's top-K turned into ranked
 * {@link ReportSlice}s (predicates in words and in SQL, error rate with its CI, sample errors).
 */
import { LakeError } from '../store/errors.ts';
import { interval, replicateWeights, type Estimate } from './bootstrap.ts';
import type {
  BlindspotParams,
  FeatureTable,
  ReportPredicate,
  ReportSlice,
  SliceLineResult,
  SlicePredicate,
} from './blindspots-types.ts';

/** Bootstrap replicates of every interval of a report. */
export const REPORT_REPLICATES = 1000;
/** Sample errors kept per slice or cluster, for an image grid. */
export const SAMPLE_ERRORS = 16;
/** The smallest slice SliceLine may return, whatever the fraction asks: fewer rows say little. */
export const MIN_SUPPORT_ROWS = 8;

const bad = (m: string) => new LakeError('BAD_INPUT', m);

/**
 * `params` checked, defaults filled in: α in (0, 1], minimum support a fraction in (0, 1),
 * maximum level and K positive integers, a non-negative integer seed, a known error kind.
 * @throws LakeError BAD_INPUT naming the parameter and the value given.
 */
export function checkParams(
  defaults: BlindspotParams,
  given: Partial<BlindspotParams> = {},
): BlindspotParams {
  const p: BlindspotParams = { ...defaults };
  for (const [k, v] of Object.entries(given)) {
    if (v !== undefined) (p as unknown as Record<string, unknown>)[k] = v;
  }
  if (!(p.alpha > 0 && p.alpha <= 1)) bad0('alpha', p.alpha, 'a number in (0, 1]');
  if (!(p.minSupport > 0 && p.minSupport < 1)) {
    bad0('minSupport', p.minSupport, 'a fraction of the rows in (0, 1)');
  }
  if (!(Number.isSafeInteger(p.maxLevel) && p.maxLevel >= 1)) {
    bad0('maxLevel', p.maxLevel, 'an integer ≥ 1');
  }
  if (!(Number.isSafeInteger(p.k) && p.k >= 1)) bad0('k', p.k, 'an integer ≥ 1');
  if (!(Number.isSafeInteger(p.seed) && p.seed >= 0)) bad0('seed', p.seed, 'an integer ≥ 0');
  if (p.columns !== null && (!Array.isArray(p.columns) || !p.columns.length)) {
    bad0('columns', p.columns, 'null (every column) or a non-empty list of feature names');
  }
  parseErrorKind(p.error);
  return p;
}

function bad0(name: string, v: unknown, want: string): never {
  throw bad(`parameter ${name} must be ${want}, got ${JSON.stringify(v)}`);
}

/** An error kind, parsed. */
export type ErrorKind = { kind: 'zero-one' } | { kind: 'loss' } | { kind: 'class'; name: string };

/** Parses `zero-one`, `loss` or `class:<name>`. */
export function parseErrorKind(s: string): ErrorKind {
  if (s === 'zero-one' || s === 'loss') return { kind: s };
  if (typeof s === 'string' && s.startsWith('class:') && s.length > 6) {
    return { kind: 'class', name: s.slice(6) };
  }
  throw bad(`parameter error must be zero-one, loss or class:NAME, got ${JSON.stringify(s)}`);
}

/** What the error of each evaluated row is computed from. */
export interface ErrorInput {
  /** 1 when the prediction was right, else 0. */
  correct: ArrayLike<number>;
  /** Cross-entropy of the label (finite, ≥ 0). */
  loss: ArrayLike<number>;
  /** The label of each row. */
  target: readonly string[];
  /** The label values known (for `class:`). */
  classes: readonly string[];
}

/**
 * The error of each row: `zero-one` 1 − correct; `loss` the row's loss; `class:NAME` 1 where
 * the label is NAME and the prediction was wrong, else 0 (the errors of that class).
 * @throws LakeError BAD_INPUT for a class the labels do not have, or a loss that is not finite.
 */
export function errorVector(kind: ErrorKind, x: ErrorInput): Float64Array {
  const n = x.correct.length;
  const out = new Float64Array(n);
  if (kind.kind === 'class' && !x.classes.includes(kind.name)) {
    throw bad(
      `error class:${kind.name}: the labels have no class "${kind.name}"; they have ${x.classes.join(', ')}`,
    );
  }
  for (let i = 0; i < n; i++) {
    if (kind.kind === 'zero-one') out[i] = 1 - x.correct[i]!;
    else if (kind.kind === 'class') out[i] = x.target[i] === kind.name ? 1 - x.correct[i]! : 0;
    else {
      const l = x.loss[i]!;
      if (!(l >= 0 && Number.isFinite(l)))
        throw bad(`row ${i} has loss ${l}; error loss needs a finite loss ≥ 0`);
      out[i] = l;
    }
  }
  return out;
}

/** The mean of `values[rows]` (every value when `rows` is absent), with its bootstrap interval. */
export function meanEstimate(
  values: Float64Array,
  seed: number,
  rows?: Int32Array,
  replicates = REPORT_REPLICATES,
): Estimate {
  const v = rows ? Float64Array.from(rows, (r) => values[r]!) : values;
  const n = v.length;
  if (!n) return { value: null, lo: null, hi: null };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += v[i]!;
  const reps: number[] = [];
  for (const w of replicateWeights(n, replicates, seed)) {
    let s = 0;
    for (let i = 0; i < n; i++) s += w[i]! * v[i]!;
    reps.push(s / n);
  }
  return interval(sum / n, reps, 0.95);
}

/** The rows (indices) matching every predicate of a slice, in storage order. */
export function sliceRows(table: FeatureTable, predicates: readonly SlicePredicate[]): Int32Array {
  const n = table.rowIds.length;
  const cols = predicates.map((p) => ({ codes: table.features[p.feature]!.codes, code: p.code }));
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (cols.every((c) => c.codes[i] === c.code)) out.push(i);
  return Int32Array.from(out);
}

/** Up to {@link SAMPLE_ERRORS} `_rowid`s of the rows with the largest error (ties: storage order). */
export function sampleErrors(
  rowIds: BigInt64Array,
  errors: Float64Array,
  rows: Int32Array,
): string[] {
  return Array.from(rows)
    .filter((r) => errors[r]! > 0)
    .sort((a, b) => errors[b]! - errors[a]! || a - b)
    .slice(0, SAMPLE_ERRORS)
    .map((r) => String(rowIds[r]!));
}

/** The SQL of a slice over the evaluation branch: its predicates joined with AND (null if any has none). */
export function sliceSql(predicates: readonly ReportPredicate[]): string | null {
  if (predicates.some((p) => p.sql === null)) return null;
  return predicates.map((p) => `(${p.sql})`).join(' AND ');
}

/** The minimum support in rows: the fraction of `rows`, rounded up, at least {@link MIN_SUPPORT_ROWS}. */
export function minSupportRows(fraction: number, rows: number): number {
  return Math.max(Math.ceil(fraction * rows), MIN_SUPPORT_ROWS);
}

/**
 * How many slices SliceLine is asked for so that `k` slices of distinct rows remain: slices
 * that differ only by implied predicates (`site = Lakeside and manufacturer = Kestrel` where
 * every Lakeside scanner is a Kestrel) hold the same rows and score alike.
 */
export function slicesToAsk(k: number): number {
  return k * 3;
}

/** A key of a set of row indices: equal sets, equal keys. */
function rowsKey(rows: Int32Array): string {
  return `${rows.length}:${rows.join(',')}`;
}

/**
 * SliceLine's top slices as ranked report slices, each with its error rate's bootstrap
 * interval, at most `k` of them. A slice holding exactly the rows of one ranked before it is
 * not a slice of its own: it is named in that one's `sameRows` (SliceLine ranks ties by fewer
 * predicates first, so the one kept is the shortest).
 */
export function reportSlices(
  table: FeatureTable,
  errors: Float64Array,
  result: SliceLineResult,
  seed: number,
  k = result.top.length,
): ReportSlice[] {
  const out: ReportSlice[] = [];
  const byRows = new Map<string, ReportSlice>();
  for (const s of result.top) {
    const predicates = s.predicates.map((p): ReportPredicate => {
      const f = table.features[p.feature]!;
      return {
        feature: f.name,
        level: f.levels[p.code - 1]!,
        sql: f.predicates[p.code - 1] ?? null,
      };
    });
    const text = predicates.map((p) => `${p.feature} = ${p.level}`).join(' and ');
    const rows = sliceRows(table, s.predicates);
    const key = rowsKey(rows);
    const same = byRows.get(key);
    if (same) {
      (same.sameRows ??= []).push(text);
      continue;
    }
    if (out.length === k) continue;
    const slice: ReportSlice = {
      rank: out.length + 1,
      predicates,
      text,
      size: rows.length,
      errorRate: meanEstimate(errors, seed, rows),
      score: s.score,
      sampleErrors: sampleErrors(table.rowIds, errors, rows),
    };
    byRows.set(key, slice);
    out.push(slice);
  }
  return out;
}

/** The class predicted most and its share of the rows with a prediction (none: {}). */
export function topPredicted(predicted: readonly (string | null)[]): {
  topPredicted?: { value: string; share: number };
} {
  const counts = new Map<string, number>();
  let n = 0;
  for (const p of predicted) {
    if (p === null) continue;
    counts.set(p, (counts.get(p) ?? 0) + 1);
    n++;
  }
  let top: [string, number] | null = null;
  for (const c of counts) if (!top || c[1] > top[1]) top = c;
  return top ? { topPredicted: { value: top[0], share: top[1] / n } } : {};
}
