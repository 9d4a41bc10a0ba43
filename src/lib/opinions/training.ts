/**
 * Training branches (docs/opinions.md, "Training branches"): a rule's decided rows at one
 * opinions commit, materialised as the record set `consolidated` of a new protected branch whose
 * only parent is that commit and whose lineage names the commit, the question, the rule and its
 * parameters. Nothing in it depends on time or machine, so the same commit and rule give the
 * same content hash.
 */
import { tableFromIPC } from 'apache-arrow';
import type { QueryEngine } from '../query/engine.ts';
import { LakeError } from '../store/errors.ts';
import type { LakeRow } from '../versions/columns.ts';
import type { CommitDraft, CommitResult } from '../versions/commit.ts';
import type { Lake } from '../versions/lake.ts';
import { leased } from '../versions/lease.ts';
import type { ColumnDef, Commit } from '../versions/manifest.ts';
import { checkNewBranchName } from '../versions/ref-ops.ts';
import { getRef } from '../versions/refs.ts';
import { writeRows } from '../versions/write.ts';
import { runRule, type RuleRun, type RuleSpec } from './consolidate.ts';
import { OPINIONS_RS } from './model.ts';
import { registered } from './sql.ts';

/** The record set of a training branch. */
export const CONSOLIDATED_RS = 'consolidated';

export const CONSOLIDATED_COLUMNS: readonly ColumnDef[] = [
  { name: 'subject_set', type: 'utf8' },
  { name: 'subject_row', type: 'int64' },
  { name: 'question', type: 'utf8' },
  { name: 'value_type', type: 'utf8' },
  { name: 'value', type: 'utf8' },
  { name: 'support', type: 'int64' },
  { name: 'leaves', type: 'int64' },
  { name: 'agreement', type: 'float64' },
  { name: 'rule', type: 'utf8' },
];

/** Options of {@link saveTrainingBranch}. */
export interface TrainingOptions {
  /** The opinions revision: a branch, tag or commit. */
  from: string;
  question: string;
  spec: RuleSpec;
  /** The new branch (must not exist; created protected). */
  branch: string;
  author?: string;
  signal?: AbortSignal;
}

/** What was saved. */
export interface TrainingResult extends CommitResult {
  branch: string;
  /** The opinions commit consolidated. */
  opinions: string;
  rows: number;
  /** Subjects the rule left to review (not in the training set). */
  review: number;
  run: RuleRun;
}

function exists(dataset: string, branch: string): LakeError {
  return new LakeError(
    'REF_EXISTS',
    `branch "${branch}" already exists in ${dataset}; choose another name for the training branch`,
  );
}

/** The decided rows of a rule's result, as rows of `consolidated` (sorted by subject). */
async function decidedRows(engine: QueryEngine, run: RuleRun, signal?: AbortSignal) {
  const cols = CONSOLIDATED_COLUMNS.map((c) => c.name).join(', ');
  const t = tableFromIPC(
    (
      await engine.query(
        `SELECT ${cols} FROM ${registered(run.table)} WHERE status = 'ok' ORDER BY subject_set, subject_row`,
        signal ? { signal } : {},
      )
    ).ipc,
  );
  const vectors = CONSOLIDATED_COLUMNS.map((c) => t.getChild(c.name)!);
  const rows: LakeRow[] = [];
  for (let i = 0; i < t.numRows; i++) {
    const row: LakeRow = {};
    CONSOLIDATED_COLUMNS.forEach((c, k) => {
      const v = vectors[k]!.get(i) as unknown;
      row[c.name] =
        v === null || v === undefined
          ? null
          : c.type === 'int64'
            ? BigInt(v as bigint)
            : c.type === 'float64'
              ? Number(v)
              : String(v);
    });
    rows.push(row);
  }
  return rows;
}

/** A training commit's content over `commit` (hash `from`): the rule run and its decided rows. */
async function trainingDraft(
  lake: Lake,
  dataset: string,
  engine: QueryEngine,
  from: string,
  commit: Commit,
  question: string,
  spec: RuleSpec,
  signal?: AbortSignal,
) {
  const run = await runRule(engine, { dataset, commit: from, question }, spec, signal);
  const rows = await decidedRows(engine, run, signal);
  const fragments = await writeRows(
    lake.chunks,
    CONSOLIDATED_COLUMNS,
    rows.map((row, i) => ({ rowid: BigInt(i), row })),
  );
  const draft: CommitDraft = {
    message: `Training set: ${question} by ${spec.rule} at ${from.slice(0, 12)} (${rows.length} subjects, ${run.review} to review)`,
    lineage: {
      op: 'consolidate',
      params: {
        opinions: from,
        question,
        rule: spec.rule,
        params: spec.params,
        rows: rows.length,
        review: run.review,
      },
    },
    document: commit.document,
    objects: commit.objects,
    recordSets: {
      ...commit.recordSets,
      [CONSOLIDATED_RS]: {
        name: CONSOLIDATED_RS,
        columns: [...CONSOLIDATED_COLUMNS],
        rows: rows.length,
        fragments,
      },
    },
  };
  return { run, rows: rows.length, draft };
}

async function opinionsCommit(lake: Lake, dataset: string, from: string, rev: string) {
  const commit = await lake.readCommit(from);
  if (!commit.recordSets[OPINIONS_RS]) {
    throw new LakeError('BAD_INPUT', `${dataset} at ${rev} has no opinions to consolidate`);
  }
  return commit;
}

async function saveLeased(
  lake: Lake,
  dataset: string,
  engine: QueryEngine,
  opts: TrainingOptions,
): Promise<TrainingResult> {
  await checkNewBranchName(lake, dataset, opts.branch);
  const from = await lake.resolve(dataset, opts.from);
  const commit = await opinionsCommit(lake, dataset, from, opts.from);
  if (await getRef(lake.backend.refs, dataset, 'branch', opts.branch)) {
    throw exists(dataset, opts.branch);
  }
  const t = await trainingDraft(
    lake,
    dataset,
    engine,
    from,
    commit,
    opts.question,
    opts.spec,
    opts.signal,
  );
  try {
    const r = await lake.commit(
      dataset,
      opts.branch,
      async (head) => {
        if (head !== null) throw exists(dataset, opts.branch);
        return { ...t.draft, extraParents: [from] };
      },
      {
        create: { protected: true },
        expectedHead: null,
        rebase: false,
        ...(opts.author ? { author: opts.author } : {}),
      },
    );
    return {
      ...r,
      branch: opts.branch,
      opinions: from,
      rows: t.rows,
      review: t.run.review,
      run: t.run,
    };
  } catch (e) {
    if (e instanceof LakeError && (e.code === 'REF_CONFLICT' || e.code === 'PROTECTED_BRANCH')) {
      throw exists(dataset, opts.branch);
    }
    throw e;
  }
}

/**
 * Consolidates the opinions of `opts.from` by `opts.spec` in `engine` and saves the decided
 * subjects as a new protected branch (see the module comment). A taken name is REF_EXISTS; a
 * revision without opinions is BAD_INPUT.
 */
export const saveTrainingBranch = leased('consolidate', saveLeased);

/** Options of {@link consolidateOnBranch}. */
export interface ConsolidateOnBranchOptions {
  /** A writable branch whose head holds the opinions; the training commit goes on top. */
  branch: string;
  question: string;
  spec: RuleSpec;
  author?: string;
  signal?: AbortSignal;
}

/**
 * The commit {@link saveTrainingBranch} makes, on top of an existing writable branch instead of
 * a new one (same content, so the same content hash): how a share link rebuilds a training
 * branch on the branch it replays onto. Fails with REF_CONFLICT if the head moves meanwhile.
 */
export const consolidateOnBranch = leased(
  'consolidate',
  async (
    lake: Lake,
    dataset: string,
    engine: QueryEngine,
    opts: ConsolidateOnBranchOptions,
  ): Promise<CommitResult> => {
    const ref = await getRef(lake.backend.refs, dataset, 'branch', opts.branch);
    if (!ref)
      throw new LakeError('UNKNOWN_REF', `dataset ${dataset} has no branch "${opts.branch}"`);
    const commit = await opinionsCommit(lake, dataset, ref.commit, opts.branch);
    const t = await trainingDraft(
      lake,
      dataset,
      engine,
      ref.commit,
      commit,
      opts.question,
      opts.spec,
      opts.signal,
    );
    return lake.commit(dataset, opts.branch, () => Promise.resolve(t.draft), {
      expectedHead: ref.commit,
      rebase: false,
      ...(opts.author ? { author: opts.author } : {}),
    });
  },
);
