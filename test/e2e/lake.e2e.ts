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
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  REPO_ROOT,
  launchBrowser,
  countFailures,
  screenshot,
  startPreview,
  watchPage,
} from './harness.ts';
import type { LaunchedBrowser, Served } from './harness.ts';
import {
  FIRST_PASSENGER,
  TITANIC,
  POLL,
  WAIT,
  catalogIds,
  openTitanic,
  saveToLake,
  showLake,
  showRecordSet,
  startStallingServer,
  waitForText,
} from './lake-helpers.ts';

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

  // A failed test's retry starts from new profile folders (harness.ts, countFailures).
  const attempt = countFailures();

  /** A browser with a fresh profile (or the profile `name` again), and a page on the app. */
  async function start(name: string, query = ''): Promise<{ page: Page; url: string }> {
    if (!app || !profiles) throw new Error('setup failed');
    await browser?.close().catch(() => undefined);
    browser = await launchBrowser({ userDataDir: path.join(profiles, `${name}-${attempt()}`) });
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

    // Protection can be lifted (once confirmed) and set again.
    await page.locator('[data-testid="toggle-protect"]').click();
    await page.locator('[data-testid="toggle-protect-confirm"]').click();
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
    // So is one that differs from a branch only by case: SQL would read one for the other.
    await page.locator('[data-testid="branch-name"]').fill('Experiment');
    await page.locator('[data-testid="create-branch"]').click();
    const twin = page.locator(
      '[data-testid="lake-dataset"] [data-testid="error"][data-code="BAD_INPUT"]',
    );
    await twin.waitFor({ timeout: WAIT });
    expect(await twin.textContent()).toContain(
      '"Experiment" differs from "experiment", already in titanic, only by upper and lower case',
    );
    await screenshot(page, 'lake-branch-case-twin');
    await twin.locator('button', { hasText: 'Dismiss' }).click();
    await page.locator('[data-testid="branch-name"]').fill('');

    // Rows appended on the branch make a new commit there, with its own lineage.
    await showRecordSet(page, 'genders');
    await page.locator('[data-testid="append-csv-input"]').setInputFiles({
      name: 'more-genders.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('label\nunknown\n'),
    });
    await commits.nth(1).waitFor({ timeout: WAIT });
    // The column the file lacks is said, beside the button.
    await waitForText(
      page,
      '[data-testid="append-empty-columns"]',
      '1 row appended from more-genders.csv; left empty (null), not in its header: genders/url.',
    );
    expect(await commits.count()).toBe(2);
    expect(await commits.first().locator('[data-testid="lineage-op"]').textContent()).toBe(
      'append',
    );
    expect(await commits.first().textContent()).toContain('more-genders.csv');
    await page.locator('[data-lake-record-set="genders"][data-rows="3"]').waitFor();

    // The diff between main and the branch: genders gained that row, the rest is unchanged.
    await page.locator('[data-testid="diff-from"]').selectOption('main');
    await page.locator('[data-testid="diff-to"]').selectOption('experiment');
    await page.locator('[data-testid="run-diff"]').click();
    await waitForText(page, '[data-testid="diff-summary"]', '1 of 3 record sets differ');
    const statuses = await page
      .locator('[data-diff-record-set]')
      .evaluateAll((els) =>
        els.map((e) => [e.getAttribute('data-diff-record-set'), e.getAttribute('data-status')]),
      );
    expect(statuses).toEqual([
      ['embarkation_ports', 'unchanged'],
      ['genders', 'changed'],
      ['passengers', 'unchanged'],
    ]);
    const genders = page.locator('[data-diff-record-set="genders"]');
    expect(await genders.locator('[data-testid="diff-counts"]').textContent()).toMatch(
      /\+1\s*−0\s*~0/,
    );
    expect(await genders.locator('tr.added').textContent()).toContain('unknown');
    await screenshot(page, 'lake-dataset');

    // main and the tag made from it are the same commit: no differences.
    await page.locator('[data-testid="diff-from"]').selectOption('main');
    await page.locator('[data-testid="diff-to"]').selectOption('v1');
    await page.locator('[data-testid="run-diff"]').click();
    await waitForText(page, '[data-testid="diff-summary"]', 'no differences');

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
      await page.locator('[data-testid="ingest-progress"][data-phase="records"]').waitFor({
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

  it('says after a reload that a save did not finish, and saving again finishes it', async () => {
    const { page, url } = await start('reload-mid-save');
    const watch = watchPage(page);
    const dataset = new URL('examples/synthetic-lesions/metadata.json', url).href;
    // Every data file but the tar of PNGs waits until the test lets it go: the save stores that
    // tar (12.9 MB, a pack of 8 MiB journaled once written) and then waits on the next file.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/examples/synthetic-lesions/data/*', async (route) => {
      if (!route.request().url().endsWith('/images-png.tar')) await held;
      // A request the reload dropped is handled already.
      await route.continue().catch(() => undefined);
    });
    await page.goto(`${url}?url=${encodeURIComponent(dataset)}`);
    await waitForText(page, '[data-testid="metadata"] h2', 'synthetic');
    await page.locator('[data-testid="save-to-lake"]').click();
    await page.locator('[data-testid="ingest-progress"]').waitFor({ timeout: WAIT });
    // The save's resume journal (lake "default", IndexedDB) names what it stored: then reload.
    await page.waitForFunction(
      () =>
        new Promise<boolean>((resolve) => {
          const open = indexedDB.open('croissant-lake-default');
          open.onerror = () => resolve(false);
          open.onsuccess = () => {
            const db = open.result;
            const range = IDBKeyRange.bound('ingest/', 'ingest/\uffff');
            const count = db.transaction('entries').objectStore('entries').count(range);
            count.onsuccess = () => resolve(count.result > 0);
            count.onerror = () => resolve(false);
            db.close();
          };
        }),
      undefined,
      { timeout: WAIT, polling: 250 },
    );
    release();
    await page.unroute('**/examples/synthetic-lesions/data/*');
    await page.reload();

    // The dataset is opened again: the page says the save was cut short, and what it kept.
    await waitForText(page, '[data-testid="metadata"] h2', 'synthetic');
    const notice = page.locator('[data-testid="save-interrupted"]');
    await notice.waitFor({ timeout: WAIT });
    expect(await notice.textContent()).toMatch(
      /The save of “synthetic-chest-ct-lesions” as synthetic-chest-ct-lesions, started .*, did not finish: the page was closed or reloaded while it ran\. Save it again to finish it/,
    );
    await screenshot(page, 'lake-save-interrupted');
    await showLake(page);
    await page.locator('[data-testid="catalog-empty"]').waitFor({ timeout: WAIT });

    // Saving again finishes it, and the notice goes.
    await page.locator('[data-testid="tab-open"]').click();
    expect(await saveToLake(page)).toBe('saved');
    expect(await notice.count()).toBe(0);
    await showLake(page);
    expect(await catalogIds(page)).toEqual(['synthetic-chest-ct-lesions']);
    // Nothing is left unfinished, and a reload does not bring the notice back.
    expect(await page.locator('[data-testid="gc-unfinished"]').count()).toBe(0);
    await page.goto(`${url}?url=${encodeURIComponent(dataset)}`);
    await waitForText(page, '[data-testid="metadata"] h2', 'synthetic');
    await page.locator('[data-testid="save-existing"]').waitFor({ timeout: WAIT });
    expect(await notice.count()).toBe(0);
    expect(watch.errors).toEqual([]);
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

  it('saves a picked folder, and Mini-COCO with its images read back from the lake', async () => {
    const { page } = await start('files');
    const watch = watchPage(page);
    // Files picked in the page are handed to the lake worker, which reads them itself.
    await page
      .locator('[data-testid="folder-input"]')
      .setInputFiles(path.join(REPO_ROOT, 'test/fixtures/croissant/1.0/titanic'));
    await waitForText(page, '[data-testid="metadata"] h2', 'Titanic');
    await page.locator('[data-testid="save-name"]').fill('titanic-folder');
    expect(await saveToLake(page)).toBe('saved');

    await page.locator('[data-example="coco2014-mini"]').first().click();
    await waitForText(page, '[data-testid="metadata"] h2', 'Mini-COCO');
    expect(await saveToLake(page)).toBe('saved');
    await page
      .locator('[data-testid="save-result"] button', { hasText: 'Show in the lake' })
      .click();
    expect(await catalogIds(page)).toEqual(['mini-coco', 'titanic-folder']);
    await showRecordSet(page, 'images');
    await page.waitForFunction(
      () => {
        const imgs = [
          ...document.querySelectorAll<HTMLImageElement>('[data-testid="lake-rows"] img'),
        ];
        return imgs.length === 2 && imgs.every((i) => i.complete && i.naturalWidth === 3);
      },
      undefined,
      { timeout: WAIT, polling: POLL },
    );
    await screenshot(page, 'lake-images');

    await page.locator('tr[data-dataset="titanic-folder"] [data-testid="select-dataset"]').click();
    const lineage = page.locator('[data-testid="log"] [data-testid="lineage"]').first();
    await lineage.waitFor({ timeout: WAIT });
    expect(await lineage.textContent()).toMatch(/source\s*metadata\.json/);
    await showRecordSet(page, 'passengers');
    await waitForText(page, '[data-testid="lake-rows"] .records-table', FIRST_PASSENGER);
    expect(watch.errors).toEqual([]);
  });
});
