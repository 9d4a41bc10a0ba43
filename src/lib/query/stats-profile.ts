/**
 * What one scan of a record set's unfiltered rows tells about every column at once, enough to
 * plan its charts (stats-plan.ts): counts, an estimate of its distinct values (HyperLogLog, as
 * DuckDB's SUMMARIZE), the range of its numbers, dates, text lengths or image sizes, and for
 * text whether it holds numbers, JSON lists or a marker of missing values. Then, for the few
 * columns that may be categories and the JSON lists, one more scan: exact value counts, list
 * lengths. Two queries for the whole record set, where one column at a time took one to three.
 */
import type { FacetValue } from './facets.ts';
import { ident, literal } from './sql.ts';
import type { ColumnType } from '../versions/manifest.ts';

/** A column to profile: its SQL name and lake type. */
export interface ProfileColumn {
  name: string;
  type: ColumnType;
}

/** Text columns: what decides between categories, numbers, lists and text. */
export interface TextProfile {
  /** Non-empty values (after trimming). */
  filled: number;
  /** Values that parse as numbers. */
  nums: number;
  /** Distinct values that are neither empty nor numbers: 0, 1 (one marker such as `?`) or 2+. */
  markers: 0 | 1 | 2;
  /** Values that start like a JSON array. */
  arrays: number;
  length: [number, number];
  numbers: [number, number];
}

/** What the first scan found about one column. */
export interface Profile {
  /** Rows of the record set. */
  rows: number;
  /** Of those, rows whose value is not null. */
  nonNull: number;
  /** Distinct non-null values, estimated (HyperLogLog). */
  distinct: number;
  /** Range of numbers, dates (epoch ms) or integers; image width. */
  range?: [number, number];
  /** Range of an image's height. */
  heights?: [number, number];
  text?: TextProfile;
}

const num = (v: unknown): number => (v === null || v === undefined ? NaN : Number(v));
const pair = (r: Record<string, unknown>, lo: string, hi: string): [number, number] => [
  num(r[lo]),
  num(r[hi]),
];

/** `TRY_CAST` of a text column to a number, empty text as null (the charted value of numbers). */
export function textAsNumber(v: string): string {
  return `TRY_CAST(nullif(trim(${v}), '') AS DOUBLE)`;
}

/** The length of a JSON list in a text column (DuckDB's own list cast: no JSON extension). */
export function listLength(v: string): string {
  return `len(TRY_CAST(nullif(trim(${v}), '') AS VARCHAR[]))`;
}

/** The aggregates of column `j`, each aliased `c<j>_<what>`. */
function columnAggregates(col: ProfileColumn, j: number): string[] {
  const v = ident(col.name);
  const as = (expr: string, what: string) => `${expr} AS c${j}_${what}`;
  const range = (x: string, lo = 'lo', hi = 'hi') => [
    as(`min(${x})::DOUBLE`, lo),
    as(`max(${x})::DOUBLE`, hi),
  ];
  const out = [as(`count(${v})`, 'n'), as(`approx_count_distinct(${v})`, 'd')];
  switch (col.type) {
    case 'int64':
    case 'float64':
      return [...out, ...range(v)];
    case 'timestamp':
      return [...out, ...range(`epoch_ms(${v})`)];
    case 'image': {
      const dim = (d: string) => `struct_extract(${v}, ${literal(d)})`;
      return [...out, ...range(dim('width')), ...range(dim('height'), 'hlo', 'hhi')];
    }
    case 'utf8': {
      const n = textAsNumber(v);
      const marker = `${n} IS NULL AND trim(${v}) <> ''`;
      return [
        ...out,
        as(`count(nullif(trim(${v}), ''))`, 'filled'),
        as(`count(${n})`, 'nums'),
        as(`min(${v}) FILTER (WHERE ${marker})`, 'm1'),
        as(`max(${v}) FILTER (WHERE ${marker})`, 'm2'),
        as(`count(*) FILTER (WHERE starts_with(ltrim(${v}), '['))`, 'arrays'),
        ...range(`length(${v})`, 'llo', 'lhi'),
        ...range(n, 'nlo', 'nhi'),
      ];
    }
    default:
      return out;
  }
}

/** The first scan: one row of aggregates over every column of `table`. */
export function profileSql(table: string, cols: readonly ProfileColumn[]): string {
  const list = ['count(*) AS total', ...cols.flatMap((c, j) => columnAggregates(c, j))];
  return `SELECT ${list.join(', ')} FROM ${table}`;
}

/** Reads the row of {@link profileSql}. */
export function readProfiles(
  cols: readonly ProfileColumn[],
  r: Record<string, unknown>,
): Profile[] {
  const rows = num(r['total']);
  return cols.map((col, j) => {
    const k = (what: string) => `c${j}_${what}`;
    const p: Profile = { rows, nonNull: num(r[k('n')]), distinct: num(r[k('d')]) };
    if (col.type === 'image') {
      p.range = pair(r, k('lo'), k('hi'));
      p.heights = pair(r, k('hlo'), k('hhi'));
    } else if (k('lo') in r) p.range = pair(r, k('lo'), k('hi'));
    if (col.type === 'utf8') {
      const [m1, m2] = [r[k('m1')], r[k('m2')]];
      p.text = {
        filled: num(r[k('filled')]),
        nums: num(r[k('nums')]),
        markers: m1 === null || m1 === undefined ? 0 : m1 === m2 ? 1 : 2,
        arrays: num(r[k('arrays')]),
        length: pair(r, k('llo'), k('lhi')),
        numbers: pair(r, k('nlo'), k('nhi')),
      };
    }
    return p;
  });
}

/** What the second scan is asked about a column. */
export type DetailAsk = { kind: 'values' | 'lists'; column: string };

/** The second scan: exact counts of every value, or the range of list lengths. */
export function detailSql(table: string, asks: readonly DetailAsk[]): string {
  const list = asks.flatMap((a, i) => {
    const v = ident(a.column);
    if (a.kind === 'values') {
      return [`map_entries(histogram(${v}) FILTER (WHERE ${v} IS NOT NULL)) AS d${i}_values`];
    }
    const n = listLength(v);
    return [`min(${n})::DOUBLE AS d${i}_lo`, `max(${n})::DOUBLE AS d${i}_hi`];
  });
  return `SELECT ${list.join(', ')} FROM ${table}`;
}

/** Values and their counts, most frequent first (ties by value), as the chart lists them. */
export interface ValueCounts {
  values: FacetValue[];
  counts: number[];
}

/** The `{key, value}` entries of a histogram as value counts, most frequent first. */
export function valueCounts(entries: unknown): ValueCounts {
  const list: { value: FacetValue; count: number }[] = [];
  for (const e of (entries ?? []) as Iterable<{ key: unknown; value: unknown }>) {
    const key = e.key;
    const value = typeof key === 'bigint' ? Number(key) : (key as FacetValue);
    list.push({ value, count: num(e.value) });
  }
  list.sort((a, b) => b.count - a.count || compareValues(a.value, b.value));
  return { values: list.map((x) => x.value), counts: list.map((x) => x.count) };
}

/** SQL's order of two values of one column (`ORDER BY` ascending). */
function compareValues(a: FacetValue, b: FacetValue): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

/** Reads the row of {@link detailSql}: per ask, its value counts or its list-length range. */
export function readDetails(
  asks: readonly DetailAsk[],
  r: Record<string, unknown>,
): (ValueCounts | [number, number])[] {
  return asks.map((a, i) =>
    a.kind === 'values' ? valueCounts(r[`d${i}_values`]) : pair(r, `d${i}_lo`, `d${i}_hi`),
  );
}
