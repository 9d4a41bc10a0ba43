/**
 * The Train tab's default split: a record set's split column when its values divide the rows as
 * training reads them (src/lib/model/split-values.ts: `train` trains, `val`, `valid`,
 * `validation` validate, `test` is left out), else the seeded hash split with a line saying why.
 * {@link splitDefault} decides from the column's distinct values, which {@link splitValuesSql}
 * reads (./train-split-default.svelte.ts runs it, once per commit, record set and column).
 */
import type { RecordSetInfo } from '../../workers/api/lake.api.ts';
import {
  HELD_OUT_SPLIT_VALUES,
  TRAIN_SPLIT_VALUES,
  VAL_SPLIT_VALUES,
} from '../lib/model/split-values.ts';
import { lakeSqlName, sqlColumns } from '../lib/query/lake-names.ts';
import { ident } from '../lib/query/sql.ts';

/** A split column's distinct values (null: rows without one), sorted, as far as read. */
export interface SplitValues {
  values: (string | null)[];
  /** More distinct values than {@link SPLIT_VALUES_SHOWN} exist; they were not read. */
  more: boolean;
}

/**
 * How many distinct values are read (one more tells that there are more). A usable column has
 * at most six (five recognised values and no null), so a column with more is never usable.
 */
export const SPLIT_VALUES_SHOWN = 8;

/** The split a record set starts with, and the line the tab shows about it (null: none). */
export interface SplitDefault {
  kind: 'column' | 'hash';
  note: string | null;
}

const show = (v: string | null) => (v === null ? '(no value)' : v);

/**
 * Decides the default split from the values of split column `column`: the column when it has
 * training and validation values and no other than those and `test`; else the hash split.
 */
export function splitDefault(column: string, read: SplitValues): SplitDefault {
  const has = (set: readonly string[]) => read.values.filter((v) => v !== null && set.includes(v));
  const train = has(TRAIN_SPLIT_VALUES);
  const val = has(VAL_SPLIT_VALUES);
  const heldOut = has(HELD_OUT_SPLIT_VALUES);
  const known = train.length + val.length + heldOut.length;
  const listed = read.values.map(show).join(', ') + (read.more ? ', …' : '');
  const hash = (why: string): SplitDefault => ({
    kind: 'hash',
    note: `split column ${column} ${why}: using a hash split`,
  });
  if (!read.values.length) return hash('has no values');
  if (known < read.values.length || read.more) return hash(`has values ${listed}`);
  if (!train.length) return hash(`has no training rows (values ${listed})`);
  if (!val.length) return hash(`has no validation rows (values ${listed})`);
  return {
    kind: 'column',
    note: heldOut.length ? `rows with split ${heldOut.join(', ')} are left out` : null,
  };
}

/** The read-only query of {@link SplitValues} for column `column` of `rs` at `commit`. */
export function splitValuesSql(
  dataset: string,
  commit: string,
  rs: RecordSetInfo,
  column: string,
): string {
  const cols = sqlColumns(rs.id, { ...rs, fragments: [] });
  const name = cols.find((c) => c.column === column)?.name ?? column;
  // As text, as training compares them (a number or a boolean is never a split value).
  return `SELECT DISTINCT CAST(${ident(name)} AS VARCHAR) AS v FROM ${lakeSqlName(dataset, commit, rs.id)} ORDER BY v NULLS LAST LIMIT ${SPLIT_VALUES_SHOWN + 1}`;
}
