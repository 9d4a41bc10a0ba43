/**
 * The query benchmark group (`npm run bench -- --only query`; see bench/README.md, "Query").
 * It runs in headless Chromium (Debian's, scripts/chromium.ts) on a Vite dev server with the
 * project's vite.config.ts: bench/query/page.ts writes an N-row record set into a memory lake,
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
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { createLogger, createServer, type ViteDevServer } from 'vite';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../scripts/chromium.ts';
import { parseIntFlag } from './generate.ts';
import { fmtInt } from './measure.ts';
import { report } from './query/report.ts';
import { COUNT_REPEAT } from './query/types.ts';
import type { PagePost, QueryBenchResults, QueryBenchSettings } from './query/types.ts';

export const DEFAULT_QUERY_ROWS = 1_000_000;
export const DEFAULT_LATENCY_RUNS = 25;
/** The whole page (all three figures) may take this long (`--query-timeout` seconds). */
export const DEFAULT_PAGE_TIMEOUT_S = 600;
/** Quick mode: rows (two fragments), latency runs. */
export const QUICK_ROWS = 100_000;
export const QUICK_LATENCY_RUNS = 3;
const ROOT = join(fileURLToPath(import.meta.url), '..', '..');

const out = (s: string) => process.stdout.write(s);

/** `p`, or a rejection naming `what` after `s` seconds. */
async function limit<T>(p: Promise<T>, s: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer after ${s} s`)), s * 1e3);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

async function startServer(): Promise<{ server: ViteDevServer; url: string }> {
  // duckdb-wasm's worker has source maps pointing outside its package: one warning per file.
  const logger = createLogger('warn');
  const [warn, warnOnce] = [logger.warn.bind(logger), logger.warnOnce.bind(logger)];
  const noise = (msg: string) => msg.includes('outside its package');
  logger.warn = (msg, opts) => void (noise(msg) || warn(msg, opts));
  logger.warnOnce = (msg, opts) => void (noise(msg) || warnOnce(msg, opts));
  const server = await createServer({
    root: ROOT,
    configFile: join(ROOT, 'vite.config.ts'),
    customLogger: logger,
    clearScreen: false,
    // No file watching and no HMR: an edit elsewhere in the repository must not reload the page.
    server: { host: '127.0.0.1', port: 0, strictPort: true, hmr: false, watch: null },
    // Pre-bundle the page's dependencies at start, not on first request (no reload mid-run).
    optimizeDeps: { entries: ['bench/query/page.html'] },
  });
  await server.listen();
  const address = server.httpServer?.address() as AddressInfo | null;
  if (!address || typeof address !== 'object') {
    await server.close();
    throw new Error('the Vite dev server reported no listening address');
  }
  return { server, url: `http://127.0.0.1:${address.port}` };
}

/** Opens the bench page in Chromium and waits for what it posts. */
async function runPage(
  url: string,
  settings: QueryBenchSettings,
  timeoutS: number,
  onBrowser: (b: Browser) => void,
): Promise<{ results: QueryBenchResults; chromium: string }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS],
    timeout: 60_000,
  });
  onBrowser(browser);
  const context = await browser.newContext({ serviceWorkers: 'block' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.text().startsWith('[bench] ')) out(`  ${m.text().slice(8)}\n`);
    else if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.stack ?? e.message));
  const q = new URLSearchParams(Object.entries(settings).map(([k, v]) => [k, String(v)]));
  await page.goto(`${url}/bench/query/page.html?${q}`, { timeout: 120_000, waitUntil: 'load' });
  try {
    await page.waitForFunction(
      () => (window as { __bench?: unknown }).__bench !== undefined,
      null,
      {
        timeout: timeoutS * 1e3,
        polling: 500,
      },
    );
  } catch (e) {
    const seen = errors.length ? `\npage errors:\n${errors.join('\n')}` : '';
    throw new Error(`the bench page did not finish within ${timeoutS} s: ${String(e)}${seen}`, {
      cause: e,
    });
  }
  const post = (await page.evaluate(() => (window as { __bench?: unknown }).__bench)) as PagePost;
  if (!post.ok) throw new Error(`the bench page failed: ${post.error}`);
  return { results: post.results, chromium: browser.version() };
}

/** Runs the group, prints its tables; returns what goes into results.json and whether it failed. */
export async function runQuery(
  settings: QueryBenchSettings,
  timeoutS = DEFAULT_PAGE_TIMEOUT_S,
): Promise<{ json: unknown; failed: boolean }> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `${CHROMIUM_PATH} not found: install it with node scripts/ensure-deps.mjs --browser`,
    );
  }
  console.log(
    `query: headless Chromium (${CHROMIUM_PATH}) on a Vite dev server; ${fmtInt(settings.rows)} rows ` +
      `in ${settings.realLake ? 'the browser lake (OPFS, IndexedDB)' : 'a memory lake'}, ` +
      `latency median of ${settings.latencyRuns} (count(*) ${settings.latencyRuns * COUNT_REPEAT}), load and stats median of ${settings.runs} after ${settings.warmup} warm-up`,
  );
  let server: ViteDevServer | undefined;
  let browser: Browser | undefined;
  try {
    out('• starting the Vite dev server… ');
    const started = await limit(startServer(), 120, 'starting the Vite dev server');
    server = started.server;
    out(`${started.url}\n• running the page…\n`);
    const { results, chromium: version } = await limit(
      runPage(started.url, settings, timeoutS, (b) => (browser = b)),
      timeoutS + 300,
      'the bench page',
    );
    console.log(
      `  Chromium ${version}, DuckDB ${results.env.duckdbVersion}, crossOriginIsolated ` +
        `${results.env.crossOriginIsolated}, ${results.env.hardwareConcurrency} hardware threads`,
    );
    report(results);
    return { json: { chromium: version, ...results }, failed: results.problems.length > 0 };
  } finally {
    await limit(browser?.close() ?? Promise.resolve(), 30, 'closing Chromium').catch(
      () => undefined,
    );
    await limit(server?.close() ?? Promise.resolve(), 30, 'closing Vite').catch(() => undefined);
  }
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
