/** How the Evaluate panel writes numbers: an estimate with its bootstrap interval. */
import type { MetricsReport } from '../../../../workers/api/model.api.ts';

type Estimate = MetricsReport['accuracy'];

/** A value on [0, 1] as a percentage with one decimal ('–' when undefined). */
export const pct = (v: number | null): string =>
  v === null || !Number.isFinite(v) ? '–' : `${(v * 100).toFixed(1)}%`;

/** A value with three decimals ('–' when undefined). */
export const dec = (v: number | null): string =>
  v === null || !Number.isFinite(v) ? '–' : v.toFixed(3);

/** `value [lo, hi]` in the given format; the interval left out when there is none. */
export function withCi(e: Estimate, f: (v: number | null) => string = pct): string {
  if (e.lo === null || e.hi === null) return f(e.value);
  return `${f(e.value)} [${f(e.lo)}, ${f(e.hi)}]`;
}
