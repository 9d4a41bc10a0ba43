/**
 * The Labels tab end to end in Chromium against the built app (issue 13): the demo dataset (a
 * 1,600-image copy made by the same generator, test/e2e/demo-helpers.ts) saved to the lake, its reads mapped to opinions (label, annotator, time, own id, corrected ids), a
 * subject's DAG drawn, a CSV of corrections imported, two conflicts resolved from the keyboard in
 * the review queue, a training branch saved whose lineage names the rule and the opinions
 * commit, and bad input (a correction of a missing opinion) refused with a located error.
 *
 * Expected graphs come from the demo's reads.csv itself, read here.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, startPreview, watchPage } from './harness.ts';
import type { LaunchedBrowser, Served } from './harness.ts';
import { WAIT, showLake, waitForText } from './lake-helpers.ts';
import { DEMO_DATASET, useSmallDemo } from './demo-helpers.ts';

/** Consolidating the demo's opinions under several rules on a busy 2-core machine. */
const SLOW = 180_000;

const demo = useSmallDemo(1600);

/** The reads of the generated demo's reads.csv (no quoted fields in it). */
function reads(): { id: string; image: string; annotator: string; corrects: string[] }[] {
  const lines = readFileSync(path.join(demo.dir(), 'data/reads.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  return lines.map((l) => {
    const [id, image, annotator, , , corrects] = l.split(',');
    return {
      id: id!,
      image: image!,
      annotator: annotator!,
      corrects: corrects ? corrects.split(' ') : [],
    };
  });
}

/** Waits until the Labels tab is idle (nothing running). */
async function idle(page: Page): Promise<void> {
  await page.locator('[data-testid="labels-status"][data-busy="false"]').waitFor({ timeout: SLOW });
}

/** The number of subjects a rule left to review, from the rule table. */
async function toReview(page: Page, rule: string): Promise<number> {
  const rules = await page
    .locator('[data-testid="rule-table"] thead th[data-rule]')
    .evaluateAll((ths) => ths.map((t) => t.getAttribute('data-rule')));
  const row = page.locator('[data-testid="rule-table"] tr[data-value="review"] td');
  if ((await row.count()) === 0) return 0;
  return Number(await row.nth(rules.indexOf(rule)).textContent());
}

/** Shows the DAG of demo image `key` and returns its nodes' ids, leaves and edges. */
async function showSubject(page: Page, key: string) {
  await page.locator('[data-testid="subject-key"]').fill(key);
  await page.locator('[data-testid="subject-panel"] button[type="submit"]').click();
  await idle(page);
  const dag = page.locator('[data-testid="subject-view"] [data-testid="subject-dag"]');
  await dag.or(page.locator('[data-testid="error"]')).first().waitFor({ timeout: WAIT });
  expect(
    await page.locator('[data-testid="labels-view"] [data-testid="error"]').allTextContents(),
  ).toEqual([]);
  const nodes = await dag
    .locator('[data-opinion]')
    .evaluateAll((gs) =>
      gs.map((g) => [g.getAttribute('data-opinion'), g.getAttribute('data-leaf')]),
    );
  const edges = await dag.locator('[data-edge]').count();
  return {
    ids: nodes.map((n) => n[0]!),
    leaves: nodes.filter((n) => n[1] === 'true').map((n) => n[0]!),
    edges,
    text: (await dag.textContent()) ?? '',
  };
}

describe('the Labels tab', () => {
  let app: Served | undefined;
  let browser: LaunchedBrowser | undefined;

  beforeAll(async () => {
    app = await startPreview();
  });
  // A browser (and so a lake) per attempt: a retry must not find the first attempt's dataset.
  beforeEach(async () => {
    browser = await launchBrowser();
  });
  afterEach(async () => {
    await browser?.close();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('maps reads to opinions, draws a DAG, imports corrections, reviews and saves a training branch', async () => {
    if (!app || !browser) throw new Error('setup failed');
    const page = await browser.newPage();
    const watch = watchPage(page);
    await page.goto(`${app.url}/?url=${encodeURIComponent(demo.metadataUrl())}`);
    await waitForText(page, '[data-testid="metadata"] h2', DEMO_DATASET);
    // Saving the images may take longer than saveToLake's wait when busy.
    await page.locator('[data-testid="save-to-lake"]').click();
    const saved = page.locator('[data-testid="save-result"]');
    await saved.waitFor({ timeout: SLOW });
    expect(await saved.getAttribute('data-status')).toBe('saved');

    // Map the reads (label, annotator, time, own id and corrected ids) to opinions about images.
    await page.locator('[data-testid="tab-labels"]').click();
    await page.locator('[data-testid="map-column"]').waitFor({ timeout: WAIT });
    await idle(page);
    const map = page.locator('[data-testid="map-column"]');
    await map.locator('[data-testid="map-record-set"]').selectOption('reads');
    await map.locator('[data-testid="map-value"]').selectOption('reads/lesion');
    await map.locator('[data-testid="map-annotator"]').selectOption('reads/annotator_id');
    await map.locator('[data-testid="map-time"]').selectOption('reads/read_at');
    await map.locator('[data-testid="map-id"]').selectOption('reads/read_id');
    await map.locator('[data-testid="map-corrects"]').selectOption('reads/corrects');
    await map.locator('[data-testid="map-question"]').fill('lesion');
    await map.locator('[data-testid="map-subject-set"]').selectOption('images');
    await map.locator('[data-testid="map-subject-column"]').selectOption('reads/image_id');
    await map.locator('button[type="submit"]').click();
    const all = reads();
    await waitForText(
      page,
      '[data-testid="labels-wrote"]',
      `${all.length} opinions added on labels`,
    );
    await page
      .locator('[data-testid="rule-table"]')
      .waitFor({ timeout: SLOW })
      .catch(async (e: unknown) => {
        await screenshot(page, 'labels-no-rules');
        throw new Error(`no rule table; page errors: ${watch.errors.join('; ')}`, { cause: e });
      });
    await idle(page);
    expect(await page.locator('[data-testid="labels-branch"]').inputValue()).toBe('labels');

    // An adjudicated image: two reads and the adjudication correcting both (a diamond's bottom).
    const adjudication = all.find((r) => r.corrects.length === 2)!;
    const image = adjudication.image;
    const ofImage = all.filter((r) => r.image === image);
    const before = await showSubject(page, image);
    expect(before.ids.length).toBe(ofImage.length);
    expect(before.edges).toBe(ofImage.reduce((n, r) => n + r.corrects.length, 0));
    expect(before.leaves.length).toBe(1);
    expect(before.text).toContain(`human: ${adjudication.annotator}`);
    // Beside the graph, the image's row: its acquisition date as a date (the demo's
    // metadata.csv, read here), not Arrow's milliseconds since the epoch.
    const meta = readFileSync(path.join(demo.dir(), 'data/metadata.csv'), 'utf8').split('\n');
    const cols = meta[0]!.split(',');
    const line = meta.find((l) => l.startsWith(`${image},`))!.split(',');
    const date = line[cols.indexOf('acquisition_date')]!;
    const cells = page.locator('[data-testid="subject-cells"]');
    expect(await cells.locator('dt', { hasText: 'acquisition_date' }).count()).toBe(1);
    const shown = await cells
      .locator('dt', { hasText: 'acquisition_date' })
      .evaluate((dt) => dt.nextElementSibling?.textContent);
    expect(shown).toBe(`${date}T00:00:00.000Z`);
    await screenshot(page, 'labels-dag');

    // A CSV of corrections: qa_09 corrects that leaf.
    const csv = `subject,question,value,actor,time,corrects\n${image},lesion,1,qa_09,2025-02-01T10:00:00Z,${before.leaves[0]}\n`;
    const add = page.locator('[data-testid="add-opinions"]');
    /** Opens the form when it is closed (it stays as it was across writes). */
    const openAdd = async () => {
      if ((await add.getAttribute('data-open')) !== 'true') {
        await add.locator('[data-testid="add-opinions-toggle"]').click();
      }
    };
    await openAdd();
    const form = page.locator('[data-testid="import-opinions"]');
    await form.locator('[data-testid="import-subject-set"]').waitFor();
    await screenshot(page, 'labels-add');
    await form.locator('[data-testid="import-file"]').setInputFiles({
      name: 'corrections.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv),
    });
    await form.locator('[data-testid="import-subject-set"]').selectOption('images');
    await form.locator('button[type="submit"]').click();
    await waitForText(page, '[data-testid="labels-wrote"]', '1 opinion added on labels');
    await idle(page);
    // Still open after the write, ready for the next file.
    expect(await add.getAttribute('data-open')).toBe('true');
    const after = await showSubject(page, image);
    expect(after.ids.length).toBe(before.ids.length + 1);
    expect(after.edges).toBe(before.edges + 1);
    expect(after.leaves).toHaveLength(1);
    expect(after.leaves[0]).not.toBe(before.leaves[0]);
    expect(after.text).toContain('human: qa_09');

    // Bad input: each refused with a located error, and nothing written (the count stays).
    const count = async () =>
      (await page.locator('[data-testid="labels-question"] option').first().textContent()) ?? '';
    const opinionsBefore = await count();
    const refused = async (name: string, body: string, code: string, where: string) => {
      await openAdd();
      await form.locator('[data-testid="import-file"]').setInputFiles({
        name,
        mimeType: 'application/octet-stream',
        buffer: Buffer.from(body),
      });
      await form.locator('[data-testid="import-subject-set"]').selectOption('images');
      await form.locator('button[type="submit"]').click();
      const error = page.locator(
        `[data-testid="labels-view"] [data-testid="error"][data-code="${code}"]`,
      );
      await error.waitFor({ timeout: WAIT });
      expect(await error.textContent()).toContain(where);
      await error.locator('button', { hasText: 'Dismiss' }).click();
      await idle(page);
      expect(await count()).toBe(opinionsBefore);
    };
    const missing = 'f'.repeat(32);
    await refused(
      'missing-parent.csv',
      `subject,question,value,actor,corrects\n${image},lesion,0,qa_09,\n${image},lesion,1,qa_09,${missing}\n`,
      'UNKNOWN_PARENT',
      'missing-parent.csv, row 3',
    );
    await refused(
      'unknown-subject.csv',
      `subject,question,value,actor\nimg_999999,lesion,1,qa_09\n`,
      'UNKNOWN_SUBJECT',
      'unknown-subject.csv, row 2',
    );
    // A loop of corrections: the error names both opinions (by the file's ids) and the line.
    await refused(
      'cycle.csv',
      `id,subject,question,value,actor,corrects\na,${image},lesion,0,qa_09,b\nb,${image},lesion,1,qa_09,a\n`,
      'OPINION_CYCLE',
      'cycle.csv, row 3: opinion "b" corrects opinion "a" (cycle.csv, row 2)',
    );
    // lesion holds classes: a number for it is refused where it is given.
    await refused(
      'wrong-type.csv',
      `subject,question,value,value_type,actor\n${image},lesion,0.5,number,qa_09\n`,
      'WRONG_TYPE',
      'wrong-type.csv, row 2: question "lesion" takes class values',
    );
    await refused(
      'broken.json',
      `[{"data": {"image_id": "${image}"}, "annotations": [{"completed_by": 1, "result": [{"from_name": "lesion", "value": {"choices": "yes"}}]}]}]`,
      'BAD_INPUT',
      'broken.json',
    );

    // The review queue: two conflicts resolved from the keyboard, committed in one batch.
    const queued = await toReview(page, 'human-review');
    expect(queued).toBeGreaterThan(2);
    await page.locator('[data-testid="review-start"]').click();
    const item = page.locator('[data-testid="review-item"]');
    await item.waitFor({ timeout: SLOW });
    const first = await item.getAttribute('data-row');
    await page.locator('body').press('1');
    await page.locator(`[data-testid="review-item"]:not([data-row="${first}"])`).waitFor();
    await page.locator('body').press('0');
    await page.locator('[data-testid="review-progress"][data-decided="2"]').waitFor();
    await screenshot(page, 'labels-review');
    await page.locator('[data-testid="review-finish"]').click();
    await page.locator('[data-testid="review-start"]').waitFor({ timeout: SLOW });
    await idle(page);
    expect(await toReview(page, 'human-review')).toBe(queued - 2);

    // Save the training branch; its lineage names the rule and the opinions commit.
    const status = (await page.locator('[data-testid="labels-status"]').textContent()) ?? '';
    const shortCommit = /commit ([0-9a-f]{12})/.exec(status)![1]!;
    const save = page.locator('[data-testid="save-training"]');
    await save.locator('[data-testid="save-rule"]').selectOption('majority-of-leaves');
    await save.locator('[data-testid="save-branch"]').fill('train-v1');
    await save.locator('button[type="submit"]').click();
    await page.locator('[data-testid="training-saved"]').waitFor({ timeout: SLOW });
    const opinionsCommit = (await page.locator('[data-testid="training-opinions"]').textContent())!;
    expect(opinionsCommit.startsWith(shortCommit)).toBe(true);
    await screenshot(page, 'labels-tab');

    // Its share link: a second, empty profile opening it imports the demo, maps the reads again,
    // writes the same corrections and decisions, runs the rule, and verifies the content hash.
    const share = page.locator('[data-testid="training-share"]');
    await share.locator('[data-testid="copy-link"]').click();
    const linkBox = share.locator('[data-testid="share-link"]');
    await linkBox.waitFor({ timeout: SLOW });
    const link = await linkBox.inputValue();
    expect(link).toMatch(new RegExp(`^${app.url}/#share=[A-Za-z0-9_-]+$`));
    const trainHash = (await page.locator('[data-testid="training-hash"]').textContent())!.trim();
    const other = await launchBrowser();
    try {
      const bob = await other.newPage();
      const bobWatch = watchPage(bob);
      await bob.goto(link);
      const panel = bob.locator('[data-testid="share-open"]');
      await panel.locator('[data-testid="confirm-share"]').click({ timeout: WAIT });
      const verified = panel.locator('[data-testid="share-verified"]');
      await verified.or(panel.locator('[data-testid="error"]')).first().waitFor({ timeout: SLOW });
      await screenshot(bob, 'labels-share-verified');
      expect(await panel.locator('[data-testid="error"]').allTextContents()).toEqual([]);
      expect(await verified.textContent()).toContain('Verified identical');
      expect(await verified.locator('code').first().getAttribute('title')).toBe(trainHash);
      expect(await verified.textContent()).toContain('train-v1');
      expect(bobWatch.errors).toEqual([]);
    } finally {
      await other.close();
    }

    // A second rule with parameters: the flipping annotator's leaves weigh nothing.
    await save.locator('[data-testid="save-rule"]').selectOption('weighted');
    await save.locator('[data-testid="save-weights"]').fill('ann_03 = 0');
    await save.locator('[data-testid="save-branch"]').fill('train-weighted');
    await save.locator('button[type="submit"]').click();
    await page
      .locator('[data-testid="training-saved"]', { hasText: 'train-weighted' })
      .waitFor({ timeout: SLOW });
    expect(await page.locator('[data-testid="training-saved"]').textContent()).toContain(
      'by weighted',
    );

    await showLake(page);
    await page.locator('[data-testid="catalog"] tr[data-dataset] button').first().click();
    await page.locator('[data-ref="train-v1"][data-protected="true"]').click({ timeout: WAIT });
    const head = page.locator('[data-testid="log"] [data-commit]').first();
    await head.locator('[data-testid="lineage-op"]', { hasText: 'consolidate' }).waitFor({
      timeout: WAIT,
    });
    const lineage = (await head.locator('[data-testid="lineage"]').textContent()) ?? '';
    expect(lineage).toContain('majority-of-leaves');
    // The log shows hashes by their first 10 digits.
    expect(lineage).toContain(`opinions ${opinionsCommit.slice(0, 10)}`);
    // Committed by the query worker, it names the app's one actor, as the lake worker's commits
    // do (it used to name 'croissant-lake').
    expect(await head.locator('.commit-meta').textContent()).toContain('· this browser ·');

    // The annotator table: ann_03 (the demo's flipping annotator) was corrected; clicking them
    // opens the Query view on their opinions.
    await page.locator('[data-testid="tab-labels"]').click();
    await page.locator('[data-testid="annotators-load"]').click({ timeout: SLOW });
    const ann03 = page.locator('[data-testid="annotator-table"] tr[data-actor="ann_03"]');
    await ann03.waitFor({ timeout: SLOW });
    const corrected = Number(await ann03.locator('td').nth(3).textContent());
    // Their reads that a later read corrects, plus at most the two review decisions above.
    const correctedIds = new Set(all.flatMap((r) => r.corrects));
    const byCsv = all.filter((r) => r.annotator === 'ann_03' && correctedIds.has(r.id)).length;
    expect(byCsv).toBeGreaterThan(0);
    expect(corrected).toBeGreaterThanOrEqual(byCsv);
    expect(corrected).toBeLessThanOrEqual(byCsv + 2);
    // Most of ann_03's subjects have their read alone, where it is the decision; where others
    // read too (the corrections of their flips among them) they agree less.
    const pct = async (i: number) => parseFloat((await ann03.locator('td').nth(i).textContent())!);
    const overall = await pct(5);
    const shared = await pct(6);
    expect(shared).toBeLessThan(overall);
    await screenshot(page, 'labels-annotators');
    await ann03.locator('button').click();
    const grid = page.locator('[data-testid="query-view"]');
    await grid.waitFor({ timeout: SLOW });
    expect(new URL(page.url()).searchParams.get('rs')).toBe('opinions');
    await waitForText(page, '[data-testid="query-view"]', 'ann_03');
    await screenshot(page, 'labels-query');
    expect(watch.errors).toEqual([]);
    await page.close();
  }, 900_000);
});
