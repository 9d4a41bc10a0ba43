/**
 * Exploring datasets other than the curated one, end to end in Chromium against the built app
 * (issue 4 §2 and §1): the image grid of a filtered result (thumbnails from the stored blobs,
 * metadata, zoom) with DICOM items as real thumbnails and their tags, a "set of datasets" built with SQL
 * across the two bundled examples, and the embeddings view (issue 14 §4) over a FLOAT[] column. Persistent profiles, one folder each.
 */
import { describe, expect, it } from 'vitest';
import { writeDicomDataset } from './dicom-fixture.ts';
import { screenshot, watchPage } from './harness.ts';
import { startStaticServer } from './static-server.ts';
import {
  gridHeader,
  gridRows,
  runSql,
  setEditor,
  textOf,
  useProfiles,
  waitForGridRows,
} from './explore-helpers.ts';
import { POLL, WAIT, saveToLake, showRecordSet, waitForText } from './lake-helpers.ts';

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
    // The fields under a tile start with the columns the query orders by (else the first ones).
    const firstField = () => textOf(tiles.first().locator('.meta dt').first());
    expect(await firstField()).toBe('image_filename');
    expect(await runSql(page, 'SELECT * FROM "mini-coco@main".images ORDER BY split DESC')).toBe(
      'done',
    );
    await expect.poll(firstField, { timeout: WAIT }).toBe('split');
    // Thumbnails come from the stored bytes, once in view; metadata sits beside each.
    await tiles.first().locator('img').waitFor({ timeout: WAIT });
    expect(await textOf(tiles.first())).toContain('image_filename');

    // The grid follows the filter.
    await page.locator('[data-testid="image-tile"] .thumb[data-loaded="true"]').nth(1).waitFor({
      timeout: WAIT,
    });
    await screenshot(page, 'explore-images');
    // In the detail, ← and → (or the buttons) move through the result's images.
    const total = await tiles.count();
    expect(total).toBeGreaterThanOrEqual(2);
    const name = (i: number) => textOf(tiles.nth(i).locator('[title^="image_filename"] dd'));
    const [first, second] = [await name(0), await name(1)];
    expect(second).not.toBe(first);
    await tiles.first().click();
    const shown = page.locator('[data-testid="image-detail"]');
    const fileShown = () => textOf(shown.locator('[data-name="image_filename"] dd'));
    expect(await fileShown()).toBe(first);
    expect(await shown.locator('[data-testid="detail-prev"]').isDisabled()).toBe(true);
    await page.keyboard.press('ArrowRight');
    await expect.poll(fileShown).toBe(second);
    expect(await textOf(shown.locator('[data-testid="detail-position"]'))).toBe(`2 of ${total}`);
    expect(await shown.locator('[data-testid="detail-next"]').isDisabled()).toBe(total === 2);
    await shown.locator('[data-testid="detail-prev"]').click();
    await expect.poll(fileShown).toBe(first);
    await page.keyboard.press('Escape');
    await shown.waitFor({ state: 'detached' });
    // A filter that keeps nothing: said, not a blank area.
    await setEditor(page, 'where-editor', "image_filename = 'none'");
    await page.locator('[data-testid="apply-where"]').click();
    await page.locator('[data-testid="no-image-rows"]').waitFor({ timeout: WAIT });
    expect(await textOf(page.locator('[data-testid="no-image-rows"]'))).toBe(
      'No images: the query returned 0 rows. Change the filter or the query to see some.',
    );
    await setEditor(page, 'where-editor', "image_filename LIKE '%533055%'");
    await page.locator('[data-testid="apply-where"]').click();
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="image-tile"]').length === 1,
      undefined,
      { timeout: WAIT, polling: POLL },
    );
    expect(await textOf(tiles.first())).toContain('533055');
    expect(await page.locator('[data-testid="no-image-rows"]').count()).toBe(0);

    // The detail view, with zoom. It takes the keyboard focus (not left on the tile behind the
    // backdrop), keeps Tab among its own controls, and gives the focus back when it closes.
    await tiles.first().click();
    const detail = page.locator('[data-testid="image-detail"]');
    await detail.locator('img').waitFor({ timeout: WAIT });
    const focusIn = () =>
      page.evaluate(() => Boolean(document.activeElement?.closest('[data-testid="image-detail"]')));
    expect(await focusIn()).toBe(true);
    for (let i = 0; i < 12; i++) await page.keyboard.press('Tab');
    expect(await focusIn()).toBe(true);
    for (let i = 0; i < 12; i++) await page.keyboard.press('Shift+Tab');
    expect(await focusIn()).toBe(true);
    await detail.locator('[data-testid="zoom-in"]').click();
    await detail.locator('[data-testid="zoom-in"]').click();
    expect(await detail.locator('[data-testid="zoom-level"]').textContent()).toBe('156%');
    await screenshot(page, 'explore-image-detail');
    await detail.locator('[data-testid="close-detail"]').click();
    await detail.waitFor({ state: 'detached' });
    expect(
      await page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null),
    ).toBe('image-tile');

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

      // The Lake tab's rows show the same items as thumbnails that open the viewer (they were
      // a "DICOM" placeholder there, which opened nothing).
      await page.goto(`${app().url}/?lake=mini-dicom`);
      await showRecordSet(page, 'scans');
      const cell = page.locator('[data-testid="lake-rows"] [data-testid="dicom-cell"]');
      await cell.first().locator('[data-testid="dicom-cell-thumb"]').waitFor({ timeout: WAIT });
      await cell.first().click();
      await page.locator('[role="dialog"] [data-testid="dicom-viewer"]').waitFor({ timeout: WAIT });
      await screenshot(page, 'lake-dicom-viewer');
      await page.locator('[data-testid="close-dicom-cell"]').click();
    } finally {
      await server.close();
    }
    expect(watch.errors).toEqual([]);
  });

  it('joins the two bundled datasets (UNION ALL BY NAME, FULL OUTER JOIN), and projects an embedding made in SQL', async () => {
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

    // Embeddings (issue 14 §4): a FLOAT[] column made in SQL, [10 for male else 0, pclass/10].
    // PCA's first axis is gender (male to the right: the largest loading is positive), so a
    // lasso around the left half selects every woman; her neighbours in the embedding space
    // (cosine) are women, whose vectors all point one way.
    expect(
      await runSql(
        page,
        `SELECT count(*) AS n FROM "titanic@main".passengers WHERE gender = 'female'`,
      ),
    ).toBe('done');
    const women = Number(
      (await textOf(grid))
        .match(/\d[\d,]*/g)!
        .at(-1)!
        .replace(/,/g, ''),
    );
    expect(women).toBeGreaterThan(0);
    expect(
      await runSql(
        page,
        `SELECT _rowid, name, gender, pclass,
  [CASE WHEN gender = 'male' THEN 10 ELSE 0 END, pclass / 10]::FLOAT[] AS emb
FROM "titanic@main".passengers`,
      ),
    ).toBe('done');
    await page.locator('[data-testid="show-embedding"]').click();
    const scatter = page.locator('[data-testid="embedding-scatter"][data-status="done"]');
    await scatter.waitFor({ timeout: WAIT });
    expect(await scatter.getAttribute('data-points')).toBe('1309');
    await page.locator('[data-testid="embedding-colour"]').selectOption('gender');
    await scatter.scrollIntoViewIfNeeded();
    const box = (await scatter.boundingBox())!;
    const [x0, y0, x1, y1] = [box.x + 2, box.y + 2, box.x + box.width / 2, box.y + box.height - 2];
    await page.mouse.move(x0, y0);
    await page.mouse.down();
    for (const [x, y] of [
      [x1, y0],
      [x1, y1],
      [x0, y1],
      [x0, y0 + 1],
    ]) {
      await page.mouse.move(x!, y!, { steps: 4 });
    }
    await page.mouse.up();
    await waitForText(page, '[data-testid="embedding-selected"]', String(women));
    await screenshot(page, 'explore-embedding-lasso');
    // A click on a woman's point: she and her 8 nearest neighbours, all women.
    const left = scatter.locator('circle').first();
    await left.scrollIntoViewIfNeeded();
    const at = (await left.boundingBox())!;
    const isWoman = Number(await left.getAttribute('cx')) < 280; // the viewBox is 560 wide
    await page.mouse.click(at.x + at.width / 2, at.y + at.height / 2);
    const strip = page.locator('[data-testid="embedding-neighbours"] [data-testid="neighbour"]');
    await strip.nth(8).waitFor({ timeout: WAIT });
    expect(await strip.count()).toBe(9);
    await screenshot(page, 'explore-embedding-neighbours');
    for (const t of await strip.allTextContents()) {
      expect(t).toContain(isWoman ? 'gender: female' : 'gender: male');
    }
    // The selection filters the explored record set by row id (then "Save as branch").
    await page.locator('[data-testid="embedding-filter"]').click();
    await waitForGridRows(page, women);
    expect(watch.errors).toEqual([]);
  });
});
