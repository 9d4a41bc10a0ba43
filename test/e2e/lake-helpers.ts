/**
 * Helpers of the e2e tests (lake.e2e.ts, first-screen.e2e.ts): a server that stalls downloads,
 * the steps a user takes in the UI, each waiting for its outcome, and the set-up of the tests
 * that go offline.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach, beforeEach } from 'vitest';
import { REPO_ROOT, launchBrowser, startPreview } from './harness.ts';
import type { LaunchedBrowser, Served } from './harness.ts';

/** How long a step may take. */
export const WAIT = 45_000;

/**
 * How often `page.waitForFunction` checks its condition, in ms. Playwright's default, `raf`,
 * runs it at every animation frame and keeps the page drawing frames while it waits: six times
 * the CPU of an idle page, measured (0.6–0.8 s against 0.1–0.2 s of Chromium CPU per 10 s
 * waited), taken from the app under test on a 2-core machine.
 */
export const POLL = 100;
/** The first passenger of Titanic, as every reader shows it. */
export const FIRST_PASSENGER = 'Allen, Miss. Elisabeth Walton';
/** The embedded Titanic example. */
export const TITANIC = path.join(REPO_ROOT, 'public/examples/titanic');

/**
 * A CORS server that serves titanic's metadata but stalls on its data files after a first
 * chunk, and counts stalled requests and those the browser gave up on.
 */
export async function startStallingServer(): Promise<
  Served & { stalled: number; closedEarly: number }
> {
  const metadata = await readFile(path.join(TITANIC, 'metadata.json'));
  const state = { stalled: 0, closedEarly: 0 };
  const open = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    if (req.url?.endsWith('metadata.json')) {
      res.setHeader('Content-Type', 'application/json');
      res.end(metadata);
      return;
    }
    state.stalled++;
    open.add(res);
    res.writeHead(200, { 'Content-Type': 'text/csv', 'Content-Length': '117743' });
    res.write('pclass,survived,name\n');
    res.on('close', () => {
      open.delete(res);
      if (!res.writableFinished) state.closedEarly++;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of open) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** Waits until an element matching `selector` contains `text`. */
export async function waitForText(page: Page, selector: string, text: string): Promise<void> {
  await page
    .locator(selector, { hasText: text })
    .first()
    .waitFor({ state: 'visible', timeout: WAIT });
}

/** Opens the Titanic example from the open view and waits for its metadata. */
export async function openTitanic(page: Page): Promise<void> {
  await page.locator('[data-testid="tab-open"]').click();
  await page.locator('[data-example="titanic"]').first().click();
  await waitForText(page, '[data-testid="metadata"] h2', 'Titanic');
}

/** Presses "Save to lake" and waits for the outcome; returns its status. */
export async function saveToLake(page: Page): Promise<string | null> {
  const previous = page.locator('[data-testid="save-result"]');
  if (await previous.count()) {
    await previous.locator('button', { hasText: 'Dismiss' }).click();
    await previous.waitFor({ state: 'detached' });
  }
  await page.locator('[data-testid="save-to-lake"]').click();
  const result = page.locator('[data-testid="save-result"]');
  await result.waitFor({ timeout: WAIT });
  return result.getAttribute('data-status');
}

/** Shows the lake view and waits for the catalog to be read. */
export async function showLake(page: Page): Promise<void> {
  await page.locator('[data-testid="tab-lake"]').click();
  await page.locator('[data-testid="catalog"]').waitFor({ timeout: WAIT });
  await page.locator('[data-testid="catalog"] .loading').waitFor({ state: 'detached' });
}

/** Ids of the datasets the catalog lists. */
export function catalogIds(page: Page): Promise<(string | null)[]> {
  return page
    .locator('[data-testid="catalog"] tr[data-dataset]')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-dataset')));
}

/** Selects a record set of the shown commit and waits for its rows (or its error). */
export async function showRecordSet(page: Page, id: string): Promise<void> {
  await page.locator(`[data-lake-record-set="${id}"]`).click();
  await page
    .locator('[data-testid="lake-rows"]:is([data-status="ready"], [data-status="failed"])')
    .waitFor({ timeout: WAIT });
}

/** Waits until a service worker is active and controls the page. */
export async function waitForController(page: Page): Promise<void> {
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  await page.waitForFunction(() => navigator.serviceWorker.controller?.state === 'activated', {
    timeout: WAIT,
  });
}

/** A preview server and a profile folder of their own for each attempt of a test: see below. */
export interface OfflineVisit {
  /** The app's URL on this attempt's server. */
  url(): string;
  /** A browser on this attempt's profile folder, service workers allowed; closed after it. */
  launch(): Promise<LaunchedBrowser>;
  /** Stops this attempt's server, as a user who goes offline would find it. */
  stopServer(): Promise<void>;
}

/**
 * For the tests that visit the app online, stop its server and visit again offline: each attempt
 * (the e2e config retries once) gets its own preview server and an empty profile folder, and
 * whatever is left of them is closed and removed after it. A retry would otherwise start on the
 * server its first attempt stopped, in a profile that holds a service worker and filled caches.
 */
export function useOfflineVisit(prefix: string): OfflineVisit {
  let app: Served | undefined;
  let serverOpen = false;
  let profile: string | undefined;
  let browser: LaunchedBrowser | undefined;
  beforeEach(async () => {
    app = await startPreview();
    serverOpen = true;
    profile = await mkdtemp(path.join(os.tmpdir(), prefix));
  });
  afterEach(async () => {
    await browser?.close().catch(() => undefined);
    browser = undefined;
    if (serverOpen) await app?.close();
    serverOpen = false;
    if (profile) await rm(profile, { recursive: true, force: true });
    profile = undefined;
  });
  const served = () => {
    if (!app || !profile) throw new Error('setup failed');
    return { app, profile };
  };
  return {
    url: () => served().app.url,
    launch: async () => {
      browser = await launchBrowser({ userDataDir: served().profile, serviceWorkers: true });
      return browser;
    },
    stopServer: async () => {
      serverOpen = false;
      await served().app.close();
    },
  };
}
