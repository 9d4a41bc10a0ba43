/**
 * Result cells the grid used to show as Arrow's raw values (`{"0":0,"1":0}` for `INTERVAL 3
 * DAY`, `49500000000` for `TIME '13:45:00'`, `{"0":170,"1":0}` for a BLOB, HUGEINT digits in
 * quote marks), written as DuckDB prints them; and intervals of every Arrow unit read whole.
 */
import { Interval, IntervalUnit, Vector, makeData, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import {
  blobText,
  cellAt,
  intervalText,
  timeText,
  uhugeintText,
  type IntervalValue,
} from '../../src/app/query-cells.ts';
import { formatCell, isNumericType } from '../../src/app/query-format.ts';

const iv = (months: number, days: number, nanoseconds: bigint): IntervalValue => ({
  kind: 'interval',
  months,
  days,
  nanoseconds,
});
const HOUR = 3_600_000_000_000n;
const SECOND = 1_000_000_000n;

describe('intervalText', () => {
  it('writes years, months, days and a clock as DuckDB does', () => {
    expect(intervalText(iv(0, 3, 0n))).toBe('3 days');
    expect(intervalText(iv(14, 0, 0n))).toBe('1 year 2 months');
    expect(intervalText(iv(1, 1, 0n))).toBe('1 month 1 day');
    expect(intervalText(iv(24, 0, 0n))).toBe('2 years');
    expect(intervalText(iv(0, 0, HOUR + 30n * 60n * SECOND))).toBe('01:30:00');
    expect(intervalText(iv(14, 3, HOUR + 30n * 60n * SECOND + SECOND / 2n))).toBe(
      '1 year 2 months 3 days 01:30:00.5',
    );
    expect(intervalText(iv(0, 0, 100n * HOUR))).toBe('100:00:00');
    expect(intervalText(iv(0, 0, 1000n))).toBe('00:00:00.000001');
    expect(intervalText(iv(0, 0, 0n))).toBe('00:00:00');
  });

  it('keeps the sign of each part (months truncated toward zero; ±1 is singular)', () => {
    expect(intervalText(iv(-14, 0, 0n))).toBe('-1 year -2 months');
    expect(intervalText(iv(-1, -1, 0n))).toBe('-1 month -1 day');
    expect(intervalText(iv(0, 2, -(HOUR + 30n * 60n * SECOND)))).toBe('2 days -01:30:00');
  });
});

describe('timeText, blobText, uhugeintText', () => {
  it('a TIME in microseconds as hh:mm:ss with the fraction DuckDB shows', () => {
    expect(timeText(49_500_000_000n)).toBe('13:45:00');
    expect(timeText(49_500_123_456n)).toBe('13:45:00.123456');
    expect(timeText(500_000n)).toBe('00:00:00.5');
    expect(timeText(86_399_999_999n)).toBe('23:59:59.999999');
  });

  it('a BLOB: printable ASCII as is, other bytes and \\ \' " as \\xAA', () => {
    expect(blobText(Uint8Array.of(0xaa, 0x00))).toBe('\\xAA\\x00');
    expect(blobText(new TextEncoder().encode('Ab \\\'"~'))).toBe('Ab \\x5C\\x27\\x22~');
    expect(blobText(new Uint8Array())).toBe('');
  });

  it('a long BLOB: its size and its first 64 bytes', () => {
    const bytes = new Uint8Array(1500).fill(0x41);
    bytes[0] = 0x89;
    expect(blobText(bytes)).toBe(`1.5 kB \\x89${'A'.repeat(63)}…`);
    expect(blobText(new Uint8Array(64).fill(0x42))).toBe('B'.repeat(64));
  });

  it('a UHUGEINT from its 16 little-endian bytes', () => {
    const two = new Uint8Array(16);
    two[0] = 2;
    expect(uhugeintText(two)).toBe('2');
    expect(uhugeintText(new Uint8Array(16).fill(0xff))).toBe(
      '340282366920938463463374607431768211455',
    );
  });
});

describe('formatCell', () => {
  it('writes these types by their SQL type', () => {
    expect(formatCell(iv(0, 3, 0n), 'INTERVAL')).toBe('3 days');
    expect(formatCell(49_500_000_000n, 'TIME')).toBe('13:45:00');
    expect(formatCell(Uint8Array.of(0xaa, 0x00), 'BLOB')).toBe('\\xAA\\x00');
    const blob = formatCell(new Uint8Array(100_000), 'BLOB');
    expect(blob).toBe(`100 kB ${'\\x00'.repeat(64)}…`);
    expect(formatCell(Uint8Array.of(2, ...new Uint8Array(15)), 'UHUGEINT')).toBe('2');
    // Right-aligned as the other integers.
    expect(['HUGEINT', 'UHUGEINT'].map(isNumericType)).toEqual([true, true]);
  });

  it('writes a DATE as its day and a TIMESTAMP whole, midnight included', () => {
    // A midnight timestamp was written as its day alone, unlike the others in its column.
    const midnight = Date.UTC(2024, 0, 1);
    expect(formatCell(midnight, 'TIMESTAMP')).toBe('2024-01-01T00:00:00.000Z');
    expect(formatCell(midnight + 1000, 'TIMESTAMP')).toBe('2024-01-01T00:00:01.000Z');
    expect(formatCell(midnight, 'DATE')).toBe('2024-01-01');
    // Years outside 0000-9999 keep their sign and six digits (toISOString's extended form).
    const ides = Date.UTC(-44, 2, 15);
    expect(formatCell(ides, 'DATE')).toBe('-000044-03-15');
  });

  it('leaves the other types as they were', () => {
    expect(formatCell(12345678901234567n, 'BIGINT')).toBe('12345678901234567');
    expect(formatCell(18446744073709551615n, 'UBIGINT')).toBe('18446744073709551615');
    expect(formatCell(NaN, 'DOUBLE')).toBe('NaN');
    expect(formatCell(Infinity, 'DOUBLE')).toBe('Infinity');
    expect(formatCell(1704103200000, 'TIMESTAMP WITH TIME ZONE')).toBe('2024-01-01T10:00:00.000Z');
    expect(formatCell(49_500_000_000n, 'TIME WITH TIME ZONE')).toBe('49500000000');
    expect(formatCell('x', 'VARCHAR')).toBe('x');
  });
});

/** A vector of intervals in `unit` from its raw int32 buffers, one Data chunk each. */
function intervals(unit: IntervalUnit, chunks: { values: number[]; valid: number }[]) {
  const type = new Interval(unit);
  const stride = [1, 2, 4][unit]!;
  return new Vector(
    chunks.map(({ values, valid }) =>
      makeData({
        type,
        length: values.length / stride,
        nullCount: -1,
        nullBitmap: Uint8Array.of(valid),
        data: Int32Array.from(values),
      }),
    ),
  );
}

describe('cellAt', () => {
  it('reads a MONTH_DAY_NANO interval whole, across chunks, with nulls', () => {
    // 1 hour 30 minutes in nanoseconds, as two little-endian int32s.
    const ns = Number(HOUR + 30n * 60n * SECOND);
    const lo = ns % 2 ** 32;
    const hi = Math.floor(ns / 2 ** 32);
    const v = intervals(IntervalUnit.MONTH_DAY_NANO, [
      { values: [0, 3, 0, 0, 14, 0, 0, 0], valid: 0b11 },
      { values: [0, 0, 0, 0, 14, 3, lo, hi], valid: 0b10 },
    ]);
    const text = [0, 1, 2, 3].map((r) => formatCell(cellAt(v, r), 'INTERVAL'));
    expect(text).toEqual(['3 days', '1 year 2 months', '', '1 year 2 months 3 days 01:30:00']);
  });

  it('reads YEAR_MONTH and DAY_TIME intervals', () => {
    const ym = intervals(IntervalUnit.YEAR_MONTH, [{ values: [14, -3], valid: 0b11 }]);
    expect([0, 1].map((r) => formatCell(cellAt(ym, r), 'INTERVAL'))).toEqual([
      '1 year 2 months',
      '-3 months',
    ]);
    const dt = intervals(IntervalUnit.DAY_TIME, [{ values: [3, 5_400_500], valid: 0b1 }]);
    expect(formatCell(cellAt(dt, 0), 'INTERVAL')).toBe('3 days 01:30:00.5');
  });

  it('is the vector’s own value for other types; undefined past the end or without a vector', () => {
    const v = new Vector([makeData({ type: new Interval(IntervalUnit.YEAR_MONTH), length: 0 })]);
    expect(cellAt(v, 0)).toBeUndefined();
    expect(cellAt(null, 0)).toBeUndefined();
    expect(cellAt(vectorFromArray(['a', null, 'c']), 2)).toBe('c');
    expect(cellAt(vectorFromArray(['a', null, 'c']), 1)).toBeNull();
  });
});
