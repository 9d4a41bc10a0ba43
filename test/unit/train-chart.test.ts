/**
 * The Train tab's curve charts (src/app/train-chart.ts): the SVG's view box is the chart's
 * size in CSS pixels, so it is drawn at one scale on both axes (a validation marker of radius
 * 3 is a round 6-pixel dot at any width, not an ellipse stretched to the width); and an empty
 * chart shows no axis range it does not have.
 */
import { describe, expect, it } from 'vitest';
import { chartGeometry } from '../../src/app/train-chart.ts';

const val = [
  { step: 10, value: 0.6 },
  { step: 20, value: 0.4 },
];
const train = [
  { step: 5, value: 0.7 },
  { step: 10, value: 0.5 },
  { step: 20, value: 0.3 },
];

describe('train chart geometry', () => {
  it('draws in CSS pixels at any width: the view box is the drawn size', () => {
    for (const width of [260, 320, 900]) {
      const g = chartGeometry({ train, val, steps: 20, width, height: 120 });
      // viewBox w × h drawn in a w × h box: one unit is one pixel on both axes.
      expect(g.viewBox).toBe(`0 0 ${width} 120`);
      // The points span the width (4 px padding): the last step at the right edge.
      expect(g.markers.map((m) => m.cx)).toEqual([4 + (width - 8) / 2, width - 4]);
      // Loss 0.4 of [0, 0.7] is 4/7 of the way up the 112 px between the paddings.
      expect(g.markers[1]!.cy).toBeCloseTo(116 - (0.4 / 0.7) * 112, 9);
    }
  });

  it('an empty loss chart has no range; accuracy keeps its fixed one', () => {
    const empty = { train: [], val: [], steps: 0, width: 320, height: 120 };
    expect(chartGeometry(empty)).toMatchObject({ y: null, x: null, markers: [] });
    expect(chartGeometry({ ...empty, range: [0, 1] })).toMatchObject({ y: [0, 1], x: null });
    // A run under way knows its steps before the first point arrives.
    expect(chartGeometry({ ...empty, steps: 72 }).x).toEqual([0, 72]);
    expect(chartGeometry({ train, val, steps: 20, width: 320, height: 120 }).y).toEqual([0, 0.7]);
  });
});
