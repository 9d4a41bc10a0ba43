/**
 * The arithmetic of a blind-spot report (blindspots-report.ts): parameters checked with named
 * errors, the error vector of each kind, the minimum support in rows, a mean's bootstrap
 * interval, and SliceLine's slices turned into ranked report slices, all against values worked
 * out by hand here.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_BLINDSPOT_PARAMS } from '../../src/lib/analysis/blindspots.ts';
import {
  checkParams,
  errorVector,
  meanEstimate,
  minSupportRows,
  parseErrorKind,
  reportSlices,
  sliceSql,
} from '../../src/lib/analysis/blindspots-report.ts';
import type { FeatureTable, SliceLineResult } from '../../src/lib/analysis/blindspots-types.ts';
import type { LakeError } from '../../src/lib/store/errors.ts';

const input = {
  correct: [1, 0, 1, 0],
  loss: [0.1, 2.3, 0.2, 1.5],
  target: ['cat', 'cat', 'dog', 'dog'],
  classes: ['cat', 'dog'],
};

describe('blind-spot parameters and errors', () => {
  it('fills in the defaults and refuses bad values, naming the parameter', () => {
    expect(checkParams(DEFAULT_BLINDSPOT_PARAMS, { k: 3 })).toEqual({
      ...DEFAULT_BLINDSPOT_PARAMS,
      k: 3,
    });
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ alpha: 0 }, /alpha must be a number in \(0, 1\], got 0/],
      [{ alpha: 1.5 }, /alpha/],
      [{ minSupport: 1 }, /minSupport must be a fraction/],
      [{ minSupport: 50 }, /minSupport/],
      [{ maxLevel: 0 }, /maxLevel must be an integer ≥ 1/],
      [{ k: 2.5 }, /k must be an integer ≥ 1, got 2.5/],
      [{ seed: -1 }, /seed/],
      [{ columns: [] }, /columns/],
      [{ error: 'hinge' }, /error must be zero-one, loss or class:NAME, got "hinge"/],
    ];
    for (const [p, msg] of bad) {
      const e = (() => {
        try {
          checkParams(DEFAULT_BLINDSPOT_PARAMS, p);
        } catch (x) {
          return x as LakeError;
        }
        return null;
      })();
      expect(e?.code, JSON.stringify(p)).toBe('BAD_INPUT');
      expect(e?.message).toMatch(msg);
    }
  });

  it('computes zero-one, loss and per-class errors', () => {
    expect([...errorVector(parseErrorKind('zero-one'), input)]).toEqual([0, 1, 0, 1]);
    expect([...errorVector(parseErrorKind('loss'), input)]).toEqual([0.1, 2.3, 0.2, 1.5]);
    // class:dog: the mistakes on rows labelled dog only.
    expect([...errorVector(parseErrorKind('class:dog'), input)]).toEqual([0, 0, 0, 1]);
    expect(() => errorVector(parseErrorKind('class:cow'), input)).toThrow(
      /no class "cow"; they have cat, dog/,
    );
    expect(() => errorVector(parseErrorKind('loss'), { ...input, loss: [0.1, NaN, 0, 0] })).toThrow(
      /row 1 has loss NaN/,
    );
  });

  it('takes the minimum support as max(ceil(fraction × rows), 8)', () => {
    expect(minSupportRows(0.01, 776)).toBe(8); // ceil(7.76) = 8
    expect(minSupportRows(0.01, 5000)).toBe(50);
    expect(minSupportRows(0.01, 5001)).toBe(51);
    expect(minSupportRows(0.001, 100)).toBe(8);
  });

  it('bootstraps a mean: a constant has a point interval, a 0/1 vector brackets its rate', () => {
    expect(meanEstimate(new Float64Array(20).fill(0.25), 0)).toEqual({
      value: 0.25,
      lo: 0.25,
      hi: 0.25,
    });
    const v = Float64Array.from({ length: 200 }, (_, i) => (i % 4 === 0 ? 1 : 0));
    const e = meanEstimate(v, 3);
    expect(e.value).toBe(0.25);
    // Binomial standard error sqrt(.25 × .75 / 200) = 0.0306: the 95% interval is about ±0.06.
    expect(e.lo!).toBeGreaterThan(0.25 - 0.09);
    expect(e.lo!).toBeLessThan(0.25 - 0.03);
    expect(e.hi!).toBeGreaterThan(0.25 + 0.03);
    expect(e.hi!).toBeLessThan(0.25 + 0.09);
    expect(meanEstimate(v, 3)).toEqual(e); // seeded
    expect(meanEstimate(v, 3, new Int32Array(0))).toEqual({ value: null, lo: null, hi: null });
  });
});

describe('report slices', () => {
  // 8 rows; scanner: K K K K H H H H; kvp: 120 140 120 140 120 140 120 140.
  const table: FeatureTable = {
    rowIds: BigInt64Array.from([10n, 11n, 12n, 13n, 14n, 15n, 16n, 17n]),
    features: [
      {
        name: 'scanner',
        source: 'croissant',
        column: '"scanner"',
        levels: ['Kestrel', 'Helios'],
        predicates: [`"scanner" = 'Kestrel'`, `"scanner" = 'Helios'`],
        codes: Uint16Array.from([1, 1, 1, 1, 2, 2, 2, 2]),
      },
      {
        name: 'kVp',
        source: 'dicom',
        column: null,
        levels: ['120', '140'],
        predicates: [null, null],
        codes: Uint16Array.from([1, 2, 1, 2, 1, 2, 1, 2]),
      },
    ],
  };
  const errors = Float64Array.from([0, 1, 0, 0.5, 0, 0, 0, 0]);
  const result: SliceLineResult = {
    top: [
      {
        predicates: [
          { feature: 0, code: 1 },
          { feature: 1, code: 2 },
        ],
        score: 2.5,
        size: 2,
        errorSum: 1.5,
        maxError: 1,
      },
      { predicates: [{ feature: 0, code: 1 }], score: 0.75, size: 4, errorSum: 1.5, maxError: 1 },
    ],
    levels: [],
    averageError: 1.5 / 8,
    rows: 8,
  };

  it('ranks them with words, SQL, sizes, error rates and the worst rows first', () => {
    const [a, b] = reportSlices(table, errors, result, 0);
    expect(a).toMatchObject({
      rank: 1,
      text: 'scanner = Kestrel and kVp = 140',
      size: 2,
      score: 2.5,
      // Rows 11 (error 1) then 13 (0.5).
      sampleErrors: ['11', '13'],
      predicates: [
        { feature: 'scanner', level: 'Kestrel', sql: `"scanner" = 'Kestrel'` },
        { feature: 'kVp', level: '140', sql: null },
      ],
    });
    expect(a!.errorRate.value).toBe(0.75);
    expect(sliceSql(a!.predicates)).toBeNull(); // kVp is not a column of the branch
    expect(b).toMatchObject({ rank: 2, text: 'scanner = Kestrel', size: 4 });
    expect(b!.errorRate.value).toBe(1.5 / 4);
    expect(b!.errorRate.lo!).toBeLessThanOrEqual(0.375);
    expect(b!.errorRate.hi!).toBeGreaterThanOrEqual(0.375);
    expect(sliceSql(b!.predicates)).toBe(`("scanner" = 'Kestrel')`);
    expect(
      sliceSql([
        { feature: 'a', level: 'x', sql: '"a" >= 1 AND "a" < 2' },
        { feature: 'b', level: 'y', sql: `"b" = 'y'` },
      ]),
    ).toBe(`("a" >= 1 AND "a" < 2) AND ("b" = 'y')`);
  });

  it('lists a slice holding the same rows as one ranked before under it, and keeps k distinct', () => {
    // A third feature implied by the scanner: every Kestrel is at site A, every Helios at B.
    const site = {
      name: 'site',
      source: 'croissant' as const,
      column: '"site"',
      levels: ['A', 'B'],
      predicates: [`"site" = 'A'`, `"site" = 'B'`],
      codes: Uint16Array.from([1, 1, 1, 1, 2, 2, 2, 2]),
    };
    const withSite: FeatureTable = { ...table, features: [...table.features, site] };
    const slice = (p: [number, number][], score: number) => ({
      predicates: p.map(([feature, code]) => ({ feature, code })),
      score,
      size: 0,
      errorSum: 0,
      maxError: 0,
    });
    const top: SliceLineResult = {
      ...result,
      top: [
        slice(
          [
            [0, 1],
            [1, 2],
          ],
          2.5,
        ), // rows 11, 13
        slice(
          [
            [1, 2],
            [2, 1],
          ],
          2.5,
        ), // kVp 140 at site A: rows 11, 13 again
        slice([[0, 1]], 0.75), // rows 10-13
        slice(
          [
            [0, 1],
            [2, 1],
          ],
          0.75,
        ), // rows 10-13 again
        slice([[1, 2]], 0.1), // rows 11, 13, 15, 17
      ],
    };
    const all = reportSlices(withSite, errors, top, 0);
    expect(all.map((s) => [s.rank, s.text, s.size, s.sameRows])).toEqual([
      [1, 'scanner = Kestrel and kVp = 140', 2, ['kVp = 140 and site = A']],
      [2, 'scanner = Kestrel', 4, ['scanner = Kestrel and site = A']],
      [3, 'kVp = 140', 4, undefined],
    ]);
    // k = 2: two distinct slices, and what ranks after them still names its twin.
    const two = reportSlices(withSite, errors, top, 0, 2);
    expect(two.map((s) => s.text)).toEqual([
      'scanner = Kestrel and kVp = 140',
      'scanner = Kestrel',
    ]);
    expect(two[1]!.sameRows).toEqual(['scanner = Kestrel and site = A']);
  });
});
