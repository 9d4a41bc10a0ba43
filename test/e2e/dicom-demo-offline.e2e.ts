/**
 * The featured demo study's DICOM record set, looked at as a new user would, offline (issue 16):
 * after a first visit the service worker has precached the app, the decode worker and the codecs'
 * wasm, and the demo, opened once online, has been cached (issue 12 §6: examples are cached when
 * first opened). With the network off and the server stopped, the demo opens again, its `dicom`
 * record set shows real thumbnails, and one opens in the viewer. The screen is checked
 * against the file's stored values read here (the tar.gz unpacked by hand) under the window that
 * DCMTK's dcmdump shows in the file: WindowCenter -280, WindowWidth 1400, HU = stored − 1024.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, screenshot, watchPage } from './harness.ts';
import { POLL, WAIT, useOfflineVisit, waitForText, waitForController } from './lake-helpers.ts';
import { draws, grey, pixel, redrawn } from './dicom-helpers.ts';

const TAR_GZ = path.join(REPO_ROOT, 'public/examples/synthetic-lesions/data/images-dicom.tar.gz');

/** HU of img_000000.dcm at (x, y): the tar's first member; its pixel data (64×64 uint16 LE) ends it. */
async function firstFileHu(): Promise<(x: number, y: number) => number> {
  const tar = gunzipSync(await readFile(TAR_GZ));
  const name = new TextDecoder().decode(tar.subarray(0, 100)).replace(/\0.*$/s, '');
  expect(name).toBe('img_000000.dcm');
  const size = parseInt(new TextDecoder().decode(tar.subarray(124, 136)).trim(), 8);
  const file = tar.subarray(512, 512 + size);
  const pixels = new DataView(file.buffer, file.byteOffset + size - 64 * 64 * 2, 64 * 64 * 2);
  return (x, y) => pixels.getUint16((y * 64 + x) * 2, true) - 1024;
}

/** Waits until every record set of the open dataset shows its first records. */
async function allSetsReady(page: Page) {
  await page.waitForFunction(
    () => {
      const sets = [...document.querySelectorAll('article[data-record-set]')];
      return sets.length > 0 && sets.every((s) => s.getAttribute('data-status') === 'ready');
    },
    undefined,
    { timeout: WAIT, polling: POLL },
  );
}

/** Opens the demo from the start page and waits for the first thumbnail of its DICOM set. */
async function openDemoDicom(page: Page) {
  await page.locator('.example-card[data-example="synthetic-lesions"]').click();
  await waitForText(page, '[data-testid="metadata"] h2', 'synthetic-chest-ct-lesions');
  const set = page.locator('[data-record-set="dicom"]');
  await set.scrollIntoViewIfNeeded();
  const thumb = set.locator('[data-testid="dicom-cell-thumb"]').first();
  await thumb.waitFor({ timeout: WAIT });
  return { set, thumb };
}

describe('the demo study in the DICOM viewer, offline', () => {
  const visit = useOfflineVisit('dicom-offline-e2e-');

  it('shows the dicom record set as thumbnails and opens one in the viewer, with the server gone', async () => {
    const hu = await firstFileHu();
    const browser = await visit.launch();
    const page = await browser.newPage();
    const watch = watchPage(page);
    await page.goto(visit.url());
    await waitForController(page);
    await page.reload();
    await waitForController(page);
    // The first visit opens the demo online, which caches its files as they are fetched (the
    // page's and its workers'): every one must be in the cache before the server goes, or a
    // fetch still in flight leaves a file that the offline visit cannot read.
    const fetched = new Set<string>();
    const onRequest = (r: { url(): string }) => {
      if (r.url().includes('/examples/synthetic-lesions/')) fetched.add(r.url());
    };
    browser.context.on('request', onRequest);
    await openDemoDicom(page);
    // Every record set's first records, not only the DICOM set's: the sets after it (ground
    // truth, reads) are fetched once its thumbnails show, and a file still in flight when the
    // page leaves is not cached.
    await allSetsReady(page);
    await page.waitForFunction(
      async (urls) => {
        const cache = await caches.open('croissant-lake-examples');
        for (const u of urls) if (!(await cache.match(u))) return false;
        return true;
      },
      [...fetched],
      { timeout: WAIT, polling: 250 },
    );
    browser.context.off('request', onRequest);
    // Back to the start page, settled: a reload while its workers load would abort them.
    await page.goto(visit.url(), { waitUntil: 'networkidle' });

    await visit.stopServer();
    await browser.context.setOffline(true);
    const failed: string[] = [];
    page.on('requestfailed', (r) => failed.push(`${r.url()} ${r.failure()?.errorText ?? ''}`));
    await page.reload();
    expect(await page.evaluate(() => navigator.onLine)).toBe(false);

    const { set, thumb } = await openDemoDicom(page);
    // A thumbnail is at most 96 pixels a side and never enlarged: the 64×64 image stays 64.
    expect(await thumb.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(64);
    await screenshot(page, 'dicom-demo-table');

    await set.locator('[data-testid="dicom-cell"]').first().click();
    const viewer = page.locator('[data-testid="dicom-viewer"]');
    await viewer.waitFor({ timeout: WAIT });
    await page.waitForFunction(
      () =>
        Number(document.querySelector('[data-testid="dicom-viewer"]')?.getAttribute('data-draws')) >
        0,
      undefined,
      { timeout: WAIT, polling: POLL },
    );
    expect(await page.locator('[data-testid="dicom-error"]').count()).toBe(0);

    // 1:1 under the file's own window, then the mediastinum preset: a known pixel's grey.
    await page.keyboard.press('0');
    for (const [x, y] of [
      [1, 1],
      [32, 32],
      [20, 40],
    ] as const) {
      expect((await pixel(page, x, y))[0], `(${x}, ${y})`).toBe(grey(hu(x, y), -280, 1400));
    }
    const n = await draws(page);
    await page
      .locator('[data-testid="dicom-preset"]')
      .selectOption({ label: 'Mediastinum (40/400)' });
    await redrawn(page, n);
    expect((await pixel(page, 32, 32))[0]).toBe(grey(hu(32, 32), 40, 400));
    await page.keyboard.press('f');
    await screenshot(page, 'dicom-demo-viewer');

    await page.locator('[data-testid="close-dicom-cell"]').click();
    await viewer.waitFor({ state: 'detached' });
    await allSetsReady(page);
    expect(failed).toEqual([]);
    expect(watch.errors).toEqual([]);
  }, 180_000);
});
