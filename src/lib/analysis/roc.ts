/**
 * ROC curves and the area under them. Equal scores form one step of the curve (a diagonal
 * segment), so the area is the Mann–Whitney probability that a positive outscores a negative,
 * ties counting one half: the trapezoidal area, as scikit-learn's `roc_auc_score` gives.
 */

/** One point of a ROC curve: rows scoring at least `threshold` are called positive. */
export interface RocPoint {
  fpr: number;
  tpr: number;
  /** The score threshold; the first point (nothing called positive) has `null` (+∞). */
  threshold: number | null;
}

/** Row indices sorted by ascending score (stable), the order {@link weightedAuroc} expects. */
export function ascendingOrder(scores: ArrayLike<number>): Uint32Array {
  const order = Uint32Array.from({ length: scores.length }, (_, i) => i);
  return order.sort((a, b) => scores[a]! - scores[b]! || a - b);
}

/**
 * AUROC with row weights (bootstrap counts): `positive[i]` says whether row i is a positive,
 * `order` is {@link ascendingOrder} of the scores. NaN when the weights hold no positive or no
 * negative.
 */
export function weightedAuroc(
  scores: ArrayLike<number>,
  positive: Uint8Array,
  order: Uint32Array,
  w: ArrayLike<number>,
): number {
  let auc = 0;
  let negBelow = 0;
  let pos = 0;
  for (let k = 0; k < order.length;) {
    const s = scores[order[k]!]!;
    let p = 0;
    let n = 0;
    for (; k < order.length && scores[order[k]!] === s; k++) {
      const i = order[k]!;
      if (positive[i]) p += w[i]!;
      else n += w[i]!;
    }
    auc += p * negBelow + 0.5 * p * n;
    negBelow += n;
    pos += p;
  }
  return pos > 0 && negBelow > 0 ? auc / (pos * negBelow) : NaN;
}

/**
 * The ROC curve of `scores` for the rows where `positive` is 1: one point per distinct score,
 * from (0, 0) to (1, 1). Empty when the rows hold no positive or no negative.
 */
export function rocCurve(scores: ArrayLike<number>, positive: Uint8Array): RocPoint[] {
  const order = ascendingOrder(scores);
  let P = 0;
  for (const p of positive) P += p;
  const N = positive.length - P;
  if (!P || !N) return [];
  const out: RocPoint[] = [{ fpr: 0, tpr: 0, threshold: null }];
  let tp = 0;
  let fp = 0;
  for (let k = order.length - 1; k >= 0;) {
    const s = scores[order[k]!]!;
    for (; k >= 0 && scores[order[k]!] === s; k--) {
      if (positive[order[k]!]) tp++;
      else fp++;
    }
    out.push({ fpr: fp / N, tpr: tp / P, threshold: s });
  }
  return out;
}

/**
 * At most `max` points of a curve, evenly spaced along it, the first and last kept: for
 * plotting and JSON. The area is computed from every row, never from a thinned curve.
 */
export function thinCurve(points: RocPoint[], max: number): RocPoint[] {
  if (points.length <= max || max < 2) return points;
  return Array.from(
    { length: max },
    (_, i) => points[Math.round((i * (points.length - 1)) / (max - 1))]!,
  );
}
