/**
 * The page side of the query protocol. {@link QueryClient} is a {@link QueryEngine} whose work
 * runs in the query worker: it calls the operations of {@link QueryMethods} by name, forwards
 * AbortSignals and load progress, rebuilds errors, and rejects every pending call (with CLOSED)
 * when the worker dies or is terminated.
 *
 * ```ts
 * const worker = new Worker(new URL('../query.worker.ts', import.meta.url), { type: 'module' });
 * const db = new QueryClient(worker);
 * const r = await db.query('SELECT sex, count(*) FROM "titanic@main".passengers GROUP BY 1');
 * const table = tableFromIPC(r.ipc);
 * ```
 */
import * as Comlink from 'comlink';
import type {
  EngineProgress,
  QueryEngine,
  QueryOptions,
  QueryResult,
  TableSource,
} from '../../src/lib/query/engine.ts';
import { QueryError } from '../../src/lib/query/errors.ts';
import { ownBuffer } from '../../src/lib/query/ipc.ts';
import { OpClient } from './op-client.ts';
import { fromQueryWireError, type QueryWireError } from './query.api.ts';
import type {
  LakeSchemaInfo,
  QueryArgs,
  QueryMethod,
  QueryValue,
  Recipe,
  ReplayProgress,
  ReplayResult,
  SavedBranch,
  ShareLink,
} from './query.api.ts';

/** Options of one call; `P` is the progress it reports. */
export interface QueryCallOptions<P = EngineProgress> {
  signal?: AbortSignal;
  onProgress?: (p: P) => void;
}

/** The progress an operation reports: a replay's phases, else the engine and record sets. */
export type ProgressOf<K extends QueryMethod> = K extends 'replay'
  ? ReplayProgress
  : EngineProgress;

/** Page-side proxy of the query worker. Create one per worker; close it when done. */
export class QueryClient implements QueryEngine {
  readonly #ops: OpClient<QueryWireError>;

  constructor(worker: Worker) {
    this.#ops = new OpClient(worker, {
      what: 'the query worker',
      fromWireError: fromQueryWireError,
      aborted: () => new QueryError('ABORTED', 'the query was cancelled'),
      died: (message) => new QueryError('CLOSED', message),
      transport: (message) => new QueryError('CLOSED', message),
    });
  }

  /** False once the worker died or was closed; make a new client then. */
  get alive(): boolean {
    return this.#ops.alive;
  }

  query(sql: string, opts: QueryOptions = {}): Promise<QueryResult> {
    const { limit, describe, ...call } = opts;
    const args = {
      ...(limit === undefined ? {} : { limit }),
      ...(describe === undefined ? {} : { describe }),
    };
    return this.call('query', [sql, args], call);
  }

  async registerTable(name: string, source: TableSource, opts: { signal?: AbortSignal } = {}) {
    const chunks: Uint8Array[] = [];
    if (source instanceof Uint8Array) chunks.push(source);
    else for await (const c of source) chunks.push(c);
    const owned = chunks.map(ownBuffer);
    const buffers = owned.map((c) => c.buffer);
    return this.call('registerTable', Comlink.transfer([name, owned], buffers), opts);
  }

  /** The SQL names and columns of a dataset at a revision, loading nothing. */
  describe(dataset: string, rev: string, opts: QueryCallOptions = {}): Promise<LakeSchemaInfo> {
    return this.call('describe', [dataset, rev], opts);
  }

  /** Record sets the worker loaded from the lake so far. */
  stats(): Promise<{ loads: number }> {
    return this.call('stats', []);
  }

  /**
   * Keeps the rows of a record set that a SQL WHERE predicate selects as a new protected branch
   * (see `QueryMethods.saveFilterBranch`).
   */
  saveFilterBranch(
    target: { dataset: string; rev: string; recordSet: string },
    predicate: string,
    branch: string,
    opts: QueryCallOptions = {},
  ): Promise<SavedBranch> {
    const { dataset, rev, recordSet } = target;
    return this.call('saveFilterBranch', [dataset, rev, recordSet, predicate, branch], opts);
  }

  /** The share link of a branch, tag or commit, or a recipe file when it is too long. */
  shareLink(dataset: string, rev: string, appUrl: string): Promise<ShareLink> {
    return this.call('shareLink', [dataset, rev, appUrl]);
  }

  /**
   * Replays a recipe. Pass `confirmed: true` only once the user saw and accepted its SQL
   * (`recipeSql(recipe)`); without it a recipe with SQL is refused.
   */
  replay(
    recipe: Recipe,
    confirmed: boolean,
    opts: QueryCallOptions<ReplayProgress> = {},
  ): Promise<ReplayResult> {
    return this.call('replay', [recipe, { confirmed }], opts);
  }

  /** Runs one operation in the worker. */
  call<K extends QueryMethod>(
    method: K,
    args: QueryArgs<K>,
    opts: QueryCallOptions<ProgressOf<K>> = {},
  ): Promise<QueryValue<K>> {
    return this.#ops.call(method, args, opts) as Promise<QueryValue<K>>;
  }

  /** Stops the worker; pending and later calls reject with CLOSED. */
  async close(): Promise<void> {
    this.#ops.stop(new QueryError('CLOSED', 'the query engine was closed'));
  }
}
