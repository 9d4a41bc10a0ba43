/**
 * Exploring datasets other than the curated one, end to end in Chromium against the built app
 * (issue 4 §2 and §1): the image grid of a filtered result (thumbnails from the stored blobs,
 * metadata, zoom) with DICOM items as real thumbnails and their tags, and a "set of datasets" built with SQL
 * across the two bundled examples. Persistent profiles, one folder each.
 */
import { describe, expect, it } from 'vitest';
import { writeDicomDataset } from './dicom-fixture.ts';
import { screenshot, startStaticServer, watchPage } from './harness.ts';
import {
  gridHeader,
  gridRows,
  runSql,
  setEditor,
  textOf,
  useProfiles,
  waitForGridRows,
} from './explore-helpers.ts';
import { WAIT, saveToLake, waitForText } from './lake-helpers.ts';

describe('exploring images and sets of datasets', () => {
  const { app, open } = useProfiles('explore-data-e2e-');

  it('shows the images of a filtered result: thumbnails, metadata, zoom; DICOM thumbnails and tags', async () => {
    const coco = `${app().url}/examples/coco2014-mini/metadata.json`;
    const page = await open('erin', `?url=${encodeURIComponent(coco)}`);
    const watch = watchPage(page);
    await waitForText(page, '[data-testid="metadata"] h2', 'Mini-COCO');
    expect(await saveToLake(page)).toBe('saved');
    await page.goto(`${app().url}/?query=mini-coco@main`);
    await page.locator('[data-testid="pick-record-set"][data-record-set="images"]').click();
    await page.locator('[data-testid="show-images"]').waitFor({ timeout: WAIT });
    const all = await gridRows(page);
    expect(all).toBe(2);
    await page.locator('[data-testid="show-images"]').click();
    const tiles = page.locator('[data-testid="image-tile"]');
    await tiles.first().waitFor({ timeout: WAIT });
    expect(await tiles.count()).toBe(all);
    // Thumbnails come from the stored bytes, once in view; metadata sits beside each.
    await tiles.first().locator('img').waitFor({ timeout: WAIT });
    expect(await textOf(tiles.first())).toContain('image_filename');

    // The grid follows the filter.
    await page.locator('[data-testid="image-tile"] .thumb[data-loaded="true"]').nth(1).waitFor({
      timeout: WAIT,
    });
    await screenshot(page, 'explore-images');
    await setEditor(page, 'where-editor', "image_filename LIKE '%533055%'");
    await page.locator('[data-testid="apply-where"]').click();
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="image-tile"]').length === 1,
      undefined,
      { timeout: WAIT },
    );
    expect(await textOf(tiles.first())).toContain('533055');

    // The detail view, with zoom.
    await tiles.first().click();
    const detail = page.locator('[data-testid="image-detail"]');
    await detail.locator('img').waitFor({ timeout: WAIT });
    await detail.locator('[data-testid="zoom-in"]').click();
    await detail.locator('[data-testid="zoom-in"]').click();
    expect(await detail.locator('[data-testid="zoom-level"]').textContent()).toBe('156%');
    await screenshot(page, 'explore-image-detail');
    await detail.locator('[data-testid="close-detail"]').click();
    await detail.waitFor({ state: 'detached' });

    // DICOM items: thumbnails drawn by the decode worker; the viewer with their tags beside it.
    const server = await startStaticServer(await writeDicomDataset());
    try {
      await page.goto(`${app().url}/?url=${encodeURIComponent(`${server.url}/metadata.json`)}`);
      await waitForText(page, '[data-testid="metadata"] h2', 'Mini-DICOM');
      expect(await saveToLake(page)).toBe('saved');
      await page.goto(`${app().url}/?query=mini-dicom@main`);
      await page.locator('[data-testid="show-images"]').click();
      const thumbs = page.locator('[data-testid="dicom-thumb"]');
      await thumbs.nth(1).waitFor({ timeout: WAIT });
      await screenshot(page, 'explore-dicom');
      await page.locator('[data-testid="image-tile"]').first().click();
      await page.locator('[data-testid="dicom-viewer"]').waitFor({ timeout: WAIT });
      const tags = page.locator('[data-testid="dicom-tags"]');
      await tags.waitFor({ timeout: WAIT });
      const shown = await textOf(tags);
      expect(shown).toMatch(/Modality \(0008,0060\) (MR|CT)/);
      expect(shown).toContain('Acme Imaging');
      await screenshot(page, 'explore-dicom-detail');
    } finally {
      await server.close();
    }
    expect(watch.errors).toEqual([]);
  });

  it('joins the two bundled datasets: UNION ALL BY NAME and a FULL OUTER JOIN across them', async () => {
    const page = await open('gina', '');
    const watch = watchPage(page);
    for (const [example, title] of [
      ['titanic', 'Titanic'],
      ['coco2014-mini', 'Mini-COCO'],
    ] as const) {
      const url = `${app().url}/examples/${example}/metadata.json`;
      await page.goto(`${app().url}/?url=${encodeURIComponent(url)}`);
      await waitForText(page, '[data-testid="metadata"] h2', title);
      expect(await saveToLake(page)).toBe('saved');
    }
    await page.goto(`${app().url}/?query=titanic@main`);
    // The view first runs its own SELECT * of the largest record set: let it finish.
    await waitForGridRows(page, 1309);
    // A "set of datasets": one row per dataset, columns matched by name.
    expect(
      await runSql(
        page,
        `SELECT 'titanic' AS dataset, count(*) AS records FROM "titanic@main".passengers
UNION ALL BY NAME
SELECT 'mini-coco' AS dataset, count(*) AS records FROM "mini-coco@main".images
ORDER BY dataset`,
      ),
    ).toBe('done');
    await waitForGridRows(page, 2);
    const grid = page.locator('[data-testid="result-grid"]');
    expect(await textOf(grid)).toMatch(/mini-coco\s*2[\s\S]*titanic\s*1,?309/);
    // An outer join keeps the rows of both sides that match nothing on the other:
    // 2 genders + 3 COCO splits, no label in common.
    expect(
      await runSql(
        page,
        `SELECT g.label AS gender, s.name AS split
FROM "titanic@main".genders g FULL OUTER JOIN "mini-coco@main".split_enums s ON g.label = s.name
ORDER BY gender NULLS LAST, split`,
      ),
    ).toBe('done');
    await waitForGridRows(page, 5);
    expect(await gridHeader(page)).toEqual(['gender VARCHAR', 'split VARCHAR']);
    await screenshot(page, 'explore-join');
    expect(watch.errors).toEqual([]);
  });
});
