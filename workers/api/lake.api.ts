/**
 * The lake worker's protocol, imported by both sides.
 *
 * - {@link LakeMethods} declares every operation once: its arguments and its result. The worker
 *   side (`lake-service.ts`) implements exactly these; the page side (`lake-client.ts`) calls
 *   them by name, so the two cannot drift apart.
 * - Results are plain data (structured-clone safe): row cells as JSON (int64 as a decimal string,
 *   images as `{sha256, format, mode, width, height}`), image bytes transferred, not copied.
 * - Errors cross as plain {@link LakeWireError} data inside a {@link LakeReply} and are rebuilt
 *   on arrival as the LakeError, CroissantError or WorkerError they were, with their `code`
 *   (./lake-wire-error.ts).
 */
import type { CommitDiff, JsonRow } from '../../src/lib/versions/diff.ts';
import type { ExportProgress } from '../../src/lib/versions/export.ts';
import type { GcResult } from '../../src/lib/versions/gc.ts';
import type { UnfinishedWork } from '../../src/lib/versions/unfinished.ts';
import type { RecordSetScope } from '../../src/lib/versions/scope.ts';
import type { IngestProgress, IngestResult } from '../../src/lib/versions/ingest.ts';
import type { DatasetEntry } from '../../src/lib/versions/lake.ts';
import type { ColumnDef, Lineage } from '../../src/lib/versions/manifest.ts';
import type { DeletedBranch, RefLogItem } from '../../src/lib/versions/reflog.ts';
import type { SyncProgress } from '../../src/lib/sync/progress.ts';
import type { BranchStatus } from '../../src/lib/sync/reconcile.ts';
import type {
  RemoteCredentialsInput,
  RemoteInfo,
  RemoteMethods,
  SyncSummary,
} from './lake-remote.api.ts';
import type { VerifyProblem, VerifyProgress, VerifyResult } from '../../src/lib/versions/verify.ts';
import type { OpenSource } from './dropped-source.ts';
import type { LakeWireError } from './lake-wire-error.ts';

export { fromLakeWireError, toLakeWireError, type LakeWireError } from './lake-wire-error.ts';

export type {
  BranchStatus,
  RemoteCredentialsInput,
  RemoteInfo,
  SyncProgress,
  SyncSummary,
  DeletedBranch,
  ExportProgress,
  GcResult,
  IngestProgress,
  IngestResult,
  JsonRow,
  RecordSetScope,
  RefLogItem,
  UnfinishedWork,
  VerifyProblem,
  VerifyProgress,
  VerifyResult,
};

/** What to ingest: a Croissant URL, or files dropped or picked in the page. */
export type IngestSource = OpenSource;

/**
 * A dataset of the catalog, with the bytes its chunks take in the lake. `incomplete` is set for
 * a dataset whose import was committed but never added to the catalog (finishDataset adds it).
 */
export interface CatalogEntry extends DatasetEntry {
  /** The branch imports are committed to; it cannot be deleted. */
  importBranch: string;
  /** Bytes of every chunk reachable from the dataset's refs (shared chunks count for each). */
  lakeBytes: number;
  /** Its branches, ordered by name as every branch list is (src/lib/versions/ref-names.ts). */
  branches: { name: string; protected: boolean }[];
  /** The newest commit at the head of a branch. */
  lastCommit?: { hash: string; branch: string; time: string; message: string };
}

/** The catalog with sizes. */
export interface Catalog {
  datasets: CatalogEntry[];
  /** Saves and pipeline runs stopped midway that no writer is running now (a rerun resumes). */
  unfinished: UnfinishedWork[];
  /** Datasets a writer is changing now, in this tab or another (a live lease). */
  running: string[];
  /** Bytes of every chunk stored, unreferenced ones (not yet collected) included. */
  totalBytes: number;
  /** What the browser reports for this site (`navigator.storage.estimate()`), when it does. */
  usage?: number;
  quota?: number;
}

/** A branch or tag. */
export interface RefInfo {
  name: string;
  kind: 'branch' | 'tag';
  commit: string;
  protected: boolean;
  updatedAt: string;
}

/** One commit of a log: who, when, why, and how it was made (lineage). */
export interface LogItem {
  hash: string;
  time: string;
  author: string;
  message: string;
  lineage: Lineage;
  parents: string[];
}

/** A record set of a commit, with where its rows are stored. */
export interface RecordSetInfo {
  id: string;
  name: string;
  /** Live rows. */
  rows: number;
  columns: ColumnDef[];
  fragments: { chunk: string; rows: number; deleted: number; extension: boolean }[];
}

/** A commit with its record sets and files. */
export interface CommitInfo extends LogItem {
  dataset: string;
  recordSets: RecordSetInfo[];
  /** Raw files the Croissant document reads, and their bytes. */
  files: number;
  rawBytes: number;
}

/** One page of a record set's rows, in storage order. */
export interface RowsPage {
  recordSet: string;
  columns: ColumnDef[];
  rows: { rowid: string; row: JsonRow }[];
  offset: number;
  /** Live rows of the record set. */
  total: number;
  more: boolean;
}

/** What appending a CSV file committed. */
export interface AppendInfo {
  commit: string;
  recordSet: string;
  rows: number;
  /** Columns the CSV's header did not name: left empty (null) in every appended row. */
  emptyColumns: string[];
}

/** How an export is named, and which record sets it writes (default: all of them). */
export interface ExportChoice {
  label?: string;
  /** Record set @ids to export; absent: every record set of the version. */
  recordSets?: string[];
}

/** What an export wrote. */
export interface ExportInfo {
  /** The exported commit. */
  commit: string;
  /** Live rows exported, every record set together. */
  rows: number;
  /** Files written (Parquet parts, original-metadata.json, metadata.json). */
  files: number;
  /** Their bytes. */
  bytes: number;
}

/**
 * Every operation of the lake worker. `rev` is a branch, a tag, a commit hash or a unique hash
 * prefix of the dataset.
 */
export interface LakeMethods extends RemoteMethods {
  /**
   * Stores a dataset (raw files, records) as a new dataset whose `main` is protected. With
   * `update`, a dataset in the lake already gets the source as a new import commit (with the
   * diff from the previous import), or `unchanged` when it is the same.
   */
  ingest(source: IngestSource, opts: { dataset?: string; update?: boolean }): IngestResult;
  /** Adds the catalog entry of an incomplete dataset from its committed import. */
  finishDataset(id: string): DatasetEntry;
  /** The catalog, with sizes. */
  datasets(): Catalog;
  /** Removes a dataset, then collects garbage (with the default grace period). */
  deleteDataset(id: string): GcResult;
  /**
   * Deletes unreferenced chunks older than `graceMs` (default one hour), keeping what the ref
   * log can restore; deletes nothing while a writer runs (`deferred`).
   */
  gc(opts: { graceMs?: number }): GcResult;
  /**
   * Gives up a dataset's unfinished ingest and pipeline runs (their resume journals), then
   * collects garbage with no grace period; refused (LOCKED) while one of them runs.
   */
  discardUnfinished(dataset: string): GcResult;
  branches(dataset: string): RefInfo[];
  tags(dataset: string): RefInfo[];
  /** Commits reachable from `rev`, newest first. */
  log(dataset: string, rev: string, limit: number): LogItem[];
  commit(dataset: string, rev: string): CommitInfo;
  createBranch(dataset: string, name: string, from: string): RefInfo;
  /** Refused for the import branch (IMPORT_BRANCH) and the last branch (LAST_BRANCH). */
  deleteBranch(dataset: string, name: string): void;
  tag(dataset: string, name: string, rev: string): RefInfo;
  /** Deletes a tag; the ref log keeps its commit for the retention period. */
  deleteTag(dataset: string, name: string): void;
  /** Sets or clears protection; both are recorded in the ref log. */
  protect(dataset: string, branch: string, on: boolean): RefInfo;
  /** Every ref change of the dataset, oldest first. */
  refLog(dataset: string): RefLogItem[];
  /** Branches deleted and not recreated, newest deletion first. */
  deletedBranches(dataset: string): DeletedBranch[];
  /** Restores a deleted branch at its last commit, as `as` (its own name when null). */
  restoreBranch(dataset: string, name: string, as: string | null): RefInfo;
  /**
   * Re-hashes every chunk and object reachable from the dataset's refs (or from `rev`) and
   * names what is damaged or missing; progress as {@link VerifyProgress}.
   */
  verify(dataset: string, rev: string | null): VerifyResult;
  /** Rows `offset … offset + limit - 1` of a record set (by @id or name). */
  rows(dataset: string, rev: string, recordSet: string, offset: number, limit: number): RowsPage;
  /** The bytes of a stored image (or any object) by sha256, verified; transferred. */
  image(dataset: string, rev: string, sha256: string): Uint8Array<ArrayBuffer>;
  /**
   * The bytes of several stored objects, in the order of `shas`, each verified as `image`'s;
   * the slices of a pack are read as one range (objects-read.ts `readObjects`). Transferred.
   */
  images(dataset: string, rev: string, shas: string[]): Uint8Array<ArrayBuffer>[];
  /**
   * Bytes of a chunk, read in this worker (through sync access handles) and transferred: the
   * whole chunk checked against its address (`range` null; CORRUPT_CHUNK otherwise), or
   * `length` bytes at `offset`, unchecked (whoever uses them checks the objects in them). The
   * dataloader reads packs so (workers/api/lake-chunks.ts).
   */
  readChunk(
    hash: string,
    range: { offset: number; length: number } | null,
  ): Uint8Array<ArrayBuffer>;
  /** Appends a CSV file's rows to a record set of a writable branch: one new commit. */
  appendCsv(dataset: string, branch: string, recordSet: string, csv: File): AppendInfo;
  /** Row-level diff from `a` to `b`; `limit` caps the row detail per category. */
  diff(dataset: string, a: string, b: string, limit: number): CommitDiff;
  /**
   * Exports `rev` (Croissant + Parquet, verified as it is copied) as a .tar `File`, named by
   * the dataset, `label` (a branch or tag) and the commit; the page downloads it.
   */
  exportTar(dataset: string, rev: string, opts: ExportChoice): ExportInfo & { file: File };
  /** Exports `rev` into a new folder inside `parent` (a folder the user picked). */
  exportFolder(
    dataset: string,
    rev: string,
    parent: FileSystemDirectoryHandle,
    opts: ExportChoice,
  ): ExportInfo & { folder: string };
  /**
   * What `rev` holds per record set, against its import: filtered (by which predicates), whole,
   * changed or added, with row counts; shown before an export.
   */
  exportScope(dataset: string, rev: string): RecordSetScope[];
}

/** The name of a lake operation. */
export type LakeMethod = keyof LakeMethods;
/** The arguments of operation `K`, as a tuple. */
export type LakeArgs<K extends LakeMethod> = Parameters<LakeMethods[K]>;
/** What operation `K` gives back. */
export type LakeResult<K extends LakeMethod> = ReturnType<LakeMethods[K]>;

/** A result or an error, as the worker sends it back. */
export type LakeReply<T> = { ok: true; value: T } | { ok: false; error: LakeWireError };
/** Progress of the operations that report it: ingest's, verify's and export's. */
export type LakeProgress = IngestProgress | VerifyProgress | ExportProgress | SyncProgress;
/** The progress operation `K` reports. */
export type LakeProgressOf<K extends LakeMethod> = K extends 'verify'
  ? VerifyProgress
  : K extends 'exportTar' | 'exportFolder'
    ? ExportProgress
    : K extends 'push' | 'fetch' | 'pull' | 'clone'
      ? SyncProgress
      : IngestProgress;
/** Receives progress (a Comlink proxy when it crosses to the worker). */
export type LakeProgressCallback = (p: LakeProgress) => unknown;

/** What the worker exposes. `opId` names a call so that {@link LakeWorkerApi.abort} can cancel it. */
export interface LakeWorkerApi {
  call<K extends LakeMethod>(
    opId: number,
    method: K,
    args: LakeArgs<K>,
    onProgress?: LakeProgressCallback,
  ): Promise<LakeReply<LakeResult<K>>>;
  abort(opId: number): void;
}

/** The worker name of a lake worker over lake `lakeName` (the app's is `default`: `lake`). */
export function lakeWorkerName(lakeName: string): string {
  return lakeName === 'default' ? 'lake' : `lake:${lakeName}`;
}

/** The lake a lake worker opens, from its worker name ({@link lakeWorkerName}). */
export function lakeOfWorkerName(name: string): string {
  return name.startsWith('lake:') ? name.slice(5) : 'default';
}
