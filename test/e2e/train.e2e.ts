/**
 * The Train tab, end to end in Chromium against the built app: the demo imaging study (a
 * 1,600-image copy made by the same generator, test/e2e/demo-helpers.ts) saved to the browser
 * lake, a small CNN on its images (16 × 16) trained from the UI in the model worker
 * (onnxruntime-web's wasm served by the app itself), the curves drawn as progress arrives,
 * paused mid-run, the tab reloaded (the settings come back), Start resuming from the
 * pause's checkpoint, the model listed with its lineage, and its exported .onnx loaded by
 * onnxruntime-node, which gives finite logits of the right shape. Then evaluate (issue 14 §3,
 * §4, §7): a file that is not ONNX and a mapping that does not fit the model's input are
 * refused in the Evaluate panel; the trained model evaluated on the validation rows gives the
 * accuracy training measured, its metrics JSON says the same, and "See predictions in SQL"
 * opens the Query view on the eval branch where predictions join the metadata by _rowid.
 */
import { readFile } from 'node:fs/promises';
import * as ortNode from 'onnxruntime-node';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, startPreview, watchPage } from './harness.ts';
import type { LaunchedBrowser, Served } from './harness.ts';
import { POLL, WAIT, saveToLake, waitForText } from './lake-helpers.ts';
import { runSql, waitForGridRows } from './explore-helpers.ts';
import { DEMO_DATASET as DATASET, useSmallDemo } from './demo-helpers.ts';

/** Images of the generated study: 1,139 training rows, 72 steps an epoch in batches of 16. */
const IMAGES = 1600;
const demo = useSmallDemo(IMAGES);
let app: Served;
let browser: LaunchedBrowser;

beforeAll(async () => {
  app = await startPreview();
});

// A browser (and so a lake) per attempt: a retry must not find the first attempt's dataset
// saved, or its paused run.
beforeEach(async () => {
  browser = await launchBrowser();
});

afterEach(async () => {
  await browser?.close().catch(() => undefined);
});

afterAll(async () => {
  await app?.close();
});

const run = (page: Page, status: string) =>
  page.locator(`[data-testid="train-run"][data-status="${status}"]`).waitFor({ timeout: WAIT });

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

describe('the Train tab', () => {
  it(
    'trains from the UI with curves, cancels, resumes after a reload, lists and exports the model',
    { timeout: 300_000 },
    async () => {
      const page = await browser.newPage();
      const watch = watchPage(page);
      await page.goto(`${app.url}/?url=${encodeURIComponent(demo.metadataUrl())}`);
      await waitForText(page, '[data-testid="metadata"] h2', DATASET);
      expect(await saveToLake(page)).toBe('saved');

      await page.locator('[data-testid="tab-train"]').click();
      expect(new URL(page.url()).searchParams.has('train')).toBe(true);
      await page
        .locator('[data-testid="train-runtime"]', { hasText: 'onnxruntime-web 1.30.0' })
        .waitFor({ timeout: WAIT });
      await page.locator('[data-testid="train-dataset"]').selectOption(DATASET);
      await page
        .locator('[data-testid="train-record-set"] option', { hasText: 'images' })
        .first()
        .waitFor({ state: 'attached', timeout: WAIT });
      // The defaults for the images: the CNN with its recipe, and the study's split column once
      // the query worker has read its values (train, val, test).
      expect(await page.locator('[data-testid="train-model"]').inputValue()).toBe('cnn');
      expect(await page.locator('[data-testid="train-epochs"]').inputValue()).toBe('8');
      await page
        .locator('[data-testid="train-split-note"]', { hasText: 'split test are left out' })
        .waitFor({ timeout: WAIT });
      expect(await page.locator('[data-testid="train-split"]').inputValue()).toBe('column');
      expect(await page.locator('[data-testid="train-split-column"]').inputValue()).toBe(
        'images/split',
      );
      await pick(page, 'train-record-set', /^images /);
      await pick(page, 'train-label', /lesion/);
      await page.locator('[data-testid="train-split"]').selectOption('column');
      await pick(page, 'train-split-column', /split/);
      await page.locator('[data-testid="train-model"]').selectOption('cnn');
      // 1,139 training rows in batches of 16: 72 steps an epoch, more than the 50 steps
      // between checkpoints, so a cancel lands mid-run and before the first checkpoint.
      for (const [id, v] of [
        ['train-image-size', '16'],
        ['train-epochs', '2'],
        ['train-batch', '16'],
        ['train-lr', '0.003'],
        ['train-seed', '1'],
      ]) {
        await page.locator(`[data-testid="${id}"]`).fill(v!);
        await page.locator(`[data-testid="${id}"]`).dispatchEvent('change');
      }

      // Pause from inside the page as soon as the first step shows (no race with the run).
      await page.evaluate(() => {
        const obs = new MutationObserver(() => {
          const p = document.querySelector('[data-testid="train-progress"]');
          if (Number(p?.getAttribute('data-step') ?? 0) >= 1) {
            obs.disconnect();
            document.querySelector<HTMLButtonElement>('[data-testid="train-pause"]')?.click();
          }
        });
        obs.observe(document.body, { subtree: true, childList: true, attributes: true });
      });
      await page.locator('[data-testid="train-start"]').click();
      await run(page, 'paused');
      expect(
        Number(await page.locator('[data-testid="chart-loss"]').getAttribute('data-train')),
      ).toBeGreaterThan(0);
      const paused = page.locator('[data-testid="train-paused"]');
      expect(await paused.textContent()).toMatch(/Paused at step \d+/);
      const step = Number(await paused.getAttribute('data-step'));
      expect(step).toBeGreaterThan(0);
      // Seen at a step, not at the first checkpoint (every 50 steps) where storage I/O would
      // first let the worker read the Pause (abort) message (workers/api/model-yield.ts).
      expect(step).toBeLessThan(50);
      await page
        .locator('[data-testid="train-checkpoints"]', { hasText: `step ${step}` })
        .waitFor({ timeout: WAIT });
      // A link that is not a loader permalink is named with its reason and keeps Start off.
      const augment = page.locator('[data-testid="train-augment"]');
      await augment.fill('https://example.org/not-a-loader');
      await page
        .locator('[data-testid="train-augment-error"]', { hasText: 'not a loader permalink' })
        .waitFor({ timeout: WAIT });
      expect(await page.locator('[data-testid="train-start"]').isDisabled()).toBe(true);
      await screenshot(page, 'train-paused');
      await augment.fill('');
      await augment.dispatchEvent('change');

      // A reloaded tab shows the same settings; Start resumes from the checkpoint.
      await page.reload();
      await page.locator('[data-testid="train-checkpoints"]').waitFor({ timeout: WAIT });
      expect(await page.locator('[data-testid="train-epochs"]').inputValue()).toBe('2');
      await page.locator('[data-testid="train-start"]').click();
      await page
        .locator('[data-testid="train-resumed"]', { hasText: `resumed from step ${step}` })
        // The first progress comes after the run has read its rows again: slow on a busy machine.
        .waitFor({ timeout: 120_000 });
      await screenshot(page, 'train-running');
      await page.waitForFunction(
        () =>
          Number(
            document.querySelector('[data-testid="chart-accuracy"]')?.getAttribute('data-val'),
          ) >= 1,
        undefined,
        { timeout: 120_000, polling: POLL },
      );
      await run(page, 'done');
      expect(await page.locator('[data-testid="chart-loss"]').getAttribute('data-val')).toBe('2');
      const model = page.locator('[data-testid="train-models"] tr[data-model]');
      await model.first().waitFor({ timeout: WAIT });
      expect(await model.count()).toBe(1);
      expect(await model.textContent()).toMatch(
        /cnn.*label images\/lesion.*split by column images\/split.*2 epochs × batch 16/s,
      );
      await screenshot(page, 'train-tab');

      const [onnxDl] = await Promise.all([
        page.waitForEvent('download', { timeout: WAIT }),
        page.locator('[data-testid="export-onnx"]').click(),
      ]);
      expect(onnxDl.suggestedFilename()).toMatch(
        /^synthetic-chest-ct-lesions-cnn-[0-9a-f]{12}\.onnx$/,
      );
      const [cardDl] = await Promise.all([
        page.waitForEvent('download', { timeout: WAIT }),
        page.locator('[data-testid="export-card-link"]').click(),
      ]);
      const card = JSON.parse(await readFile((await cardDl.path())!, 'utf8')) as {
        classes: string[];
        input: { kind: string; size: number; channels: number };
        data: { label: string };
      };
      expect(card.data.label).toBe('images/lesion');
      expect(card.classes).toHaveLength(2);
      expect(card.input).toMatchObject({ kind: 'image', size: 16, channels: 1 });

      const session = await ortNode.InferenceSession.create(await readFile((await onnxDl.path())!));
      const x = new ortNode.Tensor(
        'float32',
        Float32Array.from({ length: 3 * 16 * 16 }, (_, i) => (i % 7) / 7),
        [3, 1, 16, 16],
      );
      const out = await session.run({ x });
      expect(out['logits']!.dims).toEqual([3, 2]);
      expect([...(out['logits']!.data as Float32Array)].every(Number.isFinite)).toBe(true);
      await session.release();

      await evaluateInTheApp(page, (await onnxDl.path())!);
      await page.locator('[data-testid="tab-train"]').click();
      await page.locator('[data-testid="train-start"]').waitFor({ timeout: WAIT });

      // A learning rate far too high: the loss overflows, and the UI names the step.
      await page.locator('[data-testid="train-lr"]').fill('1e30');
      await page.locator('[data-testid="train-lr"]').dispatchEvent('change');
      await page.locator('[data-testid="train-start"]').click();
      await run(page, 'failed');
      const banner = page.locator('[data-testid="train-run"] [data-testid="error"]');
      expect(await banner.getAttribute('data-code')).toBe('NAN_LOSS');
      await screenshot(page, 'train-nan');
      expect(await banner.textContent()).toMatch(
        /NaN or infinite at step \d+ \(epoch 1, batch \d+\)/,
      );

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

/**
 * The Evaluate panel (issue 14 §3, §4, §7) on the model trained above; `onnxPath` is its
 * exported .onnx file. Ends in the Query view.
 */
async function evaluateInTheApp(page: Page, onnxPath: string): Promise<void> {
  const panel = page.locator('[data-testid="evaluate-panel"]');
  // Not ONNX: refused with the file named, no form to run it.
  await page.locator('[data-testid="evaluate-file"]').setInputFiles({
    name: 'notes.onnx',
    mimeType: 'application/octet-stream',
    buffer: Buffer.from('these are my notes, not a model'),
  });
  const notOnnx = page.locator('[data-testid="evaluate-file-error"] [data-testid="error"]');
  await notOnnx.waitFor({ timeout: WAIT });
  expect(await notOnnx.getAttribute('data-code')).toBe('NOT_ONNX');
  expect(await notOnnx.textContent()).toContain('notes.onnx');
  expect(await page.locator('[data-testid="evaluate-start"]').count()).toBe(0);

  // The exported model as a file: its signature, and a width that does not fit its input.
  await page.locator('[data-testid="evaluate-file"]').setInputFiles(onnxPath);
  const sig = page.locator('[data-testid="evaluate-signature"]');
  await sig.waitFor({ timeout: WAIT });
  expect(await sig.textContent()).toMatch(/input\s*x\s*float32\s*\[\?, 1, 16, 16\]/);
  expect(await sig.textContent()).toMatch(/output\s*logits\s*float32\s*\[\?, 2\]/);
  await page.locator('[data-testid="map-resolved"]').waitFor({ timeout: WAIT });
  await page.locator('[data-testid="map-width"]').fill('32');
  const misfit = page.locator('[data-testid="map-error"] [data-testid="error"]');
  await misfit.waitFor({ timeout: WAIT });
  expect(await misfit.getAttribute('data-code')).toBe('BAD_INPUT_SHAPE');
  expect(await misfit.textContent()).toMatch(/dim 3 \(width\) is 16, but the mapping gives 32/);
  expect(await page.locator('[data-testid="evaluate-start"]').isDisabled()).toBe(true);

  // The trained model, from its row: the validation rows of its split column by default.
  const model = page.locator('[data-testid="train-models"] tr[data-model]').first();
  const trainedAcc = /accuracy ([\d.]+)%/.exec(
    (await model.locator('[data-testid="model-val"]').textContent()) ?? '',
  )![1]!;
  await model.locator('[data-testid="evaluate-model"]').click();
  expect(await page.locator('[data-testid="evaluate-split-value"]').inputValue()).toBe('val');
  await page.locator('[data-testid="evaluate-bootstrap"]').fill('200');
  await page.locator('[data-testid="evaluate-start"]').click();
  await page.locator('[data-testid="evaluate-panel"][data-status="done"]').waitFor({
    timeout: 120_000,
  });
  const metrics = page.locator('[data-testid="evaluate-metrics"]');
  const rows = Number(await metrics.getAttribute('data-rows'));
  const accuracy = Number(await metrics.getAttribute('data-accuracy'));
  expect(rows).toBeGreaterThan(0);
  // The same rows through the same graph: the accuracy training measured.
  expect((accuracy * 100).toFixed(1)).toBe(trainedAcc);
  expect(await page.locator('[data-testid="evaluate-accuracy"]').textContent()).toMatch(
    new RegExp(`^${trainedAcc}% \\[[\\d.]+%, [\\d.]+%\\]$`),
  );
  for (const chart of ['eval-confusion', 'eval-roc', 'eval-reliability', 'eval-per-class']) {
    expect(await panel.locator(`[data-testid="${chart}"]`).count()).toBe(1);
  }
  await panel.scrollIntoViewIfNeeded();
  await screenshot(page, 'evaluate-panel');

  const [json] = await Promise.all([
    page.waitForEvent('download', { timeout: WAIT }),
    page.locator('[data-testid="evaluate-export"]').click(),
  ]);
  const report = JSON.parse(await readFile((await json.path())!, 'utf8')) as {
    format: string;
    rows: number;
    accuracy: { value: number; lo: number; hi: number };
    confusion: number[][];
  };
  expect(report).toMatchObject({
    format: 'croissant-lake/metrics',
    rows,
    accuracy: { value: accuracy },
  });
  expect(report.confusion.flat().reduce((a, b) => a + b, 0)).toBe(rows);

  // The predictions in SQL, joined with the metadata on the eval branch.
  await page.locator('[data-testid="evaluate-sql"]').click();
  await waitForGridRows(page, rows);
  expect(new URL(page.url()).searchParams.get('query')).toBe(`${DATASET}@eval`);
  expect(
    await runSql(
      page,
      `SELECT count(*) AS n, count(*) FILTER (WHERE p.correct = 1) AS right_,
  (SELECT count(*) FROM "${DATASET}@eval".images WHERE split = 'val') AS val_rows
FROM "${DATASET}@eval".predictions p JOIN "${DATASET}@eval".images m USING (_rowid)
WHERE m.split = 'val'`,
    ),
  ).toBe('done');
  await waitForGridRows(page, 1);
  const [n, right, valRows] = (
    await page
      .locator('[data-testid="result-grid"] [role="gridcell"]')
      .evaluateAll((cells) => cells.map((c) => c.getAttribute('title') ?? ''))
  ).map((t) => Number(t.replace(/,/g, '')));
  // Every validation row was evaluated, and avg(correct) is the accuracy the panel showed.
  expect([n, valRows]).toEqual([rows, rows]);
  expect(right! / n!).toBeCloseTo(accuracy, 12);
}
