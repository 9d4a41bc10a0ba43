/** Query results and statistics as text for the grid, the charts and their tables. */
import { instantText } from '../lib/query/binning.ts';
import type { LoadProgress, LoadedTable } from '../lib/query/engine.ts';
import type { SqlPosition } from '../lib/query/error-position.ts';
import type { StatsKind } from '../lib/query/stats-plan.ts';
import type { NotNumbers } from '../lib/query/stats.ts';
import { counted as plural, formatBytes } from './format.ts';
import {
  blobText,
  dateText,
  intervalText,
  isIntervalValue,
  timeText,
  uhugeintText,
} from './query-cells.ts';

/** At most this many characters of a cell are shown in the grid (the title has them all). */
const CELL_CHARS = 200;

/** JSON with bigints as their digits (quoted). */
export function json(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
}

/** A float32 as the shortest decimal that reads back as the same float32 (`0.1`, not `0.100000001`). */
export function float32Text(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  for (let p = 1; p < 9; p++) {
    const d = Number(x.toPrecision(p));
    if (Math.fround(d) === x) return String(d);
  }
  return String(Number(x.toPrecision(9)));
}

/** A list of FLOAT (such as an embedding, `FLOAT[]`): each item as its float32 decimal. */
const FLOAT_LIST = /^FLOAT\[\d*\]$/;

/**
 * A result cell as text; `type` is DuckDB's SQL type of its column. An interval is read right
 * only by `cellAt` (query-cells.ts), not by the vector's `get`.
 */
export function formatCell(v: unknown, type: string): string {
  if (v === null || v === undefined) return '';
  if (isIntervalValue(v)) return intervalText(v);
  if (type === 'TIME' && typeof v === 'bigint') return timeText(v);
  if (type === 'BLOB' && v instanceof Uint8Array) return blobText(v);
  if (type === 'UHUGEINT' && v instanceof Uint8Array) return uhugeintText(v);
  // Arrow's big number: its toJSON() quotes the digits.
  if (type === 'HUGEINT' && typeof v === 'object') return String(v);
  if (typeof v === 'object' && FLOAT_LIST.test(type) && Symbol.iterator in v) {
    const items = [...(v as Iterable<number | null>)].map((x) =>
      x === null ? 'null' : float32Text(x),
    );
    const text = `[${items.join(',')}]`;
    return text.length > CELL_CHARS ? text.slice(0, CELL_CHARS) + '…' : text;
  }
  if (typeof v === 'number' && type.startsWith('DATE')) return dateText(v);
  if (typeof v === 'number' && type.startsWith('TIMESTAMP')) {
    // Whole, midnight too, so a column reads alike throughout. (A grid cell is written from the
    // column's raw value instead, with its digits under a millisecond: query-cells.ts.)
    if (v === Infinity || v === -Infinity) return v > 0 ? 'infinity' : '-infinity';
    const d = new Date(v);
    return Number.isNaN(d.getTime()) ? String(v) : d.toISOString();
  }
  if (v instanceof Date) return v.toISOString();
  const decimal = /^DECIMAL\(\d+,\s*(\d+)\)/.exec(type);
  if (decimal && typeof v === 'object') return scaled(String(v), Number(decimal[1]));
  // A FLOAT as the shortest decimal that reads back as it (`0.1`, not `0.1000000015`).
  if (typeof v === 'number' && (type === 'FLOAT' || type === 'REAL')) return float32Text(v);
  if (typeof v === 'number')
    return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(10)));
  if (typeof v === 'object') {
    const plain: unknown = 'toJSON' in v && typeof v.toJSON === 'function' ? v.toJSON() : v;
    const text = typeof plain === 'string' ? plain : json(plain);
    return text.length > CELL_CHARS ? text.slice(0, CELL_CHARS) + '…' : text;
  }
  const text = String(v);
  return text.length > CELL_CHARS ? text.slice(0, CELL_CHARS) + '…' : text;
}

/** An unscaled decimal integer (`-12345`) with `scale` digits after the point (`-123.45`). */
export function scaled(digits: string, scale: number): string {
  if (!scale) return digits;
  const minus = digits.startsWith('-') ? '-' : '';
  const abs = digits.replace(/^-/, '').padStart(scale + 1, '0');
  return `${minus}${abs.slice(0, -scale)}.${abs.slice(-scale)}`;
}

/** Whether a column of this SQL type is right-aligned (numbers; not lists of numbers). */
export function isNumericType(type: string): boolean {
  return (
    /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UHUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL|REAL)/.test(
      type,
    ) && !type.endsWith(']')
  );
}

/** A short name of a SQL type for a column header: `BIGINT`, `VARCHAR`, `STRUCT`. */
export function shortType(type: string): string {
  const at = type.indexOf('(');
  return at > 0 ? type.slice(0, at) : type;
}

/**
 * A statistic of a chart's value: an instant for dates (binning.ts `instantText`), else a number
 * with few digits.
 */
export function formatStat(v: number, kind: StatsKind, integer = false): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? '–' : String(v);
  if (kind === 'date') return instantText(v);
  if (integer && Number.isInteger(v)) return v.toLocaleString('en-US');
  const abs = Math.abs(v);
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-3)) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

/** `12 (3.4%)`. */
export function countWithShare(n: number, of: number): string {
  const pct = of > 0 ? ` (${((100 * n) / of).toFixed(1)}%)` : '';
  return `${n.toLocaleString('en-US')}${pct}`;
}

/**
 * The values of a text column charted as numbers that are not numbers, as SQL spells them:
 * `263 (20.1%): '?'`, `3 (1.0%): '?', 'NA'`, or `9 (3.0%): '' … 'n/a' (4 values)`.
 */
export function notNumbersText(n: NotNumbers, of: number): string {
  const quoted = n.values.map((v) => `'${v.replaceAll("'", "''")}'`);
  const named = n.distinct > 2 ? `${quoted.join(' … ')} (${n.distinct} values)` : quoted.join(', ');
  return named ? `${countWithShare(n.count, of)}: ${named}` : countWithShare(n.count, of);
}

/**
 * `sql` cut around `position` for showing it marked: the text before, the character there
 * ('' at the end of a line or of the text), and the text after. `before + at + after` is `sql`.
 */
export function splitAtPosition(
  sql: string,
  position: SqlPosition,
): { before: string; at: string; after: string } {
  const lines = sql.split('\n');
  const line = Math.min(Math.max(position.line, 1), lines.length);
  const chars = [...lines[line - 1]!];
  const column = Math.min(Math.max(position.column, 1), chars.length + 1);
  const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
  const offset = start + chars.slice(0, column - 1).join('').length;
  const at = chars[column - 1] ?? '';
  return { before: sql.slice(0, offset), at, after: sql.slice(offset + at.length) };
}

/**
 * The progress line of a record set loading from the lake:
 * `Loading titanic@main · passengers (1 of 2 fragments, 84 kB, 1,309 of 2,618 rows)…`.
 */
export function loadLine(p: LoadProgress): string {
  const of = `${p.fragmentsDone.toLocaleString('en-US')} of ${plural(p.fragments, 'fragment')}`;
  const rows = `${p.rows.toLocaleString('en-US')} of ${plural(p.totalRows, 'row')}`;
  return `Loading ${p.dataset}@${p.rev} · ${p.name} (${of}, ${formatBytes(p.bytes)}, ${rows})…`;
}

/**
 * What a query loaded from the lake, after it ran:
 * `loaded titanic@main · passengers (1,309 rows, 1 fragment, 84 kB) in 0.21 s`.
 */
export function loadedLine(loaded: readonly LoadedTable[]): string {
  const each = loaded.map((t) => {
    const what = `${plural(t.rows, 'row')}, ${plural(t.fragments, 'fragment')}, ${formatBytes(t.bytes)}`;
    return `${t.dataset}@${t.rev} · ${t.name} (${what}) in ${(t.ms / 1000).toFixed(2)} s`;
  });
  return `loaded ${each.join('; ')}`;
}

/** SQL on one line, cut to `max` characters (an ellipsis ending it). */
export function abbreviateSql(sql: string, max = 90): string {
  const line = sql.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1).trimEnd()}…`;
}

/**
 * The line over a result kept from an earlier query when the last one gave none (it failed or
 * was cancelled): `Showing the result of the last query that succeeded (891 rows): SELECT …`.
 */
export function previousResultLine(
  previous: { sql: string; rows: number },
  lastSql: string,
): string {
  const rows = plural(previous.rows, 'row');
  return previous.sql === lastSql
    ? `Showing the result of an earlier run of this query (${rows}).`
    : `Showing the result of the last query that succeeded (${rows}): ${abbreviateSql(previous.sql)}`;
}
