/**
 * Curation: keep the rows of a record set that a predicate selected, as a new read-only
 * branch. Nothing is copied: every live row not kept gets a deletion vector entry in its
 * fragment (new deletions chunks only), and the commit records the predicate and its parent as
 * lineage. The rows to keep are computed by the caller's query engine
 * (`SELECT _rowid FROM … WHERE predicate`), so this module never runs SQL.
 */
import { LakeError, checkAborted } from '../store/errors.ts';
import { ROWID } from './columns.ts';
import type { CommitDraft, CommitResult } from './commit.ts';
import { readDeletions, readFragment, withDeletions } from './fragments.ts';
import type { Lake } from './lake.ts';
import type { Commit, RecordSetManifest } from './manifest.ts';
import { recordSetOf } from './read.ts';
import { checkNewBranchName } from './ref-ops.ts';
import { getRef } from './refs.ts';
import { leased } from './lease.ts';

/** Options of {@link filterToBranch}. */
export interface FilterOptions {
  /** The revision filtered: a branch, tag or commit. */
  from: string;
  /** The new branch (must not exist; created protected). */
  branch: string;
  /** Record set @id or name. */
  recordSet: string;
  /** The SQL WHERE predicate that selected `keep`, recorded in lineage (never run here). */
  predicate: string;
  /** Row ids to keep; each must be a live row of the record set at `from`. */
  keep: Iterable<bigint>;
  author?: string;
  /** The code that produced this change (e.g. `{ repo, commit }`), recorded in its lineage. */
  code?: Record<string, string>;
  message?: string;
  /** Recorded as the commit time (tests); defaults to now. */
  time?: string;
  signal?: AbortSignal;
}

/** What a filter did. */
export interface FilterResult extends CommitResult {
  branch: string;
  /** The record set's @id. */
  recordSet: string;
  kept: number;
  removed: number;
}

/** A filter's commit content on top of `from`, and its counts. */
export interface FilterDraft {
  draft: CommitDraft;
  recordSet: string;
  kept: number;
  removed: number;
}

/**
 * Deletes every live row of `rs` whose id is not in `keep`. Dense fragments are not read at all
 * (a row's id follows from its position); others are read for their `_rowid` column only.
 */
async function keepOnly(
  lake: Lake,
  rs: RecordSetManifest,
  keep: ReadonlySet<bigint>,
  what: string,
  signal?: AbortSignal,
): Promise<{ rs: RecordSetManifest; kept: number; removed: number }> {
  const found = new Set<bigint>();
  const drops = new Map<number, number[]>();
  let removed = 0;
  for (let f = 0; f < rs.fragments.length; f++) {
    checkAborted(signal);
    const ref = rs.fragments[f]!;
    if (ref.extension) continue;
    const deleted = await readDeletions(lake.chunks, ref, what);
    const lo = BigInt(ref.minRowId);
    const ids = ref.dense ? null : (await readFragment(lake.chunks, ref, what)).getChild(ROWID)!;
    const drop: number[] = [];
    for (let i = 0; i < ref.rows; i++) {
      if (deleted.has(i)) continue;
      const id = ids ? (ids.get(i) as bigint) : lo + BigInt(i);
      if (keep.has(id)) found.add(id);
      else drop.push(i);
    }
    if (drop.length) drops.set(f, drop);
    removed += drop.length;
  }
  if (found.size !== keep.size) {
    const missing = [...keep].filter((id) => !found.has(id));
    throw new LakeError(
      'BAD_INPUT',
      `${what}: ${missing.length} row id(s) to keep are not live rows: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}; compute them with SELECT _rowid on the same revision`,
    );
  }
  // Written only once the input is known good, so a refused filter leaves nothing behind.
  const fragments = [...rs.fragments];
  for (const [f, drop] of drops) {
    fragments[f] = await withDeletions(lake.chunks, fragments[f]!, drop, what);
  }
  return { rs: { ...rs, fragments, rows: rs.rows - removed }, kept: found.size, removed };
}

/**
 * The commit content of a filter of `commit` (hash `from`): the record set with deletion
 * vectors for every live row not kept, other record sets, document and objects unchanged.
 * The caller commits it (parents: `from` first).
 */
export async function filterDraft(
  lake: Lake,
  from: string,
  commit: Commit,
  opts: Pick<FilterOptions, 'recordSet' | 'predicate' | 'keep' | 'message' | 'signal'>,
): Promise<FilterDraft> {
  if (typeof opts.predicate !== 'string' || !opts.predicate.trim()) {
    throw new LakeError('BAD_INPUT', 'a filter needs the predicate that selected its rows');
  }
  const [rsId, rs] = recordSetOf(commit, opts.recordSet);
  const what = `record set ${rsId} of ${commit.dataset} at ${from}`;
  const keep = new Set(opts.keep);
  const out = await keepOnly(lake, rs, keep, what, opts.signal);
  const draft: CommitDraft = {
    message:
      opts.message ?? `Filter ${rs.name}: keep ${out.kept} of ${rs.rows} where ${opts.predicate}`,
    lineage: {
      op: 'filter',
      params: {
        from,
        recordSet: rsId,
        predicate: opts.predicate,
        kept: out.kept,
        removed: out.removed,
      },
    },
    document: commit.document,
    objects: commit.objects,
    recordSets: { ...commit.recordSets, [rsId]: out.rs },
  };
  return { draft, recordSet: rsId, kept: out.kept, removed: out.removed };
}

function refExists(dataset: string, branch: string): LakeError {
  return new LakeError(
    'REF_EXISTS',
    `branch "${branch}" already exists in ${dataset}; choose another name for the filtered branch`,
  );
}

/**
 * Saves a filtered record set as a new PROTECTED branch `opts.branch`, whose one commit has the
 * resolved `from` commit as its only parent and lineage
 * `{op: 'filter', params: {from, recordSet, predicate, kept, removed}}`. Raw data is not copied
 * (only new deletions chunks are written) and `from` is untouched. A taken name is REF_EXISTS;
 * a keep id that is not a live row is BAD_INPUT.
 */
export const filterToBranch = leased('filter', filterToBranchLeased);

async function filterToBranchLeased(
  lake: Lake,
  dataset: string,
  opts: FilterOptions,
): Promise<FilterResult> {
  await checkNewBranchName(lake, dataset, opts.branch);
  const from = await lake.resolve(dataset, opts.from);
  if (await getRef(lake.backend.refs, dataset, 'branch', opts.branch)) {
    throw refExists(dataset, opts.branch);
  }
  const built = await filterDraft(lake, from, await lake.readCommit(from), opts);
  try {
    const result = await lake.commit(
      dataset,
      opts.branch,
      async (head) => {
        if (head !== null) throw refExists(dataset, opts.branch);
        return { ...built.draft, extraParents: [from] };
      },
      {
        create: { protected: true },
        expectedHead: null,
        rebase: false,
        ...(opts.author ? { author: opts.author } : {}),
        ...(opts.code ? { code: opts.code } : {}),
        ...(opts.time ? { time: opts.time } : {}),
      },
    );
    return {
      ...result,
      branch: opts.branch,
      recordSet: built.recordSet,
      kept: built.kept,
      removed: built.removed,
    };
  } catch (e) {
    // Another writer created the branch between the check above and the ref update.
    if (e instanceof LakeError && (e.code === 'REF_CONFLICT' || e.code === 'PROTECTED_BRANCH')) {
      throw refExists(dataset, opts.branch);
    }
    throw e;
  }
}
