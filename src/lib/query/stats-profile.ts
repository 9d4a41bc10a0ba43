/**
 * What one scan of a record set's unfiltered rows tells about every column at once, enough to
 * plan its charts (stats-plan.ts): counts, an estimate of its distinct values (HyperLogLog, as
 * DuckDB's SUMMARIZE), the range of its numbers, dates, text lengths or image sizes, and for
 * text whether it holds JSON lists, and whether it looks like numbers with at most one marker
 * of missing values (`?`, `NA`) on a fixed sample of {@link SAMPLE_ROWS} rows: parsing every
 * text as a number costs more than all the rest. Then, only for the columns that may be
 * categories, lists or numbers, one more scan over all rows: exact value counts, list lengths,
 * the numbers' count, markers and range (which decide). Two queries for the whole record set,
 * where one column at a time took one to three.
 */
import type { FacetValue } from './facets.ts';
import { ident, literal } from './sql.ts';
import type { ColumnType } from '../versions/manifest.ts';

/** A column to profile: its SQL name and lake type. */
export interface ProfileColumn {
  name: string;
  type: ColumnType;
  /** `FLOAT[]` in SQL (lake-names.ts): profiled as a list, by its length, never as text. */
  floats?: true;
}

/** A text column, profiled as text (a `floats` column is a list in SQL). */
const isText = (c: ProfileColumn): boolean => c.type === 'utf8' && !c.floats;

/** Rows of the sample on which text columns are tried as numbers. */
export const SAMPLE_ROWS = 4096;

/** How text holds numbers: on the sample (profile), or on every row (details). */
export interface TextNumbers {
  /** Non-empty values (after trimming). */
  filled: number;
  /** Values that parse as numbers. */
  nums: number;
  /** Distinct values that are neither empty nor numbers: 0, 1 (one marker such as `?`) or 2+. */
  markers: 0 | 1 | 2;
}

/** Text columns: what decides between categories, numbers, lists and text. */
export interface TextProfile {
  /** Non-empty values (after trimming), of every row. */
  filled: number;
  /** Values that start like a JSON array. */
  arrays: number;
  length: [number, number];
  /** Numbers on the sample. */
  sample: TextNumbers;
}

/**
 * Numbers, with at most one other value (a marker of missing ones, such as `?`), however often
 * that marker comes: Titanic's `body` is a number on 121 rows of 1,309 and `?` on the others,
 * and was charted as the length of its text (1 to 3) while `age`, the same form with fewer `?`,
 * was charted as numbers. Two or more other values make it text.
 */
export function holdsNumbers(n: TextNumbers): boolean {
  return n.nums > 0 && n.markers <= 1;
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
  if (col.floats) return [...out, ...range(`len(${v})`)];
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
    case 'utf8':
      return [
        ...out,
        as(`count(nullif(trim(${v}), ''))`, 'filled'),
        as(`count(*) FILTER (WHERE starts_with(ltrim(${v}), '['))`, 'arrays'),
        ...range(`length(${v})`, 'llo', 'lhi'),
      ];
    default:
      return out;
  }
}

/** Aggregates telling how text `v` holds numbers, aliased `<prefix>filled`, `nums`, `m1`, `m2`. */
function numberAggregates(v: string, prefix: string): string[] {
  const n = textAsNumber(v);
  const marker = `${n} IS NULL AND trim(${v}) <> ''`;
  return [
    `count(nullif(trim(${v}), '')) AS ${prefix}filled`,
    `count(${n}) AS ${prefix}nums`,
    `min(${v}) FILTER (WHERE ${marker}) AS ${prefix}m1`,
    `max(${v}) FILTER (WHERE ${marker}) AS ${prefix}m2`,
  ];
}

function readNumbers(r: Record<string, unknown>, prefix: string): TextNumbers {
  const [m1, m2] = [r[`${prefix}m1`], r[`${prefix}m2`]];
  return {
    filled: num(r[`${prefix}filled`]),
    nums: num(r[`${prefix}nums`]),
    markers: m1 === null || m1 === undefined ? 0 : m1 === m2 ? 1 : 2,
  };
}

/**
 * The first scan: one row of aggregates over every column of `table`, and of the text columns'
 * numbers on a fixed sample (the same rows every time).
 */
export function profileSql(table: string, cols: readonly ProfileColumn[]): string {
  const list = ['count(*) AS total', ...cols.flatMap((c, j) => columnAggregates(c, j))];
  const full = `SELECT ${list.join(', ')} FROM ${table}`;
  const texts = cols.flatMap((c, j) => (isText(c) ? [j] : []));
  if (texts.length === 0) return full;
  const sampled = texts.map((j) => `${ident(cols[j]!.name)} AS s${j}`);
  const aggs = texts.flatMap((j) => numberAggregates(`s${j}`, `c${j}_s`));
  const sample =
    `SELECT ${aggs.join(', ')} FROM (SELECT ${sampled.join(', ')} FROM ${table} ` +
    `USING SAMPLE reservoir(${SAMPLE_ROWS} ROWS) REPEATABLE (42))`;
  return `SELECT * FROM (${full}) AS full_scan, (${sample}) AS sample_scan`;
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
    if (isText(col)) {
      p.text = {
        filled: num(r[k('filled')]),
        arrays: num(r[k('arrays')]),
        length: pair(r, k('llo'), k('lhi')),
        sample: readNumbers(r, k('s')),
      };
    }
    return p;
  });
}

/** What the second scan is asked about a column: exact value counts, list lengths, numbers. */
export interface DetailAsk {
  column: string;
  values?: boolean;
  lists?: boolean;
  numbers?: boolean;
}

/** What the second scan found about a column (what it was asked). */
export interface Detail {
  counts?: ValueCounts;
  lists?: [number, number];
  numbers?: TextNumbers & { range: [number, number] };
}

/** The second scan: over every row, what each column is asked. */
export function detailSql(table: string, asks: readonly DetailAsk[]): string {
  const list = asks.flatMap((a, i) => {
    const v = ident(a.column);
    const out: string[] = [];
    if (a.values) {
      out.push(`map_entries(histogram(${v}) FILTER (WHERE ${v} IS NOT NULL)) AS d${i}_values`);
    }
    if (a.lists) {
      const n = listLength(v);
      out.push(`min(${n})::DOUBLE AS d${i}_llo`, `max(${n})::DOUBLE AS d${i}_lhi`);
    }
    if (a.numbers) {
      const n = textAsNumber(v);
      out.push(...numberAggregates(v, `d${i}_`));
      out.push(`min(${n})::DOUBLE AS d${i}_nlo`, `max(${n})::DOUBLE AS d${i}_nhi`);
    }
    return out;
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

/** Reads the row of {@link detailSql}: per ask, what it found. */
export function readDetails(asks: readonly DetailAsk[], r: Record<string, unknown>): Detail[] {
  return asks.map((a, i) => {
    const d: Detail = {};
    if (a.values) d.counts = valueCounts(r[`d${i}_values`]);
    if (a.lists) d.lists = pair(r, `d${i}_llo`, `d${i}_lhi`);
    if (a.numbers) {
      d.numbers = { ...readNumbers(r, `d${i}_`), range: pair(r, `d${i}_nlo`, `d${i}_nhi`) };
    }
    return d;
  });
}
