/**
 * A seeded percentile bootstrap over rows, as count vectors: replicate b draws n rows with
 * replacement from `rngFor(seed, 0, b, 'bootstrap')` (the pipeline's seeded streams), and a
 * statistic reads the count of each row as its weight. Statistics computed from weights need no
 * copy of the data per replicate, and the same seed gives the same interval everywhere.
 */
import { randomInt, rngFor } from '../pipeline/rng.ts';

/** A point estimate with its bootstrap interval; null where the statistic is undefined. */
export interface Estimate {
  value: number | null;
  /** Lower bound of the interval (the 2.5th percentile of the replicates for 95%). */
  lo: number | null;
  /** Upper bound of the interval. */
  hi: number | null;
}

/** How the bootstrap runs. */
export interface BootstrapOptions {
  /** Replicates (default 1000). */
  replicates: number;
  seed: number;
  /** Coverage of the interval (default 0.95). */
  level: number;
}

/** The weight vectors of a bootstrap: `ones` for the point estimate, then each replicate. */
export function* replicateWeights(
  n: number,
  replicates: number,
  seed: number,
): Generator<Float64Array, void, undefined> {
  const w = new Float64Array(n);
  for (let b = 0; b < replicates; b++) {
    w.fill(0);
    const rng = rngFor(seed, 0, BigInt(b), 'bootstrap');
    for (let i = 0; i < n; i++) w[randomInt(rng, n)]! += 1;
    yield w;
  }
}

/**
 * The `q` quantile of sorted values, interpolated linearly between order statistics (type 7
 * of Hyndman & Fan, the default of R and numpy).
 */
export function quantile(sorted: readonly number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const i = Math.floor(h);
  const a = sorted[i]!;
  const b = sorted[Math.min(i + 1, sorted.length - 1)]!;
  return a + (h - i) * (b - a);
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

/**
 * The percentile interval of replicate values (NaN replicates, where the statistic is
 * undefined on that resample, are left out), around the point estimate `value`.
 */
export function interval(value: number, reps: readonly number[], level: number): Estimate {
  const ok = reps.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const tail = (1 - level) / 2;
  return {
    value: finite(value),
    lo: ok.length ? quantile(ok, tail) : null,
    hi: ok.length ? quantile(ok, 1 - tail) : null,
  };
}
