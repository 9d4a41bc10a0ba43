/**
 * Ingest: a Croissant URL or file → a dataset in the lake. Raw files are stored byte for byte
 * (deduplicated by hash, ingest-store.ts); one commit on `main`, which is protected, comes
 * last, then the catalog entry. Importing a dataset that is in the lake already (`update`)
 * commits the new version of the source to its import branch, with a diff against the previous
 * import, or says it is unchanged and commits nothing (ingest-update.ts).
 *
 * An ingest runs under a writer lease (lease.ts). One that fails or is cancelled removes what
 * it stored (its journal, and the chunks it wrote that nothing else uses); with
 * `keepPartialOnCancel`, a cancelled one keeps them so that a rerun resumes (the CLI's Ctrl-C).
 * A crash keeps them too: a rerun resumes from the journal, reading no stored file again.
 */
import { readCroissant } from '../croissant/index.ts';
import { checkMappingKeys } from '../croissant/resources/mapping.ts';
import { formatIssueLocated } from '../croissant/model.ts';
import { fetchResolver } from '../io/fetch.ts';
import type { Resolver } from '../io/source.ts';
import { LakeError } from '../store/errors.ts';
import { sha256 } from '../store/hash.ts';
import type { DatasetEntry } from './catalog.ts';
import type { CommitDraft, CommitOptions } from './commit.ts';
import { checkDatasetId, checkDatasetTwin, datasetId } from './dataset-id.ts';
import type { CommitDiff } from './diff.ts';
import { finishCommitted, register } from './ingest-finish.ts';
import { storeSource, type Stored } from './ingest-store.ts';
import { commitUpdate } from './ingest-update.ts';
import { IngestJournal } from './journal.ts';
import type { Lake } from './lake.ts';
import { IMPORT_BRANCH } from './ref-ops.ts';

export type IngestPhase = 'metadata' | 'raw' | 'records' | 'commit' | 'done';

export interface IngestProgress {
  phase: IngestPhase;
  /** Raw-file bytes stored so far (a resumed run counts the files an earlier run stored). */
  bytes: number;
  /** The raw files' total size, once known (absent when a source cannot tell its size). */
  totalBytes?: number;
  records: number;
  file?: string;
  recordSet?: string;
}

export interface IngestOptions {
  /** Dataset id (default: from the document's name). */
  dataset?: string;
  resolver?: Resolver;
  mapping?: Record<string, string>;
  signal?: AbortSignal;
  onProgress?: (p: IngestProgress) => void;
  author?: string;
  /** The code that produced this change (e.g. `{ repo, commit }`), recorded in its lineage. */
  code?: Record<string, string>;
  /** Recorded as the commit time (tests); defaults to now. */
  time?: string;
  /** Pack size in bytes (default 8 MiB); an interrupted ingest redoes at most one pack. */
  packSize?: number;
  /**
   * When the dataset is in the lake already: import this source as its new version (a commit
   * on its import branch), or report it unchanged. Without it, DATASET_EXISTS.
   */
  update?: boolean;
  /** Keep what a cancelled ingest stored, so that a rerun resumes (default: remove it). */
  keepPartialOnCancel?: boolean;
}

export interface IngestResult {
  dataset: string;
  commit: string;
  rawBytes: number;
  records: Record<string, number>;
  /** Files that were already stored by an interrupted run. */
  resumedFiles: number;
  warnings: string[];
  /** An update whose source had not changed: nothing was committed (`commit` is the import). */
  unchanged?: boolean;
  /** An update: the previous import, and the difference from it to this one. */
  update?: {
    previous: string;
    /** The source the previous import read (null when its lineage names none). */
    previousSource: string | null;
    diff: CommitDiff;
  };
}

export { datasetId } from './dataset-id.ts';

/** Ingests the Croissant document at `url` (a URL or a path the resolver understands). */
export async function ingest(
  lake: Lake,
  url: string,
  opts: IngestOptions = {},
): Promise<IngestResult> {
  let settled = false;
  const onProgress = opts.onProgress;
  try {
    const info = { op: 'ingest', ...(opts.dataset ? { dataset: opts.dataset } : {}) };
    return await lake.writing(info, (leased) =>
      ingestOnce(leased, url, {
        ...opts,
        // Nothing is reported once the call has returned or thrown (a trailing update is late).
        ...(onProgress ? { onProgress: (p: IngestProgress) => !settled && onProgress(p) } : {}),
      }),
    );
  } finally {
    settled = true;
  }
}

async function ingestOnce(
  lake: Lake,
  url: string,
  opts: IngestOptions = {},
): Promise<IngestResult> {
  const progress: IngestProgress = { phase: 'metadata', bytes: 0, records: 0 };
  let last = 0;
  let trailing: ReturnType<typeof setTimeout> | undefined;
  const report = (force = false) => {
    const now = Date.now();
    if (force || now - last > 100) {
      clearTimeout(trailing);
      trailing = undefined;
      last = now;
      opts.onProgress?.({ ...progress });
    } else {
      // A throttled update is sent a little later, so a stalled download still shows the
      // bytes that did arrive.
      trailing ??= setTimeout(() => report(true), 150);
    }
  };
  report(true);
  try {
    const resolver = opts.resolver ?? fetchResolver();
    const read = await readCroissant(url, {
      resolver,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    if (!read.metadata || read.errors.length) {
      const errs = read.errors.map((i) => formatIssueLocated(i, '   '));
      throw new LakeError(
        'BAD_INPUT',
        `${url} is not a valid Croissant dataset, so nothing was ingested:\n${errs.join('\n') || 'no Dataset node'}`,
        { detail: read.errors },
      );
    }
    const md = read.metadata;
    if (opts.mapping) checkMappingKeys(md, opts.mapping);
    const id = opts.dataset ?? datasetId(md.name || 'dataset');
    checkDatasetId(id);
    const existing = await lake.backend.refs.get<DatasetEntry>(`dataset/${id}`);
    if (!existing)
      checkDatasetTwin(
        id,
        (await lake.datasets()).map((d) => d.id),
      );
    if (existing && !opts.update) {
      throw new LakeError(
        'DATASET_EXISTS',
        `dataset "${id}" is already in this lake; update it with this source (a new import commit), or ingest under another name`,
      );
    }
    const docSha = await sha256(new TextEncoder().encode(read.text));
    const journal = await IngestJournal.open(lake.backend.refs, id, url);
    await journal.dropMissing(lake.chunks);
    const entry = { id, name: md.name || id, source: url };
    if (!existing) {
      const committed = await finishCommitted(lake, id, url, docSha);
      if (committed) {
        // An earlier run stopped right after its commit: only the catalog entry was missing.
        const { commit, rawBytes, records, files } = committed;
        await register(lake, { ...entry, rawBytes }, journal);
        progress.phase = 'done';
        report(true);
        return { dataset: id, commit, rawBytes, records, resumedFiles: files, warnings: [] };
      }
    }
    let stored: Stored | undefined;
    try {
      stored = await storeSource(lake, {
        metadata: md,
        text: read.text,
        resolver,
        mapping: opts.mapping ?? {},
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(opts.packSize ? { packSize: opts.packSize } : {}),
        journal,
        progress,
        report,
      });
      const draft: CommitDraft = {
        message: `Ingest ${md.name || id} from ${url}`,
        lineage: {
          op: 'ingest',
          params: {
            source: url,
            sourceSha256: docSha,
            version: md.version,
            records: stored.counts,
          },
        },
        document: stored.document,
        objects: stored.objects,
        objectIndex: stored.objectIndex,
        located: stored.located,
        recordSets: stored.recordSets,
        written: stored.written,
      };
      const who: CommitOptions = {
        ...(opts.author ? { author: opts.author } : {}),
        ...(opts.code ? { code: opts.code } : {}),
        ...(opts.time ? { time: opts.time } : {}),
      };
      // An update reads the stored import to compare it with the last one: all written first.
      if (existing) await stored.written;
      const result = existing
        ? await commitUpdate(lake, { ...existing.value, ...entry }, existing.version, {
            draft,
            stored,
            journal,
            opts: who,
          })
        : await commitFirst(lake, entry, stored, draft, journal, who);
      progress.phase = 'done';
      report(true);
      return result;
    } catch (e) {
      const cancelled = opts.signal?.aborted || (e instanceof LakeError && e.code === 'ABORTED');
      const keep = opts.keepPartialOnCancel && cancelled;
      // The commit may have failed before awaiting the last writes: nothing runs after this.
      await stored?.written.catch(() => {});
      // Cleared, the journal no longer keeps what this run stored, which the lease removes.
      if (!keep) await journal.clear();
      throw e;
    }
  } finally {
    clearTimeout(trailing);
  }
}

/** The first import of a dataset: `main` is created protected, then the catalog entry. */
async function commitFirst(
  lake: Lake,
  entry: { id: string; name: string; source: string },
  stored: Stored,
  draft: CommitDraft,
  journal: IngestJournal,
  who: CommitOptions,
): Promise<IngestResult> {
  const { hash } = await lake.commit(entry.id, IMPORT_BRANCH, async () => draft, {
    create: { protected: true },
    expectedHead: null,
    rebase: false,
    ...who,
  });
  await register(lake, { ...entry, rawBytes: stored.rawBytes }, journal);
  return {
    dataset: entry.id,
    commit: hash,
    rawBytes: stored.rawBytes,
    records: stored.counts,
    resumedFiles: journal.files.size,
    warnings: stored.warnings,
  };
}
