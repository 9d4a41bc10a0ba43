/**
 * Figures 1 and 2 of the query bench, measured in the page (bench/query/page.ts) on the engine
 * the app runs (a DeferredEngine over a DuckDBEngine whose binder is a LakeCatalog over the bench
 * lake, bench/query/data.ts), and the helpers every figure shares:
 *
 *   1. query latency over the lake view `"big@main".t` against the same rows as a plain table;
 *   2. the first load of a branch against parquet-wasm decoding of the same fragments plus their
 *      insert into DuckDB.
 *
 * Figure 0 (cold start) is in page.ts, figure 3 (statistics) in stats-figure.ts.
 */
import { tableFromIPC, tableToIPC } from 'apache-arrow';
import { loadParquet } from '../../src/lib/croissant/formats/parquet.ts';
import type { QueryEngine, QueryOptions, QueryResult } from '../../src/lib/query/engine.ts';
import { CACHE_SCHEMA } from '../../src/lib/query/lake-catalog.ts';
import { withDeletions } from '../../src/lib/versions/fragments.ts';
import type { RecordSetManifest } from '../../src/lib/versions/manifest.ts';
import { readTables } from '../../src/lib/versions/read.ts';
import { DATASET, RECORD_SET, freshBranch, type BenchData } from './data.ts';
import { COUNT_REPEAT } from './types.ts';
import type { LatencyFigure, QueryBenchResults, QueryBenchSettings, Timing } from './types.ts';

export const LAKE_VIEW = `"${DATASET}@main".${RECORD_SET}`;
export const DIRECT = 'direct';

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
export const timing = (name: string, ms: number[]): Timing => ({ name, ms, medianMs: median(ms) });

/** `p`, or a rejection after `ms` (the work itself is not stopped: the page then gives up). */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** Result rows as plain objects (bigints kept). */
export const rowsOf = (r: QueryResult): Record<string, unknown>[] =>
  tableFromIPC(r.ipc)
    .toArray()
    .map((row: { toJSON(): Record<string, unknown> }) => row.toJSON());

/** Rows as sorted lines of text, numbers to 9 significant digits: equal results compare equal. */
function canonical(rows: Record<string, unknown>[]): string {
  const cell = (v: unknown) =>
    typeof v === 'number' ? v.toPrecision(9) : typeof v === 'bigint' ? String(v) : String(v);
  return rows
    .map((r) => Object.values(r).map(cell).join('|'))
    .sort()
    .join('\n');
}

export interface Ctx {
  engine: QueryEngine;
  data: BenchData;
  s: QueryBenchSettings;
  problems: string[];
  log: (msg: string) => void;
}

export const query = (c: Ctx, sql: string, opts: QueryOptions = {}) =>
  withTimeout(c.engine.query(sql, opts), c.s.stepTimeoutMs, `query ${JSON.stringify(sql)}`);

/** ms of `fn`. */
export async function clock(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/**
 * The latency queries. `repeat` multiplies the runs of a query that takes a few milliseconds,
 * whose median over 25 runs moved by ±0.3 ms (±10 %) from one run of the bench to the next.
 */
const LATENCY_QUERIES: { name: string; sql: (table: string) => string; repeat?: number }[] = [
  {
    name: 'GROUP BY label: count(*), avg(x)',
    sql: (t) => `SELECT label, count(*), avg(x) FROM ${t} GROUP BY label`,
  },
  {
    name: 'filter: x BETWEEN 250 AND 251 AND flag',
    sql: (t) => `SELECT * FROM ${t} WHERE x BETWEEN 250 AND 251 AND flag`,
  },
  {
    name: 'count(*): the fixed cost of a query',
    sql: (t) => `SELECT count(*) FROM ${t}`,
    repeat: COUNT_REPEAT,
  },
];

/**
 * Figure 1: each query on the lake view, on the plain table and on the catalog's cache table
 * behind the view (no binder, no view), rotating which goes first.
 */
export async function latency(c: Ctx): Promise<LatencyFigure[]> {
  const out: LatencyFigure[] = [];
  const cacheTable = `"${CACHE_SCHEMA}"."${c.data.head}/${RECORD_SET}"`;
  for (const q of LATENCY_QUERIES) {
    const sqls = [q.sql(LAKE_VIEW), q.sql(DIRECT), q.sql(cacheTable)];
    const results: string[] = [];
    let resultRows = 0;
    for (const sql of sqls) {
      const rows = rowsOf(await query(c, sql));
      results.push(canonical(rows));
      resultRows = rows.length;
    }
    if (results[0] !== results[1] || results[0] !== results[2]) {
      c.problems.push(`${q.name}: the lake view, the plain table and the cache table differ`);
    }
    const ms: number[][] = [[], [], []];
    const warmup = Math.max(2, c.s.warmup);
    for (let i = 0; i < warmup + c.s.latencyRuns * (q.repeat ?? 1); i++) {
      for (let k = 0; k < 3; k++) {
        const j = (i + k) % 3;
        const t = await clock(() => query(c, sqls[j]!));
        if (i >= warmup) ms[j]!.push(t);
      }
    }
    out.push({
      name: q.name,
      lakeSql: sqls[0]!,
      directSql: sqls[1]!,
      lake: timing('lake', ms[0]!),
      direct: timing('direct', ms[1]!),
      cache: timing('cache table', ms[2]!),
      resultRows,
    });
    const m = ms.map((x) => median(x).toFixed(1));
    c.log(`latency ${q.name}: lake ${m[0]} ms, plain ${m[1]} ms, cache table ${m[2]} ms`);
  }
  return out;
}

/** Decodes every fragment of the record set from the chunk store: one IPC stream each. */
async function decodeFragments(c: Ctx): Promise<Uint8Array[]> {
  const pq = await loadParquet();
  const out: Uint8Array[] = [];
  for (const f of c.data.manifest.fragments) {
    const bytes = await c.data.lake.chunks.get(f.chunk);
    out.push(pq.readParquet(bytes).intoIPCStream());
  }
  return out;
}

/** What the catalog's load did before lake-load.ts: read.ts's tables of the record set, as IPC. */
async function readAsCatalog(c: Ctx): Promise<void> {
  let n = 0;
  for await (const t of readTables(c.data.lake.chunks, c.data.manifest, 'bench')) {
    tableToIPC(t, 'stream');
    n += t.numRows;
  }
  if (n !== c.s.rows) c.problems.push(`readTables gave ${n} rows, not ${c.s.rows}`);
}

/** Share of each fragment's rows deleted on the filtered branches (every tenth position). */
const DELETED_EVERY = 10;

/** The record set with every tenth position of each fragment deleted, as a filter leaves it. */
async function filtered(c: Ctx): Promise<{ rs: RecordSetManifest; live: number }> {
  const fragments = [];
  let live = 0;
  for (const f of c.data.manifest.fragments) {
    const gone = Array.from(
      { length: Math.ceil(f.rows / DELETED_EVERY) },
      (_, k) => k * DELETED_EVERY,
    );
    fragments.push(await withDeletions(c.data.lake.chunks, f, gone, 'bench'));
    live += f.rows - gone.length;
  }
  return { rs: { ...c.data.manifest, rows: live, fragments }, live };
}

/** The first query of a branch the catalog has not loaded: its time and the load's. */
async function firstQuery(c: Ctx, branch: string, rows: number): Promise<[number, number]> {
  let result: QueryResult | undefined;
  const ms = await clock(async () => {
    result = await query(c, `SELECT count(*) AS n FROM "${DATASET}@${branch}".${RECORD_SET}`);
  });
  const n = Number(rowsOf(result!)[0]?.n);
  if (n !== rows) c.problems.push(`first load of ${branch}: ${n} rows, not ${rows}`);
  const loaded = result!.loaded[0];
  if (!loaded) c.problems.push(`first load of ${branch}: the catalog loaded nothing`);
  return [ms, loaded?.ms ?? NaN];
}

/**
 * Figure 2, `warmup + runs` rounds (warm-up rounds run the baselines only: the cold first
 * query of main already warmed the lake's path): parquet-wasm decoding of the fragments, the
 * same plus an insert into DuckDB (the baseline), the first query of a branch the catalog has
 * not loaded, the same for a branch with deleted rows, and (unless quick) read.ts's tables.
 */
export async function firstLoad(c: Ctx): Promise<QueryBenchResults['firstLoad']> {
  const t = {
    decode: [] as number[],
    decodeInsert: [] as number[],
    lake: [] as number[],
    lakeLoad: [] as number[],
    filtered: [] as number[],
    readTables: [] as number[],
  };
  const limit = (p: Promise<unknown>, what: string) => withTimeout(p, c.s.stepTimeoutMs, what);
  const deleted = await filtered(c);
  for (let r = 0; r < c.s.warmup + c.s.runs; r++) {
    const timed = r >= c.s.warmup;
    const d = await clock(() => limit(decodeFragments(c), 'decoding the fragments'));
    const di = await clock(() =>
      limit(
        (async () => c.engine.registerTable('pq_load', await decodeFragments(c)))(),
        'decoding and inserting the fragments',
      ),
    );
    if (!timed) continue;
    t.decode.push(d);
    t.decodeInsert.push(di);
    await freshBranch(c.data, `load${r}`);
    const [ms, loadMs] = await firstQuery(c, `load${r}`, c.s.rows);
    t.lake.push(ms);
    t.lakeLoad.push(loadMs);
    await freshBranch(c.data, `filtered${r}`, deleted.rs);
    t.filtered.push((await firstQuery(c, `filtered${r}`, deleted.live))[0]);
    const f = (v: number) => `${v.toFixed(0)} ms`;
    let old = '';
    if (c.s.oldPath) {
      t.readTables.push(await clock(() => limit(readAsCatalog(c), 'read.ts readTables')));
      old = `, read.ts ${f(t.readTables.at(-1)!)}`;
    }
    c.log(
      `first load load${r}: ${f(ms)} (decode + insert ${f(di)}, filtered ${f(t.filtered.at(-1)!)}${old})`,
    );
  }
  return {
    decode: timing('decode', t.decode),
    decodeInsert: timing('decode + insert', t.decodeInsert),
    lake: timing('lake first load', t.lake),
    lakeLoad: timing('catalog load', t.lakeLoad),
    filtered: timing('lake first load, filtered branch', t.filtered),
    ...(c.s.oldPath ? { readTables: timing('readTables → IPC', t.readTables) } : {}),
  };
}
