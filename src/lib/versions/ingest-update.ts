/**
 * Updating a dataset: importing its source again. When the new import's content (content-hash.ts:
 * document, files, records) equals the previous import's, nothing is committed and the result
 * says so. Otherwise the import is one more commit on the dataset's import branch (protected or
 * not: imports are what that branch is for), whose lineage names the previous import, and the
 * result carries the diff from the previous import. The catalog entry then takes the new
 * source and sizes.
 */
import { LakeError } from '../store/errors.ts';
import { sha256 } from '../store/hash.ts';
import type { DatasetEntry } from './catalog.ts';
import type { CommitDraft, CommitOptions } from './commit.ts';
import { contentHash, contentOf } from './content-hash.ts';
import { diffCommits } from './diff.ts';
import type { IngestResult } from './ingest.ts';
import type { Stored } from './ingest-store.ts';
import type { IngestJournal } from './journal.ts';
import type { Lake } from './lake.ts';
import { discardWritten } from './lease.ts';
import { encodeJson, FORMAT_VERSION, type Commit } from './manifest.ts';
import { IMPORT_BRANCH } from './ref-ops.ts';
import { getRef } from './refs.ts';

/** Rows of detail per category in an update's diff. */
const DIFF_ROWS = 20;

/** The newest import reachable from `head` by first parents (the previous version). */
export async function lastImport(lake: Lake, head: string): Promise<string> {
  for (let hash: string | undefined = head; hash;) {
    const c = await lake.readCommit(hash);
    if (c.lineage.op === 'ingest') return hash;
    hash = c.parents[0];
  }
  throw new LakeError('BAD_INPUT', `no import commit is an ancestor of ${head}`);
}

async function draftContentHash(lake: Lake, dataset: string, draft: CommitDraft): Promise<string> {
  const commit: Commit = {
    format: 'croissant-lake/commit',
    formatVersion: FORMAT_VERSION,
    features: [],
    dataset,
    parents: [],
    author: '',
    time: '',
    message: '',
    lineage: draft.lineage,
    document: draft.document,
    objects: draft.objects,
    recordSets: draft.recordSets,
  };
  return sha256(encodeJson(contentOf(commit, await lake.readObjects(commit))));
}

/** What {@link commitUpdate} commits. */
export interface UpdateInput {
  draft: CommitDraft;
  stored: Stored;
  journal: IngestJournal;
  opts: CommitOptions;
}

/**
 * Commits a new import of `entry` (the catalog entry with the new name and source; `version`
 * is its entry version) on its import branch, or reports it unchanged.
 */
export async function commitUpdate(
  lake: Lake,
  entry: DatasetEntry,
  version: number,
  u: UpdateInput,
): Promise<IngestResult> {
  const branch = entry.importBranch ?? IMPORT_BRANCH;
  const ref = await getRef(lake.backend.refs, entry.id, 'branch', branch);
  if (!ref) {
    throw new LakeError(
      'UNKNOWN_REF',
      `dataset ${entry.id} has no import branch "${branch}" to commit the update to`,
    );
  }
  const previous = await lastImport(lake, ref.commit);
  const base = {
    dataset: entry.id,
    rawBytes: u.stored.rawBytes,
    records: u.stored.counts,
    resumedFiles: u.journal.files.size,
    warnings: u.stored.warnings,
  };
  const catalog = { ...entry, rawBytes: u.stored.rawBytes };
  if ((await draftContentHash(lake, entry.id, u.draft)) === (await contentHash(lake, previous))) {
    await u.journal.clear();
    // An unchanged source writes nothing new: chunks this run stored (another pack layout,
    // say) and that nothing uses go again. A catalog entry an interrupted update left stale
    // (its commit was made, its entry was not) is brought up to date.
    if (lake.lease) await discardWritten(lake, lake.lease);
    const now = await lake.dataset(entry.id);
    if (now.source !== catalog.source || now.rawBytes !== catalog.rawBytes) {
      await updateEntry(lake, catalog, version);
    }
    return { ...base, commit: previous, unchanged: true };
  }
  const draft: CommitDraft = {
    ...u.draft,
    message: `${u.draft.message} (update of ${previous.slice(0, 12)})`,
    lineage: { ...u.draft.lineage, params: { ...u.draft.lineage.params, previous } },
  };
  const { hash } = await lake.commit(entry.id, branch, async () => draft, {
    ...u.opts,
    import: true,
  });
  await updateEntry(lake, { ...catalog, updatedAt: new Date().toISOString() }, version);
  await u.journal.clear();
  const diff = await diffCommits(lake, previous, hash, { limit: DIFF_ROWS });
  const was = (await lake.readCommit(previous)).lineage.params.source;
  const previousSource = typeof was === 'string' ? was : null;
  return { ...base, commit: hash, update: { previous, previousSource, diff } };
}

/** Writes the catalog entry (compare-and-set on `version`; a concurrent writer's stays). */
async function updateEntry(lake: Lake, entry: DatasetEntry, version: number): Promise<void> {
  await lake.backend.refs.cas(`dataset/${entry.id}`, version, entry);
}
