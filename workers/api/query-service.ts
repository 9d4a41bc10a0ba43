/**
 * The worker side of the query protocol: {@link createQueryService} implements every operation
 * of {@link QueryMethods} over one query engine and lake catalog, and `workers/query.worker.ts`
 * exposes it with Comlink. Worker code only.
 */
import type { QueryEngine } from '../../src/lib/query/engine.ts';
import { QueryError } from '../../src/lib/query/errors.ts';
import type { LakeCatalog } from '../../src/lib/query/lake-catalog.ts';
import type { Lake } from '../../src/lib/versions/lake.ts';
import { serveOps, type OpContext } from './op-service.ts';
import { toQueryWireError } from './query.api.ts';
import type {
  QueryArgs,
  QueryMethod,
  QueryProgress,
  QueryValue,
  QueryWorkerApi,
} from './query.api.ts';
import { curationHandlers } from './query-curation.ts';
import { opinionHandlers } from './query-opinions.ts';

/** What the service runs on: an engine whose binder is the catalog's, over `lake`. */
export interface QueryBackend {
  engine: QueryEngine;
  catalog: LakeCatalog;
  /** The lake the catalog reads; curation and replays write to it. */
  lake: Lake;
}

/** What an operation gets besides its arguments. */
export interface CallContext extends QueryBackend, OpContext<QueryProgress> {}

/** The implementation of each operation. */
export type Handlers = {
  [K in QueryMethod]: (ctx: CallContext, ...args: QueryArgs<K>) => Promise<QueryValue<K>>;
};

const handlers: Handlers = {
  ...curationHandlers,
  ...opinionHandlers,

  async query({ engine, signal, onProgress, transfer }, sql, opts) {
    const result = await engine.query(sql, {
      signal,
      onProgress,
      ...(opts.limit === undefined ? {} : { limit: opts.limit }),
      ...(opts.describe === undefined ? {} : { describe: opts.describe }),
    });
    transfer(result.ipc.buffer);
    return result;
  },

  async registerTable({ engine, signal }, name, ipc) {
    return engine.registerTable(name, ipc, { signal });
  },

  async describe({ catalog }, dataset, rev) {
    return catalog.describe(dataset, rev);
  },

  async stats({ catalog }) {
    return { loads: catalog.loads };
  },
};

/**
 * The worker-side implementation of {@link QueryWorkerApi}. `open` is called on the first call
 * (again after it failed, so that a transient failure is not permanent).
 */
export function createQueryService(open: () => Promise<QueryBackend>): QueryWorkerApi {
  return serveOps({
    open,
    handlers,
    noSuchOp: (m) => new QueryError('BAD_INPUT', `the query worker has no operation "${m}"`),
    toWireError: toQueryWireError,
  }) as QueryWorkerApi;
}
