/**
 * Export from the UI (issue 11), end to end in Chromium against the built app: Titanic saved to
 * the browser lake, a branch with rows appended from a CSV (CRLF line endings, as Excel writes
 * them), exported as a .tar download from the Lake tab; the archive is unpacked here and read
 * with this project's reader: the 1,309 passengers plus the two appended, with their values,
 * and the document's references and types kept. The same branch cannot be shared by link
 * (appended rows do not replay): the share control offers the export right there. "Export to
 * folder…" writes through a directory handle (the picker itself is OS UI a test cannot drive,
 * so `showDirectoryPicker` returns a real folder of the origin-private file system).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { unpackTar } from 'modern-tar';
import type { Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCroissant, recordRows, type RecordRow } from '../../src/lib/croissant/index.ts';
import { filesResolver } from '../../src/lib/io/browser-files.ts';
import { launchBrowser, countFailures, screenshot, startPreview, watchPage } from './harness.ts';
import type { LaunchedBrowser, Served } from './harness.ts';
import { FIRST_PASSENGER, WAIT, openTitanic, saveToLake, showRecordSet } from './lake-helpers.ts';

/** Rows appended on the branch, CRLF-terminated. */
const APPENDED = 'name,age,survived\r\nAda Lovelace,36,1\r\n"Turing, Alan",41,0\r\n';

/** The export's files as the reader sees them, from a downloaded .tar. */
async function readTar(download: Download) {
  const bytes = await readFile((await download.path())!);
  const entries = await unpackTar(new Uint8Array(bytes));
  const names = entries.map((e) => e.header.name);
  const prefix = names[0]!.slice(0, names[0]!.indexOf('/') + 1);
  expect(names.every((n) => n.startsWith(prefix))).toBe(true);
  const files = entries.map((e) => ({ path: e.header.name.slice(prefix.length), data: e.data! }));
  return { prefix, files };
}

/** Reads an export (its files, by relative path) with our reader: metadata and passengers. */
async function readExport(files: { path: string; data: Uint8Array }[]) {
  const resolver = filesResolver(
    files.map((f) => ({ path: f.path, file: new Blob([f.data as Uint8Array<ArrayBuffer>]) })),
  );
  const read = await readCroissant('metadata.json', { resolver });
  expect(read.errors).toEqual([]);
  const passengers: RecordRow[] = [];
  for await (const r of recordRows(read.metadata!, 'passengers', { resolver })) passengers.push(r);
  return { metadata: read.metadata!, passengers, resolver };
}

/** Checks the exported branch: every passenger, and the two appended last. */
async function checkBranch(files: { path: string; data: Uint8Array }[]) {
  const { metadata, passengers } = await readExport(files);
  expect(passengers).toHaveLength(1311);
  expect(passengers[0]!['passengers/name']).toBe(FIRST_PASSENGER);
  expect(
    passengers
      .slice(-2)
      .map((p) => [p['passengers/name'], p['passengers/age'], p['passengers/survived']]),
  ).toEqual([
    ['Ada Lovelace', '36', 1],
    ['Turing, Alan', '41', 0],
  ]);
  // The original document's joins and semantic types are kept.
  const gender = metadata.recordSets
    .find((r) => r.uuid === 'passengers')!
    .fields.find((f) => f.uuid === 'passengers/gender')!;
  expect(gender.references?.field).toBe('genders/label');
  const url = metadata.recordSets
    .find((r) => r.uuid === 'genders')!
    .fields.find((f) => f.uuid === 'genders/url')!;
  expect(url.dataTypes).toEqual(['https://schema.org/URL', 'https://www.wikidata.org/wiki/Q48277']);
  expect(files.map((f) => f.path)).toContain('original-metadata.json');
}

describe('export from the UI', () => {
  let app: Served | undefined;
  let profiles: string | undefined;
  let browser: LaunchedBrowser | undefined;

  beforeAll(async () => {
    app = await startPreview();
    profiles = await mkdtemp(path.join(os.tmpdir(), 'export-e2e-'));
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await app?.close();
    if (profiles) await rm(profiles, { recursive: true, force: true });
  });

  // A failed test's retry starts from new profile folders (harness.ts, countFailures).
  const attempt = countFailures();

  async function start(): Promise<Page> {
    if (!app || !profiles) throw new Error('setup failed');
    await browser?.close().catch(() => undefined);
    browser = await launchBrowser({ userDataDir: path.join(profiles, `export-${attempt()}`) });
    const page = await browser.newPage();
    // The folder picker is OS UI: it hands back a real folder of the origin-private file system.
    await page.addInitScript(() => {
      (window as unknown as { showDirectoryPicker: () => Promise<unknown> }).showDirectoryPicker =
        async () =>
          (await navigator.storage.getDirectory()).getDirectoryHandle('picked', { create: true });
    });
    await page.goto(`${app.url}/`);
    return page;
  }

  it('downloads a branch with appended rows as a .tar that reads back whole', async () => {
    const page = await start();
    const watch = watchPage(page);
    await openTitanic(page);
    expect(await saveToLake(page)).toBe('saved');
    await page
      .locator('[data-testid="save-result"] button', { hasText: 'Show in the lake' })
      .click();
    await page.locator('[data-testid="lake-dataset"]').waitFor({ timeout: WAIT });

    // A branch, and two passengers appended to it from a CRLF file.
    await page.locator('[data-testid="branch-name"]').fill('curated');
    await page.locator('[data-testid="create-branch"]').click();
    await page.locator('[data-ref="curated"][aria-pressed="true"]').waitFor({ timeout: WAIT });
    await showRecordSet(page, 'passengers');
    await page.locator('[data-testid="append-csv-input"]').setInputFiles({
      name: 'more-passengers.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(APPENDED),
    });
    await page.locator('[data-lake-record-set="passengers"][data-rows="1311"]').waitFor({
      timeout: WAIT,
    });

    // Download .tar: the export of the branch's head, named after it.
    const panel = page.locator('[data-testid="lake-dataset"] [data-testid="export"]');
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: WAIT }),
      panel.locator('[data-testid="export-tar"]').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^titanic-curated-[0-9a-f]{12}\.tar$/);
    await panel.locator('[data-testid="export-done"]').waitFor({ timeout: WAIT });
    expect(await panel.locator('[data-testid="export-done"]').textContent()).toContain(
      '1,317 rows',
    );
    await screenshot(page, 'export-downloaded');
    const { prefix, files } = await readTar(download);
    expect(prefix).toBe(download.suggestedFilename().replace(/\.tar$/, '/'));
    await checkBranch(files);

    // Export to folder…: a new folder inside the picked one, written by the lake worker.
    await panel.locator('[data-testid="export-folder"]').click();
    await panel.locator('[data-testid="export-done"]', { hasText: 'picked/' }).waitFor({
      timeout: WAIT,
    });
    const written = await page.evaluate(async () => {
      const out: { path: string; data: number[] }[] = [];
      type Dir = FileSystemDirectoryHandle & {
        entries(): AsyncIterable<[string, FileSystemHandle]>;
      };
      const walk = async (dir: Dir, at: string) => {
        for await (const [name, h] of dir.entries()) {
          if (h.kind === 'directory') await walk(h as Dir, `${at}${name}/`);
          else {
            const bytes = new Uint8Array(
              await (await (h as FileSystemFileHandle).getFile()).arrayBuffer(),
            );
            out.push({ path: `${at}${name}`, data: [...bytes] });
          }
        }
      };
      const root = await navigator.storage.getDirectory();
      await walk((await root.getDirectoryHandle('picked')) as Dir, '');
      return out;
    });
    const folder = prefix.slice(0, -1);
    expect(written.every((f) => f.path.startsWith(`${folder}/`))).toBe(true);
    await checkBranch(
      written.map((f) => ({ path: f.path.slice(folder.length + 1), data: new Uint8Array(f.data) })),
    );
    expect(watch.errors).toEqual([]);
  });

  it('offers the export where a link cannot share the branch', async () => {
    if (!app || !browser) throw new Error('the first test did not run');
    const page = await browser.newPage();
    const watch = watchPage(page);
    await page.goto(`${app.url}/?query=titanic@curated`);
    const share = page.locator('[data-testid="share"]').first();
    await share.locator('[data-testid="copy-link"]').click({ timeout: WAIT });
    const refused = page.locator('.share-version [data-testid="error"]');
    await refused.waitFor({ timeout: WAIT });
    expect(await refused.textContent()).toContain('append');
    const offer = page.locator('.share-version [data-testid="export"]');
    expect(await offer.textContent()).toContain('Share it as a file instead');
    await screenshot(page, 'export-share-dead-end');
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: WAIT }),
      offer.locator('[data-testid="export-tar"]').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^titanic-curated-[0-9a-f]{12}\.tar$/);
    await checkBranch((await readTar(download)).files);
    expect(watch.errors).toEqual([]);
  });
});
