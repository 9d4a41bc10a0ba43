/**
 * DuckDB-WASM under Node: the same WebAssembly build the browser runs (so the same SQL gives
 * the same results), through duckdb-wasm's blocking Node bindings, behind the {@link DuckDBLike}
 * shape the engine expects. Used by the command line, the benchmarks and Node tests. Node only:
 * it reads the wasm file from node_modules.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { DuckDBLike } from './duckdb-engine.ts';
import { DuckDBEngine } from './duckdb-engine.ts';
import { LakeCatalog } from './lake-catalog.ts';
import type { Lake } from '../versions/lake.ts';
import type { ScriptTokens } from './tokens.ts';

interface BlockingConnection {
  useUnsafe<R>(fn: (bindings: unknown, conn: number) => R): R;
}

/** The blocking bindings' methods this adapter calls (see duckdb-wasm's bindings_interface). */
interface BlockingBindings {
  instantiate(onProgress: (p: unknown) => void): Promise<unknown>;
  open(config: object): void;
  reset(): void;
  connect(): BlockingConnection;
  disconnect(conn: number): void;
  runQuery(conn: number, text: string): Uint8Array;
  startPendingQuery(conn: number, text: string, stream: boolean): Uint8Array | null;
  pollPendingQuery(conn: number): Uint8Array | null;
  cancelPendingQuery(conn: number): boolean;
  fetchQueryResults(conn: number): Uint8Array | null;
  insertArrowFromIPCStream(conn: number, buffer: Uint8Array, options?: object): void;
  createPrepared(conn: number, text: string): number;
  runPrepared(conn: number, statement: number, params: unknown[]): Uint8Array;
  closePrepared(conn: number, statement: number): void;
  tokenize(text: string): ScriptTokens;
}

interface BlockingModule {
  createDuckDB(bundles: object, logger: unknown, runtime: unknown): Promise<BlockingBindings>;
  VoidLogger: new () => unknown;
  NODE_RUNTIME: unknown;
}

/**
 * Instances kept for reuse after their engine closed, at most {@link KEEP_IDLE}. Starting one
 * is 1.4–2.1 CPU-s here, nearly all of it Emscripten's dynamic linking of the 34 MB module as
 * it instantiates; `reset()` then `open()` is 0.05 CPU-s (bench/README.md, "Test suite: DuckDB
 * instances reused in Node"). A reset drops the old database whole (duckdb-wasm's
 * `WebDB::Reset` opens a new in-memory DuckDB and clears every connection), so a reused
 * instance starts as empty as a new one; test/unit/duckdb-node-reuse.node.test.ts compares
 * their catalogs and settings. An instance whose wasm trapped is never kept.
 */
const idle: BlockingBindings[] = [];
const KEEP_IDLE = 2;

async function instantiate(): Promise<BlockingBindings> {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs');
  const mod = require(entry) as BlockingModule;
  const dist = dirname(entry);
  const bundles = {
    mvp: { mainModule: join(dist, 'duckdb-mvp.wasm'), mainWorker: '' },
    eh: { mainModule: join(dist, 'duckdb-eh.wasm'), mainWorker: '' },
  };
  const db = await mod.createDuckDB(bundles, new mod.VoidLogger(), mod.NODE_RUNTIME);
  await db.instantiate(() => undefined);
  return db;
}

/** How many started instances wait for reuse (for tests). */
export function idleNodeDuckDBs(): number {
  return idle.length;
}

/**
 * Starts DuckDB-WASM in this Node process (the exception-handling build when it loads), or
 * reuses an instance a closed engine left (above): either way a new, empty database. After
 * `terminate()` every call rejects, so a late call can never reach the instance's next user.
 */
export async function openNodeDuckDB(): Promise<DuckDBLike> {
  const db = idle.pop() ?? (await instantiate());
  db.open({});
  let terminated = false;
  /**
   * DuckDB's own errors reach JS as plain `Error`s; anything else (a wasm trap, a TypeError or
   * RangeError in the bindings' glue) may leave the instance broken, so it is not kept.
   */
  let broken = false;
  const call = async <T>(fn: () => T): Promise<T> => {
    if (terminated) throw new Error('this DuckDB-WASM instance was terminated');
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof Error) || e.constructor !== Error) broken = true;
      throw e;
    }
  };
  return {
    connectInternal: () => call(() => db.connect().useUnsafe((_b, id) => id)),
    disconnect: (conn) => call(() => db.disconnect(conn)),
    runQuery: (conn, text) => call(() => db.runQuery(conn, text)),
    startPendingQuery: (conn, text, stream) =>
      call(() => db.startPendingQuery(conn, text, stream ?? false)),
    pollPendingQuery: (conn) => call(() => db.pollPendingQuery(conn)),
    cancelPendingQuery: (conn) => call(() => db.cancelPendingQuery(conn)),
    fetchQueryResults: (conn) => call(() => db.fetchQueryResults(conn)),
    insertArrowFromIPCStream: (conn, buffer, options) =>
      call(() => db.insertArrowFromIPCStream(conn, buffer, options)),
    createPrepared: (conn, text) => call(() => db.createPrepared(conn, text)),
    runPrepared: (conn, statement, params) => call(() => db.runPrepared(conn, statement, params)),
    closePrepared: (conn, statement) => call(() => db.closePrepared(conn, statement)),
    tokenize: (text) => call(() => db.tokenize(text)),
    terminate: async () => {
      if (terminated) return;
      try {
        await call(() => db.reset());
      } catch (e) {
        broken = true;
        throw e;
      } finally {
        terminated = true;
      }
      if (!broken && idle.length < KEEP_IDLE) idle.push(db);
    },
  };
}

/** The lake query engine in Node: DuckDB-WASM locked down, with the lake's SQL names bound. */
export async function openNodeQueryEngine(lake: Lake): Promise<DuckDBEngine> {
  const catalog = new LakeCatalog(lake);
  return DuckDBEngine.open(await openNodeDuckDB(), { binder: catalog.binder });
}
