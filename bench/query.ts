/**
 * The query benchmark group (`npm run bench -- --only query`; see bench/README.md, "Query").
 * It runs in headless Chromium (Debian's, scripts/chromium.ts) on a Vite dev server with the
 * project's vite.config.ts, in a fresh profile on disk (bench/browser.ts): bench/query/page.ts
 * writes an N-row record set into the browser lake (`--query-memory-lake`: a memory lake),
 * opens DuckDB-WASM as the app does and measures, against baselines of the same run:
 *
 *   0. the cold start: the schema from the manifests, and the first rows, against DuckDB's start;
 *   1. query latency over a branch (lake view) against the same rows as a plain DuckDB table;
 *   2. the first load of a branch against parquet-wasm decoding plus DuckDB insert of the same
 *      fragments;
 *   3. statistics of every column (stats-plan.ts + stats.ts) against one SUMMARIZE.
 *
 * `--quick` runs every figure on a small record set, once, for the smoke test
 * (test/e2e/bench-query.e2e.ts) that keeps the group from rotting.
 *
 * Everything has a time limit (server start, Chromium launch, page load, each step in the page,
 * the whole page); the browser and the server are closed at the end in every case.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_PATH } from '../scripts/chromium.ts';
import { runBenchPage } from './browser.ts';
import { parseIntFlag } from './generate.ts';
import { fmtInt } from './measure.ts';
import { report } from './query/report.ts';
import { COUNT_REPEAT } from './query/types.ts';
import type { QueryBenchResults, QueryBenchSettings } from './query/types.ts';

export const DEFAULT_QUERY_ROWS = 1_000_000;
export const DEFAULT_LATENCY_RUNS = 25;
/** The whole page (all three figures) may take this long (`--query-timeout` seconds). */
export const DEFAULT_PAGE_TIMEOUT_S = 600;
/** Quick mode: rows (two fragments), latency runs. */
export const QUICK_ROWS = 100_000;
export const QUICK_LATENCY_RUNS = 3;

/** Runs the group, prints its tables; returns what goes into results.json and whether it failed. */
export async function runQuery(
  settings: QueryBenchSettings,
  timeoutS = DEFAULT_PAGE_TIMEOUT_S,
): Promise<{ json: unknown; failed: boolean }> {
  console.log(
    `query: headless Chromium (${CHROMIUM_PATH}) on a Vite dev server; ${fmtInt(settings.rows)} rows ` +
      `in ${settings.realLake ? 'the browser lake (OPFS, IndexedDB; a profile on disk)' : 'a memory lake'}, ` +
      `latency median of ${settings.latencyRuns} (count(*) ${settings.latencyRuns * COUNT_REPEAT}), ` +
      `load and stats median of ${settings.runs} after ${settings.warmup} warm-up`,
  );
  // A fresh profile on disk (bench/browser.ts), so the lake's OPFS and IndexedDB are on disk as
  // users have them; the page, its server and Chromium each have a time limit there.
  const { results, chromium: version } = await runBenchPage<QueryBenchResults>(
    'bench/query/page.html',
    { ...settings },
    { timeoutS, log: (line) => console.log(`  ${line}`) },
  );
  console.log(
    `  Chromium ${version}, DuckDB ${results.env.duckdbVersion}, crossOriginIsolated ` +
      `${results.env.crossOriginIsolated}, ${results.env.hardwareConcurrency} hardware threads`,
  );
  report(results);
  return { json: { chromium: version, ...results }, failed: results.problems.length > 0 };
}

/**
 * The group as bench/run.ts calls it: --query-rows, --query-runs, --query-timeout, and --quick
 * (every figure once on {@link QUICK_ROWS} rows, without the slow former-load-path row).
 */
export function runQueryFromArgv(
  argv: string[],
  common: { runs: number; warmup: number },
): Promise<{ json: unknown; failed: boolean }> {
  const quick = argv.includes('--quick');
  return runQuery(
    {
      rows: parseIntFlag(argv, '--query-rows') ?? (quick ? QUICK_ROWS : DEFAULT_QUERY_ROWS),
      latencyRuns:
        parseIntFlag(argv, '--query-runs') ?? (quick ? QUICK_LATENCY_RUNS : DEFAULT_LATENCY_RUNS),
      runs: quick ? 1 : common.runs,
      warmup: quick ? 0 : common.warmup,
      stepTimeoutMs: 180_000,
      oldPath: quick ? 0 : 1,
      realLake: argv.includes('--query-memory-lake') ? 0 : 1,
    },
    parseIntFlag(argv, '--query-timeout') ?? DEFAULT_PAGE_TIMEOUT_S,
  );
}

// `tsx bench/query.ts [--quick] [--runs N] [--warmup N] [--query-…]`: the group alone, tables on
// stdout, no results.json (the smoke test, test/e2e/bench-query.e2e.ts, runs it so).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const runs = parseIntFlag(argv, '--runs') ?? 3;
  const warmup = parseIntFlag(argv, '--warmup') ?? 1;
  runQueryFromArgv(argv, { runs, warmup }).then(
    (r) => (process.exitCode = r.failed ? 1 : 0),
    (e: unknown) => {
      console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
      process.exitCode = 2;
    },
  );
}
