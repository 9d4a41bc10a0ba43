/**
 * What the query bench page (bench/query/page.ts, in Chromium) is asked to do and what it posts
 * back to bench/query.ts (as `window.__bench`). Plain JSON both ways; times in milliseconds.
 */

/** How many times the latency runs count(*) runs: its median moves less (figures.ts). */
export const COUNT_REPEAT = 8;

/** The page's settings, passed in its URL's query string. */
export interface QueryBenchSettings {
  /** Rows of the record set `"big@main".t`. */
  rows: number;
  /** Timed runs of each latency query (figure 1). */
  latencyRuns: number;
  /** Timed runs of the first load and of the statistics (figures 2 and 3). */
  runs: number;
  warmup: number;
  /** Per measurement (one query, one load): longer counts as a failure. */
  stepTimeoutMs: number;
  /** 1: also time read.ts's `readTables`, the load path before lake-load.ts (slow; not quick). */
  oldPath: number;
  /**
   * 1 (the default since 2026-12-07): the lake the app opens, chunks in OPFS and refs in
   * IndexedDB (openBrowserBackend); 0: a memory lake (`--query-memory-lake`; every figure before).
   */
  realLake: number;
}

/** Repeated timings of one thing. */
export interface Timing {
  name: string;
  ms: number[];
  medianMs: number;
}

export interface LatencyFigure {
  /** The query's SQL over the lake view and over the plain table. */
  lakeSql: string;
  directSql: string;
  name: string;
  lake: Timing;
  direct: Timing;
  /** The catalog's cache table behind the view, named directly: no binder, no view. */
  cache: Timing;
  /** Rows the query gives back (equal on both sides, else a check fails). */
  resultRows: number;
}

export interface QueryBenchResults {
  settings: QueryBenchSettings;
  env: {
    userAgent: string;
    crossOriginIsolated: boolean;
    hardwareConcurrency: number;
    duckdbVersion: string;
  };
  setup: {
    /** Writing the record set: rows, writeRows (Parquet, sha256, chunk store), the commit. */
    writeMs: number;
    /** Registering the same rows (Arrow IPC of the same Arrow tables) as a plain table. */
    registerDirectMs: number;
    fragments: number;
    parquetBytes: number;
  };
  /**
   * Figure 0, the Query view's cold start, once, from nothing: DuckDB-WASM starting (the
   * baseline), the schema (`describe`, from the commit manifests) answered meanwhile, and the
   * first rows of `"big@main".t` (DuckDB up, the record set loaded, the query run). Times from
   * the start.
   */
  coldStart: {
    duckdbMs: number;
    describeMs: number;
    firstRowsMs: number;
  };
  latency: LatencyFigure[];
  firstLoad: {
    /** parquet-wasm `readParquet` of every fragment's chunk → Arrow IPC (the baseline). */
    decode: Timing;
    /** The same, each IPC stream then inserted into DuckDB as one table (informational). */
    decodeInsert: Timing;
    /** The first query of a new branch: the catalog loads the record set, then count(*). */
    lake: Timing;
    /** Of that, the load as the catalog reports it (`LoadedTable.ms`). */
    lakeLoad: Timing;
    /** The same for a branch whose every fragment has a tenth of its rows deleted. */
    filtered: Timing;
    /** read.ts `readTables` → Arrow IPC, no DuckDB: the former load path (full mode only). */
    readTables?: Timing;
  };
  stats: {
    columns: string[];
    /** Chart kinds stats-plan.ts chose, by column. */
    kinds: Record<string, string>;
    /** The charts in the panel's order (stats-order.ts). */
    order: string[];
    queries: number;
    /** The slowest queries of the last run, with their times. */
    slowest: { sql: string; ms: number }[];
    /** stats-plan.ts + stats.ts over every column (two plan queries, one for every chart). */
    all: Timing;
    plan: Timing;
    stats: Timing;
    /** `SUMMARIZE` of the same columns of the same view (the baseline). */
    summarize: Timing;
  };
  /** Failed sanity checks (row counts, results that differ between lake and direct). */
  problems: string[];
}

/** What the page posts: its results, or why it could not finish. */
export type PagePost = { ok: true; results: QueryBenchResults } | { ok: false; error: string };
