/**
 * The order of the statistics panel's charts: the columns that tell something first, constant
 * columns last. From first to last:
 *
 * 0. the label (its class balance);
 * 1. other categories: few distinct values, each with its count;
 * 2. numbers and dates with a real spread (more than one value), except integer keys;
 * 3. text and list lengths, integer keys (every value distinct: an id), anything else;
 * 4. constant columns (one value) and empty ones (all null).
 *
 * Within a rank, the record set's own column order is kept.
 */
import type { ColumnPlan } from './stats-plan.ts';

/** Share of distinct values above which an integer column is taken for a key (an id). */
const KEY_SHARE = 0.95;

/** The rank of a chart (see the module comment); lower comes first. */
export function chartRank(plan: ColumnPlan): number {
  const p = plan.profile;
  if (p && (p.nonNull === 0 || p.constant)) return 4;
  if (plan.kind === 'category') return plan.isLabel ? 0 : 1;
  const key =
    p !== undefined &&
    plan.type === 'int64' &&
    p.nonNull > 1 &&
    p.distinct >= KEY_SHARE * p.nonNull;
  if ((plan.kind === 'number' || plan.kind === 'date') && !key) return 2;
  return 3;
}

/** `plans` in the panel's order (a new array; the order within a rank is kept). */
export function orderCharts(plans: readonly ColumnPlan[]): ColumnPlan[] {
  return plans
    .map((plan, i) => ({ plan, i, rank: chartRank(plan) }))
    .sort((a, b) => a.rank - b.rank || a.i - b.i)
    .map((x) => x.plan);
}
