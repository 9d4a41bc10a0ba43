/**
 * The versioned lake, end to end in Chromium against the built app: save a dataset into the
 * browser lake (OPFS + IndexedDB, written by the lake worker), see it in the catalog with its
 * sizes, its protected `main`, its ingest commit and lineage; branch, tag, protect, compare; find
 * all of it again after a reload and after a browser restart; cancel a save midway; run out of
 * storage quota; read a record set whose stored fragment was damaged. Every test gets a fresh
 * browser profile, so lakes never leak from one test into another.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, launchBrowser, screenshot, startPreview, watchPage } from './harness.ts';
import type { LaunchedBrowser, Served } from './harness.ts';

const WAIT = 45_000;
const FIRST_PASSENGER = 'Allen, Miss. Elisabeth Walton';
const TITANIC = path.join(REPO_ROOT, 'public/examples/titanic');

/**
 * A CORS server that serves titanic's metadata but stalls on its data files after a first
 * chunk, and counts stalled requests and those the browser gave up on.
 */
async function startStallingServer(): Promise<Served & { stalled: number; closedEarly: number }> {
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
async function waitForText(page: Page, selector: string, text: string): Promise<void> {
  await page
    .locator(selector, { hasText: text })
    .first()
    .waitFor({ state: 'visible', timeout: WAIT });
}

/** Opens the Titanic example from the open view and waits for its metadata. */
async function openTitanic(page: Page): Promise<void> {
  await page.locator('[data-testid="tab-open"]').click();
  await page.locator('[data-example="titanic"]').first().click();
  await waitForText(page, '[data-testid="metadata"] h2', 'Titanic');
}

/** Presses "Save to lake" and waits for the outcome; returns its status. */
async function saveToLake(page: Page): Promise<string | null> {
  await page.locator('[data-testid="save-to-lake"]').click();
  const result = page.locator('[data-testid="save-result"]');
  await result.waitFor({ timeout: WAIT });
  return result.getAttribute('data-status');
}

/** Shows the lake view and waits for the catalog to be read. */
async function showLake(page: Page): Promise<void> {
  await page.locator('[data-testid="tab-lake"]').click();
  await page.locator('[data-testid="catalog"]').waitFor({ timeout: WAIT });
  await page.locator('[data-testid="catalog"] .loading').waitFor({ state: 'detached' });
}

/** Ids of the datasets the catalog lists. */
function catalogIds(page: Page): Promise<(string | null)[]> {
  return page
    .locator('[data-testid="catalog"] tr[data-dataset]')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-dataset')));
}

/** Selects a record set of the shown commit and waits for its rows (or its error). */
async function showRecordSet(page: Page, id: string): Promise<void> {
  await page.locator(`[data-lake-record-set="${id}"]`).click();
  await page
    .locator('[data-testid="lake-rows"]:is([data-status="ready"], [data-status="failed"])')
    .waitFor({ timeout: WAIT });
}

/** The dataset, its refs and its rows are all there (after a reload or a restart). */
async function expectTitanicInLake(page: Page): Promise<void> {
  await page.locator('[data-testid="lake-dataset"][data-dataset="titanic"]').waitFor({
    timeout: WAIT,
  });
  expect(await catalogIds(page)).toEqual(['titanic']);
  await page.locator('[data-ref="main"][data-protected="true"]').waitFor({ timeout: WAIT });
  await page.locator('[data-ref="experiment"][data-protected="false"]').waitFor();
  await page.locator('[data-ref="v1"]').waitFor();
  await showRecordSet(page, 'passengers');
  await waitForText(page, '[data-testid="lake-rows"] .records-table', FIRST_PASSENGER);
}

describe('the lake in the browser', () => {
  let app: Served | undefined;
  let profiles: string | undefined;
  let browser: LaunchedBrowser | undefined;

  beforeAll(async () => {
    app = await startPreview();
    profiles = await mkdtemp(path.join(os.tmpdir(), 'lake-e2e-'));
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await app?.close();
    if (profiles) await rm(profiles, { recursive: true, force: true });
  });

  /** A browser with a fresh profile (or the profile `name` again), and a page on the app. */
  async function start(name: string, query = ''): Promise<{ page: Page; url: string }> {
    if (!app || !profiles) throw new Error('setup failed');
    await browser?.close().catch(() => undefined);
    browser = await launchBrowser({ userDataDir: path.join(profiles, name) });
    const page = await browser.newPage();
    await page.goto(`${app.url}/${query}`);
    return { page, url: app.url };
  }

  it('saves Titanic, shows it in the catalog, and keeps it across reload and restart', async () => {
    const { page, url } = await start('persist');
    const watch = watchPage(page);
    await showLake(page);
    await page.locator('[data-testid="catalog-empty"]').waitFor();

    await openTitanic(page);
    expect(await saveToLake(page)).toBe('saved');
    expect(await page.locator('[data-testid="save-result"]').textContent()).toContain('titanic');
    await screenshot(page, 'lake-saved');

    await page
      .locator('[data-testid="save-result"] button', { hasText: 'Show in the lake' })
      .click();
    expect(new URL(page.url()).searchParams.get('lake')).toBe('titanic');
    await page.locator('[data-testid="lake-dataset"]').waitFor({ timeout: WAIT });
    expect(await catalogIds(page)).toEqual(['titanic']);
    const row = page.locator('tr[data-dataset="titanic"]');
    // Raw bytes are the three CSV files byte for byte; the lake adds Parquet fragments etc.
    expect(await row.locator('[data-testid="raw-bytes"]').textContent()).toBe('118 kB');
    expect(await row.locator('[data-testid="lake-bytes"]').textContent()).toMatch(/^\d+ kB$/);
    expect(await row.textContent()).toContain(`${url}/examples/titanic/metadata.json`);

    // main is protected, and holds exactly the ingest commit, with its lineage.
    await page.locator('[data-ref="main"][data-protected="true"]').waitFor({ timeout: WAIT });
    expect(await page.locator('[data-testid="protection"]').getAttribute('data-protected')).toBe(
      'true',
    );
    const commits = page.locator('[data-testid="log"] [data-commit]');
    await commits.first().waitFor({ timeout: WAIT });
    expect(await commits.count()).toBe(1);
    expect(await commits.locator('[data-testid="lineage-op"]').textContent()).toBe('ingest');
    const lineage = await commits.locator('[data-testid="lineage"]').textContent();
    expect(lineage).toMatch(
      /source\s*http:\/\/127\.0\.0\.1:\d+\/examples\/titanic\/metadata\.json/,
    );
    // The lineage names the exact document that was read, by content hash.
    const docSha = createHash('sha256')
      .update(await readFile(path.join(TITANIC, 'metadata.json')))
      .digest('hex');
    await commits.locator(`[data-testid="lineage"] dd[title="${docSha}"]`).waitFor();
    expect(lineage).toContain('passengers: 1309');
    expect(await commits.textContent()).toContain('parents: none (first commit)');
    expect(
      await page.locator('[data-lake-record-set="passengers"]').getAttribute('data-rows'),
    ).toBe('1309');
    await showRecordSet(page, 'passengers');
    await waitForText(page, '[data-testid="lake-rows"] .records-table', FIRST_PASSENGER);
    await page.locator('[data-testid="next-page"]').click();
    await waitForText(page, '[data-testid="lake-rows"]', 'Rows 26–50 of 1,309');

    // Protection can be lifted and set again.
    await page.locator('[data-testid="toggle-protect"]').click();
    await page.locator('[data-ref="main"][data-protected="false"]').waitFor({ timeout: WAIT });
    await page.locator('[data-testid="toggle-protect"]').click();
    await page.locator('[data-ref="main"][data-protected="true"]').waitFor({ timeout: WAIT });

    // A branch and a tag at the selected commit.
    await page.locator('[data-testid="branch-name"]').fill('experiment');
    await page.locator('[data-testid="create-branch"]').click();
    await page.locator('[data-ref="experiment"][aria-pressed="true"]').waitFor({ timeout: WAIT });
    expect(await page.locator('[data-testid="protection"]').getAttribute('data-protected')).toBe(
      'false',
    );
    await page.locator('[data-testid="tag-name"]').fill('v1');
    await page.locator('[data-testid="create-tag"]').click();
    await page.locator('[data-ref="v1"]').waitFor({ timeout: WAIT });
    // A name that exists is refused with its code, and the page stays usable.
    await page.locator('[data-testid="branch-name"]').fill('main');
    await page.locator('[data-testid="create-branch"]').click();
    const refused = page.locator('[data-testid="lake-dataset"] [data-testid="error"]');
    await refused.waitFor({ timeout: WAIT });
    expect(await refused.getAttribute('data-code')).toBe('REF_EXISTS');
    await refused.locator('button', { hasText: 'Dismiss' }).click();

    // The branch and main point at the same commit: the diff says so, per record set.
    await page.locator('[data-testid="diff-from"]').selectOption('main');
    await page.locator('[data-testid="diff-to"]').selectOption('experiment');
    await page.locator('[data-testid="run-diff"]').click();
    await waitForText(page, '[data-testid="diff-summary"]', 'no differences');
    const statuses = await page
      .locator('[data-diff-record-set]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
    expect(statuses).toEqual(['unchanged', 'unchanged', 'unchanged']);
    await screenshot(page, 'lake-dataset');

    // A reload reads everything back from OPFS and IndexedDB.
    await page.reload();
    await expectTitanicInLake(page);
    expect(watch.errors).toEqual([]);

    // So does a new browser process on the same profile.
    const again = await start('persist', '?lake=titanic');
    await expectTitanicInLake(again.page);
    await screenshot(again.page, 'lake-after-restart');

    // Deleting needs a confirmation; the space is then freed by garbage collection.
    await again.page.locator('[data-testid="delete-dataset"]').click();
    await again.page.locator('[data-testid="delete-dataset-confirm"]').click();
    await again.page.locator('[data-testid="catalog-empty"]').waitFor({ timeout: WAIT });
    await again.page.locator('button', { hasText: 'Free unused space' }).click();
    await waitForText(again.page, '[data-testid="storage"]', '0 B stored in the lake');
  });

  it('cancels a save midway: nothing appears in the lake, and a later save works', async () => {
    const stalling = await startStallingServer();
    try {
      const dataset = `${stalling.url}/titanic/metadata.json`;
      const { page } = await start('cancel', `?url=${encodeURIComponent(dataset)}`);
      await waitForText(page, '[data-testid="metadata"] h2', 'Titanic');
      // The page's own record preview stalls too; stop it, then save.
      await page.locator('[data-testid="cancel"]').click();
      await page.locator('[data-testid="cancelled"]').waitFor({ timeout: WAIT });
      const before = stalling.stalled;
      await page.locator('[data-testid="save-to-lake"]').click();
      await page.locator('[data-testid="ingest-progress"][data-phase="raw"]').waitFor({
        timeout: WAIT,
      });
      await expect.poll(() => stalling.stalled, { timeout: WAIT }).toBeGreaterThan(before);
      await screenshot(page, 'lake-saving');
      const closed = stalling.closedEarly;
      await page.locator('[data-testid="cancel-ingest"]').click();
      const result = page.locator('[data-testid="save-result"]');
      await result.waitFor({ timeout: WAIT });
      expect(await result.getAttribute('data-status')).toBe('cancelled');
      // The abort reached the worker's fetch: the browser closed the stalled download.
      await expect.poll(() => stalling.closedEarly, { timeout: WAIT }).toBeGreaterThan(closed);
      await screenshot(page, 'lake-save-cancelled');

      await showLake(page);
      await page.locator('[data-testid="catalog-empty"]').waitFor({ timeout: WAIT });
      await page.reload();
      await page.locator('[data-testid="catalog-empty"]').waitFor({ timeout: WAIT });

      await openTitanic(page);
      expect(await saveToLake(page)).toBe('saved');
      await showLake(page);
      expect(await catalogIds(page)).toEqual(['titanic']);
    } finally {
      await stalling.close();
    }
  });

  it('reports a full storage quota clearly, keeps nothing half-written, then saves', async () => {
    const { page, url } = await start('quota');
    const watch = watchPage(page);
    await showLake(page);
    await page.locator('[data-testid="catalog-empty"]').waitFor({ timeout: WAIT });
    const cdp = await page.context().newCDPSession(page);
    const origin = new URL(url).origin;
    // 30 kB: less than Titanic's 118 kB of raw files. Chromium's OPFS reserves quota ahead of
    // sync-access-handle writes (about 1 MiB), so the very first chunk written is refused.
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 30_000 });

    await openTitanic(page);
    expect(await saveToLake(page)).toBe('failed');
    const error = page.locator('[data-testid="save-result"] [data-testid="error"]');
    expect(await error.getAttribute('data-code')).toBe('QUOTA_EXCEEDED');
    const text = await error.textContent();
    expect(text).toContain('could not be saved to the lake');
    expect(text).toContain('Storage is full');
    expect(text).toContain('nothing of it was kept');
    await screenshot(page, 'lake-quota-exceeded');

    await showLake(page);
    await page.locator('[data-testid="catalog-empty"]').waitFor({ timeout: WAIT });

    await cdp.send('Storage.overrideQuotaForOrigin', { origin });
    await page.reload();
    await showLake(page);
    await page.locator('[data-testid="catalog-empty"]').waitFor({ timeout: WAIT });
    await openTitanic(page);
    expect(await saveToLake(page)).toBe('saved');
    await page
      .locator('[data-testid="save-result"] button', { hasText: 'Show in the lake' })
      .click();
    await page.locator('[data-testid="log"] [data-commit]').first().waitFor({ timeout: WAIT });
    expect(await catalogIds(page)).toEqual(['titanic']);
    expect(await page.locator('[data-testid="log"] [data-commit]').count()).toBe(1);
    await showRecordSet(page, 'passengers');
    await waitForText(page, '[data-testid="lake-rows"] .records-table', FIRST_PASSENGER);
    expect(watch.errors).toEqual([]);
  });

  it('shows CORRUPT_CHUNK naming the chunk when a stored fragment was damaged', async () => {
    const { page } = await start('corrupt');
    await openTitanic(page);
    expect(await saveToLake(page)).toBe('saved');
    await page
      .locator('[data-testid="save-result"] button', { hasText: 'Show in the lake' })
      .click();
    const tab = page.locator('[data-lake-record-set="passengers"]');
    await tab.waitFor({ timeout: WAIT });
    const chunk = (await tab.getAttribute('data-fragments'))?.split(' ')[0] ?? '';
    expect(chunk).toMatch(/^[0-9a-f]{64}$/);

    // Overwrite one byte in the middle of the fragment file, as a failing disk might.
    const flipped = await page.evaluate(async (hash) => {
      const root = await navigator.storage.getDirectory();
      const lake = await root.getDirectoryHandle('default');
      const chunks = await lake.getDirectoryHandle('chunks');
      const shard = await chunks.getDirectoryHandle(hash.slice(0, 2));
      const handle = await shard.getFileHandle(hash);
      const bytes = new Uint8Array(await (await handle.getFile()).arrayBuffer());
      const at = bytes.length >> 1;
      bytes[at] = (bytes[at] ?? 0) ^ 0xff;
      const writable = await handle.createWritable();
      await writable.write(bytes);
      await writable.close();
      return bytes.length;
    }, chunk);
    expect(flipped).toBeGreaterThan(0);

    await showRecordSet(page, 'passengers');
    const error = page.locator('[data-testid="lake-rows"] [data-testid="error"]');
    await error.waitFor({ timeout: WAIT });
    expect(await error.getAttribute('data-code')).toBe('CORRUPT_CHUNK');
    const text = await error.textContent();
    expect(text).toContain(chunk);
    expect(text).toContain('record set passengers of titanic');
    await screenshot(page, 'lake-corrupt-chunk');

    // Other record sets do not use that chunk and still read.
    await showRecordSet(page, 'genders');
    await waitForText(page, '[data-testid="lake-rows"] .records-table', 'female');
  });
});
