/**
 * Running a bench page in headless Chromium (Debian's, scripts/chromium.ts) on a Vite dev server
 * with the project's vite.config.ts, so the page is built and cross-origin isolated as the app
 * is: real workers, real OPFS and IndexedDB. The page reads its settings from its query string,
 * prints `[bench] …` progress lines on the console and posts `{ok, results}` or `{ok: false,
 * error}` as `window.__bench`. Every step has a time limit; the browser and the server are
 * closed in every case. (bench/query.ts has its own copy of this, written first.)
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { createLogger, createServer, type ViteDevServer } from 'vite';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../scripts/chromium.ts';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');

/** What a bench page posts as `window.__bench`. */
export type PagePost<R> = { ok: true; results: R } | { ok: false; error: string };

/** `p`, or a rejection naming `what` after `s` seconds. */
export async function limit<T>(p: Promise<T>, s: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer after ${s} s`)), s * 1e3);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

async function startServer(page: string): Promise<{ server: ViteDevServer; url: string }> {
  const logger = createLogger('warn');
  const [warn, warnOnce] = [logger.warn.bind(logger), logger.warnOnce.bind(logger)];
  // duckdb-wasm's worker has source maps pointing outside its package: one warning per file.
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
    optimizeDeps: { entries: [page] },
  });
  await server.listen();
  const address = server.httpServer?.address() as AddressInfo | null;
  if (!address || typeof address !== 'object') {
    await server.close();
    throw new Error('the Vite dev server reported no listening address');
  }
  return { server, url: `http://127.0.0.1:${address.port}` };
}

/**
 * Opens `page` (a path from the repository root, e.g. `bench/loader/page.html`) with `settings`
 * as its query string and waits up to `timeoutS` for its results. Lines the page logs as
 * `[bench] …` go to `log`. A fresh browser profile each time (deleted afterwards), so OPFS and
 * IndexedDB start empty.
 */
export async function runBenchPage<R, I = undefined>(
  page: string,
  settings: Record<string, string | number | boolean>,
  opts: {
    timeoutS: number;
    log: (line: string) => void;
    /** Runs once the page posted its results, before Chromium closes (its profile folder). */
    inspect?: (profile: string) => I;
  },
): Promise<{ results: R; chromium: string; inspected?: I }> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `${CHROMIUM_PATH} not found: install it with node scripts/ensure-deps.mjs --browser`,
    );
  }
  let server: ViteDevServer | undefined;
  let context: BrowserContext | undefined;
  const profile = mkdtempSync(join(os.tmpdir(), 'croissant-lake-bench-profile-'));
  try {
    const started = await limit(startServer(page), 120, 'starting the Vite dev server');
    server = started.server;
    // A persistent profile on disk, not an incognito context: OPFS is then on disk, as users
    // have it (an incognito context keeps it in memory).
    context = await limit(
      chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM_PATH,
        headless: true,
        args: [...CHROMIUM_ARGS],
        timeout: 60_000,
        serviceWorkers: 'block',
      }),
      90,
      'launching Chromium',
    );
    const tab = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    tab.on('console', (m) => {
      if (m.text().startsWith('[bench] ')) opts.log(m.text().slice(8));
      else if (m.type() === 'error') errors.push(m.text());
    });
    tab.on('pageerror', (e) => errors.push(e.stack ?? e.message));
    const q = new URLSearchParams(Object.entries(settings).map(([k, v]) => [k, String(v)]));
    await tab.goto(`${started.url}/${page}?${q}`, { timeout: 120_000, waitUntil: 'load' });
    try {
      await tab.waitForFunction(
        () => (window as { __bench?: unknown }).__bench !== undefined,
        null,
        {
          timeout: opts.timeoutS * 1e3,
          polling: 500,
        },
      );
    } catch (e) {
      const seen = errors.length ? `\npage errors:\n${errors.join('\n')}` : '';
      throw new Error(`${page} did not finish within ${opts.timeoutS} s: ${String(e)}${seen}`, {
        cause: e,
      });
    }
    const post = (await tab.evaluate(
      () => (window as { __bench?: unknown }).__bench,
    )) as PagePost<R>;
    if (!post.ok) throw new Error(`${page} failed: ${post.error}`);
    const version = await tab.evaluate(() => navigator.userAgent.match(/Chrome\/([\d.]+)/)?.[1]);
    const inspected = opts.inspect?.(profile);
    return {
      results: post.results,
      chromium: version ?? 'unknown',
      ...(inspected === undefined ? {} : { inspected }),
    };
  } finally {
    await limit(context?.close() ?? Promise.resolve(), 30, 'closing Chromium').catch(
      () => undefined,
    );
    await limit(server?.close() ?? Promise.resolve(), 30, 'closing Vite').catch(() => undefined);
    rmSync(profile, { recursive: true, force: true });
  }
}
