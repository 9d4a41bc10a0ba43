/**
 * The query bench page (bench/query/page.html), driven by bench/query.ts in headless Chromium.
 * Settings come in the query string (see types.ts); progress goes to the console as
 * `[bench] …` lines; the results (or the error) are posted as `window.__bench`.
 *
 * DuckDB-WASM is opened as the app's query worker opens it (workers/api/query-duckdb.ts: Vite
 * `?url` imports, the eh bundle, its own worker, started in the background by a DeferredEngine
 * while `describe` answers from the manifests), locked down by DuckDBEngine, with a LakeCatalog
 * as binder.
 */
import { DeferredEngine } from '../../src/lib/query/deferred-engine.ts';
import { DuckDBEngine } from '../../src/lib/query/duckdb-engine.ts';
import { LakeCatalog } from '../../src/lib/query/lake-catalog.ts';
import { openBrowserBackend } from '../../src/lib/store/browser.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { openDuckDB } from '../../workers/api/query-duckdb.ts';
import { DATASET, buildData } from './data.ts';
import { DIRECT, LAKE_VIEW, firstLoad, latency, rowsOf, withTimeout } from './figures.ts';
import type { Ctx } from './figures.ts';
import { stats } from './stats-figure.ts';
import type { PagePost, QueryBenchResults, QueryBenchSettings } from './types.ts';
declare global {
  interface Window {
    __bench?: PagePost;
  }
}

const log = (msg: string) => console.log(`[bench] ${msg}`);

function settings(): QueryBenchSettings {
  const p = new URLSearchParams(location.search);
  const int = (name: string, def: number) => {
    const v = Number(p.get(name) ?? def);
    if (!Number.isInteger(v) || v < 0) throw new Error(`bad ${name}: ${p.get(name)}`);
    return v;
  };
  return {
    rows: int('rows', 1_000_000),
    latencyRuns: int('latencyRuns', 15),
    runs: int('runs', 3),
    warmup: int('warmup', 1),
    stepTimeoutMs: int('stepTimeoutMs', 120_000),
    oldPath: int('oldPath', 1),
    realLake: int('realLake', 1),
  };
}

async function main(): Promise<QueryBenchResults> {
  const s = settings();
  const limit = <T>(p: Promise<T>, what: string) => withTimeout(p, s.stepTimeoutMs, what);
  const where = s.realLake ? 'the browser lake (OPFS, IndexedDB)' : 'a memory lake';
  log(`writing ${s.rows} rows into ${where}…`);
  let t0 = performance.now();
  const backend = s.realLake
    ? await openBrowserBackend(`bench-query-${Date.now()}`)
    : memoryBackend();
  const data = await limit(buildData(s.rows, backend), 'writing the record set');
  const writeMs = performance.now() - t0;
  log(`written in ${(writeMs / 1e3).toFixed(1)} s; starting DuckDB-WASM…`);

  // Figure 0: the cold start, as the app's query worker does it.
  const catalog = new LakeCatalog(data.lake);
  t0 = performance.now();
  let duckdbMs = NaN;
  let version: Promise<string> = Promise.resolve('?');
  const engine = new DeferredEngine(async () => {
    const { db, worker } = await openDuckDB();
    const e = await DuckDBEngine.open(db, { binder: catalog.binder, worker });
    duckdbMs = performance.now() - t0;
    version = db.getVersion();
    return e;
  });
  try {
    const info = await limit(catalog.describe(DATASET, 'main'), 'describe');
    const describeMs = performance.now() - t0;
    const problems: string[] = [];
    if (info.tables[0]?.rows !== s.rows) problems.push(`describe: ${info.tables[0]?.rows} rows`);
    log(`schema after ${describeMs.toFixed(0)} ms; first rows (DuckDB start, first load)…`);
    const first = await limit(engine.query(`SELECT * FROM ${LAKE_VIEW} LIMIT 100`), 'first rows');
    const firstRowsMs = performance.now() - t0;
    if (first.rows !== Math.min(100, s.rows)) problems.push(`first rows: ${first.rows} rows`);
    log(
      `DuckDB up after ${(duckdbMs / 1e3).toFixed(1)} s, first rows after ${(firstRowsMs / 1e3).toFixed(1)} s`,
    );
    const duckdbVersion = await version;
    t0 = performance.now();
    const n = await limit(engine.registerTable(DIRECT, data.ipc), 'registering the plain table');
    const registerDirectMs = performance.now() - t0;
    if (n !== s.rows) problems.push(`the plain table has ${n} rows, not ${s.rows}`);
    const counted = rowsOf(await engine.query(`SELECT count(*) AS n FROM ${LAKE_VIEW}`));
    if (Number(counted[0]?.n) !== s.rows) problems.push(`${LAKE_VIEW}: ${counted[0]?.n} rows`);

    const c: Ctx = { engine, data, s, problems, log };
    const lat = await latency(c);
    const load = await firstLoad(c);
    const st = await stats(c);
    return {
      settings: s,
      env: {
        userAgent: navigator.userAgent,
        crossOriginIsolated: self.crossOriginIsolated,
        hardwareConcurrency: navigator.hardwareConcurrency,
        duckdbVersion,
      },
      setup: {
        writeMs,
        registerDirectMs,
        fragments: data.manifest.fragments.length,
        parquetBytes: data.parquetBytes,
      },
      coldStart: { duckdbMs, describeMs, firstRowsMs },
      latency: lat,
      firstLoad: load,
      stats: st,
      problems,
    };
  } finally {
    await engine.close();
  }
}

main().then(
  (results) => {
    window.__bench = { ok: true, results };
  },
  (e: unknown) => {
    const error = e instanceof Error ? (e.stack ?? e.message) : String(e);
    console.error(error);
    window.__bench = { ok: false, error };
  },
);
