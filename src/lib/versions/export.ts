/**
 * Export: a commit's live records (deletions and extensions applied) as Parquet parts plus a
 * Croissant 1.0 `metadata.json` describing them, written to any {@link ExportSink} (a folder in
 * Node, a tar archive anywhere). Reading the export back with this project's reader gives the
 * records `readAllRows` gives, keyed identically (see test/unit/export.node.test.ts).
 *
 * Images and blobs are written as their raw bytes in a Parquet Binary column: the reader (like
 * mlcroissant, which opens `bytes` ImageObject values with PIL) decodes an ImageObject field from
 * bytes, so the image round-trips with its format, mode and size; blobs read back as raw bytes.
 */
import { Binary, Table, vectorFromArray, type Vector } from 'apache-arrow';
import { checkAborted } from '../store/errors.ts';
import type { ChunkStore } from '../store/types.ts';
import { getChunk } from './chunks.ts';
import { ROWID, buildTable } from './columns.ts';
import { objectOf } from './cells.ts';
import { exportDocument, type DocRecordSet } from './export-doc.ts';
import { toParquet } from './fragments.ts';
import type { Lake } from './lake.ts';
import type { ObjectIndex, RecordSetManifest } from './manifest.ts';
import { readObject } from './objects.ts';
import { recordSetOf, scanRows, type LocatedRow } from './read.ts';

/** Where an export writes its files; `path` is relative, with `/` separators. */
export interface ExportSink {
  write(path: string, bytes: Uint8Array): Promise<void>;
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
  onProgress?: (p: { recordSet: string; rows: number; parts: number }) => void;
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
}

/** The file names an export writes at its root. */
export const METADATA = 'metadata.json';
export const ORIGINAL_METADATA = 'original-metadata.json';

/** A folder name for a record set: path-safe, unique (case-insensitively), not a root file. */
function folderName(name: string, used: Set<string>): string {
  let base = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_') || 'records';
  if ([METADATA, ORIGINAL_METADATA].includes(base.toLowerCase())) base += '_';
  let dir = base;
  for (let i = 2; used.has(dir.toLowerCase()); i++) dir = `${base}-${i}`;
  used.add(dir.toLowerCase());
  return dir;
}

/** An @id not used yet in the document (JSON-LD would merge two nodes of one @id). */
function uniqueId(want: string, used: Set<string>): string {
  let id = want;
  while (used.has(id)) id += '_';
  used.add(id);
  return id;
}

/** Plans folders and @ids: field @ids are the column names wherever those are free. */
function plan(selected: [string, RecordSetManifest][]): DocRecordSet[] {
  const ids = new Set(selected.map(([id]) => id));
  const dirs = new Set<string>();
  const out = selected.map(([id, rs]) => {
    const fields: Record<string, string> = {};
    for (const c of rs.columns)
      fields[c.name] = uniqueId(ids.has(c.name) ? `${id}/${c.name}` : c.name, ids);
    return {
      id,
      name: rs.name,
      dir: folderName(rs.name, dirs),
      fileSet: '',
      columns: rs.columns,
      fields,
      rowidField: '',
    };
  });
  for (const rs of out) {
    rs.rowidField = uniqueId(`${rs.id}/${ROWID}`, ids);
    rs.fileSet = uniqueId(`${rs.dir}-parquet`, ids);
  }
  return out;
}

/** One Parquet part: `_rowid`, then every column; images and blobs as their bytes. */
async function partTable(
  store: ChunkStore,
  index: ObjectIndex,
  rs: RecordSetManifest,
  rows: readonly LocatedRow[],
  what: string,
): Promise<Table> {
  const ids = rows.map((r) => r.rowid);
  const binary = (t: string) => t === 'image' || t === 'blob';
  const base = buildTable(
    rs.columns.filter((c) => !binary(c.type)),
    ids,
    rows.map((r) => r.row),
  );
  const vectors: Record<string, Vector> = { [ROWID]: base.getChild(ROWID)! };
  for (const c of rs.columns) {
    if (!binary(c.type)) {
      vectors[c.name] = base.getChild(c.name)!;
      continue;
    }
    const values: (Uint8Array | null)[] = [];
    for (const r of rows) {
      const sha = objectOf(c.type, r.row[c.name] ?? null);
      values.push(
        sha
          ? await readObject(
              store,
              index,
              sha,
              `${what}, row ${r.rowid}, column ${c.name}: object ${sha}`,
            )
          : null,
      );
    }
    vectors[c.name] = vectorFromArray(values, new Binary());
  }
  return new Table(vectors);
}

/** Bytes of the objects a row refers to (known from the index without reading them). */
function objectBytes(index: ObjectIndex, rs: RecordSetManifest, r: LocatedRow): number {
  let n = 0;
  for (const c of rs.columns) {
    const sha = objectOf(c.type, r.row[c.name] ?? null);
    if (sha) n += index.objects[sha]?.size ?? 0;
  }
  return n;
}

/**
 * Exports the commit `rev` (branch, tag or commit) of a dataset to `sink`: each record set's
 * live rows as `<folder>/part-00000.parquet`… (ZSTD; `_rowid` first), the original Croissant
 * document verbatim as `original-metadata.json` when the commit has one, and last a Croissant
 * 1.0 `metadata.json` (so a folder without it is an unfinished export). Parts follow row order,
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
  const files: string[] = [];
  const write = async (path: string, bytes: Uint8Array) => {
    checkAborted(opts.signal);
    await sink.write(path, bytes);
    files.push(path);
  };
  const planned = plan(selected);
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
      await write(path, await toParquet(await partTable(store, index, rs, pending, what)));
      parts.push(path);
      rows += pending.length;
      pending = [];
      bytes = 0;
      opts.onProgress?.({ recordSet: id, rows, parts: parts.length });
    };
    for await (const batch of scanRows(store, rs, what)) {
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
  let original: Record<string, unknown> | null = null;
  if (commit.document) {
    const text = await getChunk(
      store,
      commit.document,
      `Croissant document of ${dataset} at ${hash}`,
    );
    await write(ORIGINAL_METADATA, text);
    try {
      const parsed: unknown = JSON.parse(new TextDecoder().decode(text));
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
        original = parsed as Record<string, unknown>;
    } catch {
      // Not JSON (it was read verbatim): the export still describes the records it wrote.
    }
  }
  const document = exportDocument({
    dataset,
    commit: hash,
    time: commit.time,
    original,
    recordSets: planned,
  });
  await write(METADATA, new TextEncoder().encode(JSON.stringify(document, null, 2) + '\n'));
  return { commit: hash, document, recordSets: exported, files };
}
