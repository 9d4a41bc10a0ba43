/**
 * The lake's data safety in the Lake tab (issue 11), end to end against the built app:
 * unprotecting `main` asks first, naming it; `main` (the import branch) cannot be deleted; the
 * ref log shows each change as it is made; a deleted branch shows in the ref history and is
 * restored; Verify passes a whole dataset and names a chunk damaged on disk; saving a dataset
 * that is in the lake already offers Update, says "unchanged" for the same source and shows
 * what changed for a changed one; a dataset whose catalog entry was never written is listed as
 * incomplete and finished.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
import { WAIT, openTitanic, saveToLake, showLake, waitForText } from './lake-helpers.ts';

/** Saves the Titanic example and shows it in the lake. */
async function titanicInLake(page: Page): Promise<void> {
  await openTitanic(page);
  expect(await saveToLake(page)).toBe('saved');
  await page.locator('[data-testid="save-result"] button', { hasText: 'Show in the lake' }).click();
  await page.locator('[data-ref="main"][data-protected="true"]').waitFor({ timeout: WAIT });
}

describe('the lake keeps data safe', () => {
  let app: Served | undefined;
  let tmp: string | undefined;
  let browser: LaunchedBrowser | undefined;

  beforeAll(async () => {
    app = await startPreview();
    tmp = mkdtempSync(path.join(os.tmpdir(), 'lake-safety-e2e-'));
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await app?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  // A failed test's retry starts from new profile folders (harness.ts, countFailures).
  const attempt = countFailures();

  async function start(name: string): Promise<Page> {
    if (!app || !tmp) throw new Error('setup failed');
    await browser?.close().catch(() => undefined);
    browser = await launchBrowser({ userDataDir: path.join(tmp, `${name}-${attempt()}`) });
    const page = await browser.newPage();
    await page.goto(`${app.url}/`);
    return page;
  }

  it('asks before unprotecting main, never deletes it, and restores a deleted branch', async () => {
    const page = await start('refs');
    const watch = watchPage(page);
    await titanicInLake(page);

    // Unprotect asks first, naming the branch; "Keep" changes nothing.
    await page.locator('[data-testid="toggle-protect"]').click();
    const ask = page.locator('[role="group"][aria-label^="Unprotect main?"]');
    await ask.waitFor();
    expect(await ask.textContent()).toContain('Anyone can then commit to it');
    await ask.locator('button', { hasText: 'Keep' }).click();
    expect(await page.locator('[data-ref="main"]').getAttribute('data-protected')).toBe('true');
    await page.locator('[data-testid="toggle-protect"]').click();
    await page.locator('[data-testid="toggle-protect-confirm"]').click();
    await page.locator('[data-ref="main"][data-protected="false"]').waitFor({ timeout: WAIT });
    // Writable now, and still not deletable: it is where imports go.
    await waitForText(page, '[data-testid="import-branch-note"]', 'main is the import branch');
    expect(await page.locator('[data-testid="delete-branch"]').count()).toBe(0);

    // A branch deleted by mistake comes back from the ref history.
    await page.locator('[data-testid="branch-name"]').fill('curated');
    await page.locator('[data-testid="create-branch"]').click();
    await page.locator('[data-ref="curated"][aria-pressed="true"]').waitFor({ timeout: WAIT });
    // The ref log shows each change as it is made, not only after a reload.
    await waitForText(page, '[data-testid="ref-log"] summary', 'Ref log: 3 changes');
    // So does the catalog's branches column.
    await page
      .locator('[data-testid="catalog-branches"] [data-branch="curated"]')
      .waitFor({ timeout: WAIT });
    await page.locator('[data-testid="tag-name"]').fill('v1');
    await page.locator('[data-testid="create-tag"]').click();
    await page.locator('[data-ref="v1"]').waitFor({ timeout: WAIT });
    await waitForText(page, '[data-testid="ref-log"] summary', 'Ref log: 4 changes');
    await page.locator('[data-testid="delete-branch"]').click();
    await page.locator('[data-testid="delete-branch-confirm"]').click();
    const deleted = page.locator('[data-deleted-branch="curated"]');
    await deleted.waitFor({ timeout: WAIT });
    expect(await page.locator('[data-ref="curated"]').count()).toBe(0);
    expect(await deleted.textContent()).toMatch(/at [0-9a-f]+, deleted .* by /);
    await page.locator('[data-testid="ref-log"] summary').click();
    const actions = await page
      .locator('[data-testid="ref-log"] tbody tr')
      .evaluateAll((rows) =>
        rows.map((r) => `${r.getAttribute('data-log-ref')} ${r.getAttribute('data-action')}`),
      );
    expect(actions).toEqual([
      'curated delete',
      'v1 create',
      'curated create',
      'main unprotect',
      'main create',
    ]);
    await screenshot(page, 'lake-safety-deleted-branch');

    await deleted.locator('[data-testid="restore-branch"]').click();
    await page.locator('[data-ref="curated"][aria-pressed="true"]').waitFor({ timeout: WAIT });
    await deleted.waitFor({ state: 'detached' });
    await waitForText(page, '[data-testid="ref-log"] summary', 'Ref log: 6 changes');

    // After a reload, main is still there with its history.
    await page.reload();
    await page.locator('[data-ref="main"]').waitFor({ timeout: WAIT });
    await page.locator('[data-testid="log"] [data-commit]').first().waitFor({ timeout: WAIT });
    expect(watch.errors).toEqual([]);
  });

  it('verifies a whole dataset, then names a chunk damaged on disk', async () => {
    const page = await start('verify');
    await titanicInLake(page);
    await page.locator('[data-testid="verify-button"]').click();
    const result = page.locator('[data-testid="verify-result"]');
    await result.waitFor({ timeout: WAIT });
    expect(await result.getAttribute('data-status')).toBe('ok');
    expect(await result.textContent()).toMatch(/Everything is whole: 1 commits, \d+ chunks/);

    const tab = page.locator('[data-lake-record-set="passengers"]');
    const chunk = (await tab.getAttribute('data-fragments'))?.split(' ')[0] ?? '';
    expect(chunk).toMatch(/^[0-9a-f]{64}$/);
    await page.evaluate(async (hash) => {
      const root = await navigator.storage.getDirectory();
      const shard = await (
        await (await root.getDirectoryHandle('default')).getDirectoryHandle('chunks')
      ).getDirectoryHandle(hash.slice(0, 2));
      const handle = await shard.getFileHandle(hash);
      const bytes = new Uint8Array(await (await handle.getFile()).arrayBuffer());
      bytes[100] = (bytes[100] ?? 0) ^ 0x01;
      const w = await handle.createWritable();
      await w.write(bytes);
      await w.close();
    }, chunk);

    await page.locator('[data-testid="verify-button"]').click();
    await page.locator('[data-testid="verify-result"][data-status="problems"]').waitFor({
      timeout: WAIT,
    });
    const problems = page.locator('[data-testid="verify-problems"] li');
    expect(await problems.count()).toBe(1);
    expect(await problems.first().getAttribute('data-code')).toBe('CORRUPT_CHUNK');
    expect(await problems.first().getAttribute('data-chunk')).toBe(chunk);
    expect(await problems.first().textContent()).toContain('a fragment of record set passengers');
    await screenshot(page, 'lake-safety-verify');
  });

  it('lists a dataset whose catalog entry was never written as incomplete, and finishes it', async () => {
    const page = await start('incomplete');
    await titanicInLake(page);
    // What a tab closed between the commit and the catalog entry leaves behind.
    await page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const open = indexedDB.open('croissant-lake-default');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const tx = open.result.transaction('entries', 'readwrite');
            tx.objectStore('entries').delete('dataset/titanic');
            tx.oncomplete = () => {
              open.result.close();
              resolve();
            };
            tx.onerror = () => reject(tx.error);
          };
        }),
    );
    await page.reload();
    await showLake(page);
    const row = page.locator('tr[data-dataset="titanic"][data-incomplete="true"]');
    await row.waitFor({ timeout: WAIT });
    expect(await row.textContent()).toContain('incomplete');
    await screenshot(page, 'lake-safety-incomplete');
    await row.locator('[data-testid="finish-dataset"]').click();
    await page
      .locator('tr[data-dataset="titanic"]:not([data-incomplete])')
      .waitFor({ timeout: WAIT });
    expect(await page.locator('[data-testid="finish-dataset"]').count()).toBe(0);
  });

  it('offers Update for a dataset saved already: unchanged, then a changed source', async () => {
    if (!tmp) throw new Error('setup failed');
    const page = await start('update');
    const folder = path.join(tmp, 'titanic');
    cpSync(path.join(REPO_ROOT, 'test/fixtures/croissant/1.0/titanic'), folder, {
      recursive: true,
    });
    await page.locator('[data-testid="folder-input"]').setInputFiles(folder);
    await waitForText(page, '[data-testid="metadata"] h2', 'Titanic');
    expect(await saveToLake(page)).toBe('saved');

    // The same source again: the form offers Update, and nothing changes.
    await waitForText(page, '[data-testid="save-existing"]', 'Already in the lake as titanic');
    await page.locator('[data-testid="save-result"] button', { hasText: 'Dismiss' }).click();
    await page.locator('[data-testid="update-in-lake"]').click();
    const result = page.locator('[data-testid="save-result"]');
    await result.waitFor({ timeout: WAIT });
    expect(await result.getAttribute('data-status')).toBe('unchanged');
    await result.locator('button', { hasText: 'Dismiss' }).click();

    // One passenger more in the source: a new import commit, and what changed.
    const csv = path.join(folder, 'data/titanic.csv');
    writeFileSync(
      csv,
      readFileSync(csv, 'utf8') + '3,0,"Newcomer, Mr. Test","male",30,0,0,"1",7.25,?,"S",?,?,?\n',
    );
    await page.locator('[data-testid="folder-input"]').setInputFiles(folder);
    await waitForText(page, '[data-testid="save-existing"]', 'Already in the lake as titanic');
    await page.locator('[data-testid="update-in-lake"]').click();
    await page.locator('[data-testid="save-result"][data-status="updated"]').waitFor({
      timeout: WAIT,
    });
    const changes = page.locator('[data-testid="update-changes"] li');
    expect(await changes.count()).toBe(1);
    expect(await changes.first().textContent()).toMatch(
      /passengers: \+1 −0 ~0 rows \(1309 → 1310\)/,
    );
    await screenshot(page, 'lake-safety-updated');

    await page
      .locator('[data-testid="save-result"] button', { hasText: 'Show in the lake' })
      .click();
    const commits = page.locator('[data-testid="log"] [data-commit]');
    await commits.nth(1).waitFor({ timeout: WAIT });
    expect(await commits.count()).toBe(2);
    expect(await page.locator('[data-ref="main"]').getAttribute('data-protected')).toBe('true');
    await showLake(page);
  });
});
