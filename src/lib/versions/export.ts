/**
 * Export: a commit's live records (deletions and extensions applied) as Parquet parts plus a
 * Croissant `metadata.json` describing them, written to any {@link ExportSink} (a folder in
 * Node or the browser, a tar archive anywhere). Reading the export back with this project's
 * reader gives the records the dataset had, nested values nested, keyed identically (see
 * test/unit/export.node.test.ts and export-fidelity.node.test.ts).
 *
 * The document keeps everything the original 1.0/1.1 document said (export-original.ts); a 0.8
 * dataset, or a commit without a document, gets a Croissant 1.0 document built from scratch
 * (export-doc.ts). Images and blobs are written as their raw bytes in a Parquet Binary column:
 * the reader (like mlcroissant, which opens `bytes` ImageObject values with PIL) decodes an
 * ImageObject field from bytes, so the image round-trips with its format, mode and size.
 *
 * Everything copied is verified as it is read: whole chunks (fragments, deletions, the
 * document) against their address, each image or blob against its sha256. A failure (a
 * corrupt chunk, a cancel) leaves no partial export: the sink discards what it wrote.
 */
import { checkAborted } from '../store/errors.ts';
import { getChunk } from './chunks.ts';
import { exportDocument, type DocRecordSet } from './export-doc.ts';
import { documentFromOriginal } from './export-original.ts';
import { objectBytes, partTable } from './export-parts.ts';
import {
  METADATA,
  ORIGINAL_METADATA,
  parseOriginal,
  plan,
  type OriginalDocument,
} from './export-plan.ts';
import { toParquet } from './fragments.ts';
import type { Lake } from './lake.ts';
import { recordSetOf, scanRows, type LocatedRow } from './read.ts';

export { METADATA, ORIGINAL_METADATA };

/** Where an export writes its files; `path` is relative, with `/` separators. */
export interface ExportSink {
  write(path: string, bytes: Uint8Array): Promise<void>;
  /**
   * Removes everything written so far. Called once when the export fails or is cancelled, so
   * that no partial export is left (no folder of parts, no truncated archive).
   */
  discard?(): Promise<void>;
}

/** How far an export is. */
export interface ExportProgress {
  /** The record set being written, and its rows and parts so far. */
  recordSet: string;
  rows: number;
  parts: number;
  /** Rows written so far, every record set together, and the rows to write in all. */
  exportedRows: number;
  totalRows: number;
  /** Bytes of files written so far. */
  bytes: number;
}

/** Options of {@link exportCommit}. */
export interface ExportOptions {
  /** Record sets to export (@id or name); default all. */
  recordSets?: string[];
  /** Rows per Parquet part at most (default 65,536). */
  partRows?: number;
  /** Image and blob bytes per part, roughly, before a new part starts (default 128 MiB). */
  partBytes?: number;
  signal?: AbortSignal;
  onProgress?: (p: ExportProgress) => void;
}

/** One exported record set: where its parts are and how its columns became fields. */
export type ExportedRecordSet = DocRecordSet & { rows: number; parts: string[] };

/** What an export wrote. */
export interface ExportResult {
  /** The exported commit's hash. */
  commit: string;
  document: Record<string, unknown>;
  recordSets: ExportedRecordSet[];
  /** Every path written, in order (metadata.json last). */
  files: string[];
  /** Bytes written in all. */
  bytes: number;
}

/** The export's document: the original kept where there is one to keep, else from scratch. */
function documentOf(
  original: OriginalDocument | null,
  lineage: { dataset: string; commit: string; time: string },
  recordSets: DocRecordSet[],
): Record<string, unknown> {
  const md = original?.metadata;
  const kept =
    original && md
      ? documentFromOriginal({ original: original.json, metadata: md, recordSets, ...lineage })
      : null;
  return kept ?? exportDocument({ ...lineage, original: original?.json ?? null, recordSets });
}

/** Lets the sink remove a failed export; a failure to remove it is added to the error. */
async function discard(sink: ExportSink, error: unknown): Promise<void> {
  try {
    await sink.discard?.();
  } catch (e) {
    const why = `; the partial export could not be removed: ${e instanceof Error ? e.message : String(e)}`;
    if (error instanceof Error) error.message += why;
  }
}

/**
 * Exports the commit `rev` (branch, tag or commit) of a dataset to `sink`: each record set's
 * live rows as `<folder>/part-00000.parquet`… (ZSTD; `_rowid` first), the original Croissant
 * document verbatim as `original-metadata.json` when the commit has one, and last the Croissant
 * `metadata.json` (so a folder without it is an unfinished export). Parts follow row order,
 * and the reader reads them in name order, so records come back in `readAllRows` order.
 */
export async function exportCommit(
  lake: Lake,
  dataset: string,
  rev: string,
  sink: ExportSink,
  opts: ExportOptions = {},
): Promise<ExportResult> {
  const hash = await lake.resolve(dataset, rev);
  const commit = await lake.readCommit(hash);
  const index = await lake.readObjects(commit);
  const store = lake.chunks;
  const selected = opts.recordSets
    ? opts.recordSets.map((id) => recordSetOf(commit, id))
    : Object.entries(commit.recordSets);
  const partRows = Math.max(1, opts.partRows ?? 65_536);
  const partBytes = opts.partBytes ?? 128 * 1024 * 1024;
  const originalBytes = commit.document
    ? await getChunk(store, commit.document, `Croissant document of ${dataset} at ${hash}`)
    : null;
  const original = originalBytes ? await parseOriginal(originalBytes) : null;
  // Record sets in the document's order (the commit keeps them sorted by @id).
  const order = original?.metadata?.recordSets.map((r) => r.uuid) ?? [];
  const rank = (id: string) => (order.includes(id) ? order.indexOf(id) : order.length);
  selected.sort(([a], [b]) => rank(a) - rank(b));
  const planned = plan(selected, original);
  const lineage = { dataset, commit: hash, time: commit.time };
  // Decided before any byte is written: a document that cannot be made leaves nothing behind.
  const document = documentOf(original, lineage, planned);
  const totalRows = selected.reduce((n, [, rs]) => n + rs.rows, 0);
  const files: string[] = [];
  let written = 0;
  let exportedRows = 0;
  const write = async (path: string, bytes: Uint8Array) => {
    checkAborted(opts.signal);
    await sink.write(path, bytes);
    files.push(path);
    written += bytes.byteLength;
  };
  try {
    const exported: ExportedRecordSet[] = [];
    for (const [i, [id, rs]] of selected.entries()) {
      const doc = planned[i]!;
      const what = `record set ${id} of ${dataset} at ${hash}`;
      const parts: string[] = [];
      let pending: LocatedRow[] = [];
      let bytes = 0;
      let rows = 0;
      const flush = async () => {
        const path = `${doc.dir}/part-${String(parts.length).padStart(5, '0')}.parquet`;
        const table = await partTable(store, index, rs, doc, pending, what, opts.signal);
        await write(path, await toParquet(table));
        parts.push(path);
        rows += pending.length;
        exportedRows += pending.length;
        pending = [];
        bytes = 0;
        opts.onProgress?.({
          recordSet: id,
          rows,
          parts: parts.length,
          exportedRows,
          totalRows,
          bytes: written,
        });
      };
      for await (const batch of scanRows(store, rs, what)) {
        checkAborted(opts.signal);
        for (const r of batch) {
          pending.push(r);
          bytes += objectBytes(index, rs, r);
          if (pending.length >= partRows || bytes >= partBytes) await flush();
        }
      }
      // An empty record set still gets one (empty) part, so its schema is on disk.
      if (pending.length || !parts.length) await flush();
      exported.push({ ...doc, rows, parts });
    }
    if (originalBytes) await write(ORIGINAL_METADATA, originalBytes);
    await write(METADATA, new TextEncoder().encode(JSON.stringify(document, null, 2) + '\n'));
    return { commit: hash, document, recordSets: exported, files, bytes: written };
  } catch (e) {
    await discard(sink, e);
    throw e;
  }
}
