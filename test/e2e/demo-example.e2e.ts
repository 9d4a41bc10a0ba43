/**
 * The demo imaging dataset is the featured first example on the start page, and opens in the
 * built app: its metadata, its record sets, and the joined "images" records with PNG thumbnails.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, onFailure, screenshot, startPreview, watchPage } from './harness.ts';
import type { LaunchedBrowser, Served } from './harness.ts';

const WAIT = 45_000;

async function waitForText(page: Page, selector: string, text: string): Promise<void> {
  await page.locator(selector, { hasText: text }).first().waitFor({ timeout: WAIT });
}

describe('demo example', () => {
  let app: Served | undefined;
  let browser: LaunchedBrowser | undefined;
  // A failed test's retry starts from an empty profile (harness.ts, onFailure).
  onFailure(async () => {
    await browser?.close();
    browser = await launchBrowser();
  });

  beforeAll(async () => {
    app = await startPreview();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('is listed first, featured, and opens with joined image records', async () => {
    if (!app || !browser) throw new Error('setup failed');
    const page = await browser.newPage();
    const watch = watchPage(page);
    await page.goto(app.url);
    const first = page.locator('.example-card').first();
    await first.waitFor({ timeout: WAIT });
    expect(await first.getAttribute('data-example')).toBe('synthetic-lesions');
    expect(await first.textContent()).toContain('Start here');
    await first.click();
    await waitForText(page, '[data-testid="metadata"] h2', 'synthetic-chest-ct-lesions');
    expect(await page.locator('[data-testid="metadata"]').textContent()).toContain(
      'PLANTED CONFOUNDERS',
    );
    const sets = await page
      .locator('[data-record-set]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-record-set')));
    expect(sets).toEqual(
      expect.arrayContaining(['images', 'studies', 'labels', 'png_files', 'dicom', 'ground_truth']),
    );
    await page
      .locator('[data-record-set="images"][data-status="ready"]')
      .waitFor({ timeout: WAIT });
    const table = page.locator('[data-record-set="images"] .records-table');
    expect(await table.textContent()).toContain('img_000000');
    expect(await table.locator('img').count()).toBeGreaterThan(0);
    await screenshot(page, 'demo-example');
    expect(watch.errors).toEqual([]);
    await page.close();
  }, 120_000);
});
