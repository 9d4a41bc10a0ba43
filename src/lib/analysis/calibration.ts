/**
 * Calibration of the predicted class's probability (the confidence): equal-width bins over
 * [0, 1] (a confidence of exactly 1 falls in the last bin), each with its mean confidence and
 * its accuracy: the reliability diagram. The expected calibration error is the row-weighted
 * mean of |accuracy − confidence| over the bins (Guo et al., 2017).
 */

/** One bin of the reliability diagram. */
export interface ReliabilityBin {
  /** Bounds of the bin: [lo, hi), the last one [lo, 1]. */
  lo: number;
  hi: number;
  count: number;
  /** Mean confidence of the rows in the bin; null when it is empty. */
  confidence: number | null;
  /** Fraction of them predicted correctly; null when it is empty. */
  accuracy: number | null;
}

/** The bin of a confidence. */
export function binOf(confidence: number, bins: number): number {
  return Math.min(bins - 1, Math.max(0, Math.floor(confidence * bins)));
}

/** Weighted sums per bin: weight, confidence and correct. */
function sums(
  confidence: ArrayLike<number>,
  correct: Uint8Array,
  w: ArrayLike<number>,
  bins: number,
): Float64Array[] {
  const n = new Float64Array(bins);
  const conf = new Float64Array(bins);
  const acc = new Float64Array(bins);
  for (let i = 0; i < confidence.length; i++) {
    const wi = w[i]!;
    if (!wi) continue;
    const b = binOf(confidence[i]!, bins);
    n[b]! += wi;
    conf[b]! += wi * confidence[i]!;
    acc[b]! += wi * correct[i]!;
  }
  return [n, conf, acc];
}

/** The expected calibration error with row weights; NaN when the weights are all 0. */
export function weightedEce(
  confidence: ArrayLike<number>,
  correct: Uint8Array,
  w: ArrayLike<number>,
  bins: number,
): number {
  const [n, conf, acc] = sums(confidence, correct, w, bins) as [
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  let total = 0;
  let gap = 0;
  for (let b = 0; b < bins; b++) {
    total += n[b]!;
    gap += Math.abs(acc[b]! - conf[b]!);
  }
  return total > 0 ? gap / total : NaN;
}

/** The reliability diagram: `bins` equal-width bins. */
export function reliability(
  confidence: ArrayLike<number>,
  correct: Uint8Array,
  bins: number,
): ReliabilityBin[] {
  const ones = new Float64Array(confidence.length).fill(1);
  const [n, conf, acc] = sums(confidence, correct, ones, bins) as [
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  return Array.from({ length: bins }, (_, b) => ({
    lo: b / bins,
    hi: (b + 1) / bins,
    count: n[b]!,
    confidence: n[b] ? conf[b]! / n[b]! : null,
    accuracy: n[b] ? acc[b]! / n[b]! : null,
  }));
}
