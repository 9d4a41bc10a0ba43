/**
 * SliceLine (src/lib/analysis/sliceline.ts) on tables small enough to work by hand, against a
 * brute-force enumeration written here, on bad input and under cancellation. The conformance
 * against the reference is sliceline-conformance.node.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { SliceLineInput, SliceLineParams } from '../../src/lib/analysis/blindspots-types.ts';
import {
  DEFAULT_SLICELINE,
  defaultMinSupport,
  sliceLine,
  sliceLineAsync,
} from '../../src/lib/analysis/sliceline.ts';
import { LakeError } from '../../src/lib/store/errors.ts';

/** 8 rows, two features of two levels each. */
const F0 = Uint16Array.of(1, 1, 1, 1, 2, 2, 2, 2);
const F1 = Uint16Array.of(1, 1, 2, 2, 1, 1, 2, 2);
const preds = (r: ReturnType<typeof sliceLine>) =>
  r.top.map((s) => s.predicates.map((p) => `f${p.feature}=${p.code}`).join(' & '));

describe('SliceLine worked by hand', () => {
  it('ranks a 0/1 error: score, tie-break and score-bound pruning', () => {
    // Errors on rows 0, 1 and 6: ē = 3/8.
    const errors = Float64Array.of(1, 1, 0, 0, 0, 0, 1, 0);
    const r = sliceLine(
      { codes: [F0, F1], levels: [2, 2], errors },
      { alpha: 0.9, minSupport: 2, maxLevel: 2, k: 3 },
    );
    // f0=1 (rows 0–3, 2 errors) and f1=1 (rows 0,1,4,5, 2 errors) tie:
    //   0.9·((2/4)/(3/8) − 1) − 0.1·(8/4 − 1) = 0.9·(1/3) − 0.1 = 0.2; f0=1 first (lower feature).
    // f0=2 and f1=2 (1 error in 4): 0.9·(−1/3) − 0.1 = −0.4, left out (score ≤ 0).
    // Level 2: the top-K's lowest score is 0.2. The bound of f0=1 & f1=2 (its parents' smallest
    // error sum 1, largest error 1, 4 one-hot columns) peaks at 2 rows:
    //   0.9·((min(2·1, 1)/2)/(3/8) − 1) − 0.1·(4/2 − 1) = 0.2, not above 0.2: pruned, as are
    // f0=2 & f1=1 and f0=2 & f1=2 (error bound 1 too). f0=1 & f1=1 (bound 1.4) is evaluated:
    //   rows 0,1, 2 errors: 0.9·((2/2)/(3/8) − 1) − 0.1·(8/2 − 1) = 0.9·(5/3) − 0.3 = 1.2.
    expect(preds(r)).toEqual(['f0=1 & f1=1', 'f0=1', 'f1=1']);
    expect(r.top.map((s) => s.score)).toEqual([
      expect.closeTo(1.2, 12),
      expect.closeTo(0.2, 12),
      expect.closeTo(0.2, 12),
    ]);
    expect(r.top.map((s) => [s.size, s.errorSum, s.maxError])).toEqual([
      [2, 2, 1],
      [4, 2, 1],
      [4, 2, 1],
    ]);
    expect(r.averageError).toBe(3 / 8);
    expect(r.rows).toBe(8);
    expect(r.levels).toEqual([
      { level: 1, candidates: 4, valid: 4 },
      { level: 2, candidates: 1, valid: 1 },
    ]);
  });

  it('ranks a continuous loss, with its largest error', () => {
    // Losses 0.5 and 2 on rows 0,1, 1.5 on row 4: total 4, ē = 0.5; α = 1 (error term only).
    const errors = Float64Array.of(0.5, 2, 0, 0, 1.5, 0, 0, 0);
    const r = sliceLine(
      { codes: [F0, F1], levels: [2, 2], errors },
      { alpha: 1, minSupport: 2, maxLevel: 2, k: 2 },
    );
    // f1=1: rows 0,1,4,5 sum 4: (4/4)/0.5 − 1 = 1. f0=1: rows 0–3 sum 2.5: (2.5/4)/0.5 − 1 = 0.25.
    // f1=2 has no error (not valid). Level 2: f0=1 & f1=1 (rows 0,1: (2.5/2)/0.5 − 1 = 1.5) and
    // f0=2 & f1=1 (rows 4,5: (1.5/2)/0.5 − 1 = 0.5), both bounds above 0.25.
    expect(preds(r)).toEqual(['f0=1 & f1=1', 'f1=1']);
    expect(r.top.map((s) => s.score)).toEqual([expect.closeTo(1.5, 12), expect.closeTo(1, 12)]);
    expect(r.top.map((s) => [s.size, s.errorSum, s.maxError])).toEqual([
      [2, 2.5, 2],
      [4, 4, 2],
    ]);
    expect(r.levels).toEqual([
      { level: 1, candidates: 4, valid: 3 },
      { level: 2, candidates: 2, valid: 2 },
    ]);
  });

  it('stops at maxLevel, and finds nothing when no row has an error', () => {
    const errors = Float64Array.of(1, 1, 0, 0, 0, 0, 1, 0);
    const one = sliceLine(
      { codes: [F0, F1], levels: [2, 2], errors },
      { alpha: 0.9, minSupport: 2, maxLevel: 1, k: 3 },
    );
    expect(preds(one)).toEqual(['f0=1', 'f1=1']);
    expect(one.levels.map((l) => l.level)).toEqual([1]);
    const none = sliceLine(
      { codes: [F0, F1], levels: [2, 2], errors: new Float64Array(8) },
      DEFAULT_SLICELINE,
    );
    expect(none.top).toEqual([]);
    expect(none.levels).toEqual([{ level: 1, candidates: 4, valid: 0 }]);
  });

  it('defaults minimum support to max(ceil(1% of rows), 8)', () => {
    expect([10, 800, 801, 10_000, 1_000_000].map(defaultMinSupport)).toEqual([
      8, 8, 9, 100, 10_000,
    ]);
  });
});

/** A seeded table with a planted bad slice (f1=2 & f3=1) and three milder ones. */
function randomTable(seed: number, rows: number, domains: number[]): SliceLineInput {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const codes = domains.map((d) =>
    Uint16Array.from({ length: rows }, () => 1 + Math.floor(next() * d)),
  );
  const errors = Float64Array.from({ length: rows }, (_, i) => {
    const lift =
      (codes[0]![i] === 1 ? 0.2 : 0) +
      (codes[4]![i] === 5 ? 0.15 : 0) +
      (codes[2]![i] === 1 ? 0.1 : 0);
    const p = codes[1]![i] === 2 && codes[3]![i] === 1 ? 0.7 : 0.05 + lift;
    return next() < p ? (seed % 2 ? 1 : next() * 3) : 0;
  });
  return { codes, levels: domains, errors };
}

/** Every slice of up to maxLevel predicates, by plain loops over rows: the top-K by score. */
function bruteForce(t: SliceLineInput, p: SliceLineParams) {
  const n = t.errors.length;
  const eAvg = t.errors.reduce((a, b) => a + b, 0) / n;
  const found: { key: string; score: number; size: number; err: number; len: number }[] = [];
  const walk = (from: number, preds: [number, number][]) => {
    if (preds.length) {
      let size = 0;
      let err = 0;
      for (let i = 0; i < n; i++) {
        if (preds.every(([f, c]) => t.codes[f]![i] === c)) {
          size++;
          err += t.errors[i]!;
        }
      }
      const score = p.alpha * (err / size / eAvg - 1) - (1 - p.alpha) * (n / size - 1);
      if (size >= p.minSupport && err > 0 && score > 0) {
        found.push({
          key: preds.map(([f, c]) => `f${f}=${c}`).join(' & '),
          score,
          size,
          err,
          len: preds.length,
        });
      }
      if (preds.length === p.maxLevel) return;
    }
    for (let f = from; f < t.codes.length; f++) {
      for (let c = 1; c <= t.levels[f]!; c++) walk(f + 1, [...preds, [f, c]]);
    }
  };
  walk(0, []);
  // Ties: fewer predicates, then smaller (feature, code) lists; keys compare so for one-digit codes.
  found.sort((a, b) => b.score - a.score || a.len - b.len || (a.key < b.key ? -1 : 1));
  return found;
}

describe('SliceLine against a brute-force enumeration', () => {
  for (const seed of [1, 2, 4, 5, 6]) {
    it(`finds the same top-K (seed ${seed})`, () => {
      const t = randomTable(seed, 800, [3, 4, 2, 3, 5]);
      const params = { alpha: 0.9, minSupport: 10, maxLevel: 3, k: 4 };
      const all = bruteForce(t, params);
      // Where level 1 alone fills the top-K, SliceLine's pruning is exact (a full top-K's lowest
      // score is a true threshold): check that this table is such a case.
      expect(all.filter((s) => s.len === 1).length).toBeGreaterThanOrEqual(params.k);
      const r = sliceLine(t, params);
      expect(preds(r)).toEqual(all.slice(0, params.k).map((s) => s.key));
      r.top.forEach((s, i) => {
        expect(s.score).toBeCloseTo(all[i]!.score, 9);
        expect(s.size).toBe(all[i]!.size);
        expect(s.errorSum).toBeCloseTo(all[i]!.err, 9);
      });
      expect(preds(r)).toContain('f1=2 & f3=1');
    });
  }
});

describe('SliceLine bad input', () => {
  const params = DEFAULT_SLICELINE;
  const fails = (input: SliceLineInput, p: SliceLineParams, message: RegExp) => {
    let caught: unknown;
    try {
      sliceLine(input, p);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(LakeError);
    expect((caught as LakeError).code).toBe('BAD_INPUT');
    expect((caught as LakeError).message).toMatch(message);
    return caught as LakeError;
  };
  const ok = () => ({
    codes: [F0.slice(), F1.slice()],
    levels: [2, 2],
    errors: new Float64Array(8),
  });

  it('refuses an empty table, no features, and mismatched lengths', () => {
    fails(
      { codes: [new Uint16Array(0)], levels: [1], errors: new Float64Array(0) },
      params,
      /no rows/,
    );
    fails({ codes: [], levels: [], errors: new Float64Array(3) }, params, /no features/);
    fails({ ...ok(), levels: [2] }, params, /2 feature columns but 1 level counts/);
    const e = fails(
      { ...ok(), codes: [F0, F1.subarray(0, 7)] },
      params,
      /feature 1 has 7 rows but the errors have 8/,
    );
    expect(e.detail).toEqual({ feature: 1 });
  });

  it('refuses a negative, NaN or infinite error, naming the row', () => {
    for (const [bad, text] of [
      [-0.5, '-0.5'],
      [NaN, 'NaN'],
      [Infinity, 'Infinity'],
    ] as const) {
      const input = ok();
      input.errors[5] = bad;
      const e = fails(input, params, new RegExp(`row 5: the error is ${text}`));
      expect(e.detail).toEqual({ row: 5 });
    }
  });

  it('refuses a code 0 or above the levels, naming the feature and row', () => {
    const zero = ok();
    zero.codes[1]![3] = 0;
    expect(fails(zero, params, /feature 1, row 3: code 0 is outside 1\.\.2/).detail).toEqual({
      feature: 1,
      row: 3,
    });
    const above = ok();
    above.codes[0]![6] = 3;
    fails(above, params, /feature 0, row 6: code 3 is outside 1\.\.2/);
    fails({ ...ok(), levels: [2, 0] }, params, /feature 1: 0 levels/);
  });

  it('refuses bad parameters', () => {
    fails(ok(), { ...params, alpha: 0 }, /alpha must be in \(0, 1\]/);
    fails(ok(), { ...params, alpha: 1.5 }, /alpha/);
    fails(ok(), { ...params, minSupport: -1 }, /minSupport/);
    fails(ok(), { ...params, maxLevel: 0 }, /maxLevel/);
    fails(ok(), { ...params, k: 2.5 }, /k must be an integer/);
  });
});

describe('SliceLine cancellation', () => {
  const t = randomTable(1, 400, [3, 4, 2, 3, 5]);
  const params = { alpha: 0.9, minSupport: 10, maxLevel: 3, k: 6 };

  it('stops with ABORTED when the signal fires between levels', () => {
    const controller = new AbortController();
    const seen: number[] = [];
    let caught: unknown;
    try {
      sliceLine(t, params, {
        signal: controller.signal,
        onProgress: (p) => {
          seen.push(p.level);
          if (p.level === 2) controller.abort();
        },
      });
    } catch (e) {
      caught = e;
    }
    expect((caught as LakeError).code).toBe('ABORTED');
    expect(seen).toEqual([1, 2]);
  });

  it('does nothing once the signal has fired', () => {
    let caught: unknown;
    try {
      sliceLine(t, params, { signal: AbortSignal.abort(), onProgress: () => expect.fail('ran') });
    } catch (e) {
      caught = e;
    }
    expect((caught as LakeError).code).toBe('ABORTED');
  });

  it('runs the same asynchronously, and sees a cancel sent while it runs', async () => {
    expect(await sliceLineAsync(t, params, { yieldEveryMs: 0 })).toEqual(sliceLine(t, params));
    // The abort is a task queued before the run: it can only happen at a pause of the run, and
    // with yieldEveryMs 0 the run pauses after its first block of candidates.
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 0);
    const levels: number[] = [];
    await expect(
      sliceLineAsync(t, params, {
        signal: controller.signal,
        yieldEveryMs: 0,
        onProgress: (p) => levels.push(p.level),
      }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
    expect(levels).not.toContain(3);
  });

  it('reports each level and its candidates', () => {
    const seen: { level: number; candidates: number }[] = [];
    const r = sliceLine(t, params, { onProgress: (p) => seen.push(p) });
    expect(seen).toEqual(r.levels.map((l) => ({ level: l.level, candidates: l.candidates })));
  });
});
