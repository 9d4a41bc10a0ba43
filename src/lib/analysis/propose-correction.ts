/**
 * "Propose correction" on a label-noise suspect: one opinion written through the opinions API
 * (docs/opinions.md), whose parents are the current leaves of the row's graph for the question,
 * so that it corrects what the row is labelled with now and consolidation rules see it as the
 * newest word. A row labelled only by a dataset column (no opinions yet) gets an original
 * opinion. The row is checked by the opinions API itself: an unknown row is UNKNOWN_SUBJECT and
 * nothing is written.
 */
import { ACTOR_KINDS, type ActorKind } from '../opinions/model.ts';
import { subjectLeaves } from '../opinions/stored.ts';
import { writeOpinions, type WriteOpinionsResult } from '../opinions/write.ts';
import { LakeError } from '../store/errors.ts';
import type { Lake } from '../versions/lake.ts';

/** What {@link proposeCorrection} writes. */
export interface ProposeCorrectionOptions {
  dataset: string;
  /** The writable branch the opinions live on (e.g. `labels`). */
  branch: string;
  /** The suspect's `_rowid` (a decimal string, as reports carry it, or a bigint). */
  rowId: string | bigint;
  /** The record set the row belongs to (the evaluated record set). */
  recordSet: string;
  /** The question the label answers (`lesion`, `diagnosis`). */
  question: string;
  /** The corrected value (a class name). */
  value: string;
  /** Who proposes it: a person's id (kind `human`), or an explicit actor. */
  actor: string | { kind: ActorKind; id: string };
  /** Why (kept as the opinion's note: "model 0.97 confident of benign; annotator ann_07"). */
  reason?: string;
  /** When it was proposed (default now); part of the opinion's identity. */
  createdAt?: Date;
  signal?: AbortSignal;
}

/** What was written, and which opinions the correction names as parents. */
export interface ProposeCorrectionResult extends WriteOpinionsResult {
  /** Opinion id of the correction. */
  opinion: string;
  /** The leaves it corrects (empty: the row had no opinion about the question). */
  corrects: string[];
}

function rowIdOf(raw: string | bigint): bigint {
  if (typeof raw === 'bigint') return raw;
  if (!/^-?\d+$/.test(raw.trim())) {
    throw new LakeError('BAD_INPUT', `propose correction: row id "${raw}" is not an integer`);
  }
  return BigInt(raw.trim());
}

/**
 * Writes a correction opinion about one row, naming the leaves it corrects.
 * @throws LakeError BAD_INPUT (a malformed row id, actor or value), UNKNOWN_SUBJECT (no such row
 *   in the record set at the branch head), WRONG_TYPE, UNKNOWN_REF, PROTECTED_BRANCH; nothing is
 *   written when it throws.
 */
export async function proposeCorrection(
  lake: Lake,
  opts: ProposeCorrectionOptions,
): Promise<ProposeCorrectionResult> {
  const row = rowIdOf(opts.rowId);
  const actor =
    typeof opts.actor === 'string' ? { kind: 'human' as const, id: opts.actor } : opts.actor;
  if (!ACTOR_KINDS.includes(actor.kind)) {
    throw new LakeError('BAD_INPUT', `propose correction: actor kind "${actor.kind}" is unknown`);
  }
  const head = await lake.resolve(opts.dataset, opts.branch);
  const commit = await lake.readCommit(head);
  const subject = { set: opts.recordSet, row };
  const leaves = await subjectLeaves(lake.chunks, commit, subject, opts.question, opts.signal);
  const corrects = leaves.map((l) => l.id);
  const where = `correction of ${opts.recordSet} row ${row}`;
  const result = await writeOpinions(lake, opts.dataset, {
    branch: opts.branch,
    opinions: [
      {
        where,
        subject,
        question: opts.question,
        value: opts.value,
        actor,
        parents: corrects,
        createdAt: (opts.createdAt ?? new Date()).toISOString(),
        note: opts.reason ?? null,
      },
    ],
    source: { kind: 'blindspots-correction', recordSet: opts.recordSet, row: row.toString() },
    message: `Correct ${opts.question} of ${opts.recordSet} row ${row} to ${opts.value}`,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  return { ...result, opinion: result.opinions[0]!.opinion.id, corrects };
}
