/**
 * Ingest: a Croissant URL or file → a new dataset in the lake. Raw files are stored byte for
 * byte (deduplicated by hash), each before any record fragment made from it: the reader's first
 * read of a file stores it and the records are generated from exactly those bytes. Files no
 * record set reads are stored next; one commit on `main`, which is protected, comes last. An
 * interrupted ingest resumes from its journal: files already stored are neither downloaded nor
 * written again.
 */
import { readCroissant, recordRows } from '../croissant/index.ts';
import { formatIssue, formatIssueLocated } from '../croissant/model.ts';
import type { FilesContext } from '../croissant/resources/files.ts';
import { fetchResolver } from '../io/fetch.ts';
import type { Resolver } from '../io/source.ts';
import { LakeError, checkAborted } from '../store/errors.ts';
import { sha256 } from '../store/hash.ts';
import { putChunk, putJson } from './chunks.ts';
import type { LakeRow } from './columns.ts';
import { FRAGMENT_ROWS } from './fragments.ts';
import { columnsOf, toLakeRow } from './ingest-rows.ts';
import { finishCommitted, register } from './ingest-finish.ts';
import { IngestJournal } from './journal.ts';
import type { Lake } from './lake.ts';
import { emptyObjectIndex, type FragmentRef, type RecordSetManifest } from './manifest.ts';
import { ObjectWriter } from './objects.ts';
import { RawCapture, rawFiles } from './raw-capture.ts';
import { writeRows, type IdRow } from './write.ts';

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
}

export interface IngestResult {
  dataset: string;
  commit: string;
  rawBytes: number;
  records: Record<string, number>;
  /** Files that were already stored by an interrupted run. */
  resumedFiles: number;
  warnings: string[];
}

/** A dataset id from a name: lowercase letters, digits and dashes. */
export function datasetId(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 64) || 'dataset'
  );
}

/** Ingests the Croissant document at `url` (a URL or a path the resolver understands). */
export async function ingest(
  lake: Lake,
  url: string,
  opts: IngestOptions = {},
): Promise<IngestResult> {
  let settled = false;
  const onProgress = opts.onProgress;
  try {
    return await ingestOnce(lake, url, {
      ...opts,
      // Nothing is reported once the call has returned or thrown (a trailing update is late).
      ...(onProgress ? { onProgress: (p: IngestProgress) => !settled && onProgress(p) } : {}),
    });
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
  const id = opts.dataset ?? datasetId(md.name || 'dataset');
  if (await lake.backend.refs.get(`dataset/${id}`)) {
    throw new LakeError(
      'DATASET_EXISTS',
      `dataset "${id}" is already in this lake; delete it first, or ingest under another name`,
    );
  }
  const docSha = await sha256(new TextEncoder().encode(read.text));
  const journal = await IngestJournal.open(lake.backend.refs, id, url);
  const committed = await finishCommitted(lake, id, url, docSha);
  if (committed) {
    // An earlier run stopped right after its commit: only the catalog entry was missing.
    const { commit, rawBytes, records, files } = committed;
    await register(lake, { id, name: md.name || id, source: url, rawBytes }, journal);
    progress.phase = 'done';
    report(true);
    return { dataset: id, commit, rawBytes, records, resumedFiles: files, warnings: [] };
  }
  const index = emptyObjectIndex();
  Object.assign(index.objects, journal.objects);
  const capture: { current?: RawCapture } = {};
  const writer = new ObjectWriter(
    lake.chunks,
    index,
    (shas) => journal.record(shas, index, capture.current?.files),
    opts.signal,
  );
  if (opts.packSize) writer.packSize = opts.packSize;
  const raw: RawCapture = new RawCapture(writer, {
    ...(opts.signal ? { signal: opts.signal } : {}),
    resumed: journal.files,
    onCaptured: (): Promise<void> => journal.record([], index, raw.files),
    onBytes: (n, file) => {
      progress.bytes += n;
      progress.file = file;
      report();
    },
  });
  capture.current = raw;
  const warnings: string[] = [];
  const ctx: FilesContext = {
    metadata: md,
    resolver: raw.resolver(resolver),
    mapping: opts.mapping ?? {},
    ...(opts.signal ? { signal: opts.signal } : {}),
    verifyChecksums: true,
    progress: () => {},
    warn: (m) => warnings.push(m),
  };

  // Each file is stored the first time the reader reads it, before any record made from it,
  // and the records are generated from those very bytes: a file is read once, not stored and
  // then read back. Sizing the files (HEAD requests) is the first step of that phase.
  progress.phase = 'records';
  report(true); // every phase change is shown at once
  // Every file the distribution names, sized up front for a determinate progress bar (a
  // server may refuse HEAD or omit Content-Length; then the bar shows bytes without a total).
  const files = await rawFiles({ ...ctx, resolver });
  for (const f of files) raw.name(f.source, f.id, f.format);
  const sizes = await Promise.all(
    files.map((f) => f.source.size(opts.signal).catch(() => undefined)),
  );
  if (sizes.every((n) => typeof n === 'number')) {
    progress.totalBytes = sizes.reduce((a, n) => a + n!, 0);
    report(true);
  }
  checkAborted(opts.signal);
  const recordSets: Record<string, RecordSetManifest> = {};
  const counts: Record<string, number> = {};
  try {
    for (const rs of md.recordSets) {
      progress.recordSet = rs.uuid;
      const columns = columnsOf(md, rs);
      const fragments: FragmentRef[] = [];
      let pending: IdRow[] = [];
      let n = 0;
      const rows = recordRows(md, rs.uuid, {
        resolver: ctx.resolver,
        mapping: ctx.mapping,
        ...(opts.signal ? { signal: opts.signal } : {}),
        onWarning: (i) => warnings.push(formatIssue(i)),
      });
      for await (const record of rows) {
        const row: LakeRow = await toLakeRow(columns, record, writer);
        pending.push({ rowid: BigInt(n++), row });
        progress.records++;
        if (pending.length >= FRAGMENT_ROWS) {
          fragments.push(...(await writeRows(lake.chunks, columns, pending)));
          pending = [];
          report();
        }
      }
      if (pending.length) fragments.push(...(await writeRows(lake.chunks, columns, pending)));
      recordSets[rs.uuid] = { name: rs.name, columns, rows: n, fragments };
      counts[rs.uuid] = n;
      report();
    }
    delete progress.recordSet;

    // Then the files no record set read: every byte the document names is kept.
    progress.phase = 'raw';
    report(true);
    for (const f of files) {
      checkAborted(opts.signal);
      await raw.capture(f.source, f.id);
    }
    await writer.flush();
  } catch (e) {
    // A pack may still be on its way to the store: nothing happens after the call returns.
    await writer.settle();
    throw e;
  }

  progress.phase = 'commit';
  report(true);
  index.files = [...raw.files.values()].sort(
    (a, b) => a.id.localeCompare(b.id) || a.name.localeCompare(b.name),
  );
  const document = await putChunk(lake.chunks, new TextEncoder().encode(read.text));
  const objects = await putJson(lake.chunks, index);
  const rawBytes = index.files.reduce((n, f) => n + f.size, 0);
  const { hash } = await lake.commit(
    id,
    'main',
    async () => ({
      message: `Ingest ${md.name || id} from ${url}`,
      lineage: {
        op: 'ingest',
        params: { source: url, sourceSha256: docSha, version: md.version, records: counts },
      },
      document,
      objects,
      recordSets,
    }),
    {
      create: { protected: true },
      expectedHead: null,
      rebase: false,
      ...(opts.author ? { author: opts.author } : {}),
      ...(opts.code ? { code: opts.code } : {}),
      ...(opts.time ? { time: opts.time } : {}),
    },
  );
  await register(lake, { id, name: md.name || id, source: url, rawBytes }, journal);
  progress.phase = 'done';
  report(true);
  clearTimeout(trailing);
  return {
    dataset: id,
    commit: hash,
    rawBytes,
    records: counts,
    resumedFiles: journal.files.size,
    warnings,
  };
}
