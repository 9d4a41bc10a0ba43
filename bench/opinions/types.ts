/** What the opinions bench page takes (its query string) and posts (window.__bench). */

export interface OpinionsPageSettings {
  /** The data folder, as a path from the server root (`/bench/out/opinions-N`). */
  data: string;
  runs: number;
  warmup: number;
  stepTimeoutMs: number;
  /** Also time each plan in DuckDB-WASM's threaded (COI) build, run by run in turn (1) or not (0). */
  ab: number;
}

/** One plan's times (ms) and what it returned. */
export interface PlanTiming {
  name: string;
  medianMs: number;
  allMs: number[];
  n: number;
  decided: number | null;
}

export interface OpinionsPageResults {
  env: {
    userAgent: string;
    crossOriginIsolated: boolean;
    duckdbVersion: string;
    /** Which DuckDB-WASM build ran (workers/api/query-duckdb.ts) and its threads. */
    duckdbBuild: string;
    duckdbThreads: number;
  };
  /** Fetching the files and committing them to a memory lake (not timed against native). */
  setupMs: number;
  /** First query: the lake's fragments loaded into DuckDB-WASM (Parquet decoded by parquet-wasm). */
  loadMs: number;
  plans: PlanTiming[];
  /** With `ab`: the threaded build's load and plans, timed in the same page, turn about. */
  other: { build: string; threads: number; loadMs: number; plans: PlanTiming[] } | null;
  /** latest-leaf as the Labels tab runs it (runRule: result to the page, registered back). */
  runRuleMs: number;
  /** The page's JS heap after the plans (Chrome's performance.memory), or null. */
  pageHeapBytes: number | null;
  /** DuckDB-WASM's memory once the opinions are loaded (`duckdb_memory()`, every tag). */
  loadedBytes: number;
}
