/**
 * The batch pipeline (issue 5 §3): a spec applied to every live row's image of a record set, or
 * to the rows a query selected (`rowIds`, with the SQL `where` they came from; see
 * ./batch-select.ts), saved as a derived ("silver") branch. Each result is encoded as PNG
 * (16-bit stays 16-bit) and stored as a NEW object; the commit's object index is the parent's
 * plus these objects. The record set is written again as new base fragments holding only the
 * transformed rows (all, or the selected ones), with their ids and every column, the image
 * cell pointing at the new object (format PNG, mode, width and height of the result); other
 * record sets, the document and the raw files are shared with the parent. The new branch is
 * PROTECTED (read-only, like a filter's): it is a reproducible product of its lineage
 * `{op: 'transform', params: {from, recordSet, column, spec, specHash, seed, where?, rows,
 * skipped}, code: {version}}`, not a place to edit. The parent (e.g. `main`) is never touched.
 *
 * Random ops draw from `rngFor(seed, 0, rowId)`, so a row's result depends only on its bytes,
 * the spec, the seed and its id: the same for 1 or N workers, on every machine. Cancelling
 * (AbortSignal) ends with ABORTED and no branch; done rows are journaled (./batch-journal.ts)
 * and a rerun of the same job resumes. A bad item stops the run with its row id, or with
 * `onError: 'skip'` is counted and its row left out of the derived branch. Rows without an
 * image are kept as they are.
 */
import pkg from '../../../package.json';
import { LakeError } from '../store/errors.ts';
import type { LakeRow } from '../versions/columns.ts';
import type { CommitResult } from '../versions/commit.ts';
import type { Lake } from '../versions/lake.ts';
import { readAllRows, recordSetOf } from '../versions/read.ts';
import { checkNewBranchName } from '../versions/ref-ops.ts';
import { getRef } from '../versions/refs.ts';
import { putJson } from '../versions/chunks.ts';
import { writeRows, type IdRow } from '../versions/write.ts';
import { BatchPool, checkBatchSpec, inlineBatchLane, type BatchLane } from './batch-item.ts';
import { BatchJournal, type BatchJobKey } from './batch-journal.ts';
import { ResultSink, runItems, type RunItem } from './batch-run.ts';
import { checkRowSelection, selectRows, selectionKey } from './batch-select.ts';
import type { PipelineSpec } from './image.ts';
import { ObjectReader } from './loader-read.ts';
import { specHash as hashSpec } from './transforms.ts';
import { leased } from '../versions/lease.ts';

/** The version recorded in lineage `code` when the caller names no code. */
export const PIPELINE_CODE_VERSION: string = (pkg as { version: string }).version;

/** Progress of a run, after each item. */
export interface PipelineProgress {
  /** Items finished (resumed, transformed or skipped) of `total`. */
  done: number;
  total: number;
  /** Items done by an earlier, interrupted run. */
  resumed: number;
  skipped: number;
}

/** Options of {@link runPipelineToBranch}. */
export interface PipelineRunOptions {
  /** The revision transformed: a branch, tag or commit. */
  from: string;
  /** Record set @id or name. */
  recordSet: string;
  /** The image column (type image, or blob holding images). */
  imageColumn: string;
  spec: PipelineSpec;
  /** Seed of the random ops (non-negative safe integer). */
  seed: number;
  /** The new branch (must not exist; created protected). */
  branch: string;
  /**
   * Only these rows (ids at `from`, resolved by the caller's query engine) are transformed, and
   * only they are in the new branch's record set; absent, every live row. Never empty.
   */
  rowIds?: readonly bigint[];
  /** The SQL WHERE predicate `rowIds` came from: recorded in lineage, never run here. */
  where?: string;
  /** Worker lanes when `spawn` is given (default: cores − 1, 1 to 4); otherwise inline. */
  workers?: number;
  /** Starts one worker lane (browser: `spawnPipelineWorker`); absent, items run inline. */
  spawn?: () => BatchLane;
  signal?: AbortSignal;
  onProgress?: (p: PipelineProgress) => void;
  /** Recorded as lineage `code`; default `{ version: <package version> }`. */
  code?: Record<string, string>;
  /** A bad item: stop with its row id (default), or skip it (left out of the branch). */
  onError?: 'stop' | 'skip';
  author?: string;
  message?: string;
  /** Recorded as the commit time (tests); defaults to now. */
  time?: string;
  /** Items between journal checkpoints (default 256). */
  checkpointEvery?: number;
}

/** A skipped item. */
export interface SkippedItem {
  rowId: bigint;
  code: string;
  message: string;
}

/** What a run did. */
export interface PipelineRunResult extends CommitResult {
  branch: string;
  /** The record set's @id. */
  recordSet: string;
  specHash: string;
  /** Live rows of the derived record set (with `rowIds`: the selected ones, less skipped). */
  rows: number;
  /** Items transformed by this run, and done by an earlier one. */
  processed: number;
  resumed: number;
  skipped: SkippedItem[];
}

function refExists(dataset: string, branch: string): LakeError {
  return new LakeError(
    'REF_EXISTS',
    `branch "${branch}" already exists in ${dataset}; choose another name for the derived branch`,
  );
}

function defaultWorkers(): number {
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator
    ?.hardwareConcurrency;
  return Math.max(1, Math.min(4, (cores ?? 2) - 1));
}

/**
 * See the module comment. A taken branch name is REF_EXISTS; a bad spec, column or row
 * selection (`where` without `rowIds`, no ids, an id not in the record set) BAD_INPUT.
 */
export const runPipelineToBranch = leased('transform', runPipelineLeased);

async function runPipelineLeased(
  lake: Lake,
  dataset: string,
  opts: PipelineRunOptions,
): Promise<PipelineRunResult> {
  await checkNewBranchName(lake, dataset, opts.branch);
  const spec = checkBatchSpec(opts.spec);
  if (!Number.isSafeInteger(opts.seed) || opts.seed < 0) {
    throw new LakeError('BAD_INPUT', `seed must be a non-negative integer, got ${opts.seed}`);
  }
  const selection = checkRowSelection(opts);
  const from = await lake.resolve(dataset, opts.from);
  const commit = await lake.readCommit(from);
  const [rsId, rs] = recordSetOf(commit, opts.recordSet);
  const what = `record set ${rsId} of ${dataset} at ${from.slice(0, 12)}`;
  const column = rs.columns.find((c) => c.name === opts.imageColumn);
  if (!column || (column.type !== 'image' && column.type !== 'blob')) {
    throw new LakeError(
      'BAD_INPUT',
      column
        ? `column ${opts.imageColumn} of ${what} holds ${column.type} values, not images`
        : `${what} has no column ${opts.imageColumn}; it has: ${rs.columns.map((c) => c.name).join(', ')}`,
    );
  }
  if (await getRef(lake.backend.refs, dataset, 'branch', opts.branch))
    throw refExists(dataset, opts.branch);
  const specHash = await hashSpec(spec);
  const all = await readAllRows(lake.chunks, rs, what);
  const rows = selection ? selectRows(all, selection, what) : all;
  const items: RunItem[] = [];
  for (const r of rows) {
    const cell = r.row[column.name] ?? null;
    if (typeof cell === 'string') items.push({ rowId: r.rowid, sha256: cell });
    else if (cell && typeof cell === 'object') {
      items.push({
        rowId: r.rowid,
        sha256: cell.sha256,
        ...(cell.format ? { format: cell.format } : {}),
      });
    }
  }
  const parent = await lake.readObjects(commit);
  const job = { from, recordSet: rsId, column: column.name, specHash, seed: opts.seed };
  // A run over selected rows resumes only a journal of the same selection.
  const key: BatchJobKey = selection ? { ...job, ...(await selectionKey(selection)) } : job;
  const journal = await BatchJournal.open(
    lake.backend.refs,
    lake.chunks,
    dataset,
    opts.branch,
    key,
    parent.objects,
  );
  const index = { ...parent, objects: { ...parent.objects, ...journal.objects } };
  const sink = new ResultSink(lake.chunks, index, journal, opts.checkpointEvery ?? 256);
  const todo = items.filter((i) => !journal.done.has(i.rowId));
  const resumed = items.length - todo.length;
  const skipped: SkippedItem[] = [];
  const lanes = opts.spawn
    ? Array.from({ length: Math.max(1, opts.workers ?? defaultWorkers()) }, opts.spawn)
    : [inlineBatchLane()];
  const pool = new BatchPool(lanes);
  let processed = 0;
  try {
    await runItems(todo, {
      reader: new ObjectReader(lake.chunks, parent),
      pool,
      spec,
      seed: opts.seed,
      window: Math.max(16, 8 * pool.size),
      ...(opts.signal ? { signal: opts.signal } : {}),
      onResult: async (item, r) => {
        if (r.ok) {
          await sink.add(item.rowId, r);
          processed++;
        } else if (opts.onError === 'skip') {
          skipped.push({ rowId: item.rowId, code: r.code, message: r.message });
        } else {
          throw new LakeError(
            r.code === 'CORRUPT_CHUNK' || r.code === 'MISSING_CHUNK' ? r.code : 'BAD_INPUT',
            `row ${item.rowId} of ${what}: ${r.message} (onError: 'skip' leaves such rows out)`,
            { detail: { rowId: String(item.rowId), code: r.code } },
          );
        }
        opts.onProgress?.({
          done: resumed + processed + skipped.length,
          total: items.length,
          resumed,
          skipped: skipped.length,
        });
      },
    });
  } catch (e) {
    pool.close();
    // What is done is journaled, so a rerun resumes from here (the first error is the one told).
    await sink.checkpoint().catch(() => undefined);
    throw e;
  }
  pool.close();
  await sink.checkpoint();
  const skip = new Set(skipped.map((s) => s.rowId));
  const out: IdRow[] = [];
  for (const r of rows) {
    if (skip.has(r.rowid)) continue;
    const d = sink.done.get(r.rowid);
    const cell = r.row[column.name] ?? null;
    if (!d || cell === null) {
      out.push({ rowid: r.rowid, row: r.row });
      continue;
    }
    const image =
      typeof cell === 'string'
        ? d.sha256
        : { sha256: d.sha256, format: 'PNG', mode: d.mode, width: d.width, height: d.height };
    out.push({ rowid: r.rowid, row: { ...r.row, [column.name]: image } as LakeRow });
  }
  const fragments = await writeRows(lake.chunks, rs.columns, out);
  const objects = await putJson(lake.chunks, index);
  const where = selection?.where === undefined ? {} : { where: selection.where };
  const params = { ...job, spec, ...where, rows: out.length, skipped: skipped.length };
  const of = selection
    ? ` of ${rows.length} rows${selection.where ? ` where ${selection.where}` : ''}`
    : '';
  try {
    const result = await lake.commit(
      dataset,
      opts.branch,
      async (head) => {
        if (head !== null) throw refExists(dataset, opts.branch);
        return {
          message:
            opts.message ??
            `Transform ${rs.name}/${column.name}${of}: ${spec.map((t) => t.op).join(', ') || 'identity'} (seed ${opts.seed})`,
          lineage: { op: 'transform', params },
          document: commit.document,
          objects,
          recordSets: { ...commit.recordSets, [rsId]: { ...rs, fragments, rows: out.length } },
          extraParents: [from],
        };
      },
      {
        create: { protected: true },
        expectedHead: null,
        rebase: false,
        code: opts.code ?? { version: PIPELINE_CODE_VERSION },
        ...(opts.author ? { author: opts.author } : {}),
        ...(opts.time ? { time: opts.time } : {}),
      },
    );
    await journal.clear();
    return {
      ...result,
      branch: opts.branch,
      recordSet: rsId,
      specHash,
      rows: out.length,
      processed,
      resumed,
      skipped,
    };
  } catch (e) {
    if (e instanceof LakeError && (e.code === 'REF_CONFLICT' || e.code === 'PROTECTED_BRANCH')) {
      throw refExists(dataset, opts.branch);
    }
    throw e;
  }
}
