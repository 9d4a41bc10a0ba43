/**
 * Quantile bins with readable edges, for coding a numeric column (./features.ts). The cuts are
 * the column's quantiles rounded to one significant digit of its range (two, three or four when
 * coarser rounding would merge bins), so a bin reads `[120, 140)` rather than `[118.37, 141.02)`. Bins left empty
 * by the rounding are merged into a neighbour: every bin holds at least one value.
 */

/** Numeric bins over a column: `edges[0] ≤ v < edges[1]`, …, the last bin closed. */
export interface Bins {
  /** Bin edges, ascending; bins are `[edges[i], edges[i+1])`, the last `[.., edges[n]]`. */
  edges: number[];
}

/** A number as written in labels and SQL: round-trips, and drops float noise like `0.30000000000000004`. */
export function clean(v: number): number {
  return Number(v.toPrecision(12));
}

/** Index of the bin of `v` (which must lie within the outer edges). */
export function binOf(bins: Bins, v: number): number {
  const e = bins.edges;
  // Binary search for the last edge ≤ v, capped at the last bin (closed on the right).
  let lo = 0;
  let hi = e.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (e[mid]! <= v) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** How many sorted values fall in each bin. */
function counts(sorted: readonly number[], cuts: readonly number[]): number[] {
  const out = new Array<number>(cuts.length + 1).fill(0);
  let b = 0;
  for (const v of sorted) {
    while (b < cuts.length && v >= cuts[b]!) b++;
    out[b]!++;
  }
  return out;
}

/** Drops cuts until no bin is empty (a cut whose left or right bin is empty goes). */
function dropEmpty(sorted: readonly number[], cuts: number[]): number[] {
  for (;;) {
    const c = counts(sorted, cuts);
    const empty = c.findIndex((n) => n === 0);
    if (empty < 0) return cuts;
    // Bin i lies between cuts i-1 and i; removing either merges it with a neighbour.
    cuts.splice(empty === cuts.length ? empty - 1 : empty, 1);
  }
}

/** The cuts rounded to multiples of `step`, deduplicated, strictly inside (min, max]. */
function rounded(raw: readonly number[], step: number, min: number, max: number): number[] {
  const out: number[] = [];
  for (const r of raw) {
    const c = clean(Math.round(r / step) * step);
    if (c > min && c <= max && (out.length === 0 || c > out[out.length - 1]!)) out.push(c);
  }
  return out;
}

/** First index of `sorted` whose value is ≥ `v`, searching from `from`. */
function lowerBound(sorted: readonly number[], v: number, from: number): number {
  let lo = from;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Equal-frequency cuts: each cut is the quantile of the values not yet binned, for the bins
 * left. A run of ties at a bin's start pushes the cut past it, and the rest are re-spread, so
 * a column that is 90% zeros still gets bins above zero.
 */
function rawCuts(sorted: readonly number[], bins: number): number[] {
  const n = sorted.length;
  const cuts: number[] = [];
  let start = 0;
  for (let left = bins; left > 1 && start < n; left--) {
    let q = sorted[start + Math.floor((n - start) / left)]!;
    if (q <= sorted[start]!) {
      const next = lowerBound(sorted, sorted[start]!, start);
      const above = sorted.findIndex((v, i) => i >= next && v > sorted[start]!);
      if (above < 0) break;
      q = sorted[above]!;
    }
    cuts.push(q);
    start = lowerBound(sorted, q, start);
  }
  return cuts;
}

/**
 * Quantile bins of `sorted` (ascending, finite, at least two distinct values) into at most
 * `bins` bins with readable edges. The outer edges are min and max rounded outwards to the same
 * step, so labels stay short and every value lies within them.
 */
export function quantileBins(sorted: readonly number[], bins: number): Bins {
  const n = sorted.length;
  const min = sorted[0]!;
  const max = sorted[n - 1]!;
  const raw = rawCuts(sorted, bins);
  const wanted = dropEmpty(sorted, [...raw]).length;
  const integers = sorted.every((v) => Number.isInteger(v));
  const magnitude = Math.floor(Math.log10(max - min));
  let cuts: number[] = [];
  let step = 1;
  for (let digits = 1; digits <= 4; digits++) {
    step = 10 ** (magnitude - digits + 1);
    if (integers) step = Math.max(1, step);
    cuts = dropEmpty(sorted, rounded(raw, step, min, max));
    if (cuts.length >= wanted) break;
  }
  let lo = clean(Math.floor(min / step) * step);
  if (lo > min) lo = clean(lo - step);
  let hi = clean(Math.ceil(max / step) * step);
  if (hi < max) hi = clean(hi + step);
  return { edges: [lo, ...cuts, hi] };
}

/** The label of bin `i`: `[120, 140)`, the last one closed `[140, 160]`. */
export function binLabel(bins: Bins, i: number): string {
  const e = bins.edges;
  const last = i === e.length - 2;
  return `[${e[i]}, ${e[i + 1]}${last ? ']' : ')'}`;
}
