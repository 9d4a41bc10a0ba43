/**
 * Derived record sets written onto a branch (docs/format.md, "Image statistics" and "DICOM
 * tags"): one row per item of an image column, under the item's `_rowid`, so SQL joins them to
 * every metadata column with `USING (_rowid)` and the feature table reads them
 * (./features-lake.ts). Items are read in windows through the pipeline's ObjectReader (the next
 * window read while the current one is derived) and spread over a pool of lanes: workers when
 * `spawn` is given, this thread otherwise.
 *
 * Written like predictions (src/lib/model/predictions.ts): under a lease, fragments first and
 * the branch moved last, so a failure or a cancel midway leaves the branch where it was. A run
 * replaces the record set; older rows stay in the branch's history. The lineage names the image
 * column, the commit read and the code version.
 */
import { PIPELINE_CODE_VERSION } from '../pipeline/batch.ts';
import { ObjectReader } from '../pipeline/loader-read.ts';
import { LakeError, checkAborted } from '../store/errors.ts';
import { startingHead } from '../versions/extend.ts';
import type { Lake } from '../versions/lake.ts';
import { leased } from '../versions/lease.ts';
import type { ColumnDef, RecordSetManifest } from '../versions/manifest.ts';
import { readAllRows, recordSetOf } from '../versions/read.ts';
import { writeRows, type IdRow } from '../versions/write.ts';
import {
  DerivePool,
  IMAGE_STATS_COLUMNS,
  inlineDeriveLane,
  type DeriveKind,
  type DeriveLane,
  type DeriveResult,
} from './derive-item.ts';
import { DICOM_TAG_COLUMNS, DICOM_TAGS_RS } from './dicom-tags.ts';
import { IMAGE_STATS_RS } from './image-stats.ts';

/** Progress of a run, after each item. */
export interface DeriveProgress {
  done: number;
  total: number;
  skipped: number;
}

/** Options of {@link writeImageStats} and {@link writeDicomTags}. */
export interface DeriveOptions {
  /** A writable branch holding the record set. */
  branch: string;
  /** The record set (@id or name) whose images are read. */
  recordSet: string;
  /** Its image column (default: its only image or bytes column). */
  imageColumn?: string;
  /** The record set written (default `image_stats` or `dicom_tags`). */
  name?: string;
  /** Only these rows (e.g. the evaluated ones); default every live row. */
  rows?: readonly bigint[];
  /** Starts one worker lane (browser: `spawnDeriveWorker`); absent, items run inline. */
  spawn?: () => DeriveLane;
  /** Worker lanes when `spawn` is given (default 2). */
  workers?: number;
  /** An item that cannot be read: stop with its row id (default), or skip it (no row). */
  onError?: 'stop' | 'skip';
  signal?: AbortSignal;
  onProgress?: (p: DeriveProgress) => void;
  author?: string;
  message?: string;
}

/** What a run committed. */
export interface DeriveSummary {
  commit: string;
  recordSet: string;
  rows: number;
  /** Items left out under `onError: 'skip'`. */
  skipped: { rowId: bigint; code: string; message: string }[];
}

const KINDS: Record<DeriveKind, { rs: string; columns: readonly ColumnDef[]; what: string }> = {
  'image-stats': { rs: IMAGE_STATS_RS, columns: IMAGE_STATS_COLUMNS, what: 'Image statistics' },
  'dicom-tags': { rs: DICOM_TAGS_RS, columns: DICOM_TAG_COLUMNS, what: 'DICOM tags' },
};

interface Item {
  rowid: bigint;
  sha256: string;
  format?: string;
}

/** The image column of `rs`: the one named, or its only image (else bytes) column. */
function imageColumnOf(rs: RecordSetManifest, name: string | undefined, what: string): string {
  if (name !== undefined) {
    const c = rs.columns.find((x) => x.name === name || x.name.endsWith(`/${name}`));
    if (c && (c.type === 'image' || c.type === 'blob')) return c.name;
    throw new LakeError(
      'BAD_INPUT',
      c
        ? `column ${name} of ${what} holds ${c.type} values, not images`
        : `${what} has no column ${name}`,
    );
  }
  const images = rs.columns.filter((c) => c.type === 'image');
  const pick = images.length ? images : rs.columns.filter((c) => c.type === 'blob');
  if (pick.length === 1) return pick[0]!.name;
  throw new LakeError(
    'BAD_INPUT',
    `${what} has ${pick.length ? 'several' : 'no'} image columns${pick.length ? ` (${pick.map((c) => c.name).join(', ')}); name one` : ''}`,
  );
}

/** Derives every item in windows; each result goes to `onResult` in item order. */
async function runDerive(
  kind: DeriveKind,
  items: readonly Item[],
  reader: ObjectReader,
  pool: DerivePool,
  signal: AbortSignal | undefined,
  onResult: (item: Item, r: DeriveResult) => void,
): Promise<void> {
  const w = Math.max(16, 8 * pool.size);
  const read = (at: number) => {
    const p = reader.read(items.slice(at, at + w).map((i) => i.sha256));
    p.catch(() => undefined); // awaited in turn; must not go unhandled when the run stops first
    return p;
  };
  let next = items.length ? read(0) : null;
  for (let at = 0; next; at += w) {
    checkAborted(signal);
    const got = await next;
    next = at + w < items.length ? read(at + w) : null;
    const slice = items.slice(at, at + w);
    const pending = slice.map((item, k): Promise<DeriveResult> => {
      const r = got[k]!;
      if (!r.ok) return Promise.resolve({ ok: false, code: r.code, message: r.message });
      const format = item.format ? { format: item.format } : {};
      return pool.run({
        kind,
        sha256: item.sha256,
        bytes: r.bytes,
        verified: r.verified,
        ...format,
      });
    });
    for (const p of pending) p.catch(() => undefined);
    for (let k = 0; k < slice.length; k++) {
      checkAborted(signal);
      onResult(slice[k]!, await pending[k]!);
    }
  }
}

async function deriveLeased(
  lake: Lake,
  dataset: string,
  kind: DeriveKind,
  opts: DeriveOptions,
): Promise<DeriveSummary> {
  const spec = KINDS[kind];
  const name = opts.name ?? spec.rs;
  const { head: h0, commit: c0 } = await startingHead(lake, dataset, opts.branch);
  const [rsId, rs] = recordSetOf(c0, opts.recordSet);
  const what = `record set ${rsId} of ${dataset} on ${opts.branch}`;
  const column = imageColumnOf(rs, opts.imageColumn, what);
  const wanted = opts.rows ? new Set(opts.rows) : null;
  const items: Item[] = [];
  for (const r of await readAllRows(lake.chunks, rs, what)) {
    if (wanted && !wanted.has(r.rowid)) continue;
    const cell = r.row[column] ?? null;
    if (typeof cell === 'string') items.push({ rowid: r.rowid, sha256: cell });
    else if (cell && typeof cell === 'object') {
      items.push({
        rowid: r.rowid,
        sha256: cell.sha256,
        ...(cell.format ? { format: cell.format } : {}),
      });
    }
  }
  const reader = new ObjectReader(lake.chunks, await lake.readObjects(c0));
  reader.expect(items.map((i) => i.sha256));
  const lanes = opts.spawn
    ? Array.from({ length: Math.max(1, opts.workers ?? 2) }, opts.spawn)
    : [inlineDeriveLane()];
  const pool = new DerivePool(lanes);
  const out: IdRow[] = [];
  const skipped: DeriveSummary['skipped'] = [];
  let done = 0;
  try {
    await runDerive(kind, items, reader, pool, opts.signal, (item, r) => {
      if (r.ok) {
        if (r.row) out.push({ rowid: item.rowid, row: r.row });
      } else if (opts.onError === 'skip') {
        skipped.push({ rowId: item.rowid, code: r.code, message: r.message });
      } else {
        throw new LakeError(
          r.code === 'CORRUPT_CHUNK' || r.code === 'MISSING_CHUNK' ? r.code : 'BAD_INPUT',
          `row ${item.rowid} of ${what}, column ${column}: ${r.message} (onError: 'skip' leaves such rows out)`,
          { detail: { rowId: String(item.rowid), code: r.code } },
        );
      }
      opts.onProgress?.({ done: ++done, total: items.length, skipped: skipped.length });
    });
  } finally {
    pool.close();
  }
  if (!out.length) {
    throw new LakeError(
      'BAD_INPUT',
      `${what}: no ${kind === 'dicom-tags' ? 'DICOM file' : 'image'} among ${items.length} item(s) of column ${column}; nothing written`,
    );
  }
  const fragments = await writeRows(lake.chunks, spec.columns, out);
  checkAborted(opts.signal);
  const check = (recordSets: Record<string, RecordSetManifest>): void => {
    if (!recordSets[rsId]) {
      throw new LakeError('BAD_INPUT', `branch ${opts.branch} of ${dataset} no longer has ${rsId}`);
    }
    const old = recordSets[name];
    const same =
      old &&
      old.columns.length === spec.columns.length &&
      old.columns.every((c, i) => c.name === spec.columns[i]!.name);
    if (old && !same) {
      throw new LakeError(
        'SCHEMA_MISMATCH',
        `record set ${name} of ${dataset} on ${opts.branch} is not an ${kind} record set; write to another name`,
      );
    }
  };
  check(c0.recordSets);
  const r = await lake.commit(
    dataset,
    opts.branch,
    async (head) => {
      if (!head)
        throw new LakeError('UNKNOWN_REF', `branch "${opts.branch}" of ${dataset} was deleted`);
      const commit = await lake.readCommit(head);
      check(commit.recordSets);
      return {
        message: opts.message ?? `${spec.what} of ${out.length} item(s) of ${rsId}.${column}`,
        lineage: {
          op: kind,
          params: {
            recordSet: name,
            source: { commit: h0, recordSet: rsId, column },
            rows: out.length,
            skipped: skipped.length,
          },
          code: { version: PIPELINE_CODE_VERSION },
        },
        document: commit.document,
        objects: commit.objects,
        recordSets: {
          ...commit.recordSets,
          [name]: { name, columns: [...spec.columns], rows: out.length, fragments },
        },
      };
    },
    opts.author ? { author: opts.author } : {},
  );
  return { commit: r.hash, recordSet: name, rows: out.length, skipped };
}

const writeLeased = leased('derive', deriveLeased);

/**
 * Writes the image statistics of `opts.recordSet`'s images onto `opts.branch` as the
 * `image_stats` record set (one commit). Refuses before writing: a protected or unknown
 * branch, an unknown record set or image column, a record set of that name with other columns
 * (SCHEMA_MISMATCH); an unreadable image stops the run with its row (BAD_INPUT, CORRUPT_CHUNK)
 * unless `onError: 'skip'`; a cancel is ABORTED. Nothing is written in any of these cases.
 */
export function writeImageStats(
  lake: Lake,
  dataset: string,
  opts: DeriveOptions,
): Promise<DeriveSummary> {
  return writeLeased(lake, dataset, 'image-stats', opts);
}

/**
 * Writes the DICOM tags of `opts.recordSet`'s DICOM items onto `opts.branch` as the
 * `dicom_tags` record set (one commit; items that are not DICOM get no row). Refuses as
 * {@link writeImageStats} does, and when no item is DICOM.
 */
export function writeDicomTags(
  lake: Lake,
  dataset: string,
  opts: DeriveOptions,
): Promise<DeriveSummary> {
  return writeLeased(lake, dataset, 'dicom-tags', opts);
}
