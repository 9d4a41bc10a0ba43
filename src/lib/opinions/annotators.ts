/**
 * The annotator table (docs/opinions.md, "Agreement"): per actor of one question, their
 * opinions and originals, how many of their opinions were corrected and by whom, and their
 * agreement with the consolidated value of a rule's result. One SQL statement.
 */
import { tableFromIPC } from 'apache-arrow';
import type { QueryEngine } from '../query/engine.ts';
import { lakeSqlName } from '../query/lake-names.ts';
import { literal } from '../query/sql.ts';
import type { RuleRun } from './consolidate.ts';
import { OPINIONS_RS } from './model.ts';
import { registered } from './sql.ts';

/** One row of the annotator table. */
export interface AnnotatorRow {
  actorKind: string;
  actorId: string;
  opinions: number;
  originals: number;
  /** Their opinions that some other opinion corrects or consolidates. */
  corrected: number;
  /** Who corrected them: `actor (n)`, most first. */
  correctedBy: { actor: string; n: number }[];
  /** Their opinions on subjects the rule decided (status ok). */
  judged: number;
  /** The share of those holding the decided value (null when none were judged). */
  agreement: number | null;
  /**
   * The same over the subjects someone else has an opinion on too. On a subject only they
   * read, their value is often the decision itself, so {@link agreement} flatters an annotator
   * whose subjects mostly have one read; this one does not.
   */
  sharedJudged: number;
  sharedAgreement: number | null;
}

/** The annotator table of `run`'s question and commit, against `run`'s decisions. */
export async function annotatorTable(
  engine: QueryEngine,
  run: RuleRun,
  signal?: AbortSignal,
): Promise<AnnotatorRow[]> {
  const t = run.target;
  const sql = `WITH o AS (
  SELECT * FROM ${lakeSqlName(t.dataset, t.commit, OPINIONS_RS)} WHERE question = ${literal(t.question)}
), edges AS (
  SELECT actor_id AS child_actor, unnest(string_split(parents, ',')) AS parent
  FROM o WHERE parents <> ''
), hits AS (
  SELECT p.opinion_id, p.actor_kind, p.actor_id, e.child_actor FROM o p JOIN edges e ON e.parent = p.opinion_id
), corrected AS (
  SELECT actor_kind, actor_id, count(DISTINCT opinion_id) AS corrected FROM hits GROUP BY ALL
), by_whom AS (
  SELECT actor_kind, actor_id,
         string_agg(child_actor || chr(30) || n, chr(31) ORDER BY n DESC, child_actor) AS corrected_by
  FROM (SELECT actor_kind, actor_id, child_actor, count(*) AS n FROM hits GROUP BY ALL) GROUP BY ALL
), readers AS (
  SELECT subject_set, subject_row, count(DISTINCT (actor_kind, actor_id)) AS readers FROM o GROUP BY ALL
), judged AS (
  SELECT o.actor_kind, o.actor_id, count(*) AS judged, count(*) FILTER (WHERE o.value = c.value) AS agreed,
         count(*) FILTER (WHERE r.readers > 1) AS shared,
         count(*) FILTER (WHERE r.readers > 1 AND o.value = c.value) AS shared_agreed
  FROM o JOIN ${registered(run.table)} c USING (subject_set, subject_row)
  JOIN readers r USING (subject_set, subject_row)
  WHERE c.status = 'ok' GROUP BY ALL
), mine AS (
  SELECT actor_kind, actor_id, count(*) AS opinions, count(*) FILTER (WHERE parents = '') AS originals
  FROM o GROUP BY ALL
)
SELECT m.actor_kind, m.actor_id, m.opinions, m.originals, coalesce(c.corrected, 0) AS corrected,
       b.corrected_by, coalesce(j.judged, 0) AS judged,
       CASE WHEN j.judged > 0 THEN j.agreed / j.judged END AS agreement,
       coalesce(j.shared, 0) AS shared,
       CASE WHEN j.shared > 0 THEN j.shared_agreed / j.shared END AS shared_agreement
FROM mine m
LEFT JOIN corrected c USING (actor_kind, actor_id)
LEFT JOIN by_whom b USING (actor_kind, actor_id)
LEFT JOIN judged j USING (actor_kind, actor_id)
ORDER BY m.opinions DESC, m.actor_id, m.actor_kind`;
  const rows = tableFromIPC((await engine.query(sql, signal ? { signal } : {})).ipc).toArray();
  return rows.map((r: Record<string, unknown>) => ({
    actorKind: String(r.actor_kind),
    actorId: String(r.actor_id),
    opinions: Number(r.opinions),
    originals: Number(r.originals),
    corrected: Number(r.corrected),
    correctedBy: r.corrected_by
      ? String(r.corrected_by)
          .split('\x1f')
          .map((x) => {
            const i = x.lastIndexOf('\x1e');
            return { actor: x.slice(0, i), n: Number(x.slice(i + 1)) };
          })
      : [],
    judged: Number(r.judged),
    agreement: r.agreement === null ? null : Number(r.agreement),
    sharedJudged: Number(r.shared),
    sharedAgreement: r.shared_agreement === null ? null : Number(r.shared_agreement),
  }));
}
