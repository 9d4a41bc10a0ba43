/**
 * The query bench page (bench/query/page.html), driven by bench/query.ts in headless Chromium.
 * Settings come in the query string (see types.ts); progress goes to the console as
 * `[bench] …` lines; the results (or the error) are posted as `window.__bench`.
 *
 * DuckDB-WASM is opened as the app opens it (workers/api/query-duckdb.ts: Vite `?url` imports,
 * the eh bundle, its own worker), locked down by DuckDBEngine, with a LakeCatalog as binder.
 */
import { DuckDBEngine } from '../../src/lib/query/duckdb-engine.ts';
import { LakeCatalog } from '../../src/lib/query/lake-catalog.ts';
import { openDuckDB } from '../../workers/api/query-duckdb.ts';
import { buildData } from './data.ts';
import { DIRECT, LAKE_VIEW, firstLoad, latency, rowsOf, stats, withTimeout } from './figures.ts';
import type { Ctx } from './figures.ts';
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
  };
}

async function main(): Promise<QueryBenchResults> {
  const s = settings();
  const limit = <T>(p: Promise<T>, what: string) => withTimeout(p, s.stepTimeoutMs, what);
  log(`writing ${s.rows} rows into a memory lake…`);
  let t0 = performance.now();
  const data = await limit(buildData(s.rows), 'writing the record set');
  const writeMs = performance.now() - t0;
  log(`written in ${(writeMs / 1e3).toFixed(1)} s; starting DuckDB-WASM…`);

  const { db, worker } = await openDuckDB();
  const catalog = new LakeCatalog(data.lake);
  const engine = await DuckDBEngine.open(db, { binder: catalog.binder, worker });
  try {
    const duckdbVersion = await db.getVersion();
    t0 = performance.now();
    const n = await limit(engine.registerTable(DIRECT, data.ipc), 'registering the plain table');
    const registerDirectMs = performance.now() - t0;
    const problems: string[] = [];
    if (n !== s.rows) problems.push(`the plain table has ${n} rows, not ${s.rows}`);

    log('first query of the lake view (cold: loads the record set)…');
    t0 = performance.now();
    const first = await limit(engine.query(`SELECT count(*) AS n FROM ${LAKE_VIEW}`), 'first load');
    const coldFirstQueryMs = performance.now() - t0;
    const got = Number(rowsOf(first)[0]?.n);
    if (got !== s.rows) problems.push(`${LAKE_VIEW} has ${got} rows, not ${s.rows}`);
    log(`cold first query ${(coldFirstQueryMs / 1e3).toFixed(1)} s`);

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
        coldFirstQueryMs,
      },
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
