/**
 * Helpers of the exploration e2e tests (explore.e2e.ts, explore-data.e2e.ts): the steps a user takes in the
 * Query view (SQL, charts, facets, saving a branch, share links), each waiting for its outcome.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { launchBrowser, onFailure, startPreview } from './harness.ts';
import type { LaunchedBrowser, Served } from './harness.ts';
import { POLL, WAIT } from './lake-helpers.ts';

/**
 * The built app plus browser profiles for the enclosing suite: `open(name)` gives a page in
 * profile `name`, a new, empty one the first time. A profile is a context of the test worker's
 * shared browser (harness.ts, `launchBrowser`); opening it again closes its pages first, as a
 * user closes the app's tab and opens it anew, and keeps its lake. Everything is closed and the
 * suite's folder removed after the suite. The profiles a test opened first are dropped when it
 * fails, so that its retry (on a busy machine) starts from empty ones rather than meeting what
 * the failed try wrote; a profile an earlier test filled is kept (it is the test's premise).
 */
export function useProfiles(prefix: string): {
  app: () => Served;
  /**
   * A page in profile `name` at `query`; `prepare` runs on the profile's context before the page
   * opens, to route requests (the routes of an earlier `open` are removed first).
   */
  open: (
    name: string,
    query?: string,
    prepare?: (context: BrowserContext) => Promise<void>,
  ) => Promise<Page>;
  /** The suite's temporary folder (removed afterwards), for files a test writes. */
  dir: () => string;
} {
  let served: Served | undefined;
  let folder: string | undefined;
  const profiles = new Map<string, LaunchedBrowser>();
  let openedHere: string[] = [];
  beforeEach(() => {
    openedHere = [];
  });
  onFailure(async () => {
    for (const name of openedHere) {
      await profiles.get(name)?.close();
      profiles.delete(name);
    }
  });
  beforeAll(async () => {
    served = await startPreview();
    folder = await mkdtemp(path.join(os.tmpdir(), prefix));
  });
  afterAll(async () => {
    for (const b of profiles.values()) await b.close().catch(() => undefined);
    await served?.close();
    if (folder) await rm(folder, { recursive: true, force: true });
  });
  const app = () => {
    if (!served) throw new Error('setup failed');
    return served;
  };
  async function open(
    name: string,
    query = '',
    prepare?: (context: BrowserContext) => Promise<void>,
  ): Promise<Page> {
    let profile = profiles.get(name);
    if (profile) {
      for (const p of profile.context.pages()) await p.close();
      await profile.context.unrouteAll({ behavior: 'wait' });
    } else {
      profile = await launchBrowser();
      profiles.set(name, profile);
      openedHere.push(name);
    }
    await prepare?.(profile.context);
    const page = await profile.newPage();
    await page.goto(`${app().url}/${query}`);
    return page;
  }
  const dir = () => {
    if (!folder) throw new Error('setup failed');
    return folder;
  };
  return { app, open, dir };
}

/** Sets the text of a CodeMirror editor (by its data-testid), as if typed. */
export async function setEditor(page: Page, testid: string, text: string): Promise<void> {
  const content = page.locator(`[data-testid="${testid}"] .cm-content`);
  // The editor's lines are elements of their own: compared without line breaks.
  const flat = (t: string) => t.replace(/\n/g, '');
  // Up to three tries: the view may still put its own starting text in while this types (a
  // busy machine caught it between the clear and the typing: the two texts ran together).
  for (let attempt = 0; attempt < 3; attempt++) {
    await content.click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.press('Backspace');
    // insertText: no key events, so auto-closed brackets and quotes do not double up.
    if (text) await page.keyboard.insertText(text);
    // Close the completion list that typing may have opened.
    await page.keyboard.press('Escape');
    if (!text || flat((await content.textContent()) ?? '') === flat(text)) return;
  }
  throw new Error(`setEditor: the ${testid} editor does not hold the text typed: ${text}`);
}

/** The state of the query status line (`running`, `done`, `failed`…). */
export function queryStatus(page: Page): Promise<string | null> {
  return page.locator('[data-testid="query-status"]').getAttribute('data-status');
}

/** Waits until the query in flight settles; gives its status. */
export async function settled(page: Page): Promise<string | null> {
  await page
    .locator('[data-testid="query-status"]:not([data-status="running"]):not([data-status="idle"])')
    .waitFor({ timeout: WAIT });
  return queryStatus(page);
}

/** How many runs have settled so far. */
async function settledRuns(page: Page): Promise<number> {
  const n = await page.locator('[data-testid="query-status"]').getAttribute('data-settled');
  return Number(n ?? 0);
}

/**
 * Does `action` (a click, a choice of dataset) and waits until a run that started after it has
 * settled: the status of a run from before it would otherwise pass for its outcome.
 */
export async function afterNextRun(
  page: Page,
  action: () => Promise<unknown>,
): Promise<string | null> {
  const before = await settledRuns(page);
  await action();
  // A run in flight when this one starts is superseded; this one settles last.
  await page.waitForFunction(
    (n) =>
      Number(document.querySelector('[data-testid="query-status"]')?.getAttribute('data-settled')) >
        n &&
      document.querySelector('[data-testid="query-status"]')?.getAttribute('data-status') !==
        'running',
    before,
    { timeout: WAIT, polling: POLL },
  );
  return queryStatus(page);
}

/** Puts `sql` in the editor, runs it, and waits for the outcome; gives its status. */
export async function runSql(page: Page, sql: string): Promise<string | null> {
  await setEditor(page, 'sql-editor', sql);
  return afterNextRun(page, () => page.locator('[data-testid="run-query"]').click());
}

/**
 * `runSql` for a query that must succeed: any other outcome fails the test with the query and
 * what the status line said (the error a user would read), not only the outcome's name.
 */
export async function expectSqlDone(page: Page, sql: string): Promise<void> {
  const outcome = await runSql(page, sql);
  const said = outcome === 'done' ? '' : await textOf(page.locator('[data-testid="query-status"]'));
  expect(outcome, `${sql} → ${said}`).toBe('done');
}

/** The row count the grid shows (`data-rows`). */
export async function gridRows(page: Page): Promise<number> {
  return Number(await page.locator('[data-testid="result-grid"]').getAttribute('data-rows'));
}

/** Waits until the grid holds `rows` rows. */
export async function waitForGridRows(page: Page, rows: number): Promise<void> {
  await page.locator(`[data-testid="result-grid"][data-rows="${rows}"]`).waitFor({ timeout: WAIT });
  await settled(page);
}

/** The column names and SQL types in the grid's header. */
export function gridHeader(page: Page): Promise<string[]> {
  return page
    .locator('[data-testid="result-grid"] .head [role="columnheader"]')
    .evaluateAll((cells) =>
      cells.slice(1).map((c) => (c.textContent ?? '').replace(/\s+/g, ' ').trim()),
    );
}

/** A column card of the statistics panel. */
export function card(page: Page, column: string) {
  return page.locator(`[data-testid="column-card"][data-column="${column}"]`);
}

/** Waits until every chart is computed under the current filter. */
export async function chartsReady(page: Page): Promise<void> {
  await page.locator('[data-testid="column-card"]').first().waitFor({ timeout: WAIT });
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll('[data-testid="column-card"]')].every(
        (c) => c.getAttribute('data-status') !== 'loading',
      ),
    undefined,
    { timeout: WAIT, polling: POLL },
  );
}

/** The rows a chart says the filter keeps. */
export async function cardRows(page: Page, column: string): Promise<number> {
  const text = await card(page, column).locator('[data-testid="stat-rows"]').textContent();
  return Number((text ?? '').replace(/,/g, ''));
}

/** Opens the Query view and waits for the first dataset's rows. */
export async function showQuery(page: Page): Promise<void> {
  await page.locator('[data-testid="tab-query"]').click();
  await page.locator('[data-testid="query-view"]').waitFor({ timeout: WAIT });
}

/**
 * Starts watching for an element to appear (before the action that shows it, which may be
 * too quick to catch afterwards); `seen()` then says whether it did.
 */
export async function watchFor(page: Page, selector: string): Promise<() => Promise<boolean>> {
  const key = `__seen_${selector.replace(/\W+/g, '_')}`;
  await page.evaluate(
    ({ selector, key }) => {
      const w = window as unknown as Record<string, boolean>;
      w[key] = document.querySelector(selector) !== null;
      const observer = new MutationObserver(() => {
        if (document.querySelector(selector)) {
          w[key] = true;
          observer.disconnect();
        }
      });
      observer.observe(document.body, { childList: true, subtree: true });
    },
    { selector, key },
  );
  return () =>
    page.evaluate((key) => (window as unknown as Record<string, boolean>)[key] === true, key);
}

/** An element's text with runs of white space made one space. */
export async function textOf(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}
