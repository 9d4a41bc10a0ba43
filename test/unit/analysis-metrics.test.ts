/**
 * Classification metrics against cases worked by hand in the comments (ties included), and the
 * bootstrap interval against the normal approximation of a binomial proportion.
 */
import { describe, expect, it } from 'vitest';
import { quantile } from '../../src/lib/analysis/bootstrap.ts';
import { evaluateMetrics, type EvalInput } from '../../src/lib/analysis/metrics.ts';
import { rocCurve } from '../../src/lib/analysis/roc.ts';
import { LakeError } from '../../src/lib/store/errors.ts';

/**
 * Six rows, classes neg/pos; p(pos) = 0.9, 0.6, 0.6, 0.2, 0.4, 0.1 for labels pos, pos, neg,
 * neg, pos, neg. Rows 1 and 2 tie at 0.6 with different labels.
 *   predicted: pos, pos, pos, neg, neg, neg → correct: 1 1 0 1 0 1 → accuracy 4/6.
 *   confusion (true × predicted): neg [2, 1], pos [1, 2]; every precision/recall/F1 is 2/3.
 *   AUROC(pos): 9 (pos, neg) pairs; 0.9 beats 3; 0.6 beats 2 and ties 1 (½); 0.4 beats 2
 *   → 7.5 / 9 = 5/6. AUROC(neg) by symmetry also 5/6.
 *   ROC(pos): (0,0) → t=0.9 (0,⅓) → t=0.6 (⅓,⅔) → t=0.4 (⅓,1) → t=0.2 (⅔,1) → t=0.1 (1,1).
 *   Calibration, 10 bins: confidences 0.9 0.6 0.6 0.8 0.6 0.9. Bin 6 holds rows 1, 2, 4
 *   (accuracy ⅓, confidence 0.6), bin 8 row 3 (1, 0.8), bin 9 rows 0, 5 (1, 0.9).
 *   ECE = (3·|⅓ − 0.6| + 1·0.2 + 2·0.1) / 6 = (0.8 + 0.2 + 0.2) / 6 = 0.2.
 */
const binary: EvalInput = {
  classes: ['neg', 'pos'],
  labels: Int32Array.from([1, 1, 0, 0, 1, 0]),
  probs: Float64Array.from([0.1, 0.9, 0.4, 0.6, 0.4, 0.6, 0.8, 0.2, 0.6, 0.4, 0.9, 0.1]),
};

/**
 * Three classes a, b, c; rows (label: probabilities → predicted):
 *   a: .7 .2 .1 → a;  b: .5 .3 .2 → a;  c: .2 .3 .5 → c;  a: .6 .1 .3 → a.
 *   accuracy 3/4; recalls a 1, b 0, c 1 → balanced 2/3. b is never predicted: precision
 *   undefined (null), F1 = 2·0/(1 + 0) = 0.
 *   AUROC a: positives .7 .6 over negatives .5 .2 → 1. b: .3 over .2 (1), .3 (½), .1 (1) → 2.5/3.
 *   c: .5 over .1 .2 .3 → 1. Macro mean (1 + 5/6 + 1)/3 = 17/18.
 */
const three: EvalInput = {
  classes: ['a', 'b', 'c'],
  labels: Int32Array.from([0, 1, 2, 0]),
  probs: Float64Array.from([0.7, 0.2, 0.1, 0.5, 0.3, 0.2, 0.2, 0.3, 0.5, 0.6, 0.1, 0.3]),
};

describe('classification metrics', () => {
  it('binary: accuracy, confusion, per-class, AUROC with a tie, ROC, ECE (worked above)', () => {
    const r = evaluateMetrics(binary, { replicates: 200, seed: 3 });
    expect(r.rows).toBe(6);
    expect(r.accuracy.value).toBeCloseTo(4 / 6, 12);
    expect(r.balancedAccuracy.value).toBeCloseTo(2 / 3, 12);
    expect(r.confusion).toEqual([
      [2, 1],
      [1, 2],
    ]);
    for (const c of r.perClass) {
      expect(c.support).toBe(3);
      expect(c.precision.value).toBeCloseTo(2 / 3, 12);
      expect(c.recall.value).toBeCloseTo(2 / 3, 12);
      expect(c.f1.value).toBeCloseTo(2 / 3, 12);
      expect(c.auroc.value).toBeCloseTo(5 / 6, 12);
    }
    expect(r.aurocPositive).toBe('pos');
    expect(r.auroc.value).toBeCloseTo(5 / 6, 12);
    const roc = r.perClass[1]!.roc.map((p) => [p.fpr, p.tpr, p.threshold]);
    const third = 1 / 3;
    expect(roc).toEqual([
      [0, 0, null],
      [0, third, 0.9],
      [third, 2 * third, 0.6],
      [third, 1, 0.4],
      [2 * third, 1, 0.2],
      [1, 1, 0.1],
    ]);
    expect(r.calibration.ece.value).toBeCloseTo(0.2, 12);
    const bins = r.calibration.bins;
    expect(bins).toHaveLength(10);
    expect(bins.map((b) => b.count)).toEqual([0, 0, 0, 0, 0, 0, 3, 0, 1, 2]);
    expect(bins[6]).toMatchObject({ lo: 0.6, hi: 0.7 });
    expect(bins[6]!.accuracy).toBeCloseTo(1 / 3, 12);
    expect(bins[6]!.confidence).toBeCloseTo(0.6, 12);
    expect(bins[0]).toMatchObject({ confidence: null, accuracy: null });
    for (const e of [r.accuracy, r.balancedAccuracy, r.auroc, r.calibration.ece]) {
      expect(e.lo).not.toBeNull();
      expect(e.lo!).toBeLessThanOrEqual(e.hi!);
    }
  });

  it('three classes: a class never predicted has null precision; macro one-vs-rest AUROC', () => {
    const r = evaluateMetrics(three, { replicates: 0 });
    expect(r.accuracy).toEqual({ value: 0.75, lo: null, hi: null });
    expect(r.balancedAccuracy.value).toBeCloseTo(2 / 3, 12);
    expect(r.confusion).toEqual([
      [2, 0, 0],
      [1, 0, 0],
      [0, 0, 1],
    ]);
    const b = r.perClass[1]!;
    expect(b.precision.value).toBeNull();
    expect(b.recall.value).toBe(0);
    expect(b.f1.value).toBe(0);
    expect(r.perClass[0]!.precision.value).toBeCloseTo(2 / 3, 12);
    expect(r.perClass.map((c) => c.auroc.value)).toEqual([1, 2.5 / 3, 1]);
    expect(r.aurocPositive).toBeNull();
    expect(r.auroc.value).toBeCloseTo(17 / 18, 12);
  });

  it('ROC of a ranking with every score tied is the diagonal, AUROC ½', () => {
    const scores = [0.5, 0.5, 0.5, 0.5];
    const positive = Uint8Array.from([1, 0, 1, 0]);
    expect(rocCurve(scores, positive)).toEqual([
      { fpr: 0, tpr: 0, threshold: null },
      { fpr: 1, tpr: 1, threshold: 0.5 },
    ]);
    const r = evaluateMetrics(
      {
        classes: ['x', 'y'],
        labels: Int32Array.from([1, 0, 1, 0]),
        probs: Float64Array.from([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]),
      },
      { replicates: 0 },
    );
    expect(r.auroc.value).toBe(0.5);
  });

  it('the bootstrap interval of an 80% accuracy over 400 rows matches p ± 1.96·√(p(1−p)/n)', () => {
    // 320 right, 80 wrong: SE = √(0.8·0.2/400) = 0.02, so the 95% interval is about
    // [0.7608, 0.8392]; 1000 replicates estimate each bound to within about ±0.005.
    const n = 400;
    const labels = Int32Array.from({ length: n }, (_, i) => i % 2);
    const probs = new Float64Array(n * 2);
    for (let i = 0; i < n; i++) {
      const right = i % 5 !== 0;
      const p = right === (labels[i] === 1) ? 0.8 : 0.2;
      probs[2 * i] = 1 - p;
      probs[2 * i + 1] = p;
    }
    const r = evaluateMetrics({ classes: ['0', '1'], labels, probs }, { seed: 11 });
    expect(r.accuracy.value).toBeCloseTo(0.8, 12);
    expect(r.accuracy.lo!).toBeGreaterThan(0.7608 - 0.012);
    expect(r.accuracy.lo!).toBeLessThan(0.7608 + 0.012);
    expect(r.accuracy.hi!).toBeGreaterThan(0.8392 - 0.012);
    expect(r.accuracy.hi!).toBeLessThan(0.8392 + 0.012);
    // Seeded: the same seed gives the same report, another seed other intervals.
    expect(evaluateMetrics({ classes: ['0', '1'], labels, probs }, { seed: 11 })).toEqual(r);
    const other = evaluateMetrics({ classes: ['0', '1'], labels, probs }, { seed: 12 });
    expect(other.accuracy.value).toBe(r.accuracy.value);
    expect([other.accuracy.lo, other.accuracy.hi]).not.toEqual([r.accuracy.lo, r.accuracy.hi]);
  });

  it('ROC curves are thinned evenly for output, keeping both ends; AUROC uses every row', () => {
    // 400 distinct scores (the 80% case above): 401 points, thinned to 5: indices 0, 100, 200,
    // 300, 400 of the full curve.
    const n = 400;
    const labels = Int32Array.from({ length: n }, (_, i) => i % 2);
    const probs = new Float64Array(n * 2);
    for (let i = 0; i < n; i++) {
      const p = (i + 0.5) / n;
      probs[2 * i] = 1 - p;
      probs[2 * i + 1] = p;
    }
    const input = { classes: ['0', '1'], labels, probs };
    const full = evaluateMetrics(input, { replicates: 0, rocPoints: 10_000 });
    const thin = evaluateMetrics(input, { replicates: 0, rocPoints: 5 });
    const curve = full.perClass[1]!.roc;
    expect(curve).toHaveLength(401);
    expect(thin.perClass[1]!.roc).toEqual([0, 100, 200, 300, 400].map((i) => curve[i]));
    expect(thin.auroc).toEqual(full.auroc);
  });

  it('quantiles interpolate between order statistics as numpy does', () => {
    // numpy.quantile([1, 2, 3, 4], [0.25, 0.5, 0.975]) = [1.75, 2.5, 3.925]
    expect(quantile([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75, 12);
    expect(quantile([1, 2, 3, 4], 0.5)).toBeCloseTo(2.5, 12);
    expect(quantile([1, 2, 3, 4], 0.975)).toBeCloseTo(3.925, 12);
  });

  it('bad input is a located BAD_INPUT', () => {
    const bad = (input: EvalInput, msg: RegExp) => {
      let err: unknown;
      try {
        evaluateMetrics(input, { replicates: 0 });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(LakeError);
      expect((err as LakeError).code).toBe('BAD_INPUT');
      expect((err as LakeError).message).toMatch(msg);
    };
    bad({ ...binary, classes: ['only'] }, /at least 2 classes/);
    bad({ ...binary, labels: Int32Array.from([1, 1, 0, 0, 2, 0]) }, /row 4: label index 2/);
    bad({ ...binary, probs: binary.probs.slice(0, 11) }, /11 probabilities for 6 rows/);
    const nan = Float64Array.from(binary.probs);
    nan[5] = NaN;
    bad({ ...binary, probs: nan }, /row 2: probability of pos is NaN/);
  });
});
