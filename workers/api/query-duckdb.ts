/**
 * Opens DuckDB-WASM from the app's own files (Vite `?url` imports: never a CDN) and builds the
 * lake query engine on it. Worker code only: DuckDB then runs in a worker of its own.
 */
import * as duckdb from '@duckdb/duckdb-wasm';
import ehWasm from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import ehWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import mvpWasm from '@duckdb/duckdb-wasm/dist/duckdb-mvp.wasm?url';
import mvpWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-mvp.worker.js?url';
import { loadParquet } from '../../src/lib/croissant/formats/parquet.ts';
import { DeferredEngine } from '../../src/lib/query/deferred-engine.ts';
import { DuckDBEngine } from '../../src/lib/query/duckdb-engine.ts';
import { QueryError } from '../../src/lib/query/errors.ts';
import { LakeCatalog } from '../../src/lib/query/lake-catalog.ts';
import type { Lake } from '../../src/lib/versions/lake.ts';
import type { QueryBackend } from './query-service.ts';

/** How long starting DuckDB may take (about 1 s normally) before it counts as failed. */
const OPEN_TIMEOUT_MS = 60_000;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new QueryError('CLOSED', `${what} took more than ${ms / 1000} s`)),
      ms,
    );
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** A started DuckDB-WASM instance and the worker it runs in. */
export interface DuckDBInstance {
  db: duckdb.AsyncDuckDB;
  worker: Worker;
}

/** Starts DuckDB-WASM (the exception-handling build where supported, else the MVP build). */
export async function openDuckDB(): Promise<DuckDBInstance> {
  const bundle = await duckdb.selectBundle({
    mvp: { mainModule: mvpWasm, mainWorker: mvpWorker },
    eh: { mainModule: ehWasm, mainWorker: ehWorker },
  });
  const worker = new Worker(bundle.mainWorker!);
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
  try {
    await withTimeout(
      (async () => {
        await db.instantiate(bundle.mainModule, bundle.pthreadWorker);
        await db.open({});
      })(),
      OPEN_TIMEOUT_MS,
      'starting DuckDB-WASM',
    );
  } catch (e) {
    worker.terminate();
    throw e;
  }
  return { db, worker };
}

/**
 * The query engine over `lake`: DuckDB locked down, with the lake's SQL names bound. It returns
 * at once: DuckDB starts in the background (deferred-engine.ts), so that `describe`, which needs
 * only the lake, does not wait for it.
 */
export function openLakeQueryEngine(lake: Lake): QueryBackend {
  const catalog = new LakeCatalog(lake);
  // The first load decodes Parquet: parquet-wasm compiles here while DuckDB starts in its worker
  // (a failure shows, with its cause, when a load needs it).
  loadParquet().catch(() => undefined);
  const engine = new DeferredEngine(async () => {
    const { db, worker } = await openDuckDB();
    try {
      return await DuckDBEngine.open(db, { binder: catalog.binder, worker });
    } catch (e) {
      worker.terminate();
      throw e;
    }
  });
  return { engine, catalog, lake };
}
