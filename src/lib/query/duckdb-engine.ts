/**
 * {@link QueryEngine} over DuckDB-WASM (an `AsyncDuckDB`, or anything with its shape). One
 * connection; operations run one at a time in call order. User SQL is checked and wrapped as
 * read-only (read-only.ts) and run as a pending query that is polled, so a cancel reaches it
 * between polls (about every 100 ms). Lake names are bound by an injected {@link Binder}
 * before the query runs.
 */
import { tableFromIPC, tableToIPC } from 'apache-arrow';
import type { Binder, EngineAdmin } from './binder.ts';
import { engineAdmin, type InsertOptions } from './duckdb-admin.ts';
import { sqlError } from './duckdb-error.ts';
import type {
  QueryEngine,
  QueryOptions,
  QueryResult,
  ResultColumn,
  TableSource,
} from './engine.ts';
import { QueryError, checkQueryAborted } from './errors.ts';
import type { Wrapping } from './error-position.ts';
import {
  LOCKDOWN,
  WRAPPED_FIRST_LINE,
  checkReadOnly,
  describeSql,
  wrapped,
  type ReadOnlyStatement,
} from './read-only.ts';
import { typesAsText } from './as-text.ts';
import { concatStream } from './ipc.ts';
import { qualifiedRefs, toTokens, type ScriptTokens } from './tokens.ts';

/** The parts of duckdb-wasm's `AsyncDuckDB` this engine uses. */
export interface DuckDBLike {
  connectInternal(): Promise<number>;
  disconnect(conn: number): Promise<void>;
  runQuery(conn: number, text: string): Promise<Uint8Array>;
  startPendingQuery(conn: number, text: string, stream?: boolean): Promise<Uint8Array | null>;
  pollPendingQuery(conn: number): Promise<Uint8Array | null>;
  cancelPendingQuery(conn: number): Promise<boolean>;
  fetchQueryResults(conn: number): Promise<Uint8Array | null>;
  insertArrowFromIPCStream(
    conn: number,
    buffer: Uint8Array,
    options?: InsertOptions,
  ): Promise<void>;
  createPrepared(conn: number, text: string): Promise<number>;
  runPrepared(conn: number, statement: number, params: unknown[]): Promise<Uint8Array>;
  closePrepared(conn: number, statement: number): Promise<void>;
  tokenize(text: string): Promise<ScriptTokens>;
  terminate(): Promise<void>;
}

export interface DuckDBEngineOptions {
  binder?: Binder;
  /** DuckDB's worker: when it fails, pending and later calls reject with CLOSED. */
  worker?: Worker;
  /** Terminate the DuckDB instance on close (default true). */
  terminate?: boolean;
}

export class DuckDBEngine implements QueryEngine {
  readonly #db: DuckDBLike;
  readonly #conn: number;
  readonly #opts: DuckDBEngineOptions;
  #queue: Promise<unknown> = Promise.resolve();
  #closed: QueryError | null = null;
  #released = false;
  #die!: (e: QueryError) => void;
  readonly #death = new Promise<never>((_, reject) => (this.#die = reject));

  private constructor(db: DuckDBLike, conn: number, opts: DuckDBEngineOptions) {
    this.#db = db;
    this.#conn = conn;
    this.#opts = opts;
    this.#death.catch(() => undefined);
    opts.worker?.addEventListener('error', (e) => {
      this.#fail(new QueryError('CLOSED', `DuckDB's worker failed: ${e.message || 'it crashed'}`));
    });
  }

  /** Connects and locks the instance down (read-only.ts, LOCKDOWN) before anything else runs. */
  static async open(db: DuckDBLike, opts: DuckDBEngineOptions = {}): Promise<DuckDBEngine> {
    const engine = new DuckDBEngine(db, await db.connectInternal(), opts);
    for (const sql of LOCKDOWN) await engine.#run(sql);
    return engine;
  }

  query(sql: string, opts: QueryOptions = {}): Promise<QueryResult> {
    const { limit } = opts;
    if (limit !== undefined && !(Number.isSafeInteger(limit) && limit >= 0)) {
      const why = `limit must be a whole number of rows ≥ 0, not ${limit}`;
      return Promise.reject(new QueryError('BAD_INPUT', why, { sql }));
    }
    return this.#exclusive(opts.signal, sql, () => this.#query(sql, opts));
  }

  async #query(sql: string, opts: QueryOptions): Promise<QueryResult> {
    const t0 = performance.now();
    const tokens = toTokens(sql, await this.#guard(this.#db.tokenize(sql)));
    const stmt = checkReadOnly(sql, tokens);
    const loaded = this.#opts.binder
      ? await this.#opts.binder(qualifiedRefs(tokens), {
          admin: this.#admin(sql),
          sql,
          ...(opts.signal ? { signal: opts.signal } : {}),
          ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
        })
      : [];
    checkQueryAborted(opts.signal, sql);
    const text = wrapped(stmt, opts.limit);
    const user = wrappingOf(sql, stmt);
    // DuckDB's parser must see exactly one statement: the wrapper, a SELECT (layer 2). DESCRIBE
    // holds the same text after its first word, so preparing it also checks that, and binds the
    // query without running it: SQL types, and errors before any work. Where there is no
    // DESCRIBE, the wrapper is prepared alone. A PIVOT is the exception: DuckDB itself makes it
    // two statements (see ReadOnlyStatement.pivot), and its columns come from its result.
    const describe = opts.describe !== false ? describeSql(stmt) : null;
    const pivotSplit = (e: unknown) => {
      if (stmt.pivot && e instanceof QueryError && e.code === 'READ_ONLY') return null;
      throw e;
    };
    const columns: ResultColumn[] | null = describe
      ? await this.#prepared(describe, user, (id) => this.#db.runPrepared(this.#conn, id, []))
          .then((ipc) =>
            tableFromIPC(ipc)
              .toArray()
              .map((r: { column_name: string; column_type: string }) => ({
                name: r.column_name,
                type: r.column_type,
              })),
          )
          .catch(pivotSplit)
      : await this.#prepared(text, user, async () => null).catch(pivotSplit);
    // ENUM, TIMETZ, BIT and BIGNUM columns are read as DuckDB's text (as-text.ts).
    let ipc = await this.#stream(columns ? typesAsText(text, columns) : text, user, opts.signal);
    const table = tableFromIPC(ipc);
    let rows = table.numRows;
    const truncated = opts.limit !== undefined && rows > opts.limit;
    if (truncated) {
      // The query asked for one row more than the limit, to know whether there were more.
      ipc = tableToIPC(table.slice(0, opts.limit), 'stream') as Uint8Array<ArrayBuffer>;
      rows = opts.limit!;
    }
    return {
      columns: columns ?? table.schema.fields.map((f) => ({ name: f.name, type: String(f.type) })),
      ipc,
      rows,
      truncated,
      loaded,
      ms: performance.now() - t0,
    };
  }

  registerTable(name: string, source: TableSource, opts: { signal?: AbortSignal } = {}) {
    return this.#exclusive(opts.signal, undefined, () =>
      this.#admin().insert({ schema: 'main', name }, source, opts.signal),
    );
  }

  async close(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    this.#fail(new QueryError('CLOSED', 'the query engine was closed'));
    await this.#db.disconnect(this.#conn).catch(() => undefined);
    if (this.#opts.terminate !== false) await this.#db.terminate().catch(() => undefined);
  }

  #fail(e: QueryError): void {
    this.#closed ??= e;
    this.#die(e);
  }

  /**
   * Runs `fn` after every earlier operation. The caller's promise rejects as soon as `signal`
   * fires; the work itself stops at its next check (a waiting one never starts).
   */
  #exclusive<T>(signal: AbortSignal | undefined, sql: string | undefined, fn: () => Promise<T>) {
    const run = async () => {
      if (this.#closed) throw this.#closed;
      checkQueryAborted(signal, sql);
      return fn();
    };
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    if (!signal) return result;
    const aborted = new Promise<never>((_, reject) => {
      const onAbort = () =>
        reject(
          new QueryError('ABORTED', 'the query was cancelled', sql === undefined ? {} : { sql }),
        );
      if (signal.aborted) onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      void result
        .finally(() => signal.removeEventListener('abort', onAbort))
        .catch(() => undefined);
    });
    aborted.catch(() => undefined);
    return Promise.race([result, aborted]);
  }

  /** A DuckDB call that rejects with CLOSED when the engine closes or DuckDB's worker dies. */
  #guard<T>(p: Promise<T>): Promise<T> {
    return Promise.race([p, this.#death]);
  }

  /** Runs SQL to completion (internal statements, DESCRIBE); Arrow IPC bytes. */
  async #run(text: string, userSql?: string): Promise<Uint8Array> {
    try {
      return await this.#guard(this.#db.runQuery(this.#conn, text));
    } catch (e) {
      throw sqlError(e, userSql);
    }
  }

  /**
   * Prepares `text` (parsing and binding it, running nothing), gives the statement to `use`,
   * then closes it. Text holding several statements is refused: DuckDB would run them all.
   */
  async #prepared<T>(text: string, user: Wrapping, use: (id: number) => Promise<T>): Promise<T> {
    let id: number;
    try {
      id = await this.#guard(this.#db.createPrepared(this.#conn, text));
    } catch (e) {
      const raw = e instanceof Error ? e.message : String(e);
      if (/multiple statements/i.test(raw)) {
        throw new QueryError('READ_ONLY', 'run one statement at a time', {
          sql: user.sql,
          duckdb: raw,
        });
      }
      throw sqlError(e, user);
    }
    try {
      return await this.#guard(use(id));
    } catch (e) {
      throw sqlError(e, user);
    } finally {
      await this.#guard(this.#db.closePrepared(this.#conn, id)).catch(() => undefined);
    }
  }

  /** Runs a pending query, polling so that `signal` can cancel it; one IPC stream. */
  async #stream(text: string, user: Wrapping, signal?: AbortSignal) {
    const db = this.#db;
    try {
      let header = await this.#guard(db.startPendingQuery(this.#conn, text, false));
      while (header === null) {
        if (signal?.aborted) {
          await this.#guard(db.cancelPendingQuery(this.#conn));
          checkQueryAborted(signal, user.sql);
        }
        header = await this.#guard(db.pollPendingQuery(this.#conn));
      }
      const parts = [header];
      for (;;) {
        const batch = await this.#guard(db.fetchQueryResults(this.#conn));
        if (!batch || batch.byteLength === 0) break;
        parts.push(batch);
      }
      return concatStream(parts);
    } catch (e) {
      throw sqlError(e, user);
    }
  }

  #admin(userSql?: string): EngineAdmin {
    return engineAdmin(
      {
        run: (sql, user) => this.#run(sql, user),
        insert: async (buffer, options, user) => {
          try {
            await this.#guard(this.#db.insertArrowFromIPCStream(this.#conn, buffer, options));
          } catch (e) {
            throw sqlError(e, user);
          }
        },
      },
      userSql,
    );
  }
}

/** How {@link wrapped} and {@link describeSql} hold the user's `sql`. */
function wrappingOf(sql: string, stmt: ReadOnlyStatement): Wrapping {
  return { sql, body: stmt.body, firstLine: WRAPPED_FIRST_LINE };
}
