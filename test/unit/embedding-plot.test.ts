/**
 * The embedding scatter's pure parts (embedding-plot.ts): where points land in the 560×380
 * plot with a 12 px margin, which point a click picks, and the colours and legend by a column.
 */
import { describe, expect, it } from 'vitest';
import {
  UNCOLOURED,
  nearestPoint,
  pointColouring,
  scatterPositions,
} from '../../src/app/embedding-plot.ts';

describe('embedding scatter', () => {
  it('stretches both axes to the plot inside its margin, y upwards', () => {
    const p = { x: Float64Array.of(0, 1, 2), y: Float64Array.of(0, 10, 5) };
    // x: 12 + x/2 · (560 − 24); y: 380 − 12 − y/10 · (380 − 24).
    expect(scatterPositions(p)).toEqual([
      [12, 368],
      [280, 12],
      [548, 190],
    ]);
  });

  it('puts points of one value on the margin rather than dividing by zero', () => {
    const p = { x: Float64Array.of(3, 3), y: Float64Array.of(-1, -1) };
    expect(scatterPositions(p)).toEqual([
      [12, 368],
      [12, 368],
    ]);
  });

  it('picks the nearest point closer than 8 px, else none', () => {
    const at: [number, number][] = [
      [0, 0],
      [10, 0],
      [3, 0],
    ];
    expect(nearestPoint(at, 4, 0)).toBe(2);
    expect(nearestPoint(at, 9, 1)).toBe(1);
    expect(nearestPoint(at, 18, 0)).toBe(-1);
    expect(nearestPoint(at, 100, 100)).toBe(-1);
  });

  it('colours few values from the palette, most frequent first, with a legend', () => {
    const c = pointColouring(['b', 'a', 'a', ''], 'VARCHAR');
    expect(c.legend).toEqual([
      ['a', '#4e79a7'],
      ['b', '#f28e2b'],
      ['–', '#e15759'],
    ]);
    expect([0, 1, 2, 3].map(c.fill)).toEqual(['#f28e2b', '#4e79a7', '#4e79a7', '#e15759']);
  });

  it('gives the values past the eighth one colour, named other', () => {
    const values = ['v0', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'v8', 'v9'];
    const c = pointColouring(values, 'VARCHAR');
    expect(c.legend).toHaveLength(9);
    // The palette's 9 colours: 5 + 4; the eighth value takes the eighth, #ff9da7.
    expect(c.legend[7]).toEqual(['v7', '#ff9da7']);
    expect(c.legend[8]).toEqual(['other', '#bab0ac']);
    expect(c.fill(8)).toBe('#bab0ac');
    expect(c.fill(9)).toBe('#bab0ac');
  });

  it('gives nine values the nine colours of the palette, and no other', () => {
    const values = ['v0', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'v8'];
    const c = pointColouring(values, 'VARCHAR');
    expect(c.legend).toHaveLength(9);
    expect(c.legend[8]).toEqual(['v8', '#9c755f']);
    expect(c.fill(8)).toBe('#9c755f');
    expect(c.legend.map(([k]) => k)).not.toContain('other');
  });

  it('ramps many distinct numbers from blue (lowest) to orange (highest)', () => {
    const values = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10];
    const c = pointColouring(values, 'DOUBLE');
    expect(c.legend).toEqual([
      ['0', 'hsl(220 70% 45%)'],
      ['10', 'hsl(30 70% 55%)'],
    ]);
    // 5 is half way: hue 220 − 95, lightness 45 + 5.
    expect([0, 5, 9].map(c.fill)).toEqual([
      'hsl(220 70% 45%)',
      'hsl(125 70% 50%)',
      'hsl(30 70% 55%)',
    ]);
  });

  it('colours every point alike, with no legend, by nothing', () => {
    expect(UNCOLOURED.legend).toEqual([]);
    expect(UNCOLOURED.fill(0)).toBe(UNCOLOURED.fill(5));
  });
});
