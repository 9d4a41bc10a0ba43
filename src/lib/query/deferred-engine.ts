/**
 * A {@link QueryEngine} whose engine is still starting. DuckDB-WASM takes seconds to start on a
 * busy machine, and nothing but queries needs it: the lake's schemas are in its commit manifests.
 * The query worker therefore answers `describe` at once and starts DuckDB beside it; a query that
 * comes before DuckDB is up waits for it (reporting `{ stage: 'start' }`), and a start that failed
 * is tried again by the next call, so that a transient failure is not permanent.
 */
import type { QueryEngine, QueryOptions, QueryResult, TableSource } from './engine.ts';
import { QueryError, checkQueryAborted } from './errors.ts';

/** See the module comment. */
export class DeferredEngine implements QueryEngine {
  readonly #open: () => Promise<QueryEngine>;
  #engine: Promise<QueryEngine> | null = null;
  #ready = false;
  #closed = false;

  /** Starts opening at once. */
  constructor(open: () => Promise<QueryEngine>) {
    this.#open = open;
    this.#start().catch(() => undefined);
  }

  /** True once the engine is up (a query then waits for nothing but itself). */
  get ready(): boolean {
    return this.#ready;
  }

  #start(): Promise<QueryEngine> {
    if (this.#closed)
      return Promise.reject(new QueryError('CLOSED', 'the query engine was closed'));
    this.#engine ??= this.#open().then(
      (engine) => {
        if (this.#closed) {
          void engine.close();
          throw new QueryError('CLOSED', 'the query engine was closed');
        }
        this.#ready = true;
        return engine;
      },
      (e: unknown) => {
        this.#engine = null;
        throw e;
      },
    );
    return this.#engine;
  }

  /** The engine, once started; rejects with ABORTED as soon as `signal` fires while waiting. */
  async #get(
    opts: { signal?: AbortSignal; onProgress?: QueryOptions['onProgress'] },
    sql?: string,
  ) {
    checkQueryAborted(opts.signal, sql);
    if (!this.#ready) opts.onProgress?.({ stage: 'start' });
    const started = this.#start();
    const signal = opts.signal;
    if (!signal || this.#ready) return started;
    return Promise.race([
      started,
      new Promise<never>((_, reject) => {
        const onAbort = () => {
          try {
            checkQueryAborted(signal, sql);
          } catch (e) {
            reject(e);
          }
        };
        signal.addEventListener('abort', onAbort, { once: true });
        void started.finally(() => signal.removeEventListener('abort', onAbort)).catch(() => {});
      }),
    ]);
  }

  async query(sql: string, opts: QueryOptions = {}): Promise<QueryResult> {
    return (await this.#get(opts, sql)).query(sql, opts);
  }

  async registerTable(name: string, source: TableSource, opts: { signal?: AbortSignal } = {}) {
    return (await this.#get(opts)).registerTable(name, source, opts);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const pending = this.#engine;
    if (pending) await pending.then((e) => e.close()).catch(() => undefined);
  }
}
