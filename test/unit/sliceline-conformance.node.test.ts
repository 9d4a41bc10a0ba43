/**
 * SliceLine against the reference (issue 15 §2): on the fixture's 10k × 10 table with the
 * reference's parameters, the same top-4 slices (same predicates, same order), with score,
 * size, error sum and largest error equal to 1e-9 relative. Prints the pass count.
 */
import { describe, expect, it } from 'vitest';
import { sliceLine } from '../../src/lib/analysis/sliceline.ts';
import { fixtureParams, readExpected, readFixtureInput, relClose } from './sliceline-fixture.ts';

describe('SliceLine conformance (DataDome/sliceline 0.3.1 on synth_N10000_F10)', () => {
  const expected = readExpected();
  const { names, input } = readFixtureInput();
  const result = sliceLine(input, fixtureParams(expected));

  it('reads the fixture as the reference did', () => {
    expect(input.errors.length).toBe(expected.N);
    expect(input.codes.length).toBe(expected.F);
    expect(relClose(result.averageError, expected.average_error)).toBe(true);
    expect(result.rows).toBe(expected.N);
  });

  it('finds the reference top-4, in order, with its statistics', () => {
    let passed = 0;
    const misses: string[] = [];
    expected.top_slices.forEach((want, rank) => {
      const got = result.top[rank];
      const gotPredicates = Object.fromEntries(
        (got?.predicates ?? []).map((p) => [names[p.feature]!, p.code]),
      );
      const same =
        got !== undefined &&
        JSON.stringify(gotPredicates) === JSON.stringify(want.predicates) &&
        relClose(got.score, want.score) &&
        relClose(got.size, want.size) &&
        relClose(got.errorSum, want.sum_error) &&
        relClose(got.maxError, want.max_error);
      if (same) passed++;
      else misses.push(`#${rank + 1}: want ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
    });
    console.log(
      `sliceline conformance: ${passed}/${expected.top_slices.length} top slices identical to the reference`,
    );
    expect(misses).toEqual([]);
    expect(result.top.length).toBe(expected.top_slices.length);
  });

  it('reports what each level did', () => {
    expect(result.levels.map((l) => l.level)).toEqual([1, 2, 3]);
    // Level 1 evaluates every one-hot column: the sum of the features' levels.
    expect(result.levels[0]!.candidates).toBe(input.levels.reduce((a, b) => a + b, 0));
    for (const l of result.levels) expect(l.valid).toBeLessThanOrEqual(l.candidates);
  });
});
