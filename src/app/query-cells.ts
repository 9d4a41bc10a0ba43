/**
 * Result cells of the types Arrow hands over as raw numbers or bytes (INTERVAL, TIME, BLOB,
 * UHUGEINT), read and written as DuckDB prints them, and timestamps read from their raw int64
 * so that neither their digits under a millisecond nor DuckDB's `infinity` are lost. (ENUM,
 * TIME WITH TIME ZONE, BIT and BIGNUM results come as DuckDB's own text: lib/query/as-text.ts.)
 */
import type { TimeUnit } from 'apache-arrow';
import { DataType, IntervalUnit, type Data, type Vector } from 'apache-arrow';
import { formatBytes } from './format.ts';
import { dateText, timestampMs, timestampText } from '../lib/query/time-text.ts';

export { dateText, timestampText };

/** An INTERVAL as DuckDB keeps it: months, days and a time part (here in nanoseconds). */
export interface IntervalValue {
  readonly kind: 'interval';
  readonly months: number;
  readonly days: number;
  readonly nanoseconds: bigint;
}

/** Whether a cell is an {@link IntervalValue} (as {@link cellAt} reads one). */
export function isIntervalValue(v: unknown): v is IntervalValue {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'interval';
}

/** The piece of `vector`'s data that holds `row`, and the row's index in it. */
function locate(vector: Vector, row: number): { data: Data; i: number } | undefined {
  let i = row;
  for (const data of vector.data) {
    if (i < data.length) return { data, i };
    i -= data.length;
  }
  return undefined;
}

/**
 * The value of `vector` at `row`, as `vector.get(row)` gives it except for intervals and
 * timestamps. Intervals are {@link IntervalValue}s: apache-arrow 17 reads a MONTH_DAY_NANO
 * interval (DuckDB's INTERVAL) as if it were YEAR_MONTH, so the days and the time part were
 * lost; it is read here from the column's buffer (16 bytes a value: int32 months, int32 days,
 * int64 nanoseconds, little-endian). A timestamp is its milliseconds since the epoch, as `get`
 * gives them, but DuckDB's `infinity` and `-infinity` are ±Infinity: `get` threw on them (its
 * int64 does not divide into a safe number), which took the whole grid down.
 */
export function cellAt(vector: Vector | null | undefined, row: number): unknown {
  if (!vector) return undefined;
  const ts = DataType.isTimestamp(vector.type);
  if (!ts && !DataType.isInterval(vector.type)) return vector.get(row);
  const at = locate(vector, row);
  if (!at) return undefined;
  const { data, i } = at;
  if (!data.getValid(i)) return null;
  if (ts) return timestampMs((data.values as BigInt64Array)[i]!, vector.type.unit as TimeUnit);
  const values = data.values as Int32Array;
  const view = new DataView(values.buffer, values.byteOffset, values.byteLength);
  switch (vector.type.unit as IntervalUnit) {
    case IntervalUnit.YEAR_MONTH:
      return interval(view.getInt32(4 * i, true), 0, 0n);
    case IntervalUnit.DAY_TIME:
      return interval(
        0,
        view.getInt32(8 * i, true),
        BigInt(view.getInt32(8 * i + 4, true)) * 1_000_000n,
      );
    default:
      return interval(
        view.getInt32(16 * i, true),
        view.getInt32(16 * i + 4, true),
        view.getBigInt64(16 * i + 8, true),
      );
  }
}

/** Cell `row` of a timestamp column as {@link timestampText} writes it; undefined for other types. */
export function timestampTextAt(
  vector: Vector | null | undefined,
  row: number,
): string | undefined {
  if (!vector || !DataType.isTimestamp(vector.type)) return undefined;
  const at = locate(vector, row);
  if (!at || !at.data.getValid(at.i)) return undefined;
  return timestampText((at.data.values as BigInt64Array)[at.i]!, vector.type.unit as TimeUnit);
}

const interval = (months: number, days: number, nanoseconds: bigint): IntervalValue => ({
  kind: 'interval',
  months,
  days,
  nanoseconds,
});

/** `1 year`, `-2 months`, `3 days`: nothing when `n` is 0. */
const part = (n: number, unit: string) =>
  n === 0 ? [] : [`${n} ${unit}${Math.abs(n) === 1 ? '' : 's'}`];

/** The digits after the point of `ns` nanoseconds (under a second), trailing zeros dropped. */
const fraction = (ns: bigint) =>
  ns === 0n ? '' : `.${String(ns).padStart(9, '0').replace(/0+$/, '')}`;

/** `hh:mm:ss[.ffffff]` of a non-negative time of day or duration in nanoseconds. */
function clock(ns: bigint): string {
  const seconds = ns / 1_000_000_000n;
  const two = (n: bigint) => String(n).padStart(2, '0');
  return `${two(seconds / 3600n)}:${two((seconds / 60n) % 60n)}:${two(seconds % 60n)}${fraction(ns % 1_000_000_000n)}`;
}

/**
 * An interval as DuckDB prints it: `1 year 2 months 3 days 01:30:00.5`, `-1 years -2 months`,
 * `-01:30:00`, and `00:00:00` when it is empty (DuckDB's IntervalToStringCast).
 */
export function intervalText({ months, days, nanoseconds }: IntervalValue): string {
  const years = Math.trunc(months / 12);
  const parts = [
    ...part(years, 'year'),
    ...part(months - years * 12, 'month'),
    ...part(days, 'day'),
  ];
  if (nanoseconds !== 0n || parts.length === 0) {
    const minus = nanoseconds < 0n ? '-' : '';
    parts.push(minus + clock(nanoseconds < 0n ? -nanoseconds : nanoseconds));
  }
  return parts.join(' ');
}

/** A TIME (microseconds since midnight) as DuckDB prints it: `13:45:00`, `13:45:00.123456`. */
export function timeText(micros: bigint): string {
  return clock(micros * 1000n);
}

/** Blobs longer than this show their size and their first bytes only. */
const BLOB_BYTES = 64;

/**
 * A BLOB as DuckDB prints it: printable ASCII as is, other bytes (and `\`, `'`, `"`) as `\xAA`;
 * a long one as its size and its first 64 bytes (`1.2 kB \x89PNG\x0D\x0A…`), which the grid
 * shows whole: cut to a number of characters, an escape could be cut in half.
 */
export function blobText(bytes: Uint8Array): string {
  let text = '';
  for (const b of bytes.subarray(0, BLOB_BYTES)) {
    const plain = b >= 32 && b <= 126 && b !== 0x5c && b !== 0x27 && b !== 0x22;
    text += plain ? String.fromCharCode(b) : `\\x${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return bytes.length > BLOB_BYTES ? `${formatBytes(bytes.length)} ${text}…` : text;
}

/** A UHUGEINT (Arrow gives its 16 bytes, little-endian) as its digits. */
export function uhugeintText(bytes: Uint8Array): string {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return String(n);
}
