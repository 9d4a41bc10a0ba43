/**
 * The storing half of ingest: every raw file byte for byte (each before any record made from
 * it: the reader's first read of a file stores it and the records are generated from exactly
 * those bytes), then the files no record set reads, the records as fragments, the document and
 * the object index. Returns what a commit of this import references; committing is ingest.ts's.
 */
import { recordRowBatches } from '../croissant/index.ts';
import { formatIssue, type Metadata } from '../croissant/model.ts';
import type { FilesContext } from '../croissant/resources/files.ts';
import type { Resolver } from '../io/source.ts';
import { checkAborted } from '../store/errors.ts';
import { sha256 } from '../store/hash.ts';
import { putChunk } from './chunks.ts';
import { objectIndexJson } from './index-json.ts';
import { allStored, FragmentQueue, storeRecords } from './ingest-fragments.ts';
import { columnsOf } from './ingest-rows.ts';
import type { IngestJournal } from './journal.ts';
import type { Lake } from './lake.ts';
import {
  emptyObjectIndex,
  type FragmentRef,
  type ObjectEntry,
  type ObjectIndex,
  type RecordSetManifest,
} from './manifest.ts';
import { ObjectWriter } from './objects.ts';
import { RawCapture, rawFiles } from './raw-capture.ts';
import type { IngestProgress } from './ingest.ts';

/** What storing a source gives: the parts of its import commit. */
export interface Stored {
  document: string;
  objects: string;
  /** The object index stored as `objects`. */
  objectIndex: ObjectIndex;
  /** Its entries still on their way into it until `written` resolves (CommitDraft.located). */
  located: ReadonlyMap<string, ObjectEntry>;
  recordSets: Record<string, RecordSetManifest>;
  /** Records per record set. */
  counts: Record<string, number>;
  rawBytes: number;
  warnings: string[];
  /**
   * The chunks above still being written (the last pack and fragments, the document, the
   * index): every one is stored once this resolves; it rejects with the first failure once
   * all have ended. The commit chunk is written meanwhile; its ref moves only after.
   */
  written: Promise<void>;
}

/** How storing reports and what it reads. */
export interface StoreContext {
  metadata: Metadata;
  /** The document's text, stored verbatim. */
  text: string;
  resolver: Resolver;
  mapping: Record<string, string>;
  signal?: AbortSignal;
  packSize?: number;
  journal: IngestJournal;
  progress: IngestProgress;
  report: (force?: boolean) => void;
}

/** Stores the raw files, the records, the document and the object index of a source. */
export async function storeSource(lake: Lake, s: StoreContext): Promise<Stored> {
  const { metadata: md, journal, progress, report } = s;
  const signal = s.signal ? { signal: s.signal } : {};
  const index = emptyObjectIndex();
  Object.assign(index.objects, journal.objects);
  const capture: { current?: RawCapture } = {};
  const writer = new ObjectWriter(
    lake.chunks,
    index,
    (shas) => journal.record(shas, index, capture.current?.files),
    s.signal,
  );
  if (s.packSize) writer.packSize = s.packSize;
  const raw: RawCapture = new RawCapture(writer, {
    ...signal,
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
    resolver: raw.resolver(s.resolver),
    mapping: s.mapping,
    ...signal,
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
  const files = await rawFiles({ ...ctx, resolver: s.resolver });
  for (const f of files) raw.name(f.source, f.id, f.format);
  const sizes = await Promise.all(files.map((f) => f.source.size(s.signal).catch(() => undefined)));
  raw.readAhead(files.map((f, i) => ({ source: f.source, size: sizes[i] })));
  if (sizes.every((n) => typeof n === 'number')) {
    progress.totalBytes = sizes.reduce((a, n) => a + n!, 0);
    report(true);
  }
  checkAborted(s.signal);
  const recordSets: Record<string, RecordSetManifest> = {};
  const counts: Record<string, number> = {};
  // A record set's last fragment is written while the next record set's records are generated.
  const queue = new FragmentQueue(lake.chunks);
  const refs = new Map<string, Promise<FragmentRef>[]>();
  let document: string | undefined;
  let objects: string | undefined;
  let written: Promise<void> = Promise.resolve();
  let located!: ReadonlyMap<string, ObjectEntry>; // set below, or storing failed
  const encoder = new TextEncoder();
  try {
    for (const rs of md.recordSets) {
      progress.recordSet = rs.uuid;
      const columns = columnsOf(md, rs);
      const records = recordRowBatches(md, rs.uuid, {
        resolver: ctx.resolver,
        mapping: ctx.mapping,
        ...signal,
        onWarning: (i) => warnings.push(formatIssue(i)),
      });
      const { fragments, rows } = await storeRecords(columns, records, writer, queue, () => {
        // Shown every few thousand records (report throttles further).
        if (++progress.records % 4096 === 0) report();
      });
      recordSets[rs.uuid] = { name: rs.name, columns, rows, fragments: [] };
      refs.set(rs.uuid, fragments);
      counts[rs.uuid] = rows;
      report();
    }
    delete progress.recordSet;

    // Then the files no record set read: every byte the document names is kept.
    progress.phase = 'raw';
    report(true);
    for (const f of files) {
      checkAborted(s.signal);
      await raw.capture(f.source, f.id);
    }
    index.files = [...raw.files.values()].sort(
      (a, b) => a.id.localeCompare(b.id) || a.name.localeCompare(b.name),
    );
    // The object index is final once the last pack is hashed (not yet stored): its text, the
    // document and the commit are written while the last pack is stored and journaled and the
    // last fragments are encoded and stored (`written`, which the commit awaits before its ref
    // moves: docs/format.md, "Writing a commit").
    located = await writer.locate();
    // canonicalJson's text (what putJson stores), without its per-value replacer: an archive's
    // index has an entry per image blob.
    const indexBytes = encoder.encode(objectIndexJson(index, located));
    const documentBytes = encoder.encode(s.text);
    [document, objects] = [await sha256(documentBytes), await sha256(indexBytes)];
    written = allStored([
      putChunk(lake.chunks, documentBytes, document),
      putChunk(lake.chunks, indexBytes, objects),
      writer.flush(),
      queue.stored(),
    ]);
    written.catch(() => {}); // awaited by the commit; until then not an unhandled rejection
    for (const [id, fragments] of refs) recordSets[id]!.fragments = await Promise.all(fragments);
    await raw.stopReadingAhead(); // every file is captured: nothing is left to read
  } catch (e) {
    // A pack, a fragment or the index may still be on its way to the store: nothing happens
    // after the call returns.
    await Promise.all([
      writer.settle(),
      queue.settle(),
      raw.stopReadingAhead(),
      written.catch(() => {}),
    ]);
    throw e;
  }

  progress.phase = 'commit';
  report(true);
  return {
    document,
    objects,
    objectIndex: index,
    located,
    recordSets,
    counts,
    rawBytes: index.files.reduce((n, f) => n + f.size, 0),
    warnings,
    written,
  };
}
