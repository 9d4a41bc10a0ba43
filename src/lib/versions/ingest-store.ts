/**
 * The storing half of ingest: every raw file byte for byte (each before any record made from
 * it: the reader's first read of a file stores it and the records are generated from exactly
 * those bytes), then the files no record set reads, the records as fragments, the document and
 * the object index. Returns what a commit of this import references; committing is ingest.ts's.
 */
import { recordRowBatches, type RecordRow } from '../croissant/index.ts';
import { formatIssue, type Metadata } from '../croissant/model.ts';
import type { FilesContext } from '../croissant/resources/files.ts';
import type { Resolver } from '../io/source.ts';
import { checkAborted } from '../store/errors.ts';
import { putChunk, putJson } from './chunks.ts';
import { buildColumnsTable, type Cell } from './columns.ts';
import { FRAGMENT_ROWS, writeFragment } from './fragments.ts';
import { appendCells, columnsOf } from './ingest-rows.ts';
import type { IngestJournal } from './journal.ts';
import type { Lake } from './lake.ts';
import {
  emptyObjectIndex,
  type ColumnDef,
  type FragmentRef,
  type RecordSetManifest,
} from './manifest.ts';
import { ObjectWriter } from './objects.ts';
import { RawCapture, rawFiles } from './raw-capture.ts';
import type { IngestProgress } from './ingest.ts';

/** What storing a source gives: the parts of its import commit. */
export interface Stored {
  document: string;
  objects: string;
  recordSets: Record<string, RecordSetManifest>;
  /** Records per record set. */
  counts: Record<string, number>;
  rawBytes: number;
  warnings: string[];
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
  if (sizes.every((n) => typeof n === 'number')) {
    progress.totalBytes = sizes.reduce((a, n) => a + n!, 0);
    report(true);
  }
  checkAborted(s.signal);
  const recordSets: Record<string, RecordSetManifest> = {};
  const counts: Record<string, number> = {};
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
      const { fragments, rows } = await storeRecords(
        lake,
        columns,
        records,
        writer,
        () => {
          progress.records++;
        },
        report,
      );
      recordSets[rs.uuid] = { name: rs.name, columns, rows, fragments };
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
  return {
    document: await putChunk(lake.chunks, new TextEncoder().encode(s.text)),
    objects: await putJson(lake.chunks, index),
    recordSets,
    counts,
    rawBytes: index.files.reduce((n, f) => n + f.size, 0),
    warnings,
  };
}

/**
 * Writes a record set's records as fragments of FRAGMENT_ROWS rows, numbered from 0. A full
 * fragment is encoded and stored while the next one's records are generated (at most one in
 * flight, so memory stays at two fragments); every write has ended when this returns or
 * throws, and the fragments are in row order.
 */
async function storeRecords(
  lake: Lake,
  columns: ColumnDef[],
  records: AsyncIterable<RecordRow[]>,
  writer: ObjectWriter,
  onRecord: () => void,
  report: () => void,
): Promise<{ fragments: FragmentRef[]; rows: number }> {
  const writes: Promise<FragmentRef>[] = [];
  let rows = 0;
  let first = 0;
  let cells: Cell[][] = columns.map(() => []);
  const write = async () => {
    const n = rows - first;
    const ids = new BigInt64Array(n);
    for (let i = 0; i < n; i++) ids[i] = BigInt(first + i);
    const table = buildColumnsTable(columns, ids, cells);
    [first, cells] = [rows, columns.map(() => [])];
    // The previous fragment's write has ended (its failure is thrown here) before this one.
    if (writes.length) await writes[writes.length - 1];
    const w = writeFragment(lake.chunks, table);
    w.catch(() => {}); // awaited later; until then a failure must not count as unhandled
    writes.push(w);
    report();
  };
  try {
    for await (const batch of records) {
      for (const record of batch) {
        const stored = appendCells(columns, record, writer, cells);
        if (stored) await stored;
        rows++;
        onRecord();
        if (rows - first >= FRAGMENT_ROWS) await write();
      }
    }
    if (rows > first) await write();
    return { fragments: await Promise.all(writes), rows };
  } catch (e) {
    await Promise.allSettled(writes); // nothing is written after the call has returned
    throw e;
  }
}
