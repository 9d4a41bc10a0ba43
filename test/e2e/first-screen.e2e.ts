/**
 * The first screen, end to end in Chromium against the built app: open a dataset from an example,
 * from `?url=`, from a picked folder; see metadata, record sets, records and images; see located
 * errors for bad URLs, unreachable hosts, corrupt archives and checksum mismatches, with the app
 * still usable afterwards; cancel a slow open.
 */
import { cp, mkdir, mkdtemp, readFile, rm, truncate, writeFile, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, launchBrowser, screenshot, startPreview, watchPage } from './harness.ts';
import type { LaunchedBrowser, Served } from './harness.ts';
import { startStaticServer, type StaticServer } from './static-server.ts';
import { FIRST_PASSENGER, POLL, WAIT, startStallingServer, waitForText } from './lake-helpers.ts';

const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/croissant/1.0');

/** Copies a fixture dataset (metadata.json and data/, not output/) into `dest`, writable. */
async function copyDataset(name: string, dest: string): Promise<void> {
  await cp(path.join(FIXTURES, name, 'metadata.json'), path.join(dest, 'metadata.json'));
  await cp(path.join(FIXTURES, name, 'data'), path.join(dest, 'data'), { recursive: true });
  await chmod(dest, 0o755);
  await chmod(path.join(dest, 'data'), 0o755);
  for (const f of ['metadata.json']) await chmod(path.join(dest, f), 0o644);
}

/** coco2014-mini with train2014.zip cut in half and its sha256 removed from the metadata. */
async function makeCorruptZip(dir: string): Promise<void> {
  await copyDataset('coco2014-mini', dir);
  const zip = path.join(dir, 'data/train2014.zip');
  await chmod(zip, 0o644);
  const size = (await readFile(zip)).byteLength;
  await truncate(zip, Math.floor(size / 2));
  const md = JSON.parse(await readFile(path.join(dir, 'metadata.json'), 'utf8')) as {
    distribution: Record<string, unknown>[];
  };
  for (const r of md.distribution) if (r['@id'] === 'train2014.zip') delete r['sha256'];
  await writeFile(path.join(dir, 'metadata.json'), JSON.stringify(md, null, 2));
}

/** titanic with one byte of titanic.csv changed ("Allen" → "Allan"), checksums untouched. */
async function makeChecksumMismatch(dir: string): Promise<void> {
  await copyDataset('titanic', dir);
  const csv = path.join(dir, 'data/titanic.csv');
  await chmod(csv, 0o644);
  const bytes = await readFile(csv);
  const at = bytes.indexOf('Allen, Miss');
  expect(at).toBeGreaterThan(0);
  bytes[at + 3] = 'a'.charCodeAt(0);
  await writeFile(csv, bytes);
}

/** Opens the Titanic example from whatever screen the page is on and waits for its records. */
async function openTitanicExample(page: Page): Promise<void> {
  await page.locator('[data-example="titanic"]').first().click();
  await waitForText(page, '[data-testid="metadata"] h2', 'Titanic');
  await waitForText(page, '[data-record-set="passengers"] .records-table', FIRST_PASSENGER);
}

/** The page still shows the app: header, open panel, and no leftover progress bar. */
async function expectUsable(page: Page): Promise<void> {
  expect(await page.locator('.app-header h1').textContent()).toContain('croissant-lake');
  expect(await page.locator('#dataset-url').isEnabled()).toBe(true);
  await page.locator('[data-testid="progress"]').waitFor({ state: 'detached', timeout: WAIT });
}

describe('first screen', () => {
  let app: Served | undefined;
  let fixtures: StaticServer | undefined;
  let broken: StaticServer | undefined;
  let browser: LaunchedBrowser | undefined;
  let tmp: string | undefined;

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'first-screen-'));
    await makeCorruptZip(path.join(tmp, 'coco-corrupt'));
    await makeChecksumMismatch(path.join(tmp, 'titanic-changed'));
    await mkdir(path.join(tmp, 'bad-json'));
    await writeFile(
      path.join(tmp, 'bad-json/metadata.json'),
      '{\n  "@type": "sc:Dataset",\n  "name": "x",,\n}\n',
    );
    app = await startPreview();
    fixtures = await startStaticServer(FIXTURES, { cors: true });
    broken = await startStaticServer(tmp, { cors: true });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await broken?.close();
    await fixtures?.close();
    await app?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  function setup(): {
    app: Served;
    fixtures: StaticServer;
    broken: StaticServer;
    browser: LaunchedBrowser;
  } {
    if (!app || !fixtures || !broken || !browser) throw new Error('setup failed');
    return { app, fixtures, broken, browser };
  }

  it('lists the examples and opens Titanic: metadata, record sets, first records', async () => {
    const { app, browser } = setup();
    const page = await browser.newPage();
    const watch = watchPage(page);
    await page.goto(app.url);
    await page.locator('[data-example="coco2014-mini"]').waitFor({ timeout: WAIT });
    expect(await page.locator('.example-card').count()).toBeGreaterThanOrEqual(2);
    await screenshot(page, 'first-screen-home');

    await openTitanicExample(page);
    expect(new URL(page.url()).searchParams.get('url')).toBe('examples/titanic/metadata.json');
    const card = page.locator('[data-testid="metadata"]');
    expect(await card.textContent()).toContain('afl-3.0');
    expect(await card.textContent()).toContain('Encyclopedia Titanica');
    const sets = await page
      .locator('[data-record-set]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-record-set')));
    expect(sets).toEqual(['genders', 'embarkation_ports', 'passengers']);
    expect(await page.locator('[data-testid="distribution"]').textContent()).toContain(
      'data/titanic.csv',
    );
    await page
      .locator('[data-record-set="passengers"][data-status="ready"]')
      .waitFor({ timeout: WAIT });
    expect(
      await page.locator('[data-record-set="passengers"] .records-table tbody tr').count(),
    ).toBe(20);
    await page.locator('[data-testid="progress"]').waitFor({ state: 'detached', timeout: WAIT });
    await screenshot(page, 'first-screen-titanic');
    // The address is a shareable link: reloading it opens the same dataset.
    await page.reload();
    await waitForText(page, '[data-record-set="passengers"] .records-table', FIRST_PASSENGER);
    // Back returns to the start page.
    await page.goBack();
    await page.locator('.example-card[data-example="titanic"]').waitFor({ timeout: WAIT });
    expect(await page.locator('[data-testid="metadata"]').count()).toBe(0);
    expect(watch.errors).toEqual([]);
    await page.close();
  });

  it('opens ?url= on another origin and shows records with inline images', async () => {
    const { app, fixtures, browser } = setup();
    const page = await browser.newPage();
    const watch = watchPage(page);
    const url = `${fixtures.url}/coco2014-mini/metadata.json`;
    await page.goto(`${app.url}/?url=${encodeURIComponent(url)}`);
    await waitForText(page, '[data-testid="metadata"] h2', 'Mini-COCO');
    const images = page.locator('[data-record-set="images"]');
    await images.locator('.records-table img').first().waitFor({ timeout: WAIT });
    await page.waitForFunction(
      () => {
        const img = document.querySelector<HTMLImageElement>(
          '[data-record-set="images"] .records-table img',
        );
        return !!img && img.complete && img.naturalWidth > 0;
      },
      undefined,
      { timeout: WAIT, polling: POLL },
    );
    const size = await images
      .locator('.records-table img')
      .first()
      .evaluate((img: HTMLImageElement) => [
        img.naturalWidth,
        img.naturalHeight,
        img.src.slice(0, 5),
      ]);
    expect(size).toEqual([3, 2, 'blob:']);
    expect(await images.textContent()).toContain('COCO_train2014_000000467840.jpg');
    await page.locator('[data-testid="progress"]').waitFor({ state: 'detached', timeout: WAIT });
    expect(await page.locator('[data-testid="error"]').count()).toBe(0);
    await screenshot(page, 'first-screen-coco-url');
    expect(watch.errors).toEqual([]);
    await page.close();
  });

  it('shows a located error for a 404, an unreachable host and a CORS refusal, and stays usable', async () => {
    const { app, fixtures, browser } = setup();
    const page = await browser.newPage();
    await page.goto(app.url);

    const missing = `${fixtures.url}/no-such-dataset/metadata.json`;
    await page.locator('#dataset-url').fill(missing);
    await page.locator('[data-testid="open-url"]').click();
    await waitForText(page, '[data-testid="error"]', 'no-such-dataset/metadata.json');
    expect(await page.locator('[data-testid="error"]').getAttribute('data-code')).toBe('NOT_FOUND');
    await expectUsable(page);
    await screenshot(page, 'first-screen-error-404');

    await page.locator('#dataset-url').fill('http://127.0.0.1:9/x.json');
    await page.locator('[data-testid="open-url"]').click();
    await waitForText(page, '[data-testid="error"]', '127.0.0.1:9/x.json');
    expect(await page.locator('[data-testid="error"]').getAttribute('data-code')).toBe('NETWORK');
    await expectUsable(page);
    await screenshot(page, 'first-screen-error-unreachable');

    // A server that answers but sends no CORS headers: the browser refuses the response.
    const noCors = await startStaticServer(FIXTURES, { cors: false });
    try {
      const refused = `${noCors.url}/titanic/metadata.json`;
      await page.locator('#dataset-url').fill(refused);
      await page.locator('[data-testid="open-url"]').click();
      await waitForText(page, '[data-testid="error"]', 'CORS');
      expect(await page.locator('[data-testid="error"]').textContent()).toContain(refused);
      expect(await page.locator('[data-testid="error"]').getAttribute('data-code')).toBe('NETWORK');
      await expectUsable(page);
      await screenshot(page, 'first-screen-error-cors');
    } finally {
      await noCors.close();
    }

    await openTitanicExample(page);
    expect(await page.locator('[data-testid="error"]').count()).toBe(0);
    await page.close();
  });

  it('shows a located error for a corrupt zip, and stays usable', async () => {
    const { app, broken, browser } = setup();
    const page = await browser.newPage();
    await page.goto(
      `${app.url}/?url=${encodeURIComponent(`${broken.url}/coco-corrupt/metadata.json`)}`,
    );
    await waitForText(page, '[data-testid="metadata"] h2', 'Mini-COCO');
    const images = page.locator('[data-record-set="images"]');
    await images.locator('[data-testid="error"]').waitFor({ timeout: WAIT });
    expect(await images.locator('[data-testid="error"]').textContent()).toContain('train2014.zip');
    // Record sets that do not read the zip still show their records.
    await waitForText(page, '[data-record-set="split_enums"] .records-table', 'train');
    await expectUsable(page);
    await screenshot(page, 'first-screen-error-corrupt-zip');

    await openTitanicExample(page);
    await page.close();
  });

  it('shows a located checksum mismatch, and stays usable', async () => {
    const { app, broken, browser } = setup();
    const page = await browser.newPage();
    await page.goto(
      `${app.url}/?url=${encodeURIComponent(`${broken.url}/titanic-changed/metadata.json`)}`,
    );
    const passengers = page.locator('[data-record-set="passengers"]');
    await passengers.locator('[data-testid="error"]').waitFor({ timeout: WAIT });
    const error = passengers.locator('[data-testid="error"]');
    expect(await error.getAttribute('data-code')).toBe('CHECKSUM_MISMATCH');
    expect(await error.textContent()).toMatch(/titanic\.csv|passengers\.csv/);
    await expectUsable(page);
    await screenshot(page, 'first-screen-error-checksum');

    await openTitanicExample(page);
    await screenshot(page, 'first-screen-after-errors');
    await page.close();
  });

  it('shows malformed JSON as a located error', async () => {
    const { app, broken, browser } = setup();
    const page = await browser.newPage();
    const bad = `${broken.url}/bad-json/metadata.json`;
    await page.goto(`${app.url}/?url=${encodeURIComponent(bad)}`);
    const error = page.locator('[data-testid="error"]');
    await error.waitFor({ timeout: WAIT });
    expect(await error.getAttribute('data-code')).toBe('BAD_JSON');
    const text = await error.textContent();
    expect(text).toContain('bad-json/metadata.json');
    expect(text).toMatch(/line 3/);
    await expectUsable(page);
    await screenshot(page, 'first-screen-error-bad-json');

    // A web page instead of a Croissant file: still a located error.
    await page.locator('#dataset-url').fill(`${app.url}/index.html`);
    await page.locator('[data-testid="open-url"]').click();
    await waitForText(page, '[data-testid="error"]', 'index.html');
    await expectUsable(page);
    await screenshot(page, 'first-screen-error-html');
    await openTitanicExample(page);
    await page.close();
  });

  it('opens a dropped Croissant file, and locates the data files it lacks', async () => {
    const { app, browser } = setup();
    const page = await browser.newPage();
    await page.goto(app.url);
    await page.locator('[data-example="titanic"]').waitFor({ timeout: WAIT });
    const text = await readFile(path.join(FIXTURES, 'titanic/metadata.json'), 'utf8');
    await page.evaluate((json) => {
      const dt = new DataTransfer();
      dt.items.add(new File([json], 'metadata.json', { type: 'application/json' }));
      document.body.dispatchEvent(
        new DragEvent('dragenter', { dataTransfer: dt, bubbles: true, cancelable: true }),
      );
      document.body.dispatchEvent(
        new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }),
      );
    }, text);
    await waitForText(page, '[data-testid="metadata"] h2', 'Titanic');
    const genders = page.locator('[data-record-set="genders"] [data-testid="error"]');
    await genders.waitFor({ timeout: WAIT });
    expect(await genders.getAttribute('data-code')).toBe('NOT_FOUND');
    expect(await genders.textContent()).toContain('data/genders.csv');
    await expectUsable(page);
    expect(await page.locator('.drop-overlay').count()).toBe(0);
    await screenshot(page, 'first-screen-dropped-file');
    await page.close();
  });

  it('shows RAI fields and nested sub-fields of datasets whose data is online only', async () => {
    const { app, browser } = setup();
    const networkOnly = await startStaticServer('test/fixtures/croissant/network-only/1.0', {
      cors: true,
    });
    try {
      const page = await browser.newPage();
      await page.goto(
        `${app.url}/?url=${encodeURIComponent(`${networkOnly.url}/dices-350/metadata.json`)}`,
      );
      const rai = page.locator('[data-testid="rai"]');
      await rai.waitFor({ timeout: WAIT });
      expect(await rai.textContent()).toContain('rai:dataCollection');
      await screenshot(page, 'first-screen-rai');

      const squad = `${networkOnly.url}/huggingface-squad/metadata.json`;
      await page.locator('#dataset-url').fill(squad);
      await page.locator('[data-testid="open-url"]').click();
      const answers = page.locator('[data-field="record_set_plain_text/answers"]');
      await answers.waitFor({ timeout: WAIT });
      const nested = answers.locator('[data-field="record_set_plain_text/answers/answer_start"]');
      expect(await nested.textContent()).toContain('sc:Integer');
      // The data lives on huggingface.co, out of reach here: a located error, not a blank page.
      await page
        .locator('[data-record-set="record_set_plain_text"] [data-testid="error"]')
        .waitFor({ timeout: WAIT });
      await expectUsable(page);
      await screenshot(page, 'first-screen-subfields');
      await page.close();
    } finally {
      await networkOnly.close();
    }
  });

  it('opens a dataset folder chosen with the folder picker', async () => {
    const { app, browser } = setup();
    const page = await browser.newPage();
    const watch = watchPage(page);
    await page.goto(app.url);
    await page
      .locator('[data-testid="folder-input"]')
      .setInputFiles(path.join(FIXTURES, 'titanic'));
    await waitForText(page, '[data-testid="metadata"] h2', 'Titanic');
    await waitForText(page, '[data-record-set="passengers"] .records-table', FIRST_PASSENGER);
    expect(new URL(page.url()).searchParams.has('url')).toBe(false);
    await page.locator('[data-testid="progress"]').waitFor({ state: 'detached', timeout: WAIT });
    await screenshot(page, 'first-screen-folder');
    expect(watch.errors).toEqual([]);
    await page.close();
  });

  it('rejects the pending open when the worker cannot start, then recovers', async () => {
    const { app, browser } = setup();
    const page = await browser.newPage();
    await page.goto(app.url);
    await page.locator('[data-example="titanic"]').waitFor({ timeout: WAIT });
    // The worker script fails to load: the open in flight must fail, not hang.
    await page.route('**/croissant.worker*.js', (route) =>
      route.fulfill({ status: 500, body: 'down' }),
    );
    await page.locator('[data-example="titanic"]').click();
    const error = page.locator('[data-testid="error"]');
    await error.waitFor({ timeout: WAIT });
    expect(await error.getAttribute('data-code')).toBe('WORKER_DIED');
    await expectUsable(page);
    await screenshot(page, 'first-screen-worker-died');
    // A fresh worker is started for the next open.
    await page.unroute('**/croissant.worker*.js');
    await page.locator('[data-example="titanic"]').click();
    await waitForText(page, '[data-record-set="passengers"] .records-table', FIRST_PASSENGER);
    await page.close();
  });

  it('cancels a stalled download inside the worker, and stays usable', async () => {
    const { app, browser } = setup();
    const stalling = await startStallingServer();
    try {
      const page = await browser.newPage();
      await page.goto(
        `${app.url}/?url=${encodeURIComponent(`${stalling.url}/titanic/metadata.json`)}`,
      );
      await waitForText(page, '[data-testid="metadata"] h2', 'Titanic');
      await page.locator('[data-testid="progress"]').waitFor({ timeout: WAIT });
      await expect.poll(() => stalling.stalled, { timeout: WAIT }).toBeGreaterThan(0);
      await screenshot(page, 'first-screen-progress');
      await page.locator('[data-testid="cancel"]').click();
      await page.locator('[data-testid="cancelled"]').waitFor({ timeout: WAIT });
      // The abort reached the worker's fetch: the browser closed the stalled connection.
      await expect.poll(() => stalling.closedEarly, { timeout: WAIT }).toBeGreaterThan(0);
      await expectUsable(page);
      await screenshot(page, 'first-screen-cancelled');
      await openTitanicExample(page);
      await page.close();
    } finally {
      await stalling.close();
    }
  });
});
