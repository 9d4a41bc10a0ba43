/**
 * The commit protocol (docs/format.md, "Writing a commit"): chunks first, the commit chunk
 * next, the ref last, by compare-and-set under the dataset's lock. When another writer moved
 * the branch meanwhile, the change is built again on the new head (a clean rebase) or refused.
 */
import { LakeError } from '../store/errors.ts';
import { putJson } from './chunks.ts';
import { checkStored, chunksToCheck } from './commit-check.ts';
import type { Lake } from './lake.ts';
import {
  FORMAT_VERSION,
  type Commit,
  type Lineage,
  type ObjectEntry,
  type ObjectIndex,
} from './manifest.ts';
import { logged } from './reflog.ts';
import { getRef, refKey, type RefValue } from './refs.ts';

/** What an operation contributes to a commit; the protocol fills in the rest. */
export interface CommitDraft {
  message: string;
  lineage: Lineage;
  document: string | null;
  objects: string | null;
  recordSets: Commit['recordSets'];
  /** Parents besides the branch head (a merge's other side). */
  extraParents?: string[];
  /**
   * The object index `objects` names, when the writer has it in memory (ingest: thousands of
   * image blobs): the check that its chunks are stored reads it from here, not from the lake.
   */
  objectIndex?: ObjectIndex;
  /**
   * Entries of `objectIndex` still on their way into it: the objects of packs being written
   * (ObjectWriter.locate()). With them the index is whole before `written` resolves.
   */
  located?: ReadonlyMap<string, ObjectEntry>;
  /**
   * Chunks the commit references that are still being written (ingest's last pack and
   * fragment): the commit chunk is written meanwhile, and the check that every referenced chunk
   * is stored runs once this resolves. A failure is thrown and nothing is committed.
   */
  written?: Promise<void>;
}

export interface CommitOptions {
  author?: string;
  /** The code that produced this change (e.g. `{ repo, commit }`), recorded in its lineage. */
  code?: Record<string, string>;
  /** Fail with REF_CONFLICT unless the branch is at this commit (null: must not exist). */
  expectedHead?: string | null;
  /** Build again on a moved head instead of failing (default true). */
  rebase?: boolean;
  /** Create the branch with this protection when it does not exist (ingest). */
  create?: { protected: boolean };
  /** Time to record, for reproducible tests; defaults to now. */
  time?: string;
  /**
   * An import (a new version of the source) on the dataset's import branch: committed even
   * though that branch is protected. Only ingest sets it.
   */
  import?: boolean;
  /** Who moves the ref, for the ref log when there is no `author` (the lake's actor). */
  who?: string;
}

export interface CommitResult {
  hash: string;
  commit: Commit;
}

/**
 * Builds a commit on `branch` and moves the branch to it. Before the ref moves, every chunk the
 * commit references is checked to be stored (MISSING_CHUNK otherwise, nothing changed); the
 * move is recorded in the ref log.
 */
export async function commitToBranch(
  lake: Lake,
  dataset: string,
  branch: string,
  build: (head: string | null) => Promise<CommitDraft>,
  opts: CommitOptions = {},
): Promise<CommitResult> {
  const backend = lake.backend;
  const key = refKey(dataset, 'branch', branch);
  const writable = (protectedNow: boolean | undefined) => {
    if (protectedNow && !opts.import) throw protectedError(dataset, branch);
  };
  const lockName = `dataset:${dataset}`;
  /**
   * One attempt: read the head, build on it, write the commit chunk, compare-and-set the ref.
   * `locked` attempts run entirely under the dataset's lock, so no other writer can move the
   * ref in between and the attempt cannot lose the race.
   */
  const attempt = async (first: boolean, locked: boolean): Promise<CommitResult | null> => {
    const ref = await getRef(backend.refs, dataset, 'branch', branch);
    if (!ref && !opts.create) {
      throw new LakeError('UNKNOWN_REF', `dataset ${dataset} has no branch "${branch}"`);
    }
    writable(ref?.protected);
    const head = ref?.commit ?? null;
    if (first && opts.expectedHead !== undefined && opts.expectedHead !== head) {
      if (opts.rebase === false) throw conflictError(dataset, branch, opts.expectedHead, head);
    }
    const draft = await build(head);
    const commit: Commit = {
      format: 'croissant-lake/commit',
      formatVersion: FORMAT_VERSION,
      features: featuresOf(draft.recordSets),
      dataset,
      parents: [...(head ? [head] : []), ...(draft.extraParents ?? [])],
      author: opts.author ?? 'croissant-lake',
      time: opts.time ?? new Date().toISOString(),
      message: draft.message,
      lineage: opts.code ? { ...draft.lineage, code: opts.code } : draft.lineage,
      document: draft.document,
      objects: draft.objects,
      recordSets: draft.recordSets,
    };
    // The commit chunk is written while the chunks it references are written and checked:
    // each only has to be done before the ref moves (a commit chunk no ref names is
    // invisible). Both are awaited either way, so nothing is left running when this throws.
    const check = async () => {
      // Which chunks to check is worked out while they are still being written.
      const where = { dataset, branch };
      const chunks = chunksToCheck(lake, commit, where, draft.objectIndex, draft.located);
      chunks.catch(() => {}); // thrown below, once the writes have ended
      await draft.written;
      await checkStored(lake, await chunks, where);
    };
    const [written, checked] = await Promise.allSettled([putJson(backend.chunks, commit), check()]);
    if (written.status === 'rejected') throw written.reason;
    if (checked.status === 'rejected') throw checked.reason;
    const hash = written.value;
    const swap = async () => {
      const now = await getRef(backend.refs, dataset, 'branch', branch);
      writable(now?.protected);
      const value: RefValue = {
        commit: hash,
        protected: now?.protected ?? opts.create?.protected ?? false,
        updatedAt: new Date().toISOString(),
      };
      const entry = {
        dataset,
        kind: 'branch' as const,
        name: branch,
        action: ref ? ('move' as const) : ('create' as const),
        old: head,
        new: hash,
        who: opts.author ?? opts.who ?? 'croissant-lake',
        time: value.updatedAt,
        message: draft.message,
      };
      return logged(backend.refs, entry, () => backend.refs.cas(key, ref?.version ?? 0, value));
    };
    const moved = locked ? await swap() : await backend.locks.withLock(lockName, swap);
    if (moved) return { hash, commit };
    if (opts.rebase === false) {
      const now = await getRef(backend.refs, dataset, 'branch', branch);
      throw conflictError(dataset, branch, head, now?.commit ?? null);
    }
    return null;
  };
  // Optimistic first: building (which may write many chunks) runs outside the lock. If another
  // writer moved the branch meanwhile, build again on its head while holding the lock.
  const done =
    (await attempt(true, false)) ??
    (await backend.locks.withLock(lockName, () => attempt(false, true)));
  if (done) return done;
  throw new LakeError(
    'REF_CONFLICT',
    `branch "${branch}" of ${dataset} moved while committing under its lock; another writer does not take the lock`,
  );
}

function featuresOf(recordSets: Commit['recordSets']): string[] {
  const f = new Set<string>();
  for (const rs of Object.values(recordSets)) {
    for (const fr of rs.fragments) {
      if (fr.deletions) f.add('deletions');
      if (fr.extension) f.add('column-groups');
    }
  }
  return [...f].sort();
}

/** The error for a write to a protected branch. */
export function protectedError(dataset: string, branch: string): LakeError {
  return new LakeError(
    'PROTECTED_BRANCH',
    `branch "${branch}" of ${dataset} is protected (read-only); create a branch from it and commit there, or unprotect it`,
  );
}

function conflictError(
  dataset: string,
  branch: string,
  expected: string | null,
  now: string | null,
) {
  return new LakeError(
    'REF_CONFLICT',
    `branch "${branch}" of ${dataset} moved to ${now ?? '(deleted)'} since ${expected ?? '(none)'}; another tab or process committed first. Reload and apply the change again.`,
  );
}
