/**
 * The geometry of the statistics panel's category bars (category-bars.ts): bars scaled to the
 * track left of the count column, which has room for the longest count a row can show, so no
 * count is drawn over a bar or cut. Expected values are worked out here from the counts (the
 * demo study's `site` column: 5,000 images at four sites).
 */
import { describe, expect, it } from 'vitest';
import { barLayout } from '../../src/app/category-bars.ts';
import type { ColumnStats } from '../../src/lib/query/stats.ts';

const SITES = [
  'St. Aurelia Hospital',
  'Eastfield University Hospital',
  'Northbridge Clinic',
  'Lakeside Medical Center',
];

/** Statistics holding these category counts, in the order of SITES. */
function stats(counts: number[]): ColumnStats {
  const rows = counts.reduce((a, b) => a + b, 0);
  return {
    rows,
    nulls: 0,
    categories: counts.map((count, i) => ({ value: SITES[i]!, count })),
    other: 0,
  };
}

describe('category bars', () => {
  it('end the longest bar where the count column begins, with room for every count', () => {
    const all = stats([1404, 1314, 1288, 994]);
    const layout = barLayout(SITES, all, all);
    // The largest count spans the whole track; the others their share of it.
    expect(layout.rows.map((r) => r.filtered)).toEqual([1, 1314 / 1404, 1288 / 1404, 994 / 1404]);
    expect(layout.rows.map((r) => r.base)).toEqual([1, 1314 / 1404, 1288 / 1404, 994 / 1404]);
    // '1,404', '1,314' and '1,288' are five characters, '994' three: the column is five wide.
    expect(layout.rows.map((r) => r.label)).toEqual(['1,404', '1,314', '1,288', '994']);
    expect(layout.labelChars).toBe(5);
  });

  it('keep the count column and the axes of the unfiltered chart under a filter', () => {
    // A filter keeps 7, 12, 0 and 3 images: the bars are shares of the unfiltered largest
    // count (1,404), and the column keeps room for '1,404', so the counts do not move.
    const layout = barLayout(SITES, stats([1404, 1314, 1288, 994]), stats([7, 12, 0, 3]));
    expect(layout.rows.map((r) => r.label)).toEqual(['7', '12', '0', '3']);
    expect(layout.rows.map((r) => r.filtered)).toEqual([7 / 1404, 12 / 1404, 0, 3 / 1404]);
    expect(layout.labelChars).toBe(5);
    for (const r of layout.rows) {
      expect(r.filtered).toBeLessThanOrEqual(r.base);
      expect(r.label.length).toBeLessThanOrEqual(layout.labelChars);
    }
  });

  it('give the ellipsis room while the counts are computed', () => {
    const layout = barLayout(SITES, null, null);
    expect(layout.rows.map((r) => [r.label, r.base, r.filtered])).toEqual(
      SITES.map(() => ['…', 0, 0]),
    );
    // An ellipsis is about two digits wide.
    expect(layout.labelChars).toBe(2);
    // Counts of a million and more: 9 characters ('1,234,567').
    expect(barLayout(['a', 'b'], stats([1_234_567, 5]), null).labelChars).toBe(9);
  });
});
