/**
 * The geometry of a training curve chart (./components/train/TrainChart.svelte): the SVG's
 * view box is the chart's size in CSS pixels, so its drawing is never scaled unevenly and a
 * validation marker stays a round dot whatever the width; and the axis range written under it,
 * none while there are no points (an empty chart has no range to show).
 */
import type { CurvePoint } from './train-curves.ts';

/** What the chart is drawn from. */
export interface ChartInput {
  train: readonly CurvePoint[];
  val: readonly CurvePoint[];
  /** Total steps of the run (the x range); 0 when unknown. */
  steps: number;
  /** Fixed y range (accuracy: [0, 1]); else from the points. */
  range?: readonly [number, number];
  /** The chart's size in CSS pixels. */
  width: number;
  height: number;
}

/** The chart's drawing and axis. */
export interface ChartGeometry {
  viewBox: string;
  trainLine: string;
  valLine: string;
  /** Validation markers, in the same units as the view box (pixels). */
  markers: { step: number; cx: number; cy: number }[];
  /** The y range, or null for an empty chart without a fixed range. */
  y: [number, number] | null;
  /** The x range, or null while no point and no run length is known. */
  x: [number, number] | null;
}

const PAD = 4;

/** See the module comment. */
export function chartGeometry(c: ChartInput): ChartGeometry {
  const all = [...c.train, ...c.val];
  const w = Math.max(1, c.width);
  const h = Math.max(1, c.height);
  const xMax = Math.max(1, c.steps, ...all.map((p) => p.step));
  const yLo = c.range ? c.range[0] : Math.min(0, ...all.map((p) => p.value));
  const yHi = c.range ? c.range[1] : Math.max(1e-6, ...all.map((p) => p.value));
  const x = (s: number) => PAD + (s / xMax) * (w - 2 * PAD);
  const y = (v: number) => h - PAD - ((v - yLo) / (yHi - yLo || 1)) * (h - 2 * PAD);
  const line = (ps: readonly CurvePoint[]) => ps.map((p) => `${x(p.step)},${y(p.value)}`).join(' ');
  return {
    viewBox: `0 0 ${w} ${h}`,
    trainLine: line(c.train),
    valLine: line(c.val),
    markers: c.val.map((p) => ({ step: p.step, cx: x(p.step), cy: y(p.value) })),
    y: all.length || c.range ? [yLo, yHi] : null,
    x: all.length || c.steps > 0 ? [0, xMax] : null,
  };
}
