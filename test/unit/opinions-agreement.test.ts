/**
 * Agreement statistics on textbook worked examples (the working is written out): Cohen's κ,
 * Fleiss' κ and Krippendorff's α (nominal). Node and Chromium.
 */
import { describe, expect, it } from 'vitest';
import { cohensKappa, fleissKappa, krippendorffAlpha } from '../../src/lib/opinions/agreement.ts';

const joint = (rows: [string, string, number][]) => {
  const m = new Map<string, Map<string, number>>();
  for (const [a, b, n] of rows) m.set(a, (m.get(a) ?? new Map()).set(b, n));
  return m;
};

describe("Cohen's kappa", () => {
  it('the textbook 2×2 example: κ = 0.4', () => {
    // 50 proposals read by A and B: yes/yes 20, yes/no 5, no/yes 10, no/no 15.
    // p_o = (20 + 15) / 50 = 0.7; A says yes 25/50 = 0.5, B says yes 30/50 = 0.6;
    // p_e = 0.5·0.6 + 0.5·0.4 = 0.5; κ = (0.7 − 0.5) / (1 − 0.5) = 0.4.
    const k = cohensKappa(
      joint([
        ['yes', 'yes', 20],
        ['yes', 'no', 5],
        ['no', 'yes', 10],
        ['no', 'no', 15],
      ]),
    );
    expect(k).toBeCloseTo(0.4, 12);
  });

  it('perfect agreement is 1, chance-level agreement 0, no subjects NaN', () => {
    expect(
      cohensKappa(
        joint([
          ['a', 'a', 3],
          ['b', 'b', 2],
        ]),
      ),
    ).toBe(1);
    // Each says a half the time, independently: p_o = 0.5 = p_e.
    expect(
      cohensKappa(
        joint([
          ['a', 'a', 1],
          ['a', 'b', 1],
          ['b', 'a', 1],
          ['b', 'b', 1],
        ]),
      ),
    ).toBe(0);
    expect(cohensKappa(new Map())).toBeNaN();
  });
});

describe("Fleiss' kappa", () => {
  it("Fleiss' worked example (10 subjects, 14 raters, 5 categories): κ ≈ 0.210", () => {
    const table = [
      [0, 0, 0, 0, 14],
      [0, 2, 6, 4, 2],
      [0, 0, 3, 5, 6],
      [0, 3, 9, 2, 0],
      [2, 2, 8, 1, 1],
      [7, 7, 0, 0, 0],
      [3, 2, 6, 3, 0],
      [2, 5, 3, 2, 2],
      [6, 5, 2, 1, 0],
      [0, 2, 2, 3, 7],
    ];
    // p_j = column sums / 140 = 0.143, 0.200, 0.279, 0.150, 0.229; P_e = Σ p_j² = 0.2128.
    // P_i = (Σ n_ij² − 14) / (14·13): 1.000, 0.253, 0.308, 0.440, 0.330, 0.462, 0.242, 0.176,
    // 0.286, 0.286; P̄ = 0.3780. κ = (0.3780 − 0.2128) / (1 − 0.2128) = 0.2099.
    expect(fleissKappa(table)).toBeCloseTo(0.20993, 5);
  });

  it('subjects with one rating are left out; raters may vary per subject', () => {
    // Two subjects rated twice (agree, disagree) and one rated once (ignored):
    // P_1 = (4 − 2)/2 = 1, P_2 = (1 + 1 − 2)/2 = 0, P̄ = 0.5; p = (3/4, 1/4), P_e = 10/16;
    // κ = (0.5 − 0.625) / (1 − 0.625) = −1/3.
    expect(
      fleissKappa([
        [2, 0],
        [1, 1],
        [0, 1],
      ]),
    ).toBeCloseTo(-1 / 3, 12);
  });
});

describe("Krippendorff's alpha (nominal)", () => {
  it("Krippendorff's (2011) example: 4 observers, 12 units, missing values: α ≈ 0.743", () => {
    const observers = [
      [1, 2, 3, 3, 2, 1, 4, 1, 2, null, null, null],
      [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, null, 3],
      [null, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, null],
      [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, null],
    ];
    const units = Array.from({ length: 12 }, (_, u) => {
      const counts = [0, 0, 0, 0, 0];
      for (const o of observers) if (o[u] !== null) counts[o[u]! - 1]!++;
      return counts;
    });
    // Unit 12 has one value and is not pairable: 11 units, n = 40 pairable values,
    // n_c = 9, 13, 10, 5, 3 (Σ n_c² = 384). Disagreeing units: 2 (2,2,3,2): (16 − 10)/3 = 2;
    // 6 (1,2,3,4): (16 − 4)/3 = 4; 8 (1,1,2,1): (16 − 10)/3 = 2; all others agree: 0.
    // Σ_{c≠k} o_ck = 8, so D_o = 8/40 = 0.2 and D_e = (1600 − 384)/(40·39) = 0.7795;
    // α = 1 − D_o/D_e = 1 − 39·8/1216 = 0.74342 (the paper: 0.743).
    expect(krippendorffAlpha(units)).toBeCloseTo(0.743, 3);
    expect(krippendorffAlpha(units)).toBeCloseTo(1 - (39 * 8) / 1216, 12);
  });

  it('perfect agreement is 1; no pairable unit is NaN', () => {
    expect(
      krippendorffAlpha([
        [2, 0],
        [0, 3],
      ]),
    ).toBe(1);
    expect(
      krippendorffAlpha([
        [1, 0],
        [0, 1],
      ]),
    ).toBeNaN();
  });
});
