/**
 * The last step of ingest, registering the dataset in the catalog, and finishing an ingest that
 * stopped between its commit and that step (a crash, a closed tab): its `main` exists but the
 * catalog does not list it yet. The catalog lists such a dataset as incomplete (catalog.ts);
 * `finishRegistration` (the CLI's `finish`, the Lake tab's Finish) completes it from what was
 * committed, and so does running the same ingest again.
 */
import { LakeError } from '../store/errors.ts';
import { incompleteEntry, type DatasetEntry } from './catalog.ts';
import { IngestJournal } from './journal.ts';
import type { Lake } from './lake.ts';
import { IMPORT_BRANCH } from './ref-ops.ts';
import { getRef } from './refs.ts';

export interface Finished {
  commit: string;
  rawBytes: number;
  records: Record<string, number>;
  /** Raw files in the commit. */
  files: number;
}

/** Adds the catalog entry of a dataset whose `main` is committed, and removes its journal. */
export async function register(
  lake: Lake,
  entry: Omit<DatasetEntry, 'createdAt'>,
  journal: IngestJournal,
  createdAt = new Date().toISOString(),
): Promise<void> {
  const value: DatasetEntry = { importBranch: IMPORT_BRANCH, ...entry, createdAt };
  await lake.backend.refs.cas(`dataset/${entry.id}`, 0, value);
  await journal.clear();
}

/**
 * Finishes an incomplete dataset whose import was committed: adds its catalog entry from the
 * commit (name from the stored document, source from its lineage). BAD_INPUT when the dataset
 * is not incomplete, or its head is not an import.
 */
export async function finishRegistration(lake: Lake, id: string): Promise<DatasetEntry> {
  const d = await lake.dataset(id);
  if (!d.incomplete) {
    throw new LakeError('BAD_INPUT', `dataset ${id} is complete: there is nothing to finish`);
  }
  const e = await incompleteEntry(lake, id);
  if (!e.incomplete?.finish) {
    throw new LakeError(
      'BAD_INPUT',
      `dataset ${id} cannot be finished: ${e.incomplete?.reason ?? 'unknown state'}; delete it and ingest again`,
    );
  }
  const { incomplete: _, createdAt, ...entry } = e;
  const journal = await IngestJournal.open(lake.backend.refs, id, entry.source);
  await register(lake, entry, journal, createdAt);
  return await lake.dataset(id);
}

/**
 * When `id` has a `main` but no catalog entry: if that commit is an ingest of this very
 * document (same source, same sha256), the earlier run got as far as its commit and only its
 * registration is left, so it is done now. A `main` from anything else is refused.
 */
export async function finishCommitted(
  lake: Lake,
  id: string,
  source: string,
  sourceSha256: string,
): Promise<Finished | null> {
  const main = await getRef(lake.backend.refs, id, 'branch', 'main');
  if (!main) return null;
  const commit = await lake.readCommit(main.commit);
  const p = commit.lineage.params;
  if (commit.lineage.op !== 'ingest' || p.source !== source || p.sourceSha256 !== sourceSha256) {
    throw new LakeError(
      'DATASET_EXISTS',
      `dataset "${id}" has a main branch but is not in the catalog (an interrupted ${commit.lineage.op} of ${String(p.source ?? 'another source')}); ingest under another name`,
    );
  }
  const index = await lake.readObjects(commit);
  return {
    commit: main.commit,
    rawBytes: index.files.reduce((n, f) => n + f.size, 0),
    records: (p.records ?? {}) as Record<string, number>,
    files: index.files.length,
  };
}
