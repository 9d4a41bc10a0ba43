/**
 * Opens DuckDB-WASM from the app's own files (Vite `?url` imports: never a CDN) and builds the
 * lake query engine on it. Worker code only: DuckDB then runs in a worker of its own.
 *
 * The app runs a one-thread build: EH (WebAssembly exceptions), else MVP. DuckDB-WASM 1.32's
 * threaded COI build runs in the app's cross-origin isolated pages, but a cancelled query goes
 * on running on its other threads until it ends (the engine stays busy: 79 s after cancelling
 * the Query view's cross join, against 23 ms in EH), which breaks cancelling; it also starts
 * 3 to 4 times slower (four thread workers, each loading the module). A caller that accepts
 * both can pass the COI bundle (the opinions bench's A/B does; docs/architecture.md).
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

/**
 * The most threads the COI build runs. Its runtime starts four thread workers with the instance
 * (Emscripten's pool); a fifth thread would start a worker while a query waits on it.
 */
const MAX_THREADS = 4;

/** How many threads the COI build gets: one a core, as native DuckDB runs, up to the pool's. */
export function duckdbThreads(cores: number | undefined): number {
  return Math.max(1, Math.min(MAX_THREADS, Math.floor(cores ?? 1) || 1));
}

/** DuckDB-WASM's threaded build: its files' URLs (`dist/duckdb-coi.wasm` and its two workers). */
export interface DuckDBCoiBundle {
  mainModule: string;
  mainWorker: string;
  pthreadWorker: string;
}

/** How {@link openDuckDB} picks the build. */
export interface OpenDuckDBOptions {
  /** The threaded build, used where the page is cross-origin isolated (see the module's note). */
  coi?: DuckDBCoiBundle;
}

/** A started DuckDB-WASM instance and the worker it runs in. */
export interface DuckDBInstance {
  db: duckdb.AsyncDuckDB;
  worker: Worker;
  /** Which build runs (see the module's comment). */
  build: 'coi' | 'eh' | 'mvp';
  /** The threads its queries may use: 1 but in the COI build. */
  threads: number;
}

/** Starts DuckDB-WASM (the exception-handling build where supported, else the MVP build). */
export async function openDuckDB(opts: OpenDuckDBOptions = {}): Promise<DuckDBInstance> {
  const bundle = await duckdb.selectBundle({
    mvp: { mainModule: mvpWasm, mainWorker: mvpWorker },
    eh: { mainModule: ehWasm, mainWorker: ehWorker },
    ...(opts.coi ? { coi: opts.coi } : {}),
  });
  const build =
    bundle.mainModule === opts.coi?.mainModule
      ? 'coi'
      : bundle.mainModule === ehWasm
        ? 'eh'
        : 'mvp';
  const threads = build === 'coi' ? duckdbThreads(globalThis.navigator?.hardwareConcurrency) : 1;
  const worker = new Worker(bundle.mainWorker!);
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
  try {
    await withTimeout(
      (async () => {
        await db.instantiate(bundle.mainModule, bundle.pthreadWorker);
        // The thread count is set here: the engine's lockdown then locks every setting.
        await db.open(build === 'coi' ? { maximumThreads: threads } : {});
      })(),
      OPEN_TIMEOUT_MS,
      'starting DuckDB-WASM',
    );
  } catch (e) {
    worker.terminate();
    throw e;
  }
  return { db, worker, build, threads };
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
