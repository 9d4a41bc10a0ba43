/**
 * The worker side of the query protocol: {@link createQueryService} implements every operation
 * of {@link QueryMethods} over one query engine and lake catalog, and `workers/query.worker.ts`
 * exposes it with Comlink. Worker code only.
 */
import * as Comlink from 'comlink';
import type { QueryEngine } from '../../src/lib/query/engine.ts';
import { QueryError } from '../../src/lib/query/errors.ts';
import type { LakeCatalog } from '../../src/lib/query/lake-catalog.ts';
import type { Lake } from '../../src/lib/versions/lake.ts';
import { toQueryWireError } from './query.api.ts';
import type {
  LoadProgressCallback,
  QueryArgs,
  QueryMethod,
  QueryProgress,
  QueryReply,
  QueryValue,
  QueryWorkerApi,
} from './query.api.ts';
import { curationHandlers } from './query-curation.ts';

/** What the service runs on: an engine whose binder is the catalog's, over `lake`. */
export interface QueryBackend {
  engine: QueryEngine;
  catalog: LakeCatalog;
  /** The lake the catalog reads; curation and replays write to it. */
  lake: Lake;
}

/** What an operation gets besides its arguments. */
export interface CallContext extends QueryBackend {
  signal: AbortSignal;
  onProgress: (p: QueryProgress) => void;
  /** Marks a buffer of the result to be transferred rather than copied. */
  transfer(buffer: ArrayBuffer): void;
}

/** The implementation of each operation. */
export type Handlers = {
  [K in QueryMethod]: (ctx: CallContext, ...args: QueryArgs<K>) => Promise<QueryValue<K>>;
};

const handlers: Handlers = {
  ...curationHandlers,

  async query({ engine, signal, onProgress, transfer }, sql, opts) {
    const result = await engine.query(sql, {
      signal,
      onProgress,
      ...(opts.limit === undefined ? {} : { limit: opts.limit }),
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

function release(cb: LoadProgressCallback | undefined): void {
  const remote = cb as Partial<Comlink.Remote<unknown>> | undefined;
  remote?.[Comlink.releaseProxy]?.();
}

/**
 * The worker-side implementation of {@link QueryWorkerApi}. `open` is called on the first call
 * (again after it failed, so that a transient failure is not permanent).
 */
export function createQueryService(open: () => Promise<QueryBackend>): QueryWorkerApi {
  const running = new Map<number, AbortController>();
  let backend: Promise<QueryBackend> | null = null;
  const getBackend = () => {
    backend ??= open().catch((e: unknown) => {
      backend = null;
      throw e;
    });
    return backend;
  };

  return {
    async call(opId, method, args, cb) {
      const controller = new AbortController();
      running.set(opId, controller);
      const transfers: ArrayBuffer[] = [];
      try {
        const handler = handlers[method] as (ctx: CallContext, ...a: unknown[]) => Promise<unknown>;
        if (typeof handler !== 'function') {
          throw new QueryError(
            'BAD_INPUT',
            `the query worker has no operation "${String(method)}"`,
          );
        }
        const ctx: CallContext = {
          ...(await getBackend()),
          signal: controller.signal,
          // The page may have gone away; a lost progress message is not an error.
          onProgress: (p) => void Promise.resolve(cb?.({ ...p })).catch(() => undefined),
          transfer: (b) => transfers.push(b),
        };
        const value = await handler(ctx, ...args);
        const reply = { ok: true, value } as QueryReply<QueryValue<typeof method>>;
        return Comlink.transfer(reply, transfers);
      } catch (e) {
        return { ok: false, error: toQueryWireError(e) };
      } finally {
        running.delete(opId);
        release(cb);
      }
    },

    abort(opId) {
      running.get(opId)?.abort();
    },
  };
}
