/**
 * Dawid–Skene (1979) as SQL: expectation–maximisation over each annotator's confusion matrix,
 * over the leaves of one question (docs/opinions.md, "Rules"). Each E/M step is one statement;
 * the current posteriors `T` are registered as a table between steps. The start is the
 * majority vote, so the result is deterministic; the loop stops when no posterior moved by more
 * than `tolerance`, or after `maxIterations`.
 */
import { tableFromIPC } from 'apache-arrow';
import type { QueryEngine } from '../query/engine.ts';
import { literal } from '../query/sql.ts';
import { checkAborted } from '../store/errors.ts';
import { leavesCtes, registered, type PlanTarget } from './sql.ts';

/** Parameters of `dawid-skene`, with their defaults filled in. */
export interface DawidSkeneParams {
  /** Added to every confusion count (> 0, so no logarithm meets a zero). */
  smoothing: number;
  tolerance: number;
  maxIterations: number;
}

export const DAWID_SKENE_DEFAULTS: DawidSkeneParams = {
  smoothing: 0.01,
  tolerance: 1e-6,
  maxIterations: 100,
};

/** How the loop ended. */
export interface DawidSkeneRun {
  /** E/M iterations run. */
  iterations: number;
  /** True when it stopped because nothing moved by more than the tolerance. */
  converged: boolean;
  /** The largest change of a posterior in the last iteration. */
  lastChange: number;
}

/** One M-step then E-step: the new posteriors from `labels` and the current `t`. */
function stepSql(labels: string, t: string, p: DawidSkeneParams): string {
  const a = `${literal(p.smoothing)}::DOUBLE`;
  return `WITH labels AS (SELECT * FROM ${registered(labels)}),
t AS (SELECT * FROM ${registered(t)}),
classes AS (SELECT DISTINCT k FROM t),
kn AS (SELECT count(*) AS n FROM classes),
items AS (SELECT count(*) AS n FROM (SELECT DISTINCT subject_set, subject_row FROM t)),
prior AS (SELECT k, sum(t) / (SELECT n FROM items) AS p FROM t GROUP BY k),
soft AS (
  SELECT l.actor_id, t.k, l.value AS l, sum(t.t) AS m
  FROM labels l JOIN t USING (subject_set, subject_row) GROUP BY ALL
), grid AS (
  SELECT a.actor_id, c1.k, c2.k AS l
  FROM (SELECT DISTINCT actor_id FROM labels) a, classes c1, classes c2
), conf AS (
  SELECT g.actor_id, g.k, g.l,
         (coalesce(s.m, 0) + ${a}) /
         (sum(coalesce(s.m, 0)) OVER (PARTITION BY g.actor_id, g.k) + ${a} * (SELECT n FROM kn)) AS pi
  FROM grid g LEFT JOIN soft s USING (actor_id, k, l)
), score AS (
  SELECT i.subject_set, i.subject_row, c.k,
         ln(greatest(any_value(pr.p), 1e-300)) + sum(ln(cf.pi)) AS s
  FROM labels i CROSS JOIN classes c
  JOIN conf cf ON cf.actor_id = i.actor_id AND cf.k = c.k AND cf.l = i.value
  JOIN prior pr ON pr.k = c.k
  GROUP BY i.subject_set, i.subject_row, c.k
), shifted AS (
  SELECT *, exp(s - max(s) OVER (PARTITION BY subject_set, subject_row)) AS e FROM score
)
SELECT subject_set, subject_row, k,
       e / sum(e) OVER (PARTITION BY subject_set, subject_row) AS t
FROM shifted ORDER BY subject_set, subject_row, k`;
}

/** The labels (one row per leaf: subject, actor, value) and the majority-vote start. */
function startSql(target: PlanTarget): { labels: string; start: (labels: string) => string } {
  return {
    labels: `WITH ${leavesCtes(target)}
SELECT subject_set, subject_row, actor_id, value FROM leaves
ORDER BY subject_set, subject_row, actor_id, value`,
    start: (labels) => `WITH labels AS (SELECT * FROM ${registered(labels)}),
items AS (SELECT subject_set, subject_row, count(*) AS total FROM labels GROUP BY ALL),
classes AS (SELECT DISTINCT value AS k FROM labels),
counts AS (SELECT subject_set, subject_row, value AS k, count(*) AS n FROM labels GROUP BY ALL)
SELECT i.subject_set, i.subject_row, c.k, coalesce(n.n, 0) / i.total AS t
FROM items i CROSS JOIN classes c LEFT JOIN counts n USING (subject_set, subject_row, k)
ORDER BY subject_set, subject_row, k`,
  };
}

/** The result rows from the final posteriors (the common result shape of sql.ts). */
function resultSql(target: PlanTarget, labels: string, t: string): string {
  return `WITH labels AS (SELECT * FROM ${registered(labels)}),
t AS (SELECT * FROM ${registered(t)}),
best AS (
  SELECT subject_set, subject_row, arg_max(k, t) AS k, max(t) AS top FROM t GROUP BY ALL
), tied AS (
  SELECT b.subject_set, b.subject_row, count(*) AS n
  FROM best b JOIN t USING (subject_set, subject_row) WHERE t.t >= b.top - 1e-9 GROUP BY ALL
), totals AS (SELECT subject_set, subject_row, count(*) AS total FROM labels GROUP BY ALL),
support AS (SELECT subject_set, subject_row, value AS k, count(*) AS n FROM labels GROUP BY ALL)
SELECT b.subject_set, b.subject_row, ${literal(target.question)} AS question, 'class' AS value_type,
       CASE WHEN tied.n = 1 THEN b.k END AS value, coalesce(s.n, 0) AS support,
       tt.total AS leaves, round(b.top, 9) AS agreement,
       CASE WHEN tied.n = 1 THEN 'ok' ELSE 'review' END AS status, 'dawid-skene' AS rule
FROM best b JOIN tied USING (subject_set, subject_row) JOIN totals tt USING (subject_set, subject_row)
LEFT JOIN support s ON s.subject_set = b.subject_set AND s.subject_row = b.subject_row AND s.k = b.k
ORDER BY b.subject_set, b.subject_row`;
}

/**
 * Runs Dawid–Skene over the leaves of `target` in `engine`, using tables named after `prefix`;
 * returns the result rows as Arrow IPC and how the loop ended.
 */
export async function runDawidSkene(
  engine: QueryEngine,
  target: PlanTarget,
  params: DawidSkeneParams,
  prefix: string,
  signal?: AbortSignal,
): Promise<{ ipc: Uint8Array; rows: number; run: DawidSkeneRun }> {
  const q = async (sql: string) => engine.query(sql, signal ? { signal } : {});
  const labels = `${prefix}_labels`;
  const names = [`${prefix}_t0`, `${prefix}_t1`];
  const plan = startSql(target);
  await engine.registerTable(labels, [(await q(plan.labels)).ipc]);
  await engine.registerTable(names[0]!, [(await q(plan.start(labels))).ipc]);
  const run: DawidSkeneRun = { iterations: 0, converged: false, lastChange: Infinity };
  let cur = 0;
  while (run.iterations < params.maxIterations) {
    checkAborted(signal);
    const next = 1 - cur;
    await engine.registerTable(names[next]!, [(await q(stepSql(labels, names[cur]!, params))).ipc]);
    run.iterations++;
    const d = await q(
      `SELECT coalesce(max(abs(a.t - b.t)), 0) AS d FROM ${registered(names[cur]!)} a
       JOIN ${registered(names[next]!)} b USING (subject_set, subject_row, k)`,
    );
    run.lastChange = Number(tableFromIPC(d.ipc).getChild('d')!.get(0));
    cur = next;
    if (run.lastChange <= params.tolerance) {
      run.converged = true;
      break;
    }
  }
  const result = await q(resultSql(target, labels, names[cur]!));
  return { ipc: result.ipc, rows: result.rows, run };
}
