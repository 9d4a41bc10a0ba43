/**
 * Offline (issue 4 §5, issue 12 §6): the built app is a PWA. After a first visit online, its
 * service worker has precached the app shell, every worker and the wasm the app runs on, but not
 * the example datasets' files (each is cached when first opened) nor DuckDB's MVP build. Then,
 * with the network off *and* the server stopped, a reload still gives the app, cross-origin
 * isolated (COOP/COEP come back from the cache with the responses), the lake saved in OPFS with
 * its rows, SQL and column statistics in the Query view (DuckDB-WASM from the precache), and the
 * Titanic example, opened once online, opens again and generates its records.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Page, Response } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, screenshot, watchPage } from './harness.ts';
import {
  FIRST_PASSENGER,
  WAIT,
  catalogIds,
  openTitanic,
  saveToLake,
  showLake,
  showRecordSet,
  useOfflineVisit,
  waitForText,
  waitForController,
} from './lake-helpers.ts';

const DIST = path.join(REPO_ROOT, 'dist');

/** Every file under dir, as paths relative to it with `/` separators. */
async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix + entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(path.join(dir, entry.name), `${rel}/`)));
    else out.push(rel);
  }
  return out;
}

/**
 * The files the service worker should precache, by the rule written here: everything the build
 * made except the service worker itself, the example datasets' own files (examples/<id>/…) and
 * DuckDB-WASM's MVP build (a fallback no browser with OPFS access loads).
 */
function precacheRule(files: string[]): string[] {
  return files
    .filter((f) => f !== 'sw.js' && !/^workbox-[\w-]+\.js$/.test(f))
    .filter((f) => !/^examples\/[^/]+\//.test(f))
    .filter((f) => !/^assets\/duckdb-mvp-[\w-]+\.wasm$/.test(f))
    .sort();
}

/**
 * The paths (without the origin and workbox's revision query) held by the page's caches whose
 * name contains `cacheName` (workbox's precache is `workbox-precache-v2-…`).
 */
function cachedPaths(page: Page, cacheName: string): Promise<string[]> {
  return page.evaluate(async (part) => {
    const paths: string[] = [];
    for (const name of await caches.keys()) {
      if (!name.includes(part)) continue;
      const cache = await caches.open(name);
      for (const request of await cache.keys()) paths.push(new URL(request.url).pathname.slice(1));
    }
    return paths.sort();
  }, cacheName);
}

describe('offline: the app as a PWA', () => {
  const visit = useOfflineVisit('offline-e2e-');

  it('the built service worker is bundled with workbox and loads nothing remote', async () => {
    const files = await listFiles(DIST);
    expect(files).toContain('sw.js');
    expect(files).toContain('manifest.webmanifest');
    // Workbox is bundled next to sw.js, never fetched from a CDN.
    for (const file of files.filter((f) => /^(sw|workbox-[\w-]+)\.js$/.test(f))) {
      const code = await readFile(path.join(DIST, file), 'utf8');
      expect(code, file).not.toMatch(/importScripts\(\s*["'`]https?:/);
      expect(code, file).not.toMatch(/\b(?:from|import\()\s*["'`]https?:/);
      expect(code, file).not.toContain('storage.googleapis.com');
    }
    const manifest = JSON.parse(await readFile(path.join(DIST, 'manifest.webmanifest'), 'utf8'));
    expect(manifest.name).toBe('croissant-lake');
    for (const icon of manifest.icons as { src: string }[]) expect(files).toContain(icon.src);
  });

  it('after a first visit, opens offline with the server stopped: isolated, lake and examples', async () => {
    const url = visit.url();
    const browser = await visit.launch();
    const page = await browser.newPage();
    const watch = watchPage(page);

    // First visit, online: the service worker installs (precaching everything) and takes over.
    await page.goto(url);
    await waitForController(page);
    await page.reload();
    await waitForController(page);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);

    // The precache holds the shell, each worker, each wasm the app runs on, the icons and the
    // examples' list and licences: not the examples' files, not DuckDB's MVP build.
    const built = await listFiles(DIST);
    const expected = precacheRule(built);
    expect(expected.some((f) => f.endsWith('.wasm'))).toBe(true);
    expect(expected).toContain('examples/index.json');
    expect(await cachedPaths(page, 'precache')).toEqual(expected);
    let precacheBytes = 0;
    for (const f of expected) precacheBytes += (await stat(path.join(DIST, f))).size;
    let builtBytes = 0;
    for (const f of built) builtBytes += (await stat(path.join(DIST, f))).size;
    console.log(
      `offline e2e: precache ${expected.length} of ${built.length} files, ` +
        `${(precacheBytes / 2 ** 20).toFixed(1)} of ${(builtBytes / 2 ** 20).toFixed(1)} MiB`,
    );
    // No example has been opened yet, so none of their files is cached.
    expect(await cachedPaths(page, 'croissant-lake-examples')).toEqual([]);

    await openTitanic(page);
    expect(await saveToLake(page)).toBe('saved');
    await showLake(page);
    expect(await catalogIds(page)).toEqual(['titanic']);
    // Opening Titanic cached its files (and only its files) for offline use.
    const titanicFiles = built.filter((f) => f.startsWith('examples/titanic/'));
    const exampleCache = await cachedPaths(page, 'croissant-lake-examples');
    expect(exampleCache.length).toBeGreaterThan(0);
    for (const f of exampleCache) expect(titanicFiles).toContain(f);

    // Network off, and the server gone: nothing can come from anywhere but the service worker.
    await visit.stopServer();
    await browser.context.setOffline(true);
    const responses: Response[] = [];
    const failed: string[] = [];
    page.on('response', (r) => responses.push(r));
    page.on('requestfailed', (r) => failed.push(`${r.url()} ${r.failure()?.errorText ?? ''}`));
    watch.errors.length = 0;

    const shell = await page.reload();
    expect(shell?.status()).toBe(200);
    expect(shell?.fromServiceWorker()).toBe(true);
    // The cached responses carry the server's isolation headers, so isolation survives.
    expect(shell?.headers()['cross-origin-opener-policy']).toBe('same-origin');
    expect(shell?.headers()['cross-origin-embedder-policy']).toBe('require-corp');
    expect(await page.evaluate(() => navigator.onLine)).toBe(false);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(await page.evaluate(() => typeof SharedArrayBuffer)).toBe('function');
    expect(await page.title()).toBe('croissant-lake');

    // The lake, read from OPFS and IndexedDB by the lake worker (itself served from the cache).
    await showLake(page);
    expect(await catalogIds(page)).toEqual(['titanic']);
    await page.locator('tr[data-dataset="titanic"] [data-testid="select-dataset"]').click();
    await page.locator('[data-testid="lake-dataset"][data-dataset="titanic"]').waitFor({
      timeout: WAIT,
    });
    await page.locator('[data-ref="main"][data-protected="true"]').waitFor({ timeout: WAIT });
    await showRecordSet(page, 'passengers');
    await waitForText(page, '[data-testid="lake-rows"] .records-table', FIRST_PASSENGER);
    await screenshot(page, 'offline-lake');

    // SQL offline, in the Query view: the query worker and DuckDB-WASM (its wasm precached)
    // load the record set from the lake and run the query; the charts are computed too.
    await page.locator('[data-testid="tab-query"]').click();
    await page.locator('[data-testid="result-grid"][data-rows="1309"]').waitFor({ timeout: WAIT });
    await page
      .locator('[data-testid="column-card"][data-column="age"][data-status="ready"]')
      .waitFor({ timeout: WAIT });
    await screenshot(page, 'offline-query');

    // The example opened before opens offline: its metadata and CSV from the examples' cache.
    await openTitanic(page);
    await waitForText(page, '[data-record-set="passengers"] .records-table', FIRST_PASSENGER);
    await page.locator('[data-testid="progress"]').waitFor({ state: 'detached', timeout: WAIT });
    await screenshot(page, 'offline-example');

    expect(failed).toEqual([]);
    const fromNetwork = responses
      .filter((r) => !r.url().startsWith('data:') && !r.url().startsWith('blob:'))
      .filter((r) => !r.fromServiceWorker())
      .map((r) => r.url());
    expect(fromNetwork).toEqual([]);
    expect(responses.length).toBeGreaterThan(3);
    expect(watch.errors).toEqual([]);
  });
});
