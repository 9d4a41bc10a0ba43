/**
 * The geometry of the report's bar chart of the top slices: one bar per slice, its height its
 * error rate, with the 95% interval as a whisker and the overall rate as a line across. Pure
 * numbers, drawn as SVG both by the Blind spots tab and by the HTML export.
 */
import type { ReportSlice } from './blindspots-types.ts';

/** The chart's size and margins, in SVG user units. */
export const BAR_CHART = { width: 560, height: 220, top: 12, bottom: 28, left: 44, right: 8 };

/** One bar: its slice, box, and whisker (null: no interval). */
export interface Bar {
  rank: number;
  text: string;
  x: number;
  width: number;
  /** Top of the bar; the bar runs down to the baseline. */
  y: number;
  height: number;
  whisker: { y1: number; y2: number } | null;
}

/** The whole chart: bars, the overall rate's line, and the y axis's top value. */
export interface BarChart {
  bars: Bar[];
  /** Baseline (rate 0) and the y of the overall rate. */
  baseline: number;
  overallY: number;
  /** The rate at the top of the plot (the largest of rates, upper bounds and the overall). */
  max: number;
}

/**
 * Bars of the first `n` slices. The y scale runs from 0 at the baseline to `max` at the top,
 * `max` being the largest error rate, interval bound or overall rate (at least a tiny positive
 * number, so an all-zero chart still draws).
 */
export function barChart(slices: readonly ReportSlice[], overall: number | null, n = 10): BarChart {
  const c = BAR_CHART;
  const shown = slices.slice(0, n);
  const plotH = c.height - c.top - c.bottom;
  const plotW = c.width - c.left - c.right;
  const values = shown.flatMap((s) => [s.errorRate.value, s.errorRate.hi]);
  const max = Math.max(1e-9, overall ?? 0, ...values.map((v) => v ?? 0));
  const baseline = c.top + plotH;
  const y = (v: number) => baseline - (Math.max(0, v) / max) * plotH;
  const slot = shown.length ? plotW / shown.length : plotW;
  const bars = shown.map((s, i): Bar => {
    const top = y(s.errorRate.value ?? 0);
    const { lo, hi } = s.errorRate;
    return {
      rank: s.rank,
      text: s.text,
      x: c.left + i * slot + slot * 0.15,
      width: slot * 0.7,
      y: top,
      height: baseline - top,
      whisker: lo === null || hi === null ? null : { y1: y(hi), y2: y(lo) },
    };
  });
  return { bars, baseline, overallY: y(overall ?? 0), max };
}
