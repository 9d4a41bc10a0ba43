/**
 * The bins of the statistics panel's histograms (binning.ts): round edges for numbers; for dates,
 * widths of the clock and calendar from the first date's day, so that the axis, which shows the
 * first bin's start, never starts before the minimum the card states. Expected values are worked
 * out here from the ranges.
 */
import { describe, expect, it } from 'vitest';
import {
  binning,
  dateBinning,
  instantText,
  niceStep,
  type Binning,
} from '../../src/lib/query/binning.ts';
import { planColumn, type RowsOf } from '../../src/lib/query/stats-plan.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** A date as the card shows it (UTC day). */
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The bins cover [lo, hi] once: the first holds lo, the last hi, none is empty of range. */
function expectCoversOnce(b: Binning, lo: number, hi: number) {
  expect(b.lo).toBeLessThanOrEqual(lo);
  expect(lo).toBeLessThan(b.lo + b.width);
  expect(b.lo + (b.bins - 1) * b.width).toBeLessThan(hi);
  expect(hi).toBeLessThanOrEqual(b.lo + b.bins * b.width);
  expect(b.hi).toBe(hi);
}

describe('histogram bins', () => {
  it('bin small ranges of whole numbers by unit, others on round edges', () => {
    expect(binning(1, 3, true)).toEqual({ lo: 1, hi: 3, bins: 3, width: 1, integer: true });
    expect(niceStep(3.6, false)).toBe(5);
    expect(niceStep(0.021, false)).toBe(0.025);
    const b = binning(0.1667, 80, false)!;
    expect(b).toMatchObject({ lo: 0, width: 5, bins: 16 });
    expect(binning(5, 5, false)).toMatchObject({ bins: 1 });
  });

  it("start a date chart on the first date's day, as the card's minimum (the demo's dates)", async () => {
    // The demo study's acquisition_date: 2019-01-01 to 2023-12-29, as DuckDB's profile query
    // would answer for a timestamp column (epoch_ms range).
    const lo = Date.UTC(2019, 0, 1);
    const hi = Date.UTC(2023, 11, 29);
    const profile = { total: 5000n, c0_n: 5000n, c0_d: 1700n, c0_lo: lo, c0_hi: hi };
    const rows: RowsOf = async () => [profile];
    const [plan] = await planColumn(rows, '"d@main"."m"', {
      name: 'acquisition_date',
      type: 'timestamp',
    });
    // 2019, 2021 and 2022 have 365 days, 2020 366, 2023 up to Dec 29 362: 1,823 days, 91.15
    // a bin for 20 bins. Three months (91 days) is too narrow; four (122 days) is the next
    // width: ceil(1823 / 122) = ceil(14.94) = 15 bins, from 2019-01-01 itself (at midnight).
    expect(plan).toMatchObject({ kind: 'date' });
    expect(plan!.binning).toEqual({ lo, hi, bins: 15, width: 122 * DAY, integer: true });
    expect(day(plan!.binning!.lo)).toBe('2019-01-01');
    expectCoversOnce(plan!.binning!, lo, hi);
  });

  it('bin dates by round times within a day, whole days and whole years beyond', () => {
    // From 18:00 on 2020-02-29, 100 days: 5 days a bin, so a week, from that day's midnight:
    // 100 days 18 hours / 7 days = 14.39, 15 bins.
    const leap = Date.UTC(2020, 1, 29, 18);
    const week = dateBinning(leap, leap + 100 * DAY)!;
    expect(week).toMatchObject({ lo: Date.UTC(2020, 1, 29), width: 7 * DAY, bins: 15 });
    expectCoversOnce(week, leap, leap + 100 * DAY);

    // From 13:45, 10 hours: 30 minutes a bin, from 13:30; 10 h 15 min / 30 min = 20.5, 21 bins.
    const morning = Date.UTC(2021, 5, 15, 13, 45);
    const hours = dateBinning(morning, morning + 10 * HOUR)!;
    expect(hours).toMatchObject({ lo: Date.UTC(2021, 5, 15, 13, 30), width: 30 * MINUTE });
    expect(hours.bins).toBe(21);
    expectCoversOnce(hours, morning, morning + 10 * HOUR);

    // 1950-01-01 (before 1970: negative epoch ms) to 2020-06-30: 25,748 days, 3.53 years of 365
    // days a bin: 5 years (1,825 days); 25748 / 1825 = 14.1, 15 bins.
    const lo = Date.UTC(1950, 0, 1);
    const hi = Date.UTC(2020, 5, 30);
    const years = dateBinning(lo, hi)!;
    expect(years).toMatchObject({ lo, width: 5 * 365 * DAY, bins: 15 });
    expectCoversOnce(years, lo, hi);

    // One date: one bin; no dates: no bins.
    expect(dateBinning(lo, lo)).toMatchObject({ lo, hi: lo, bins: 1 });
    expect(dateBinning(NaN, NaN)).toBeUndefined();
  });

  it("never start a date chart before the first date's day", () => {
    // Ranges from a few seconds to decades, starting at odd times: the first bin's start (the
    // axis' first label) is on the first date's day.
    const starts = [Date.UTC(2019, 0, 1), Date.UTC(2003, 6, 9, 23, 59, 59, 999), -1];
    const spans = [7_000, 5 * HOUR, 3 * DAY, 40 * DAY, 700 * DAY, 9000 * DAY];
    for (const lo of starts) {
      for (const span of spans) {
        const b = dateBinning(lo, lo + span)!;
        expect(day(b.lo), `${day(lo)} + ${span} ms`).toBe(day(lo));
        expectCoversOnce(b, lo, lo + span);
      }
    }
  });
});

describe('instants as the axis, the statistics and the chips write them', () => {
  it('give the day at midnight, else the time to the minute, second or millisecond it has', () => {
    expect(instantText(Date.UTC(2024, 2, 1))).toBe('2024-03-01');
    expect(instantText(Date.UTC(2024, 2, 1, 14, 5))).toBe('2024-03-01 14:05');
    expect(instantText(Date.UTC(2024, 2, 1, 0, 0, 9))).toBe('2024-03-01 00:00:09');
    expect(instantText(Date.UTC(2024, 2, 1, 14, 5, 9, 250))).toBe('2024-03-01 14:05:09.250');
    // Before 1970 (negative milliseconds) alike.
    expect(instantText(Date.UTC(1969, 11, 31))).toBe('1969-12-31');
    expect(instantText(Date.UTC(1969, 11, 31, 23, 59))).toBe('1969-12-31 23:59');
    expect(instantText(-1)).toBe('1969-12-31 23:59:59.999');
  });

  it('give the raw number beyond what a JS Date holds, instead of throwing', () => {
    // 8.64e15 ms is the last instant a Date holds (year 275760); DuckDB's reach further.
    expect(instantText(8.64e15)).toBe('+275760-09-13');
    expect(instantText(8.64e15 + 1)).toBe('8640000000000001');
    expect(instantText(-9e15)).toBe('-9000000000000000');
  });
});
