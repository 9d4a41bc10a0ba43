/**
 * The plans the opinions bench times, built by the project's own plan builders
 * (src/lib/opinions/sql.ts), each wrapped in an aggregate so that only a few numbers come back
 * and both engines do the same work: the leaves, `latest-leaf` and `majority-of-leaves`. The
 * browser runs them against the lake's SQL name of the opinions; native DuckDB against a table
 * `opinions` loaded from the same Parquet files ({@link nativePlans}).
 */
import {
  leavesCtes,
  latestLeafSql,
  majoritySql,
  type PlanTarget,
} from '../../src/lib/opinions/sql.ts';
import { OPINIONS_RS } from '../../src/lib/opinions/model.ts';
import { lakeSqlName } from '../../src/lib/query/lake-names.ts';
import { QUESTION } from './gen-shared.ts';

/** One timed plan: its name and SQL; it returns one row `n` (rows) and `decided` (or null). */
export interface Plan {
  name: 'leaves' | 'latest-leaf' | 'majority-of-leaves';
  sql: string;
}

/** The three plans over the opinions of `t`. */
export function plans(t: PlanTarget): Plan[] {
  const wrap = (sql: string) => `SELECT count(*) AS n, count(value) AS decided FROM (${sql}) AS r`;
  return [
    {
      name: 'leaves',
      sql: `WITH ${leavesCtes(t)} SELECT count(*) AS n, NULL AS decided FROM leaves`,
    },
    { name: 'latest-leaf', sql: wrap(latestLeafSql(t)) },
    { name: 'majority-of-leaves', sql: wrap(majoritySql(t)) },
  ];
}

/** The bench's plan target (the commit is a placeholder native DuckDB never sees). */
export const NATIVE_TARGET: PlanTarget = {
  dataset: 'ops',
  commit: '0'.repeat(64),
  question: QUESTION,
};

/** The same plans over a plain table `opinions` (for native DuckDB). */
export function nativePlans(): Plan[] {
  const from = lakeSqlName(NATIVE_TARGET.dataset, NATIVE_TARGET.commit, OPINIONS_RS);
  return plans(NATIVE_TARGET).map((p) => ({ ...p, sql: p.sql.split(from).join('opinions') }));
}
