/**
 * Times as the grids write them, from what Arrow holds (a timestamp's raw int64 in its unit, a
 * DATE's milliseconds): the Query view's cells (src/app/query-cells.ts) and the workers that
 * send times as text (a subject's row in the Labels tab). Pure, no DOM.
 */
import { TimeUnit } from 'apache-arrow';

/** DuckDB's timestamp `infinity` in any unit (int64's largest value); `-infinity` is its negation. */
const TS_INFINITY = 9223372036854775807n;
/** A timestamp unit's ticks in a millisecond (none for seconds, which are coarser). */
const PER_MS: Record<TimeUnit, bigint> = {
  [TimeUnit.SECOND]: 0n,
  [TimeUnit.MILLISECOND]: 1n,
  [TimeUnit.MICROSECOND]: 1000n,
  [TimeUnit.NANOSECOND]: 1_000_000n,
};

/** A raw timestamp as whole milliseconds since the epoch and the ticks after them (≥ 0). */
function split(raw: bigint, unit: TimeUnit): [ms: bigint, sub: bigint] {
  const per = PER_MS[unit];
  if (per === 0n) return [raw * 1000n, 0n];
  let ms = raw / per;
  if (raw % per < 0n) ms -= 1n;
  return [ms, raw - ms * per];
}

/** A raw timestamp as milliseconds since the epoch (±Infinity for DuckDB's infinities). */
export function timestampMs(raw: bigint, unit: TimeUnit): number {
  if (raw >= TS_INFINITY) return Infinity;
  if (raw <= -TS_INFINITY) return -Infinity;
  return Number(split(raw, unit)[0]);
}

/**
 * A timestamp of `unit` (its raw int64) as the grids write one: ISO 8601 in UTC
 * (`2024-01-01T12:00:00.000Z`) with the digits under a millisecond where there are any
 * (`…12:00:00.123456Z`, `…12:00:00.123456789Z`), and DuckDB's `infinity` and `-infinity`.
 */
export function timestampText(raw: bigint, unit: TimeUnit): string {
  if (raw >= TS_INFINITY) return 'infinity';
  if (raw <= -TS_INFINITY) return '-infinity';
  const [ms, sub] = split(raw, unit);
  const d = new Date(Number(ms));
  // Beyond the ±275,760 years a Date holds (DuckDB's range is ±290,000): the raw number.
  if (Number.isNaN(d.getTime())) return String(raw);
  const iso = d.toISOString();
  if (sub === 0n) return iso;
  const digits = unit === TimeUnit.NANOSECOND ? 6 : 3;
  return `${iso.slice(0, -1)}${String(sub).padStart(digits, '0')}Z`;
}

/** DuckDB's DATE `infinity` (int32's largest day count), in the milliseconds Arrow gives. */
const DATE_INFINITY_MS = 2147483647 * 86_400_000;

/** A DATE (Arrow's milliseconds since the epoch) as its day, `2024-02-03`, or ±`infinity`. */
export function dateText(ms: number): string {
  if (ms === DATE_INFINITY_MS) return 'infinity';
  if (ms === -DATE_INFINITY_MS) return '-infinity';
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString().split('T')[0]!;
}
