/**
 * Validation messages in the app say where the problem is (issue 11): where the reference's
 * text names no place, the place is shown beneath it. A folder from the validation-errors
 * corpus is picked as a user would.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, launchBrowser, screenshot, startPreview, watchPage } from './harness.ts';
import type { LaunchedBrowser, Served } from './harness.ts';
import { WAIT } from './lake-helpers.ts';

const CASE = path.join(
  REPO_ROOT,
  'test/fixtures/croissant/validation-errors/1.0/distribution_bad_id',
);

describe('validation places', () => {
  let app: Served | undefined;
  let browser: LaunchedBrowser | undefined;
  beforeAll(async () => {
    app = await startPreview();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('shows the place of each message beneath the reference text', async () => {
    if (!app || !browser) throw new Error('setup failed');
    const page = await browser.newPage();
    const watch = watchPage(page);
    await page.goto(app.url);
    await page.locator('[data-testid="folder-input"]').setInputFiles(CASE);
    const errors = page.locator('[data-testid="validation-errors"] li');
    await errors.first().waitFor({ timeout: WAIT });
    const items = await errors.evaluateAll((lis) =>
      lis.map((li) => ({
        message: li.querySelector('.issue-message')?.textContent ?? '',
        places: [...li.querySelectorAll('[data-testid="issue-place"]')].map((p) => p.textContent),
      })),
    );
    expect(items).toEqual([
      {
        message: expect.stringMatching(/^Source should have one of the following properties/),
        places: [
          'at [Metadata(mydataset) > RecordSet(a-record-set) > Field(first-field) > source]',
        ],
      },
      {
        message: expect.stringMatching(/^The dataset contains a wrong `@id`/),
        places: [
          'at [Metadata(mydataset) > FileObject(distribution name)]',
          'at [Metadata(mydataset) > RecordSet(a-record-set) > Field(first-field)]',
        ],
      },
      // Located by the reference itself: nothing added.
      { message: expect.stringMatching(/^Field a-record-set\/first-field does not/), places: [] },
    ]);
    await screenshot(page, 'validation-places');
    expect(watch.errors).toEqual([]);
    await page.close();
  });
});
