/**
 * SliceLine's lattice side: the score, its upper bound, and the level-L candidates made by
 * joining level-(L−1) slices that share L−2 predicates, pruned as SystemDS's `sliceLine.dml`
 * (`getPairedCandidates`, `scoreUB`) prunes them.
 */
import type { Candidates } from './sliceline-bitsets.ts';

/** Slices of one level with their statistics; `ids` holds `width` sorted column ids per slice. */
export interface LevelSlices {
  width: number;
  count: number;
  ids: Int32Array;
  size: Float64Array;
  err: Float64Array;
  max: Float64Array;
}

/**
 * SliceLine's score `α·((se/|S|)/ē − 1) − (1−α)·(n/|S| − 1)`, in the reference's order of
 * operations; NaN (an empty slice) is −∞ as in the reference.
 */
export function sliceScore(
  alpha: number,
  eAvg: number,
  rows: number,
  size: number,
  errSum: number,
): number {
  const sc = alpha * (errSum / size / eAvg - 1) - (1 - alpha) * (rows / size - 1);
  return Number.isNaN(sc) ? -Infinity : sc;
}

/**
 * Upper bound of the score of any slice below parents whose smallest size, error sum and
 * largest error are `ss`, `se`, `sm` (SystemDS `scoreUB`). The score is monotone between the
 * probes minSup, max(se/sm, minSup) and ss, so its maximum over them bounds it. `n` is what
 * the reference passes: the number of one-hot columns (see `sliceLine` for why it is capped).
 */
export function scoreUpperBound(
  ss: number,
  se: number,
  sm: number,
  eAvg: number,
  minSup: number,
  alpha: number,
  n: number,
): number {
  // Written out, not as a closure: this runs once per candidate pair.
  const s2 = Math.max(se / sm, minSup);
  const a =
    alpha * (Math.min(minSup * sm, se) / minSup / eAvg - 1) - (1 - alpha) * ((1 / minSup) * n - 1);
  const b = alpha * (Math.min(s2 * sm, se) / s2 / eAvg - 1) - (1 - alpha) * ((1 / s2) * n - 1);
  const c = alpha * (Math.min(ss * sm, se) / ss / eAvg - 1) - (1 - alpha) * ((1 / ss) * n - 1);
  // NaN (a probe at 0 rows) never wins, as the reference replaces NaN by −∞.
  let best = -Infinity;
  if (a > best) best = a;
  if (b > best) best = b;
  if (c > best) best = c;
  return best;
}

/** What the pruning of one level needs. */
export interface PruneParams {
  minSup: number;
  alpha: number;
  eAvg: number;
  /** The `n` of `scoreUpperBound`. */
  n: number;
  /** The lowest score in the top-K before this level (−∞ when it is empty). */
  minScore: number;
}

/** Growable Int32Array. */
class Ints {
  data = new Int32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

/** Index of the slice whose ids equal `key` (`parents` sorted lexicographically), or −1. */
function find(parents: LevelSlices, key: Int32Array): number {
  const w = parents.width;
  const ids = parents.ids;
  let lo = 0;
  let hi = parents.count - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    let cmp = 0;
    for (let p = 0; p < w && cmp === 0; p++) cmp = ids[mid * w + p]! - key[p]!;
    if (cmp === 0) return mid;
    if (cmp < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * Level-(w+1) candidates from the valid level-w slices `parents` (sorted lexicographically).
 *
 * Two parents that share their first w−1 columns and end on different features make a
 * candidate; it is kept only when all of its w+1 parents are valid slices (SystemDS's
 * "missing parents" pruning: a candidate made from any two of its parents is the same
 * candidate, so generating it from the pair that shares its prefix, then looking up the
 * others, yields exactly SystemDS's deduplicated set). Its size, error and largest-error
 * bounds are the minimum over all its parents, and it is kept when the score bound beats
 * both 0 and the top-K's lowest score, and its size bound reaches minSup.
 *
 * Candidates come out sorted lexicographically and grouped by their first parent. A generator
 * that pauses after each first parent, so that an async caller can let other work in.
 */
export function* pairCandidates(
  parents: LevelSlices,
  colFeature: Int32Array,
  prune: PruneParams,
): Generator<void, Candidates> {
  const w = parents.width;
  const width = w + 1;
  const { ids, size, err, max, count } = parents;
  const out = new Ints();
  const first = new Ints();
  const cand = new Int32Array(width);
  const sub = new Int32Array(w);
  let g = 0;
  while (g < count) {
    // The group of parents sharing the first w−1 columns.
    let gEnd = g + 1;
    while (gEnd < count && samePrefix(ids, g, gEnd, w)) gEnd++;
    for (let i = g; i < gEnd; i++) {
      const lastI = ids[i * w + w - 1]!;
      for (let j = i + 1; j < gEnd; j++) {
        const lastJ = ids[j * w + w - 1]!;
        if (colFeature[lastI] === colFeature[lastJ]) continue;
        for (let p = 0; p < w; p++) cand[p] = ids[i * w + p]!;
        cand[w] = lastJ;
        let ss = Math.min(size[i]!, size[j]!);
        let se = Math.min(err[i]!, err[j]!);
        let sm = Math.min(max[i]!, max[j]!);
        let complete = true;
        for (let drop = 0; drop < w - 1 && complete; drop++) {
          for (let p = 0, q = 0; p < width; p++) if (p !== drop) sub[q++] = cand[p]!;
          const k = find(parents, sub);
          if (k < 0) complete = false;
          else {
            ss = Math.min(ss, size[k]!);
            se = Math.min(se, err[k]!);
            sm = Math.min(sm, max[k]!);
          }
        }
        if (!complete || ss < prune.minSup) continue;
        const ub = scoreUpperBound(ss, se, sm, prune.eAvg, prune.minSup, prune.alpha, prune.n);
        if (!(ub > prune.minScore && ub > 0)) continue;
        for (let p = 0; p < width; p++) out.push(cand[p]!);
        first.push(i);
      }
      yield;
    }
    g = gEnd;
  }
  return {
    width,
    count: first.length,
    ids: out.data.slice(0, out.length),
    firstParent: first.data.slice(0, first.length),
  };
}

function samePrefix(ids: Int32Array, a: number, b: number, w: number): boolean {
  for (let p = 0; p < w - 1; p++) if (ids[a * w + p] !== ids[b * w + p]) return false;
  return true;
}
