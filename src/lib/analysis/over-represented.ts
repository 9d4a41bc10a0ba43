/**
 * Which metadata values a group of rows (an embedding cluster) has far more of than the whole
 * table: for every feature level, lift = P(level | group) / P(level) and support = rows of the
 * group with that level. A level explains the group only when it is common in the group, clearly
 * over-represented, and unlikely to be so by chance among all the levels and groups tested
 * (docs/blindspots.md, "Clusters").
 */
import type { Explanation, FeatureTable } from './blindspots-types.ts';

/** The thresholds a level must pass to explain a group. */
export interface ExplainThresholds {
  /** Minimum lift (default 1.5). */
  minLift: number;
  /** Minimum rows of the group with the level (default 5). */
  minSupport: number;
  /** Minimum share of the group with the level, P(level | group) (default 0.25). */
  minShare: number;
  /** Family-wise significance of the binomial test, Bonferroni-corrected (default 0.05). */
  alpha: number;
  /** Explanations kept per group, best first (default 5). */
  maxExplanations: number;
}

export const DEFAULT_EXPLAIN: ExplainThresholds = {
  minLift: 1.5,
  minSupport: 5,
  minShare: 0.25,
  alpha: 0.05,
  maxExplanations: 5,
};

/** ln(i!) for i = 0..n. */
function logFactorials(n: number): Float64Array {
  const out = new Float64Array(n + 1);
  for (let i = 2; i <= n; i++) out[i] = out[i - 1]! + Math.log(i);
  return out;
}

/**
 * P(X ≥ s) for X ~ Binomial(m, q): the chance that a random group of m rows has at least s rows
 * of a level whose overall share is q. Summed in log space from s upwards until the terms stop
 * mattering.
 */
export function binomialTail(s: number, m: number, q: number, lf: Float64Array): number {
  if (s <= 0) return 1;
  if (q >= 1) return 1;
  if (q <= 0) return 0;
  const lq = Math.log(q);
  const l1q = Math.log1p(-q);
  let sum = 0;
  for (let x = s; x <= m; x++) {
    const t = Math.exp(lf[m]! - lf[x]! - lf[m - x]! + x * lq + (m - x) * l1q);
    sum += t;
    if (x > m * q && t < sum * 1e-17) break; // past the mode the terms only shrink
  }
  return Math.min(1, sum);
}

/**
 * Per group, the levels that explain it, best first (lift, then support, then feature and
 * level order). `group[i]` is row i's group, 0..groups-1.
 */
export function explainGroups(
  table: FeatureTable,
  group: Int32Array,
  groups: number,
  t: ExplainThresholds = DEFAULT_EXPLAIN,
): Explanation[][] {
  const n = group.length;
  const sizes = new Int32Array(groups);
  for (const g of group) sizes[g]!++;
  const lf = logFactorials(n);
  const tests = table.features.reduce((s, f) => s + f.levels.length, 0) * groups;
  const out: (Explanation & { f: number; c: number })[][] = Array.from(
    { length: groups },
    () => [],
  );
  table.features.forEach((feature, f) => {
    const levels = feature.levels.length;
    const overall = new Int32Array(levels + 1);
    const joint = new Int32Array(groups * (levels + 1));
    for (let i = 0; i < n; i++) {
      const c = feature.codes[i]!;
      overall[c]!++;
      joint[group[i]! * (levels + 1) + c]!++;
    }
    for (let g = 0; g < groups; g++) {
      for (let c = 1; c <= levels; c++) {
        const support = joint[g * (levels + 1) + c]!;
        const share = support / sizes[g]!;
        const lift = share / (overall[c]! / n);
        if (support < t.minSupport || share < t.minShare || !(lift >= t.minLift)) continue;
        if (binomialTail(support, sizes[g]!, overall[c]! / n, lf) > t.alpha / tests) continue;
        out[g]!.push({ feature: feature.name, level: feature.levels[c - 1]!, lift, support, f, c });
      }
    }
  });
  return out.map((list) =>
    list
      .sort((a, b) => b.lift - a.lift || b.support - a.support || a.f - b.f || a.c - b.c)
      .slice(0, t.maxExplanations)
      .map(({ feature, level, lift, support }) => ({ feature, level, lift, support })),
  );
}
