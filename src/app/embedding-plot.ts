/**
 * The embedding scatter's geometry and colours, pure: each projected point's place in the SVG,
 * the point a click lands on, and each point's colour by a column (a palette for few distinct
 * values, a blue-to-orange ramp for many numbers) with the legend.
 */
import { formatCell } from './query-format.ts';

/** The SVG's viewBox size and the margin kept free around the points. */
export const PLOT = { W: 560, H: 380, PAD: 12 } as const;

const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f'];
const PALETTE2 = ['#edc948', '#b07aa1', '#ff9da7', '#9c755f'];
const COLOURS = [...PALETTE, ...PALETTE2];
/** The colour of the values past the palette. */
const OTHER = '#bab0ac';

/** A fill per point (by index) and the legend: [label, colour] pairs. */
export interface Colouring {
  fill: (i: number) => string;
  legend: [string, string][];
}

/** Every point the same colour, no legend (colour by nothing). */
export const UNCOLOURED: Colouring = { fill: () => COLOURS[0]!, legend: [] };

/** Screen position of each point: both axes stretched to the plot, y upwards. */
export function scatterPositions(p: { x: Float64Array; y: Float64Array }): [number, number][] {
  const { W, H, PAD } = PLOT;
  const span = (a: Float64Array) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of a) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    return [lo, hi - lo || 1] as const;
  };
  const [x0, xw] = span(p.x);
  const [y0, yw] = span(p.y);
  return Array.from(p.x, (x, i): [number, number] => [
    PAD + ((x - x0) / xw) * (W - 2 * PAD),
    H - PAD - ((p.y[i]! - y0) / yw) * (H - 2 * PAD),
  ]);
}

/** The point nearest (x, y) closer than `reach`, else -1. */
export function nearestPoint(
  positions: readonly [number, number][],
  x: number,
  y: number,
  reach = 8,
): number {
  let best = -1;
  let bestD = reach;
  positions.forEach(([px, py], i) => {
    const d = Math.hypot(px - x, py - y);
    if (d < bestD) [best, bestD] = [i, d];
  });
  return best;
}

/**
 * Colours for the points whose column values are `values` (of SQL type `type`): a ramp when
 * all are numbers with more distinct values than the palette, else a palette colour for each
 * of the most frequent values and one colour for the rest ('other').
 */
export function pointColouring(values: readonly unknown[], type: string): Colouring {
  const numeric = values.filter((v) => typeof v === 'number' || typeof v === 'bigint');
  const distinct = new Set(values.map((v) => formatCell(v, type)));
  if (numeric.length === values.length && distinct.size > COLOURS.length) {
    const nums = values.map(Number);
    const lo = Math.min(...nums);
    const hi = Math.max(...nums);
    const t = (i: number) => (hi > lo ? (nums[i]! - lo) / (hi - lo) : 0);
    const mix = (i: number) => `hsl(${220 - 190 * t(i)} 70% ${45 + 10 * t(i)}%)`;
    return {
      fill: mix,
      legend: [
        [String(lo), 'hsl(220 70% 45%)'],
        [String(hi), 'hsl(30 70% 55%)'],
      ],
    };
  }
  const counts: Record<string, number> = Object.create(null);
  for (const v of values) {
    const k = formatCell(v, type);
    counts[k] = (counts[k] ?? 0) + 1;
  }
  const all = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  // Up to the palette's size, every value its own colour; past it, the last slot is 'other'.
  const top = all.length <= COLOURS.length ? all : all.slice(0, COLOURS.length - 1);
  const colourOf = new Map(top.map(([k], j) => [k, COLOURS[j]!]));
  const other = all.length > top.length ? OTHER : null;
  const legend: [string, string][] = top.map(([k]) => [k || '–', colourOf.get(k)!]);
  if (other) legend.push(['other', other]);
  return {
    fill: (i: number) => colourOf.get(formatCell(values[i], type)) ?? other ?? OTHER,
    legend,
  };
}
