/**
 * Classification metrics with seeded bootstrap intervals: accuracy, balanced accuracy,
 * per-class precision/recall/F1, the confusion matrix, ROC and AUROC (the positive class for two
 * classes, one-vs-rest for more, with their macro mean), and calibration (ECE and a reliability
 * diagram). Every statistic is computed from row weights, so the point estimate (all weights 1)
 * and each bootstrap replicate (weights = how often each row was drawn) run the same code.
 * The report is plain JSON; docs/format.md ("Evaluation metrics") documents its shape.
 */
import { LakeError } from '../store/errors.ts';
import { interval, replicateWeights, type Estimate } from './bootstrap.ts';
import { reliability, weightedEce, type ReliabilityBin } from './calibration.ts';
import { ascendingOrder, rocCurve, thinCurve, weightedAuroc, type RocPoint } from './roc.ts';

export type { Estimate } from './bootstrap.ts';
export type { ReliabilityBin } from './calibration.ts';
export type { RocPoint } from './roc.ts';

/** What is evaluated: one row per labelled item. */
export interface EvalInput {
  /** Class names; `labels` and the probability columns index them. */
  classes: readonly string[];
  /** True class index of each row, in [0, classes.length). */
  labels: Int32Array;
  /** Probabilities, row-major [rows, classes] (each row sums to 1). */
  probs: Float32Array | Float64Array;
}

/** Options of {@link evaluateMetrics}. */
export interface MetricsOptions {
  /** Bootstrap replicates (default 1000; 0: no intervals). */
  replicates?: number;
  /** Bootstrap seed (default 0). */
  seed?: number;
  /** Interval coverage (default 0.95). */
  level?: number;
  /** Reliability-diagram bins (default 10). */
  bins?: number;
  /** Points kept per ROC curve (default 1000; evenly thinned, AUROC from every row). */
  rocPoints?: number;
}

/** Metrics of one class (one-vs-rest). */
export interface ClassMetrics {
  class: string;
  /** Rows whose label is this class. */
  support: number;
  precision: Estimate;
  recall: Estimate;
  f1: Estimate;
  /** One-vs-rest AUROC of this class's probability. */
  auroc: Estimate;
  /** One-vs-rest ROC curve (empty when the class is absent or is every row; thinned). */
  roc: RocPoint[];
}

/** The metrics report (JSON; see docs/format.md). */
export interface MetricsReport {
  format: 'croissant-lake/metrics';
  formatVersion: 1;
  rows: number;
  classes: string[];
  bootstrap: { replicates: number; seed: number; level: number };
  accuracy: Estimate;
  balancedAccuracy: Estimate;
  /** Rows: true class; columns: predicted class (argmax of the probabilities). */
  confusion: number[][];
  perClass: ClassMetrics[];
  /** For two classes: the AUROC of classes[1]'s probability; otherwise the macro one-vs-rest mean. */
  auroc: Estimate;
  /** The class `auroc` is about (classes[1]), or null for the macro mean. */
  aurocPositive: string | null;
  calibration: { ece: Estimate; bins: ReliabilityBin[] };
}

/** Index of the largest value of row i (the first on a tie). */
export function argmaxRow(probs: ArrayLike<number>, k: number, i: number): number {
  let best = 0;
  for (let c = 1; c < k; c++) if (probs[i * k + c]! > probs[i * k + best]!) best = c;
  return best;
}

/** The statistics of one set of row weights, as a flat vector (see `layout`). */
function statistics(
  y: Int32Array,
  pred: Int32Array,
  k: number,
  w: ArrayLike<number>,
  extra: (w: ArrayLike<number>) => number[],
): { values: number[]; confusion: number[][] } {
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  let total = 0;
  for (let i = 0; i < y.length; i++) {
    if (!w[i]) continue;
    confusion[y[i]!]![pred[i]!]! += w[i]!;
    total += w[i]!;
  }
  let right = 0;
  let recallSum = 0;
  let present = 0;
  const perClass: number[] = [];
  for (let c = 0; c < k; c++) {
    const tp = confusion[c]![c]!;
    right += tp;
    const actual = confusion[c]!.reduce((a, b) => a + b, 0);
    let predicted = 0;
    for (let r = 0; r < k; r++) predicted += confusion[r]![c]!;
    const precision = predicted ? tp / predicted : NaN;
    const recall = actual ? tp / actual : NaN;
    // F1 = 2TP / (2TP + FP + FN): defined (0) when the class is predicted or present at all.
    const f1 = actual + predicted ? (2 * tp) / (actual + predicted) : NaN;
    if (actual) {
      recallSum += recall;
      present++;
    }
    perClass.push(precision, recall, f1);
  }
  const accuracy = total ? right / total : NaN;
  const balanced = present ? recallSum / present : NaN;
  return { values: [accuracy, balanced, ...perClass, ...extra(w)], confusion };
}

/**
 * Evaluates `input` and bootstraps every metric. Undefined values (precision of a class never
 * predicted, AUROC of a class absent from the rows) are null, and replicates where they are
 * undefined are left out of the interval.
 * @throws LakeError BAD_INPUT for no rows, fewer than 2 classes, a label out of range, or
 *   probabilities of the wrong length or not finite (the row is named).
 */
export function evaluateMetrics(input: EvalInput, opts: MetricsOptions = {}): MetricsReport {
  const k = input.classes.length;
  const n = input.labels.length;
  const replicates = opts.replicates ?? 1000;
  const seed = opts.seed ?? 0;
  const level = opts.level ?? 0.95;
  const bins = opts.bins ?? 10;
  check(input, { replicates, level, bins });
  const { labels: y, probs } = input;
  const pred = Int32Array.from({ length: n }, (_, i) => argmaxRow(probs, k, i));
  const confidence = Float64Array.from({ length: n }, (_, i) => probs[i * k + pred[i]!]!);
  const correct = Uint8Array.from({ length: n }, (_, i) => (pred[i] === y[i] ? 1 : 0));
  const ovr = Array.from({ length: k }, (_, c) => {
    const scores = Float64Array.from({ length: n }, (_, i) => probs[i * k + c]!);
    const positive = Uint8Array.from(y, (v) => (v === c ? 1 : 0));
    return { scores, positive, order: ascendingOrder(scores) };
  });
  const extra = (w: ArrayLike<number>): number[] => [
    ...ovr.map((o) => weightedAuroc(o.scores, o.positive, o.order, w)),
    weightedEce(confidence, correct, w, bins),
  ];
  const point = statistics(y, pred, k, new Float64Array(n).fill(1), extra);
  const reps: number[][] = point.values.map(() => []);
  for (const w of replicateWeights(n, replicates, seed)) {
    statistics(y, pred, k, w, extra).values.forEach((v, j) => reps[j]!.push(v));
  }
  const est = (j: number): Estimate => interval(point.values[j]!, reps[j]!, level);
  const aucAt = 2 + 3 * k;
  const perClass = input.classes.map((name, c): ClassMetrics => ({
    class: name,
    support: point.confusion[c]!.reduce((a, b) => a + b, 0),
    precision: est(2 + 3 * c),
    recall: est(3 + 3 * c),
    f1: est(4 + 3 * c),
    auroc: est(aucAt + c),
    roc: thinCurve(rocCurve(ovr[c]!.scores, ovr[c]!.positive), opts.rocPoints ?? 1000),
  }));
  return {
    format: 'croissant-lake/metrics',
    formatVersion: 1,
    rows: n,
    classes: [...input.classes],
    bootstrap: { replicates, seed, level },
    accuracy: est(0),
    balancedAccuracy: est(1),
    confusion: point.confusion,
    perClass,
    auroc: k === 2 ? est(aucAt + 1) : macroAuroc(point.values, reps, aucAt, k, level),
    aurocPositive: k === 2 ? input.classes[1]! : null,
    calibration: {
      ece: est(aucAt + k),
      bins: reliability(confidence, correct, bins),
    },
  };
}

/** The mean of the defined one-vs-rest AUROCs, per replicate. */
function macroAuroc(
  point: number[],
  reps: number[][],
  at: number,
  k: number,
  level: number,
): Estimate {
  const mean = (vals: number[]): number => {
    const ok = vals.filter((v) => Number.isFinite(v));
    return ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : NaN;
  };
  const perRep = reps[at]!.map((_, r) => mean(reps.slice(at, at + k).map((col) => col[r]!)));
  return interval(mean(point.slice(at, at + k)), perRep, level);
}

function check(input: EvalInput, o: { replicates: number; level: number; bins: number }): void {
  const bad = (m: string): never => {
    throw new LakeError('BAD_INPUT', `metrics: ${m}`);
  };
  const k = input.classes.length;
  const n = input.labels.length;
  if (k < 2) bad(`need at least 2 classes, got ${k}`);
  if (n === 0) bad('no labelled rows to evaluate');
  if (input.probs.length !== n * k) {
    bad(`${input.probs.length} probabilities for ${n} rows × ${k} classes`);
  }
  if (!Number.isInteger(o.replicates) || o.replicates < 0 || o.replicates > 100_000) {
    bad(`replicates must be an integer in [0, 100000], got ${o.replicates}`);
  }
  if (!(o.level > 0 && o.level < 1)) bad(`level must be in (0, 1), got ${o.level}`);
  if (!Number.isInteger(o.bins) || o.bins < 1 || o.bins > 1000) {
    bad(`bins must be an integer in [1, 1000], got ${o.bins}`);
  }
  for (let i = 0; i < n; i++) {
    const y = input.labels[i]!;
    if (y < 0 || y >= k) bad(`row ${i}: label index ${y} is not a class index in [0, ${k})`);
    for (let c = 0; c < k; c++) {
      const p = input.probs[i * k + c]!;
      if (!Number.isFinite(p)) bad(`row ${i}: probability of ${input.classes[c]} is ${p}`);
    }
  }
}
