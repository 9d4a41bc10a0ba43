/**
 * "Run as branch": the pipeline applied to every image of the record set, or only to the rows
 * an SQL WHERE predicate selects, and saved as a new, protected branch (see
 * `runPipelineToBranch`), with progress and cancel. Runs on the page over the page's lake, with
 * `spawnPipelineWorker` lanes doing the decode, transform and encode. A predicate is resolved
 * to row ids first, at the commit the run reads, by the host's `rowidsWhere` (the query
 * worker's read-only engine, as curation does); an invalid one, or one that selects no rows,
 * fails the run before anything is written. The predicate is told about as the user typed it: a
 * whole statement is refused before any query runs, and DuckDB's position in the row-id query
 * (rowids.ts) is mapped back into the predicate (where.ts, as the Query view's WHERE box does).
 */
import type { BatchLane } from '../lib/pipeline/batch-item.ts';
import {
  runPipelineToBranch,
  type PipelineProgress,
  type PipelineRunResult,
} from '../lib/pipeline/batch.ts';
import type { PipelineSpec } from '../lib/pipeline/image.ts';
import { positionAt, type SqlPosition } from '../lib/query/error-position.ts';
import { rowidsSql } from '../lib/query/rowids.ts';
import { checkPredicate, predicatePosition } from '../lib/query/where.ts';
import type { Lake } from '../lib/versions/lake.ts';
import { refNameFrom } from '../lib/versions/ref-names.ts';
import { describeError, type ErrorInfo } from './format.ts';

/** What the predicate's box is called in messages. */
const BOX = '"Only rows where"';

/**
 * `error`, of the row-id query `sql` holding the predicate `where`, told about the predicate:
 * its position mapped into it, which is shown instead of the app's query. DuckDB blames the
 * parentheses the app puts around the predicate when the predicate stops short (`lesion =`:
 * at the ")") or leaves a quote or parenthesis open (`name = 'x`: the "(" is never closed);
 * those are told at the predicate's end. Errors of another query, or without a position in
 * or around the predicate, are returned as they are.
 */
export function predicateError(error: ErrorInfo, sql: string, where: string): ErrorInfo {
  if (error.code !== 'SQL_ERROR' || !error.position || error.sql !== sql) return error;
  // rowidsSql ends with "(\n<predicate>\n)".
  const length = where.trim().length;
  const at = sql.length - length - 2;
  const told = (message: string, position: SqlPosition | null): ErrorInfo =>
    position ? { code: error.code, message: `In ${BOX}: ${message}`, sql: where, position } : error;
  const { line, column } = error.position;
  const is = (p: SqlPosition) => p.line === line && p.column === column;
  const end = () => predicatePosition(sql, at, where, positionAt(sql, at + length));
  if (is(positionAt(sql, sql.length - 1))) {
    return told(
      `the condition stops before it is complete (${error.message}: that ")" is the one the ` +
        'app closes the condition with)',
      end(),
    );
  }
  if (is(positionAt(sql, at - 2))) {
    return told(
      `a quote or parenthesis of the condition is never closed (${error.message}: that "(" ` +
        'is the one the app opens the condition with)',
      end(),
    );
  }
  return told(error.message, predicatePosition(sql, at, where, error.position));
}

/** Where a run stands. */
export type BranchRunState =
  | { status: 'idle' }
  | {
      status: 'running';
      branch: string;
      progress: PipelineProgress | null;
      cancelling: boolean;
      /** The predicate being resolved or run; `selected` is null until its rows are known. */
      selection: Selection | null;
    }
  | { status: 'done'; result: PipelineRunResult; selection: Selection | null }
  | { status: 'cancelled'; branch: string }
  | { status: 'failed'; branch: string; error: ErrorInfo };

/** The rows a predicate selected (`selected` null while the query runs). */
export interface Selection {
  where: string;
  selected: number | null;
}

/** What the run reads and writes. */
export interface BranchJob {
  dataset: string;
  from: string;
  recordSet: string;
  imageColumn: string;
  spec: PipelineSpec;
  seed: number;
  branch: string;
  /** Only the rows this SQL WHERE predicate selects (absent or blank: every row). */
  where?: string;
}

/**
 * The branch name "Run as branch" suggests: `<from>-pipeline-<seed>`, valid whatever the source
 * branch is called (one an older version accepted, or a long one: `refNameFrom`).
 */
export function pipelineBranchName(from: string, seed: number): string {
  return `${refNameFrom(from, 160) || 'branch'}-pipeline-${seed}`;
}

/** The page's lake and how to start a pipeline worker. */
export interface BranchHost {
  openLake: () => Promise<Lake>;
  spawn: () => BatchLane;
  /** The ids of the rows of `recordSet` at commit `rev` that the predicate selects (read-only). */
  rowidsWhere: (
    dataset: string,
    rev: string,
    recordSet: string,
    predicate: string,
    signal: AbortSignal,
  ) => Promise<bigint[]>;
}

/** See the module comment. */
export class BranchRun {
  state = $state.raw<BranchRunState>({ status: 'idle' });
  readonly #host: BranchHost;
  #abort: AbortController | null = null;
  #destroyed = false;

  constructor(host: BranchHost) {
    this.#host = host;
  }

  /** Runs `job`; never throws (the outcome is {@link state}). Returns true when it committed. */
  async run(job: BranchJob): Promise<boolean> {
    if (this.state.status === 'running') return false;
    const abort = new AbortController();
    this.#abort = abort;
    const where = job.where?.trim() ?? '';
    let selection: Selection | null = where ? { where, selected: null } : null;
    this.state = {
      status: 'running',
      branch: job.branch,
      progress: null,
      cancelling: false,
      selection,
    };
    /** The row-id query of the predicate, once it runs: its errors point into the predicate. */
    let rowsQuery: string | null = null;
    try {
      const lake = await this.#host.openLake();
      // The rows are chosen and transformed at one commit, even if `from` moves meanwhile.
      const from = await lake.resolve(job.dataset, job.from);
      let rowIds: bigint[] | undefined;
      if (where) {
        checkPredicate(where, BOX, '');
        rowsQuery = rowidsSql(job.dataset, from, job.recordSet, where);
        rowIds = await this.#host.rowidsWhere(
          job.dataset,
          from,
          job.recordSet,
          where,
          abort.signal,
        );
        selection = { where, selected: rowIds.length };
        if (this.state.status === 'running' && this.#abort === abort) {
          this.state = { ...this.state, selection };
        }
      }
      const workers = Math.max(1, Math.min(4, (navigator.hardwareConcurrency || 2) - 1));
      const result = await runPipelineToBranch(lake, job.dataset, {
        from,
        recordSet: job.recordSet,
        imageColumn: job.imageColumn,
        spec: job.spec,
        seed: job.seed,
        branch: job.branch,
        ...(rowIds ? { rowIds, where } : {}),
        workers,
        spawn: this.#host.spawn,
        signal: abort.signal,
        onProgress: (progress) => {
          if (this.state.status === 'running' && this.#abort === abort) {
            this.state = { ...this.state, progress };
          }
        },
      });
      if (this.#destroyed) return false;
      this.state = { status: 'done', result, selection };
      return true;
    } catch (e) {
      if (this.#destroyed) return false;
      const error = rowsQuery
        ? predicateError(describeError(e), rowsQuery, where)
        : describeError(e);
      this.state =
        error.code === 'ABORTED'
          ? { status: 'cancelled', branch: job.branch }
          : { status: 'failed', branch: job.branch, error };
      return false;
    } finally {
      if (this.#abort === abort) this.#abort = null;
    }
  }

  /** Asks the run to stop; nothing is committed. */
  cancel(): void {
    if (this.state.status !== 'running' || !this.#abort) return;
    this.state = { ...this.state, cancelling: true };
    this.#abort.abort();
  }

  dismiss(): void {
    if (this.state.status !== 'running') this.state = { status: 'idle' };
  }

  destroy(): void {
    this.#destroyed = true;
    this.#abort?.abort();
  }
}
