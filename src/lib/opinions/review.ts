/**
 * The review queue (docs/opinions.md, "The review queue"): the subjects a rule left to review,
 * each with its disagreeing leaves, and resolutions written as `consensus` opinions whose
 * parents are those leaves (or, for a decision taken again, the earlier consensus).
 */
import { tableFromIPC } from 'apache-arrow';
import type { QueryEngine } from '../query/engine.ts';
import { literal } from '../query/sql.ts';
import type { Lake } from '../versions/lake.ts';
import type { OpinionInput } from './batch.ts';
import type { RuleRun } from './consolidate.ts';
import { leavesCtes, registered } from './sql.ts';
import { writeOpinions, type WriteOpinionsResult } from './write.ts';

/** A leaf of a subject under review. */
export interface ReviewLeaf {
  id: string;
  value: string;
  actorKind: string;
  actorId: string;
  /** ms since epoch, or null. */
  createdAt: number | null;
}

/** One subject to review. */
export interface ReviewItem {
  subjectSet: string;
  subjectRow: bigint;
  leaves: ReviewLeaf[];
}

/** A page of the queue of `run` (subjects in order of record set and row id). */
export async function reviewQueue(
  engine: QueryEngine,
  run: RuleRun,
  page: { offset?: number; limit?: number } = {},
  signal?: AbortSignal,
): Promise<ReviewItem[]> {
  const sql = `WITH ${leavesCtes(run.target)}, todo AS (
  SELECT subject_set, subject_row FROM ${registered(run.table)} WHERE status = 'review'
  ORDER BY subject_set, subject_row LIMIT ${literal(page.limit ?? 100)} OFFSET ${literal(page.offset ?? 0)}
)
SELECT l.subject_set, l.subject_row, l.opinion_id, l.value, l.actor_kind, l.actor_id, l.created_at
FROM todo JOIN leaves l USING (subject_set, subject_row)
ORDER BY l.subject_set, l.subject_row, l.created_at NULLS FIRST, l.opinion_id`;
  const rows = tableFromIPC((await engine.query(sql, signal ? { signal } : {})).ipc).toArray();
  const out: ReviewItem[] = [];
  for (const r of rows as Record<string, unknown>[]) {
    const set = String(r.subject_set);
    const row = BigInt(r.subject_row as bigint);
    let item = out.at(-1);
    if (!item || item.subjectSet !== set || item.subjectRow !== row) {
      out.push((item = { subjectSet: set, subjectRow: row, leaves: [] }));
    }
    item.leaves.push({
      id: String(r.opinion_id),
      value: String(r.value),
      actorKind: String(r.actor_kind),
      actorId: String(r.actor_id),
      createdAt: r.created_at === null ? null : Number(r.created_at),
    });
  }
  return out;
}

/** A reviewer's decision about one subject. */
export interface Resolution {
  subjectSet: string;
  subjectRow: bigint;
  question: string;
  value: string;
  /** What it consolidates: the disagreeing leaves, or the consensus it corrects (an undo). */
  parents: string[];
  /** ms since epoch; default now. */
  at?: number;
}

/** Options of {@link resolveReviews}. */
export interface ResolveOptions {
  branch: string;
  reviewer: string;
  /** The rule whose queue this is, for lineage. */
  rule: string;
  signal?: AbortSignal;
}

/** Writes resolutions as one batch of consensus opinions. */
export function resolveReviews(
  lake: Lake,
  dataset: string,
  resolutions: readonly Resolution[],
  opts: ResolveOptions,
): Promise<WriteOpinionsResult> {
  const opinions: OpinionInput[] = resolutions.map((r, i) => ({
    where: `resolution ${i + 1} (${r.subjectSet} row ${r.subjectRow})`,
    subject: { set: r.subjectSet, row: r.subjectRow },
    question: r.question,
    value: r.value,
    actor: { kind: 'consensus', id: opts.reviewer },
    parents: r.parents,
    createdAt: r.at ?? Date.now(),
  }));
  return writeOpinions(lake, dataset, {
    branch: opts.branch,
    opinions,
    source: { kind: 'review', rule: opts.rule, reviewer: opts.reviewer },
    author: opts.reviewer,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}
