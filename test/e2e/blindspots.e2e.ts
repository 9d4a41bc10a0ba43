/**
 * The Blind spots tab, end to end in Chromium against the built app (issue 15 §7): the demo
 * imaging study (a 1,600-image copy made by the same generator, planted blind spots included:
 * test/e2e/demo-helpers.ts) saved to the browser lake, a small MLP trained in the Train tab and evaluated
 * there onto branch `eval` (its predictions), the analysis run from the tab in the analysis
 * worker after it computed image statistics onto `eval` (the report slices on `image.*`), the top slice's image grid, the slice opened in the Query view and saved as a branch
 * under a name suggested from its conditions, the report open again on coming back (Back),
 * and the report exported as one HTML file that renders offline (no network, no script) with no
 * console or page error.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, startPreview, watchPage } from './harness.ts';
import type { LaunchedBrowser, Served } from './harness.ts';
import { WAIT, saveToLake, waitForText } from './lake-helpers.ts';
import { DEMO_DATASET as DATASET, useSmallDemo } from './demo-helpers.ts';

const demo = useSmallDemo(1600);
let app: Served;
let browser: LaunchedBrowser;

beforeAll(async () => {
  app = await startPreview();
});

// A browser (and so a lake) per attempt: a retry must not find the first attempt's dataset.
beforeEach(async () => {
  browser = await launchBrowser();
});

afterEach(async () => {
  await browser?.close().catch(() => undefined);
});

afterAll(async () => {
  await app?.close();
});

/** Picks the option of `select` whose text matches `text`. */
async function pick(page: Page, testid: string, text: RegExp): Promise<void> {
  const select = page.locator(`[data-testid="${testid}"]`);
  const options = await select.locator('option').allTextContents();
  const value = await select
    .locator('option')
    .nth(options.findIndex((o) => text.test(o)))
    .getAttribute('value');
  await select.selectOption(value!);
}

/** Trains a small MLP on the images (16 × 16, one epoch) and evaluates it onto branch `eval`. */
async function trainAndEvaluate(page: Page): Promise<void> {
  await page.locator('[data-testid="tab-train"]').click();
  await page.locator('[data-testid="train-dataset"]').selectOption(DATASET);
  await page
    .locator('[data-testid="train-record-set"] option', { hasText: 'images' })
    .first()
    .waitFor({ state: 'attached', timeout: WAIT });
  await pick(page, 'train-record-set', /^images /);
  await pick(page, 'train-label', /lesion/);
  await page.locator('[data-testid="train-split"]').selectOption('column');
  await pick(page, 'train-split-column', /split/);
  await page.locator('[data-testid="train-model"]').selectOption('mlp');
  for (const [id, v] of [
    ['train-image-size', '16'],
    ['train-epochs', '1'],
    ['train-batch', '64'],
    ['train-seed', '1'],
  ]) {
    await page.locator(`[data-testid="${id}"]`).fill(v!);
    await page.locator(`[data-testid="${id}"]`).dispatchEvent('change');
  }
  await page.locator('[data-testid="train-start"]').click();
  await page.locator('[data-testid="train-run"][data-status="done"]').waitFor({ timeout: 120_000 });
  await page.locator('[data-testid="evaluate-model"]').first().click();
  await page.locator('[data-testid="evaluate-start"]').click();
  await page.locator('[data-testid="evaluate-results"]').waitFor({ timeout: 120_000 });
}

describe('the Blind spots tab', () => {
  it(
    'finds slices of a trained model, shows the top one, saves it as a branch and exports the report',
    { timeout: 300_000 },
    async () => {
      const page = await browser.newPage();
      const watch = watchPage(page);
      await page.goto(`${app.url}/?url=${encodeURIComponent(demo.metadataUrl())}`);
      await waitForText(page, '[data-testid="metadata"] h2', DATASET);
      expect(await saveToLake(page)).toBe('saved');

      // A branch without predictions says how to make them, and Run waits.
      await page.locator('[data-testid="tab-blindspots"]').click();
      expect(new URL(page.url()).searchParams.has('blindspots')).toBe(true);
      await page.locator('[data-testid="bs-dataset"]').selectOption(DATASET);
      await page.locator('[data-testid="bs-no-predictions"]').waitFor({ timeout: WAIT });
      expect(await page.locator('[data-testid="bs-run"]').isDisabled()).toBe(true);

      await trainAndEvaluate(page);

      // The evaluation branch is picked by itself: it is the one holding predictions.
      await page.locator('[data-testid="tab-blindspots"]').click();
      await page.locator('[data-testid="bs-branch"] option[value="eval"]').waitFor({
        state: 'attached',
        timeout: WAIT,
      });
      expect(await page.locator('[data-testid="bs-branch"]').inputValue()).toBe('eval');
      // No image statistics on `eval` yet: the run computes them first (derive workers).
      const stats = page.locator('[data-testid="bs-compute-stats"]');
      await stats.waitFor({ timeout: WAIT });
      expect(await stats.isChecked()).toBe(true);
      await screenshot(page, 'blindspots-form');
      await page.locator('[data-testid="bs-run"]').click();
      await page
        .locator('[data-testid="bs-run-state"][data-status="done"]')
        .waitFor({ timeout: 120_000 });
      expect(await page.locator('[data-testid="bs-derived"]').textContent()).toMatch(
        /image statistics of \d+ items/,
      );
      // The report was sliced on them, and the form now says they are computed.
      const features = await page.locator('[data-testid="bs-feature"]').allTextContents();
      expect(features.some((f) => f.startsWith('image.'))).toBe(true);
      await waitForText(page, '[data-testid="bs-derive-note"]', 'already computed at commit');
      expect(await stats.isChecked()).toBe(false);
      const top = page.locator('[data-testid="bs-slice"][data-rank="1"]');
      await top.waitFor({ timeout: WAIT });
      expect(await page.locator('[data-testid="bs-bar"]').count()).toBeGreaterThan(0);
      // Its errors as images: the thumbnails load from the lake.
      await top.scrollIntoViewIfNeeded();
      await top
        .locator('[data-testid="bs-thumb"] .thumb[data-loaded="true"]')
        .first()
        .waitFor({ timeout: WAIT });
      await page
        .locator('[data-testid="bs-scatter"]')
        .waitFor({ timeout: WAIT })
        .catch(async () => {
          throw new Error(`no scatter: ${await page.locator('.scatter-box').textContent()}`);
        });
      expect(
        Number(await page.locator('[data-testid="bs-scatter"]').getAttribute('data-highlighted')),
      ).toBeGreaterThan(0);
      // The run stored the report: it is listed for the branch.
      await page
        .locator('[data-testid="bs-report-open"]')
        .first()
        .waitFor({ state: 'attached', timeout: WAIT });
      await screenshot(page, 'blindspots-report');

      // Export HTML: one file, opened offline in a fresh context, renders with no error.
      await page.locator('[data-testid="bs-export-html"]').click();
      const link = page.locator('[data-testid="bs-export-link"][data-kind="HTML"]');
      await link.waitFor({ timeout: WAIT });
      const [download] = await Promise.all([
        page.waitForEvent('download', { timeout: WAIT }),
        link.click(),
      ]);
      expect(download.suggestedFilename()).toMatch(
        new RegExp(`^${DATASET}-eval-blindspots-[0-9a-f]{8}\\.html$`),
      );
      // Saved under its own name: a browser shows a file:// page as HTML by its extension.
      const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'bs-e2e-')), 'report.html');
      await download.saveAs(file);
      const html = await readFile(file, 'utf8');
      expect(html).not.toMatch(/<script/i);
      expect(html).toContain('data:image/jpeg;base64,');
      const offline = await browser.browser!.newContext({ offline: true });
      const view = await offline.newPage();
      const viewWatch = watchPage(view);
      await view.goto(`file://${file}`);
      expect(await view.locator('svg rect.bar').count()).toBeGreaterThan(0);
      const images = await view
        .locator('img')
        .evaluateAll((els) =>
          (els as HTMLImageElement[]).map((i) => i.complete && i.naturalWidth > 0),
        );
      expect(images.length).toBeGreaterThan(0);
      expect(images.every(Boolean)).toBe(true);
      await screenshot(view, 'blindspots-export');
      expect(viewWatch.errors).toEqual([]);
      expect(viewWatch.requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
      await offline.close();

      // Propose correction on the first suspect: a correction opinion, signed, on the branch.
      await page.locator('[data-testid="bs-reviewer"]').fill('e2e-reviewer');
      expect(await page.locator('[data-testid="bs-question"]').inputValue()).toBe('lesion');
      await page.locator('[data-testid="bs-propose"]').first().click();
      await page
        .locator('[data-testid="bs-propose-outcome"]', { hasText: /^\s*Proposed / })
        .waitFor({ timeout: WAIT });

      // The top slice in the Query view, its predicate the filter; Save as branch keeps it.
      const text = await top.locator('[data-testid="bs-slice-text"]').textContent();
      const size = Number(await top.getAttribute('data-size'));
      const shown = await page.locator('[data-testid="bs-report"]').getAttribute('data-commit');
      const rank = await page
        .locator('[data-testid="bs-slice"][aria-current="true"]')
        .getAttribute('data-rank');
      await top.locator('[data-testid="bs-slice-query"]').click();
      expect(new URL(page.url()).searchParams.get('query')).toBe(`${DATASET}@eval`);
      await page.locator('[data-testid="save-branch-open"]').click();
      await page.locator('[data-testid="save-count"][data-status="ready"]').waitFor({
        timeout: WAIT,
      });
      // The rows the card counts: the slice's evaluated rows, not the slice in every split.
      const kept = await page.locator('[data-testid="save-kept"]').textContent();
      expect(Number(kept!.replace(/,/g, ''))).toBe(size);
      // The suggested name says which slice it is: the record set, then the slice's first
      // condition's feature (lower case), not the generic `images-subset`; the user may edit it.
      const suggested = await page.locator('[data-testid="branch-name-input"]').inputValue();
      const feature = text!.split(' and ')[0]!.split(' = ')[0]!.toLowerCase();
      expect(suggested).toMatch(/^[a-z0-9._-]+$/);
      expect(suggested.startsWith(`images-${feature}-`), suggested).toBe(true);
      await screenshot(page, 'blindspots-save-name');
      await page.locator('[data-testid="branch-name-input"]').fill('blind-spot-1');
      await page.locator('[data-testid="save-branch"]').click();
      await page
        .locator('[data-testid="branch-saved"][data-branch="blind-spot-1"]')
        .waitFor({ timeout: WAIT });
      expect(text).toBeTruthy();

      // Back to the Blind spots tab: the same report is open, the same slice selected.
      await page.goBack();
      expect(new URL(page.url()).searchParams.has('blindspots')).toBe(true);
      await page
        .locator(`[data-testid="bs-report"][data-commit="${shown}"]`)
        .waitFor({ timeout: WAIT });
      expect(
        await page
          .locator('[data-testid="bs-slice"][aria-current="true"]')
          .getAttribute('data-rank'),
      ).toBe(rank);
      await screenshot(page, 'blindspots-back');
      // And by the tabs: to the Query view and back to Blind spots.
      await page.locator('[data-testid="tab-query"]').click();
      await page.locator('[data-testid="query-view"]').waitFor({ timeout: WAIT });
      await page.locator('[data-testid="tab-blindspots"]').click();
      await page
        .locator(`[data-testid="bs-report"][data-commit="${shown}"]`)
        .waitFor({ timeout: WAIT });

      expect(watch.errors).toEqual([]);
      // Nothing from elsewhere than the app and the study's own server.
      expect(
        watch.requests.filter(
          (u) =>
            !u.startsWith(app.url) && !u.startsWith(demo.server().url) && !u.startsWith('blob:'),
        ),
      ).toEqual([]);
    },
  );
});
