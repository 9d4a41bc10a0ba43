/**
 * One query as the page runs it: progress while the lake loads, Cancel, the result as an Arrow
 * table, or the error with its SQL. A new run supersedes the one in flight (which is
 * cancelled), and nothing lands after `destroy()`.
 */
import { tableFromIPC, type Table } from 'apache-arrow';
import type { EngineProgress, LoadedTable, ResultColumn } from '../lib/query/engine.ts';
import { describeError, type ErrorInfo } from './format.ts';
import type { QueryHost } from './query-host.svelte.ts';

/** Rows a result may hold; more are cut off (and said so). */
export const RESULT_LIMIT = 200_000;

/** What a blank query gets: the engine's answer to one of comments only (read-only.ts). */
const EMPTY_QUERY: ErrorInfo = { code: 'BAD_INPUT', message: 'the query is empty' };

/** A finished query. */
export interface RunResult {
  sql: string;
  columns: ResultColumn[];
  table: Table;
  rows: number;
  truncated: boolean;
  ms: number;
  /** Record sets the query loaded from the lake (none when they were loaded before). */
  loaded: LoadedTable[];
}

/** See the module comment. */
export class QueryRun {
  status = $state<'idle' | 'running' | 'done' | 'failed' | 'cancelled'>('idle');
  /** The SQL running or last run. */
  sql = $state('');
  progress = $state.raw<EngineProgress | null>(null);
  result = $state.raw<RunResult | null>(null);
  error = $state.raw<ErrorInfo | null>(null);
  /** Runs settled so far (done, failed or cancelled): tells one outcome from the next. */
  settled = $state(0);

  /**
   * The result shown when it is not the last query's: that one failed, was refused or was
   * cancelled (or its error was then dismissed), so the result is an earlier query's, kept
   * rather than lost but not to be taken for the last one's. Null while a query runs.
   */
  get previous(): RunResult | null {
    return this.status === 'done' || this.status === 'running' ? null : this.result;
  }

  readonly #host: QueryHost;
  #controller: AbortController | null = null;
  #destroyed = false;

  constructor(host: QueryHost) {
    this.#host = host;
  }

  /**
   * Runs `sql`; resolves true when it gave a result. Never throws. Blank SQL is refused as empty
   * (so the last query's error goes). `mapError` rewrites its error for the page (the Query
   * view's filter points DuckDB's position into its WHERE text).
   */
  async run(sql: string, mapError?: (error: ErrorInfo) => ErrorInfo): Promise<boolean> {
    if (this.#destroyed) return false;
    if (!sql.trim()) {
      // As the engine answers a query of comments only (read-only.ts), without a round trip.
      this.refuse(sql, EMPTY_QUERY);
      return false;
    }
    this.#controller?.abort();
    const controller = new AbortController();
    this.#controller = controller;
    this.sql = sql;
    this.status = 'running';
    this.progress = null;
    this.error = null;
    try {
      const r = await this.#host.client.query(sql, {
        signal: controller.signal,
        limit: RESULT_LIMIT,
        onProgress: (p) => {
          if (this.#controller === controller) this.progress = p;
        },
      });
      if (this.#destroyed || this.#controller !== controller) return false;
      const table = tableFromIPC(r.ipc);
      this.result = {
        sql,
        columns: r.columns,
        table,
        rows: r.rows,
        truncated: r.truncated,
        ms: r.ms,
        loaded: r.loaded,
      };
      this.status = 'done';
      return true;
    } catch (e) {
      if (this.#destroyed || this.#controller !== controller) return false;
      const error = describeError(e);
      if (error.code === 'ABORTED') this.status = 'cancelled';
      else {
        this.error = mapError ? mapError(error) : error;
        this.status = 'failed';
      }
      return false;
    } finally {
      if (this.#controller === controller) {
        this.#controller = null;
        this.progress = null;
        this.settled++;
      }
    }
  }

  /** Shows `sql` as refused with `error` without running it (what runs is cancelled). */
  refuse(sql: string, error: ErrorInfo): void {
    if (this.#destroyed) return;
    this.#controller?.abort();
    this.#controller = null;
    this.sql = sql;
    this.progress = null;
    this.error = error;
    this.status = 'failed';
    this.settled++;
  }

  /** Cancels the query in flight. */
  cancel(): void {
    this.#controller?.abort();
  }

  /** Hides the error. */
  dismissError(): void {
    this.error = null;
    if (this.status === 'failed') this.status = 'idle';
  }

  /** Cancels what runs; nothing lands afterwards. */
  destroy(): void {
    this.#destroyed = true;
    this.#controller?.abort();
  }
}
