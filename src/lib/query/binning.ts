/**
 * The bins of a histogram (stats-plan.ts plans one per chart of numbers, dates and lengths):
 * `bins` bins of `width` from `lo`, the first holding the smallest value and the last the
 * largest, so the chart covers min..max once.
 *
 * Numbers get round widths (0.5, 2, 25…) on round edges, so that a range picked on the chart reads
 * well. Dates (epoch milliseconds) get widths of the clock and calendar (a minute, an hour, a day,
 * a week, about a month…) from the midnight (or the round time) of the first date's day: round
 * numbers of milliseconds are not round times, and their round edges could start months before
 * the first date (2018-10-20 on a chart of dates from 2019-01-01).
 */

/** Bins of a histogram whose values are not a small range of whole numbers. */
export const BINS = 20;

/** Bins of a charted numeric expression: `bins` bins of `width` from `lo`. */
export interface Binning {
  lo: number;
  hi: number;
  bins: number;
  width: number;
  /** The values are whole numbers (bin edges are shown without decimals). */
  integer: boolean;
}

/** Bins for values in [lo, hi]: unit bins for a small range of whole numbers, else {@link BINS}. */
export function binning(lo: number, hi: number, integer: boolean): Binning | undefined {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return undefined;
  if (integer && hi - lo + 1 <= BINS + 10) {
    return { lo, hi, bins: hi - lo + 1, width: 1, integer };
  }
  if (hi === lo) return { lo, hi, bins: 1, width: 1, integer };
  // Round bin edges (0.5, 2, 25…), so that a range picked on the chart reads well.
  const step = niceStep((hi - lo) / BINS, integer);
  return fromStep(lo, hi, Math.floor(lo / step) * step, step, integer);
}

/** The smallest of 1, 2, 2.5, 5 × 10^k at least `raw` (whole numbers for whole values). */
export function niceStep(raw: number, integer: boolean): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw * (1 - 1e-9))!;
  return integer ? Math.max(1, Math.ceil(step)) : step;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const YEAR = 365 * DAY;

/**
 * Widths of date bins, in milliseconds. Each up to a day divides a day, so that bins from a round
 * time of the first date's day meet midnight; longer ones are whole days (a week, two, and about
 * one, two, three, four and six months and a year); longer ranges take whole years.
 */
const DATE_STEPS: readonly number[] = [
  ...[1, 2, 5, 10, 20, 50, 100, 200, 500],
  ...[1, 2, 5, 10, 15, 30].map((n) => n * SECOND),
  ...[1, 2, 5, 10, 15, 30].map((n) => n * MINUTE),
  ...[1, 2, 3, 6, 12].map((n) => n * HOUR),
  ...[1, 2, 7, 14, 30, 61, 91, 122, 182, 365].map((n) => n * DAY),
];

/**
 * Bins for dates in [lo, hi] (epoch milliseconds): about {@link BINS} of the smallest width of
 * {@link DATE_STEPS} (or whole years) that is enough, the first starting on the first date's day
 * (at midnight, or the round time before it for widths under a day), so the axis never starts
 * before the day of the first date.
 */
export function dateBinning(lo: number, hi: number): Binning | undefined {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return undefined;
  if (hi === lo) return { lo, hi, bins: 1, width: 1, integer: true };
  const raw = (hi - lo) / BINS;
  const step = DATE_STEPS.find((s) => s >= raw) ?? YEAR * niceStep(raw / YEAR, true);
  const unit = Math.min(step, DAY);
  return fromStep(lo, hi, Math.floor(lo / unit) * unit, step, true);
}

/** Bins of `step` from `start` (at most `lo`) up to the one holding `hi`. */
function fromStep(lo: number, hi: number, start: number, step: number, integer: boolean): Binning {
  const bins = Math.max(1, Math.ceil((hi - start) / step - 1e-9));
  return { lo: start, hi, bins, width: step, integer };
}

/**
 * An instant (epoch milliseconds: a timestamp, or a date at its midnight) as a chart's axis,
 * its statistics and a facet's chip write it, in UTC: the day alone at midnight
 * (`2024-03-01`), else with the time to the minute, second or millisecond it has
 * (`2024-03-01 14:05`, `… 14:05:09`, `… 14:05:09.250`), so that the edges of bins finer than a
 * day, and the minimum and maximum of a day's acquisitions, differ. Beyond the ±275,760 years a
 * JS Date holds (DuckDB's timestamps go to ±290,000): the raw number, as the grid shows it.
 */
export function instantText(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return String(ms);
  const [day, time] = d.toISOString().slice(0, -1).split('T') as [string, string];
  if (ms % 86_400_000 === 0) return day;
  const cut = ms % 60_000 === 0 ? 5 : ms % 1000 === 0 ? 8 : 12;
  return `${day} ${time.slice(0, cut)}`;
}
