/**
 * The three figures of the query bench, measured in the page (bench/query/page.ts) on one
 * DuckDBEngine whose binder is a LakeCatalog over the bench lake (bench/query/data.ts):
 *
 *   1. query latency over the lake view `"big@main".t` against the same rows as a plain table;
 *   2. the first load of a branch against parquet-wasm decoding of the same fragments;
 *   3. column statistics (stats-plan.ts + stats.ts) against one SUMMARIZE.
 */
import { tableFromIPC, tableToIPC } from 'apache-arrow';
import { loadParquet } from '../../src/lib/croissant/formats/parquet.ts';
import type { DuckDBEngine } from '../../src/lib/query/duckdb-engine.ts';
import type { QueryResult } from '../../src/lib/query/engine.ts';
import { CACHE_SCHEMA } from '../../src/lib/query/lake-catalog.ts';
import { columnStats } from '../../src/lib/query/stats.ts';
import { planColumn, type ColumnPlan, type RowsOf } from '../../src/lib/query/stats-plan.ts';
import { readTables } from '../../src/lib/versions/read.ts';
import { COLUMNS, DATASET, RECORD_SET, freshBranch, type BenchData } from './data.ts';
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
  engine: DuckDBEngine;
  data: BenchData;
  s: QueryBenchSettings;
  problems: string[];
  log: (msg: string) => void;
}

const query = (c: Ctx, sql: string) =>
  withTimeout(c.engine.query(sql), c.s.stepTimeoutMs, `query ${JSON.stringify(sql)}`);

/** ms of `fn`. */
async function clock(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

const LATENCY_QUERIES: { name: string; sql: (table: string) => string }[] = [
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
    for (let i = 0; i < warmup + c.s.latencyRuns; i++) {
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

/** What the catalog's load does before DuckDB: read.ts's tables of the record set, as IPC. */
async function readAsCatalog(c: Ctx): Promise<void> {
  let n = 0;
  for await (const t of readTables(c.data.lake.chunks, c.data.manifest, 'bench')) {
    tableToIPC(t, 'stream');
    n += t.numRows;
  }
  if (n !== c.s.rows) c.problems.push(`readTables gave ${n} rows, not ${c.s.rows}`);
}

/**
 * Figure 2, `warmup + runs` rounds (warm-up rounds run the baselines only: the cold first
 * query of main already warmed the lake's path): parquet-wasm decoding of the fragments, the
 * same plus an insert into DuckDB, and the first query of a branch the catalog has not loaded.
 */
export async function firstLoad(c: Ctx): Promise<QueryBenchResults['firstLoad']> {
  const decode: number[] = [];
  const decodeInsert: number[] = [];
  const lake: number[] = [];
  const lakeLoad: number[] = [];
  const read: number[] = [];
  const limit = (p: Promise<unknown>, what: string) => withTimeout(p, c.s.stepTimeoutMs, what);
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
    decode.push(d);
    decodeInsert.push(di);
    const branch = `load${r}`;
    await freshBranch(c.data, branch);
    let result: QueryResult | undefined;
    lake.push(
      await clock(async () => {
        result = await query(c, `SELECT count(*) AS n FROM "${DATASET}@${branch}".${RECORD_SET}`);
      }),
    );
    const n = Number(rowsOf(result!)[0]?.n);
    if (n !== c.s.rows) c.problems.push(`first load of ${branch}: ${n} rows, not ${c.s.rows}`);
    const loaded = result!.loaded[0];
    if (!loaded) c.problems.push(`first load of ${branch}: the catalog loaded nothing`);
    lakeLoad.push(loaded?.ms ?? NaN);
    read.push(await clock(() => limit(readAsCatalog(c), 'read.ts readTables')));
    const f = (v: number) => `${v.toFixed(0)} ms`;
    c.log(
      `first load ${branch}: ${f(lake.at(-1)!)} (decode ${f(d)}, readTables ${f(read.at(-1)!)})`,
    );
  }
  return {
    decode: timing('decode', decode),
    decodeInsert: timing('decode + insert', decodeInsert),
    lake: timing('lake first load', lake),
    lakeLoad: timing('catalog load', lakeLoad),
    readTables: timing('readTables → IPC', read),
  };
}

/** Figure 3: the app's statistics of every column against one SUMMARIZE, alternating. */
export async function stats(c: Ctx): Promise<QueryBenchResults['stats']> {
  let queries = 0;
  /** Each query of the last run of the statistics, with its time. */
  let each: { sql: string; ms: number }[] = [];
  const rowsFn: RowsOf = async (sql) => {
    queries++;
    const t0 = performance.now();
    const rows = rowsOf(await query(c, sql));
    each.push({ sql, ms: performance.now() - t0 });
    return rows;
  };
  const names = COLUMNS.map((col) => col.name);
  const summarizeSql = `SUMMARIZE SELECT ${names.map((n) => `"${n}"`).join(', ')} FROM ${LAKE_VIEW}`;
  const all: number[] = [];
  const plan: number[] = [];
  const stat: number[] = [];
  const summarize: number[] = [];
  const kinds: Record<string, string> = {};
  for (let r = 0; r < c.s.warmup + c.s.runs; r++) {
    const timed = r >= c.s.warmup;
    const runStats = async () => {
      queries = 0;
      each = [];
      const t0 = performance.now();
      const plans: ColumnPlan[] = [];
      for (const col of COLUMNS) plans.push(...(await planColumn(rowsFn, LAKE_VIEW, col)));
      const t1 = performance.now();
      for (const p of plans) {
        const st = await columnStats(rowsFn, LAKE_VIEW, p, '');
        kinds[p.column] = p.kind;
        if (st.rows !== c.s.rows || st.nulls !== 0) {
          c.problems.push(`stats of ${p.column}: ${st.rows} rows, ${st.nulls} nulls`);
        }
      }
      const t2 = performance.now();
      if (timed) {
        all.push(t2 - t0);
        plan.push(t1 - t0);
        stat.push(t2 - t1);
      }
    };
    const runSummarize = async () => {
      let result: QueryResult | undefined;
      const ms = await clock(async () => (result = await query(c, summarizeSql)));
      if (result!.rows !== names.length) {
        c.problems.push(`SUMMARIZE gave ${result!.rows} rows, not ${names.length}`);
      }
      if (timed) summarize.push(ms);
    };
    if (r % 2) await runSummarize().then(runStats);
    else await runStats().then(runSummarize);
  }
  c.log(`stats: ${median(all).toFixed(0)} ms, SUMMARIZE ${median(summarize).toFixed(0)} ms`);
  return {
    columns: names,
    kinds,
    queries,
    slowest: [...each].sort((a, b) => b.ms - a.ms).slice(0, 4),
    all: timing('stats, all columns', all),
    plan: timing('plan', plan),
    stats: timing('stats', stat),
    summarize: timing('SUMMARIZE', summarize),
  };
}
