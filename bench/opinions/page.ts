/**
 * The opinions bench page (bench/opinions/page.html), driven by bench/opinions.ts in headless
 * Chromium: the generated fragments (bench/opinions/gen.ts) fetched and committed as the
 * `opinions` record set of a memory lake, DuckDB-WASM opened as the app's query worker opens it
 * (its own worker, locked down by DuckDBEngine, a LakeCatalog as binder), then the first load
 * and each plan (plans.ts) timed; progress as `[bench] …` console lines, results in
 * `window.__bench`.
 */
import coiWasm from '@duckdb/duckdb-wasm/dist/duckdb-coi.wasm?url';
import coiWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-coi.worker.js?url';
import coiPthreadWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-coi.pthread.worker.js?url';
import { tableFromIPC } from 'apache-arrow';
import { ruleSpec, runRule } from '../../src/lib/opinions/consolidate.ts';
import { OPINION_COLUMNS, OPINIONS_RS } from '../../src/lib/opinions/model.ts';
import { DuckDBEngine } from '../../src/lib/query/duckdb-engine.ts';
import { LakeCatalog } from '../../src/lib/query/lake-catalog.ts';
import { lakeSqlName } from '../../src/lib/query/lake-names.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { putChunk } from '../../src/lib/versions/chunks.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { openDuckDB } from '../../workers/api/query-duckdb.ts';
import { QUESTION } from './gen-shared.ts';
import type { OpinionsManifest } from './gen.ts';
import { plans } from './plans.ts';
import type { OpinionsPageResults, OpinionsPageSettings, PlanTiming } from './types.ts';

/** Where bench/browser.ts looks for the outcome (a plain property: other pages type it too). */
const post = (v: { ok: true; results: OpinionsPageResults } | { ok: false; error: string }) => {
  (window as { __bench?: unknown }).__bench = v;
};

const log = (msg: string) => console.log(`[bench] ${msg}`);
const DATASET = 'ops';

function settings(): OpinionsPageSettings {
  const p = new URLSearchParams(location.search);
  const int = (name: string, def: number) => {
    const v = Number(p.get(name) ?? def);
    if (!Number.isInteger(v) || v < 0) throw new Error(`bad ${name}: ${p.get(name)}`);
    return v;
  };
  return {
    data: p.get('data') ?? '',
    runs: int('runs', 3),
    warmup: int('warmup', 1),
    stepTimeoutMs: int('stepTimeoutMs', 600_000),
    ab: int('ab', 0),
  };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

/** A memory lake whose `main` holds the fragments as the `opinions` record set. */
async function buildLake(s: OpinionsPageSettings, m: OpinionsManifest) {
  const lake = await Lake.open(memoryBackend());
  await lake.backend.refs.cas(`dataset/${DATASET}`, 0, {
    id: DATASET,
    name: DATASET,
    source: 'bench',
    createdAt: new Date(0).toISOString(),
    rawBytes: 0,
  });
  for (const [i, f] of m.fragments.entries()) {
    const hash = await putChunk(lake.chunks, await fetchBytes(`${s.data}/${f.chunk}.parquet`));
    if (hash !== f.chunk) throw new Error(`fragment ${i}: sha256 ${hash}, not ${f.chunk}`);
    if ((i + 1) % 40 === 0) log(`${i + 1} of ${m.fragments.length} fragments fetched`);
  }
  const { hash } = await lake.commit(
    DATASET,
    'main',
    () =>
      Promise.resolve({
        message: 'bench opinions',
        lineage: { op: 'commit', params: {} },
        document: null,
        objects: null,
        recordSets: {
          [OPINIONS_RS]: {
            name: OPINIONS_RS,
            columns: [...OPINION_COLUMNS],
            rows: m.opinions,
            fragments: m.fragments,
          },
        },
      }),
    { create: { protected: false } },
  );
  return { lake, commit: hash };
}

const one = (ipc: Uint8Array) => {
  const row = tableFromIPC(ipc).get(0)?.toJSON() as Record<string, unknown> | undefined;
  return {
    n: Number(row?.n ?? NaN),
    decided: row?.decided === null || row?.decided === undefined ? null : Number(row.decided),
  };
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<OpinionsPageResults> {
  const s = settings();
  const limit = <T>(p: Promise<T>, what: string) => withTimeout(p, s.stepTimeoutMs, what);
  let t0 = performance.now();
  const m = (await (await fetch(`${s.data}/manifest.json`)).json()) as OpinionsManifest;
  log(`${m.opinions} opinions in ${m.fragments.length} fragments: fetching…`);
  const { lake, commit } = await limit(buildLake(s, m), 'fetching the fragments');
  const setupMs = performance.now() - t0;
  const catalog = new LakeCatalog(lake);
  const { db, worker, build, threads } = await openDuckDB();
  const engine = await DuckDBEngine.open(db, { binder: catalog.binder, worker });
  // The A/B: the threaded build beside it, with its own catalog (a catalog tracks one engine).
  let other: { engine: DuckDBEngine; build: string; threads: number } | null = null;
  if (s.ab) {
    const coi = { mainModule: coiWasm, mainWorker: coiWorker, pthreadWorker: coiPthreadWorker };
    const o = await openDuckDB({ coi });
    const binder = new LakeCatalog(lake).binder;
    const engine = await DuckDBEngine.open(o.db, { binder, worker: o.worker });
    other = { engine, build: o.build, threads: o.threads };
  }
  try {
    const duckdbVersion = await db.getVersion();
    const from = lakeSqlName(DATASET, commit, OPINIONS_RS);
    log('first load…');
    t0 = performance.now();
    const counted = one(
      (await limit(engine.query(`SELECT count(*) AS n FROM ${from}`), 'load')).ipc,
    );
    const loadMs = performance.now() - t0;
    if (counted.n !== m.opinions)
      throw new Error(`loaded ${counted.n} opinions, not ${m.opinions}`);
    let otherLoadMs = 0;
    if (other) {
      log(`first load, ${other.build} build…`);
      t0 = performance.now();
      const n = one(
        (await limit(other.engine.query(`SELECT count(*) AS n FROM ${from}`), 'load')).ipc,
      );
      otherLoadMs = performance.now() - t0;
      if (n.n !== m.opinions) throw new Error(`loaded ${n.n} opinions, not ${m.opinions}`);
    }
    // What DuckDB holds once the opinions are loaded (its buffer manager's count, every tag).
    const held = tableFromIPC(
      (await engine.query('SELECT sum(memory_usage_bytes) AS n FROM duckdb_memory()')).ipc,
    );
    const loadedBytes = Number(held.get(0)?.toJSON().n ?? NaN);
    const target = { dataset: DATASET, commit, question: QUESTION };
    const timings: PlanTiming[] = [];
    const otherTimings: PlanTiming[] = [];
    for (const p of plans(target)) {
      const all: number[] = [];
      const allOther: number[] = [];
      let got = { n: NaN, decided: null as number | null };
      let gotOther = got;
      for (let r = 0; r < s.warmup + s.runs; r++) {
        t0 = performance.now();
        got = one((await limit(engine.query(p.sql), p.name)).ipc);
        if (r >= s.warmup) all.push(performance.now() - t0);
        if (!other) continue;
        t0 = performance.now();
        gotOther = one((await limit(other.engine.query(p.sql), p.name)).ipc);
        if (r >= s.warmup) allOther.push(performance.now() - t0);
      }
      log(`${p.name}: ${median(all).toFixed(0)} ms`);
      timings.push({ name: p.name, medianMs: median(all), allMs: all, ...got });
      if (other) {
        log(`${p.name}, ${other.build} build: ${median(allOther).toFixed(0)} ms`);
        otherTimings.push({
          name: p.name,
          medianMs: median(allOther),
          allMs: allOther,
          ...gotOther,
        });
      }
    }
    t0 = performance.now();
    await limit(runRule(engine, target, ruleSpec('latest-leaf')), 'runRule');
    const runRuleMs = performance.now() - t0;
    const mem = (performance as { memory?: { usedJSHeapSize: number } }).memory;
    return {
      env: {
        userAgent: navigator.userAgent,
        crossOriginIsolated: self.crossOriginIsolated,
        duckdbVersion,
        duckdbBuild: build,
        duckdbThreads: threads,
      },
      setupMs,
      loadMs,
      plans: timings,
      other: other
        ? { build: other.build, threads: other.threads, loadMs: otherLoadMs, plans: otherTimings }
        : null,
      runRuleMs,
      pageHeapBytes: mem ? mem.usedJSHeapSize : null,
      loadedBytes,
    };
  } finally {
    await engine.close();
    await other?.engine.close();
  }
}

main().then(
  (results) => post({ ok: true, results }),
  (e: unknown) => {
    const error = e instanceof Error ? (e.stack ?? e.message) : String(e);
    console.error(error);
    post({ ok: false, error });
  },
);
