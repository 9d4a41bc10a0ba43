/**
 * Every example the app bundles (public/examples/index.json) opens from the start page and
 * saves to the lake, through `vite preview` with the project's vite.config.ts: the server
 * `npm start` runs (issue 11 §3). That server used to send `images-dicom.tar.gz` with
 * `Content-Encoding: gzip`; the browser unpacked it in transit and the featured example failed
 * its sha256 check, so it neither opened nor saved.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  REPO_ROOT,
  launchBrowser,
  onFailure,
  screenshot,
  startPreview,
  watchPage,
} from './harness.ts';
import type { LaunchedBrowser, Served } from './harness.ts';

/** The synthetic study is 17 MB in 5,000 images: its save is the longest step. */
const WAIT = 180_000;
const EXAMPLES = path.join(REPO_ROOT, 'public/examples');

interface Bundled {
  id: string;
  path: string;
  /** Record sets its Croissant document declares. */
  recordSets: string[];
}

/** The bundled examples, read from the files the build copies into dist/. */
function bundledExamples(): Bundled[] {
  const index = JSON.parse(readFileSync(path.join(EXAMPLES, 'index.json'), 'utf8')) as {
    id: string;
    path: string;
  }[];
  return index.map(({ id, path: rel }) => {
    const doc = JSON.parse(readFileSync(path.join(EXAMPLES, rel), 'utf8')) as {
      recordSet: { '@id'?: string; name: string }[];
    };
    return { id, path: rel, recordSets: doc.recordSet.map((r) => r['@id'] ?? r.name) };
  });
}

/** The text of the save outcome, for a failure's message. */
async function outcome(page: Page): Promise<string> {
  return ((await page.locator('[data-testid="save-result"]').textContent()) ?? '').trim();
}

describe('every bundled example', () => {
  const examples = bundledExamples();
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

  it('are all listed on the start page', async () => {
    if (!app || !browser) throw new Error('setup failed');
    expect(examples.map((e) => e.id)).toEqual(
      expect.arrayContaining(['synthetic-lesions', 'titanic', 'coco2014-mini']),
    );
    const page = await browser.newPage();
    await page.goto(app.url);
    await page.locator('.example-card').first().waitFor({ timeout: 45_000 });
    const listed = await page
      .locator('.example-card')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-example')));
    expect(listed).toEqual(examples.map((e) => e.id));
    await page.close();
  });

  it.each(bundledExamples().map((e) => [e.id, e] as const))(
    '%s opens from the start page and saves to the lake',
    async (_id, example) => {
      if (!app || !browser) throw new Error('setup failed');
      const page = await browser.newPage();
      const watch = watchPage(page);
      await page.goto(app.url);
      await page.locator(`.example-card[data-example="${example.id}"]`).click();
      await page.locator('[data-testid="metadata"] h2').waitFor({ timeout: 45_000 });
      // Opened: every record set generated its first records, none failed.
      const sets = page.locator('[data-record-set]');
      await expect
        .poll(() => sets.evaluateAll((els) => els.map((e) => e.getAttribute('data-record-set'))), {
          timeout: 45_000,
        })
        .toEqual(example.recordSets);
      await page
        .locator('[data-record-set]:not([data-status="ready"]):not([data-status="failed"])')
        .first()
        .waitFor({ state: 'detached', timeout: WAIT });
      const failed = await page
        .locator('[data-record-set][data-status="failed"]')
        .evaluateAll((els) => els.map((e) => e.textContent?.trim() ?? ''));
      expect(failed).toEqual([]);

      await page.locator('[data-testid="save-to-lake"]').click();
      const result = page.locator('[data-testid="save-result"]');
      await result.waitFor({ timeout: WAIT });
      const status = await result.getAttribute('data-status');
      expect(status === 'saved' ? 'saved' : `${status}: ${await outcome(page)}`).toBe('saved');
      expect(await outcome(page)).toContain(`in ${example.recordSets.length} record sets`);
      await screenshot(page, `example-${example.id}-saved`);
      expect(watch.errors).toEqual([]);
      await page.close();
    },
    WAIT * 2,
  );
});
