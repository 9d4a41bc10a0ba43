/**
 * The consolidation rules as SQL plans (docs/opinions.md, "Consolidation"), built from constants
 * and names and values quoted by query/sql.ts only. Every plan reads the opinions of one question
 * at one commit, through the lake's SQL name `"<dataset>@<commit>".opinions`.
 */
import { lakeSqlName } from '../query/lake-names.ts';
import { ident, literal } from '../query/sql.ts';
import { OPINIONS_RS } from './model.ts';

/** Which opinions a plan reads. */
export interface PlanTarget {
  dataset: string;
  /** A full commit hash (so a plan always means the same opinions). */
  commit: string;
  question: string;
}

/** The columns every rule's result has, in order. */
export const RESULT_COLUMNS = [
  'subject_set',
  'subject_row',
  'question',
  'value_type',
  'value',
  'support',
  'leaves',
  'agreement',
  'status',
  'rule',
] as const;

/** The columns of `leaves` that the rules read (weighted: the actor; latest-leaf: time and id). */
const RULE_LEAF_COLUMNS = [
  'subject_set',
  'subject_row',
  'opinion_id',
  'value',
  'created_at',
  'actor_id',
];

/**
 * The opinions of the question, the parents named by corrections, and the leaves (opinions no
 * correction names: the founding document's left join on children, written as the anti join
 * it is), with each subject's votes and leaf count. `leafColumns`: the columns `leaves` keeps
 * (default every one).
 *
 * Memory decides this shape at millions of opinions (DuckDB-WASM has one 32-bit heap and no
 * temporary folder): `o` and `edges` are NOT MATERIALIZED, so each use scans only the columns
 * it needs from the loaded table, where DuckDB would otherwise copy every column of every
 * opinion once more (it materializes a CTE used twice, and keeps all its columns); `edges`
 * holds the parent ids alone, the join's whole build side.
 */
export function leavesCtes(t: PlanTarget, leafColumns?: readonly string[]): string {
  const from = lakeSqlName(t.dataset, t.commit, OPINIONS_RS);
  const keep = leafColumns ? leafColumns.map((c) => `o.${ident(c)}`).join(', ') : 'o.*';
  return `o AS NOT MATERIALIZED (
  SELECT * FROM ${from} WHERE question = ${literal(t.question)}
), edges AS NOT MATERIALIZED (
  SELECT unnest(string_split(parents, ',')) AS parent FROM o WHERE parents <> ''
), leaves AS (
  SELECT ${keep} FROM o ANTI JOIN edges e ON e.parent = o.opinion_id
), votes AS (
  SELECT subject_set, subject_row, value, count(*) AS n FROM leaves GROUP BY ALL
), totals AS (
  SELECT subject_set, subject_row, count(*) AS total FROM leaves GROUP BY ALL
)`;
}

/** The leaves of a question (every column of the opinions), by subject then time. */
export function leavesSql(t: PlanTarget): string {
  return `WITH ${leavesCtes(t)}
SELECT * FROM leaves ORDER BY subject_set, subject_row, created_at NULLS FIRST, opinion_id`;
}

/** The select list that gives a rule's rows their common shape. */
function resultSelect(t: PlanTarget): string {
  return `subject_set, subject_row, ${literal(t.question)} AS question,
  (SELECT min(value_type) FROM o) AS value_type`;
}

function finish(t: PlanTarget, rule: string, body: string, from: string): string {
  return `WITH ${leavesCtes(t, RULE_LEAF_COLUMNS)}, ${body}
SELECT ${resultSelect(t)}, value, support, leaves, agreement, status, ${literal(rule)} AS rule
FROM ${from}
ORDER BY subject_set, subject_row`;
}

/** `latest-leaf`: the newest leaf (nulls oldest), ties to the smallest opinion id. */
export function latestLeafSql(t: PlanTarget): string {
  return finish(
    t,
    'latest-leaf',
    `pick AS (
  SELECT subject_set, subject_row, value FROM leaves
  QUALIFY row_number() OVER (PARTITION BY subject_set, subject_row
                             ORDER BY created_at DESC NULLS LAST, opinion_id) = 1
), result AS (
  SELECT p.subject_set, p.subject_row, p.value, v.n AS support, tt.total AS leaves,
         round(v.n / tt.total, 9) AS agreement, 'ok' AS status
  FROM pick p JOIN votes v USING (subject_set, subject_row, value)
  JOIN totals tt USING (subject_set, subject_row)
)`,
    'result',
  );
}

/** `majority-of-leaves`: the value most leaves hold; a tie for most goes to review. */
export function majoritySql(t: PlanTarget): string {
  return finish(
    t,
    'majority-of-leaves',
    `ranked AS (
  SELECT *, rank() OVER (PARTITION BY subject_set, subject_row ORDER BY n DESC) AS rk FROM votes
), top AS (
  SELECT subject_set, subject_row, count(*) AS tied, min(value) AS value, max(n) AS n
  FROM ranked WHERE rk = 1 GROUP BY ALL
), result AS (
  SELECT subject_set, subject_row, CASE WHEN tied = 1 THEN value END AS value, n AS support,
         total AS leaves, round(n / total, 9) AS agreement,
         CASE WHEN tied = 1 THEN 'ok' ELSE 'review' END AS status
  FROM top JOIN totals USING (subject_set, subject_row)
)`,
    'result',
  );
}

/** `weighted`: each leaf counts its actor's weight; a tie of the top weight goes to review. */
export function weightedSql(
  t: PlanTarget,
  weights: Readonly<Record<string, number>>,
  fallback: number,
): string {
  const entries = Object.entries(weights).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const table = entries.length
    ? `SELECT * FROM (VALUES ${entries
        .map(([a, w]) => `(${literal(a)}, ${literal(w)}::DOUBLE)`)
        .join(', ')}) AS v(actor_id, weight)`
    : 'SELECT NULL::VARCHAR AS actor_id, NULL::DOUBLE AS weight WHERE false';
  return finish(
    t,
    'weighted',
    `w AS (${table}), wvotes AS (
  SELECT l.subject_set, l.subject_row, l.value, count(*) AS n,
         round(sum(coalesce(w.weight, ${literal(fallback)}::DOUBLE)), 9) AS ws
  FROM leaves l LEFT JOIN w ON w.actor_id = l.actor_id GROUP BY ALL
), ranked AS (
  SELECT *, rank() OVER (PARTITION BY subject_set, subject_row ORDER BY ws DESC) AS rk,
         sum(ws) OVER (PARTITION BY subject_set, subject_row) AS wtotal
  FROM wvotes
), top AS (
  SELECT subject_set, subject_row, count(*) AS tied, min(value) AS value, max(n) AS n,
         max(ws) AS ws, any_value(wtotal) AS wtotal
  FROM ranked WHERE rk = 1 GROUP BY ALL
), result AS (
  SELECT subject_set, subject_row, CASE WHEN tied = 1 AND ws > 0 THEN value END AS value,
         n AS support, total AS leaves,
         CASE WHEN wtotal > 0 THEN round(ws / wtotal, 9) ELSE 0 END AS agreement,
         CASE WHEN tied = 1 AND ws > 0 THEN 'ok' ELSE 'review' END AS status
  FROM top JOIN totals USING (subject_set, subject_row)
)`,
    'result',
  );
}

/** `human-review`: leaves that agree give their value; leaves that disagree go to review. */
export function humanReviewSql(t: PlanTarget): string {
  return finish(
    t,
    'human-review',
    `result AS (
  SELECT subject_set, subject_row, CASE WHEN count(*) = 1 THEN min(value) END AS value,
         max(n) AS support, any_value(total) AS leaves,
         round(max(n) / any_value(total), 9) AS agreement,
         CASE WHEN count(*) = 1 THEN 'ok' ELSE 'review' END AS status
  FROM votes JOIN totals USING (subject_set, subject_row) GROUP BY subject_set, subject_row
)`,
    'result',
  );
}

/** Every opinion about one subject and question, with whether it is a leaf. */
export function subjectOpinionsSql(t: PlanTarget, subjectSet: string, row: bigint): string {
  return `WITH ${leavesCtes(t)}
SELECT o.*, o.opinion_id IN (SELECT opinion_id FROM leaves) AS leaf FROM o
WHERE subject_set = ${literal(subjectSet)} AND subject_row = ${literal(row)}
ORDER BY created_at NULLS FIRST, opinion_id`;
}

/** A table registered in the engine's main schema, quoted. */
export function registered(name: string): string {
  return ident(name);
}
