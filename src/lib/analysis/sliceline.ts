/**
 * SliceLine (Sagadeeva and Boehm, SIGMOD 2021): the top-K slices (conjunctions of
 * `feature = code` predicates) where a model's error is worst, by the score
 * `α·((se/|S|)/ē − 1) − (1−α)·(n/|S| − 1)`, enumerated level by level with SystemDS's pruning.
 *
 * Exact against the reference (DataDome/sliceline, whose outputs match SystemDS's golden tests):
 * the conformance fixture in test/fixtures/sliceline/ pins it. Pure and synchronous, with no
 * Node imports, so a worker can run it; `signal` is checked between blocks of candidates.
 */
import { LakeError, checkAborted } from '../store/errors.ts';
import type {
  SliceLineInput,
  SliceLineLevel,
  SliceLineParams,
  SliceLineResult,
  SliceLineSlice,
} from './blindspots-types.ts';
import { buildOneHot, evaluateCandidates, type SliceStats } from './sliceline-bitsets.ts';
import { pairCandidates, sliceScore, type LevelSlices } from './sliceline-candidates.ts';

/**
 * SliceLine's defaults: α 0.95, at most 3 predicates, the top 4. `minSupport` is a row count
 * that depends on the table: the CLI's default is max(ceil(1% of N), 8) rows (the fixture's
 * rule); the value here (8) is only its floor.
 */
export const DEFAULT_SLICELINE: SliceLineParams = { alpha: 0.95, minSupport: 8, maxLevel: 3, k: 4 };

/** The CLI's default minimum support for `rows` rows: max(ceil(1% of rows), 8). */
export function defaultMinSupport(rows: number): number {
  return Math.max(Math.ceil(rows * 0.01), 8);
}

/** Progress of a run: the level being evaluated and how many candidates it has. */
export interface SliceLineProgress {
  level: number;
  candidates: number;
}

export interface SliceLineOptions {
  signal?: AbortSignal;
  /** Called once per level, when its candidates are known and before they are evaluated. */
  onProgress?: (p: SliceLineProgress) => void;
}

/** The most memory the one-hot bitsets may take (the rest of a run is small beside them). */
export const MAX_BITSET_BYTES = 2 ** 30;

const bad = (message: string, detail?: unknown) =>
  new LakeError('BAD_INPUT', `SliceLine: ${message}`, { detail });

/** @throws LakeError BAD_INPUT naming the parameter. */
function checkParams(p: SliceLineParams): void {
  if (!(p.alpha > 0 && p.alpha <= 1)) throw bad(`alpha must be in (0, 1], got ${p.alpha}`);
  if (!(Number.isFinite(p.minSupport) && p.minSupport >= 0)) {
    throw bad(`minSupport must be a row count ≥ 0, got ${p.minSupport}`);
  }
  if (!(Number.isSafeInteger(p.maxLevel) && p.maxLevel >= 1)) {
    throw bad(`maxLevel must be an integer ≥ 1, got ${p.maxLevel}`);
  }
  if (!(Number.isSafeInteger(p.k) && p.k >= 1)) throw bad(`k must be an integer ≥ 1, got ${p.k}`);
}

/**
 * Checks the input's shape, codes and errors.
 * @throws LakeError BAD_INPUT naming the feature (0-based index) and row of the first problem.
 */
export function checkSliceLineInput(input: SliceLineInput): void {
  const { codes, levels, errors } = input;
  const rows = errors.length;
  if (rows === 0) throw bad('the table has no rows');
  if (codes.length === 0) throw bad('the table has no features');
  if (levels.length !== codes.length) {
    throw bad(`${codes.length} feature columns but ${levels.length} level counts`);
  }
  for (let i = 0; i < rows; i++) {
    const e = errors[i]!;
    if (!(Number.isFinite(e) && e >= 0)) {
      throw bad(`row ${i}: the error is ${e}; errors must be finite and ≥ 0`, { row: i });
    }
  }
  let cols = 0;
  for (const l of levels) cols += Number.isSafeInteger(l) && l > 0 ? l : 0;
  const bytes = cols * Math.ceil(rows / 32) * 4;
  if (bytes > MAX_BITSET_BYTES) {
    throw bad(
      `${cols} one-hot columns × ${rows} rows need ${Math.ceil(bytes / 2 ** 20)} MiB of bitsets (at most ${MAX_BITSET_BYTES / 2 ** 20}); use fewer features or fewer levels`,
    );
  }
  codes.forEach((col, feature) => {
    const l = levels[feature]!;
    if (!(Number.isSafeInteger(l) && l >= 1 && l <= 65535)) {
      throw bad(`feature ${feature}: ${l} levels; expected an integer in 1..65535`, { feature });
    }
    if (col.length !== rows) {
      throw bad(`feature ${feature} has ${col.length} rows but the errors have ${rows}`, {
        feature,
      });
    }
    for (let i = 0; i < rows; i++) {
      const c = col[i]!;
      if (c < 1 || c > l) {
        throw bad(`feature ${feature}, row ${i}: code ${c} is outside 1..${l}`, {
          feature,
          row: i,
        });
      }
    }
  });
}

/** One top-K entry: column ids (sorted) and statistics. */
interface Entry {
  ids: Int32Array;
  score: number;
  size: number;
  err: number;
  max: number;
}

/** `a` ranks before `b`: higher score, then fewer predicates, then smaller predicates. */
function before(a: Entry, b: Entry): boolean {
  if (a.score !== b.score) return a.score > b.score;
  if (a.ids.length !== b.ids.length) return a.ids.length < b.ids.length;
  for (let p = 0; p < a.ids.length; p++) {
    if (a.ids[p] !== b.ids[p]) return a.ids[p]! < b.ids[p]!;
  }
  return false;
}

/** The K best slices seen so far, best first. */
class TopK {
  readonly entries: Entry[] = [];
  constructor(private readonly k: number) {}

  /** The lowest score held (−∞ when empty), as SystemDS's `analyzeTopK` gives it. */
  minScore(): number {
    return this.entries.length ? this.entries[this.entries.length - 1]!.score : -Infinity;
  }

  /** True when a slice of this score cannot enter (the top-K is full of better ones). */
  beneath(score: number): boolean {
    return this.entries.length === this.k && score < this.entries[this.k - 1]!.score;
  }

  offer(e: Entry): void {
    const n = this.entries.length;
    if (n === this.k && !before(e, this.entries[n - 1]!)) return;
    let at = n;
    while (at > 0 && before(e, this.entries[at - 1]!)) at--;
    // A copy: `e.ids` views a whole level's array, which should not stay alive for one slice.
    this.entries.splice(at, 0, { ...e, ids: e.ids.slice() });
    if (this.entries.length > this.k) this.entries.pop();
  }
}

/**
 * Finds the top-K slices of `input` (see the module comment).
 *
 * Two places where SystemDS's definition was kept on purpose, because it is the reference:
 * - the score bound that prunes candidates uses the lowest score in the top-K even while the
 *   top-K holds fewer than K slices;
 * - that bound takes `n` as the number of one-hot columns (SystemDS's `n2`), which bounds the
 *   score from above only while n2 ≤ rows; here it is min(n2, rows), identical in every table
 *   with more rows than one-hot columns and still a true bound in the others.
 *
 * @throws LakeError BAD_INPUT for bad parameters or input (naming the feature and row),
 *   ABORTED when `opts.signal` fires.
 */
export function sliceLine(
  input: SliceLineInput,
  params: SliceLineParams,
  opts: SliceLineOptions = {},
): SliceLineResult {
  const steps = sliceLineSteps(input, params, opts);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * `sliceLine`, giving the event loop a turn about every `yieldEveryMs` milliseconds of work
 * (default 50), between blocks of candidates: in a worker, the message that cancels a run
 * (aborting `opts.signal`) is then handled while it runs.
 * @throws LakeError as `sliceLine`.
 */
export async function sliceLineAsync(
  input: SliceLineInput,
  params: SliceLineParams,
  opts: SliceLineOptions & { yieldEveryMs?: number } = {},
): Promise<SliceLineResult> {
  const every = opts.yieldEveryMs ?? 50;
  const steps = sliceLineSteps(input, params, opts);
  let last = performance.now();
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (performance.now() - last >= every) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      last = performance.now();
    }
  }
}

/** The run, pausing between blocks of candidates (each pause is a `yield`). */
function* sliceLineSteps(
  input: SliceLineInput,
  params: SliceLineParams,
  opts: SliceLineOptions,
): Generator<void, SliceLineResult> {
  checkParams(params);
  checkSliceLineInput(input);
  checkAborted(opts.signal);
  const { alpha, minSupport: minSup, k } = params;
  const oh = buildOneHot(input);
  const rows = oh.rows;
  const eAvg = oh.errorTotal / rows;
  const top = new TopK(k);
  const levels: SliceLineLevel[] = [];

  // Level 1: every (feature, code) column; the valid ones are the working set.
  opts.onProgress?.({ level: 1, candidates: oh.cols });
  let parents = validSlices(
    Int32Array.from({ length: oh.cols }, (_, c) => c),
    1,
    oh.cols,
    { size: oh.colSize, err: oh.colError, max: oh.colMax },
    minSup,
  );
  offerAll(top, parents, alpha, eAvg, rows);
  levels.push({ level: 1, candidates: oh.cols, valid: parents.count });

  const lastLevel = Math.min(input.codes.length, params.maxLevel);
  let level = 1;
  while (parents.count > 0 && level < lastLevel) {
    level++;
    checkAborted(opts.signal);
    const cands = yield* pairCandidates(parents, oh.colFeature, {
      minSup,
      alpha,
      eAvg,
      n: Math.min(oh.cols, rows),
      minScore: top.minScore(),
    });
    opts.onProgress?.({ level, candidates: cands.count });
    const stats = yield* evaluateCandidates(oh, cands, opts.signal);
    parents = validSlices(cands.ids, cands.width, cands.count, stats, minSup);
    offerAll(top, parents, alpha, eAvg, rows);
    levels.push({ level, candidates: cands.count, valid: parents.count });
  }

  return {
    top: top.entries.map((e) => toSlice(e, oh.colFeature, oh.colCode)),
    levels,
    averageError: eAvg,
    rows,
  };
}

/** The slices with at least minSup rows and a positive error sum (SystemDS's `pI`), in order. */
function validSlices(
  ids: Int32Array,
  width: number,
  count: number,
  stats: SliceStats,
  minSup: number,
): LevelSlices {
  let n = 0;
  for (let c = 0; c < count; c++) if (stats.size[c]! >= minSup && stats.err[c]! > 0) n++;
  const out: LevelSlices = {
    width,
    count: n,
    ids: new Int32Array(n * width),
    size: new Float64Array(n),
    err: new Float64Array(n),
    max: new Float64Array(n),
  };
  for (let c = 0, i = 0; c < count; c++) {
    if (!(stats.size[c]! >= minSup && stats.err[c]! > 0)) continue;
    for (let p = 0; p < width; p++) out.ids[i * width + p] = ids[c * width + p]!;
    out.size[i] = stats.size[c]!;
    out.err[i] = stats.err[c]!;
    out.max[i] = stats.max[c]!;
    i++;
  }
  return out;
}

/** Offers every valid slice with a positive score to the top-K (SystemDS `maintainTopK`). */
function offerAll(top: TopK, s: LevelSlices, alpha: number, eAvg: number, rows: number): void {
  for (let i = 0; i < s.count; i++) {
    const score = sliceScore(alpha, eAvg, rows, s.size[i]!, s.err[i]!);
    // Cheap refusals first: most slices of a level score below the top-K.
    if (!(score > 0) || top.beneath(score)) continue;
    const entry = {
      ids: s.ids.subarray(i * s.width, (i + 1) * s.width),
      score,
      size: s.size[i]!,
      err: s.err[i]!,
      max: s.max[i]!,
    };
    top.offer(entry);
  }
}

function toSlice(e: Entry, colFeature: Int32Array, colCode: Int32Array): SliceLineSlice {
  return {
    predicates: Array.from(e.ids, (c) => ({ feature: colFeature[c]!, code: colCode[c]! })),
    score: e.score,
    size: e.size,
    errorSum: e.err,
    maxError: e.max,
  };
}
