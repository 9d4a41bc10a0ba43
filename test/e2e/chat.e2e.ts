/**
 * Chat with your data (issue 18), end to end in Chromium against the built app. The model
 * endpoint is a test double: a scripted OpenAI-compatible server on 127.0.0.1
 * (test/unit/chat-server.ts) standing in for a service outside this project (OpenAI, Ollama,
 * llama.cpp's server, LM Studio), which tests cannot reach. One page walks through: a server
 * that refuses the page's origin (the error names OLLAMA_ORIGINS); the endpoint configured with
 * an API key kept in the encrypted vault; a question about titanic whose SQL is shown, checked
 * and run, giving the table counted here from the CSV; a failing SQL repaired once; a write
 * refused by the read-only engine; the key nowhere in storage unencrypted, nor in any link; the
 * conversation kept across a reload, then cleared; and the in-tab GGUF path's wasm served by the
 * app, with its errors for bad files.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Papa from 'papaparse';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { answer, startChatServer, type ChatServer } from '../unit/chat-server.ts';
import { screenshot, watchPage } from './harness.ts';
import { showQuery, textOf, useProfiles, waitForGridRows } from './explore-helpers.ts';
import { TITANIC, WAIT, saveToLake, waitForText } from './lake-helpers.ts';

const KEY = 'sk-e2e-Zq81Vw3Lr5Tn7';
const TABLE = '"titanic@main".passengers';
const COUNT_SQL = `SELECT pclass, count(*) AS passengers\nFROM ${TABLE}\nGROUP BY pclass\nORDER BY pclass`;

/** Passengers per class, counted from titanic's CSV with papaparse (not by the app). */
function passengersPerClass(): [string, string][] {
  const csv = readFileSync(path.join(TITANIC, 'data/titanic.csv'), 'utf8');
  const rows = Papa.parse<Record<string, string>>(csv, { header: true, skipEmptyLines: true }).data;
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r['pclass']!, (counts.get(r['pclass']!) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => Number(a) - Number(b)).map(([k, n]) => [k, String(n)]);
}

/** The cells of the last chat result's grid, row by row. */
function resultCells(page: Page): Promise<string[][]> {
  return page
    .locator('[data-testid="chat-turn"]')
    .last()
    .locator('[data-testid="result-grid"] [role="row"]:not(.head)')
    .evaluateAll((rows) =>
      rows.map((r) =>
        [...r.querySelectorAll('[role="gridcell"]')].map((c) => (c.textContent ?? '').trim()),
      ),
    );
}

async function ask(page: Page, question: string): Promise<void> {
  const before = await page.locator('[data-testid="chat-turn"]').count();
  await page.locator('[data-testid="chat-question"]').fill(question);
  await page.locator('[data-testid="chat-ask"]').click();
  await page.locator('[data-testid="chat-turn"]').nth(before).waitFor({ timeout: WAIT });
}

/** Everything the origin keeps in localStorage and IndexedDB, as text. */
function storedText(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const parts: string[] = [JSON.stringify({ ...localStorage })];
    for (const info of await indexedDB.databases()) {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open(info.name!);
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      for (const store of [...db.objectStoreNames]) {
        const all = await new Promise<unknown[]>((resolve, reject) => {
          const r = db.transaction(store).objectStore(store).getAll();
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => reject(r.error);
        });
        parts.push(
          JSON.stringify(all, (_k, v: unknown) =>
            v instanceof ArrayBuffer || ArrayBuffer.isView(v)
              ? new TextDecoder().decode(v as ArrayBuffer)
              : v,
          ),
        );
      }
      db.close();
    }
    return parts.join('\n');
  });
}

describe('chat with your data', () => {
  const { app, open } = useProfiles('chat-e2e-');
  let llm: ChatServer;
  let closed: ChatServer;
  // Each attempt (a retry on a busy machine) starts afresh: its own chat servers, whose request
  // logs the test counts, and (useProfiles) its own profile, so its own lake and vault.

  afterAll(async () => {
    await llm?.close();
    await closed?.close();
  });

  it('asks, checks, runs, repairs once, refuses writes and keeps the key sealed', async () => {
    const source = `${app().url}/examples/titanic/metadata.json`;
    await llm?.close();
    await closed?.close();
    llm = await startChatServer({ cors: '*' });
    // Started without CORS: like an Ollama without OLLAMA_ORIGINS, it never lets the page read it.
    closed = await startChatServer();
    const page = await open('chat', `?url=${encodeURIComponent(source)}`);
    const watch = watchPage(page);
    await waitForText(page, '[data-testid="metadata"] h2', 'Titanic');
    expect(await saveToLake(page)).toBe('saved');
    // A second dataset, for a question across datasets ("Also about…").
    const coco = `${app().url}/examples/coco2014-mini/metadata.json`;
    await page.goto(`${app().url}/?url=${encodeURIComponent(coco)}`);
    await waitForText(page, '[data-testid="metadata"] h2', 'Mini-COCO');
    expect(await saveToLake(page)).toBe('saved');
    await page.goto(`${app().url}/?query=titanic@main`);
    await waitForGridRows(page, 1309);

    await page.locator('[data-testid="chat-toggle"]').click();
    const panel = page.locator('[data-testid="chat-panel"]');
    await panel.waitFor();

    // Nothing set up yet: Ask stays off and says what is missing, rather than failing after.
    await panel.locator('[data-testid="chat-question"]').fill('How many passengers?');
    expect(await panel.locator('[data-testid="chat-ask"]').isDisabled()).toBe(true);
    expect(await textOf(panel.locator('[data-testid="chat-unready"]'))).toBe(
      "Set the endpoint's model name under Model above, and save.",
    );

    // A server that refuses the page's origin: the error names the setting.
    await panel.locator('[data-testid="chat-base-url"]').fill(closed.baseUrl);
    await panel.locator('[data-testid="chat-model"]').fill('tiny');
    await panel.locator('[data-testid="chat-save-settings"]').click();
    expect(await panel.locator('[data-testid="chat-unready"]').count()).toBe(0);
    await ask(page, 'How many passengers per class?');
    const refusedTurn = panel.locator('[data-testid="chat-turn"]').last();
    expect(await refusedTurn.getAttribute('data-status')).toBe('error');
    const corsText = await refusedTurn.locator('[data-testid="error"]').textContent();
    expect(corsText).toContain(`OLLAMA_ORIGINS=${app().url}`);
    expect(corsText).toContain('CORS');
    // Only the browser's preflight reached it: the question itself was never sent.
    expect(closed.received.length).toBeGreaterThan(0);
    for (const r of closed.received) {
      expect(r.headers['access-control-request-method']).toBe('POST');
      expect(r.body).toBe('');
    }

    // The endpoint, with an API key sealed in the vault (a passphrase chosen the first time).
    await panel.locator('[data-testid="chat-base-url"]').fill(llm.baseUrl);
    await panel.locator('[data-testid="chat-api-key"]').fill(KEY);
    await panel.locator('[data-testid="chat-save-settings"]').click();
    await panel.locator('[data-testid="chat-vault-passphrase"]').fill('a long chat passphrase');
    await panel.locator('[data-testid="chat-vault-unlock"]').click(); // not typed again: refused
    expect(await panel.locator('[data-testid="chat-vault-problem"]').innerText()).toMatch(
      /^The two passphrases differ: nothing was created/,
    );
    await panel
      .locator('[data-testid="chat-vault-passphrase-again"]')
      .fill('a long chat passphrase');
    await panel.locator('[data-testid="chat-vault-unlock"]').click();
    await waitForText(page, '[data-testid="chat-key-state"]', 'A key is stored for this URL');

    // The disclosure shows the exact request before anything is sent: titanic's schema, and
    // Mini-COCO's once ticked under "Also about…".
    await panel.locator('[data-testid="chat-also"] > summary').click();
    await panel.locator('[data-testid="chat-also"] input[data-dataset="mini-coco"]').check();
    const question = 'How many passengers were there in each class?';
    await panel.locator('[data-testid="chat-question"]').fill(question);
    await panel.locator('[data-testid="chat-preview"] > summary').click();
    const disclosed = panel.locator('[data-testid="chat-preview"] [data-testid="chat-sent-body"]');
    await disclosed.waitFor({ timeout: WAIT });
    const preview = (await disclosed.textContent())!;
    expect(preview).toContain('CREATE TABLE \\"titanic@main\\".\\"passengers\\"');
    expect(preview).toContain('CREATE TABLE \\"mini-coco@main\\".\\"images\\"');
    expect(preview).not.toContain(KEY);

    llm.reply(answer(`Count per class:\n\`\`\`sql\n${COUNT_SQL}\n\`\`\``));
    await panel.locator('[data-testid="chat-ask"]').click();
    const turn = panel.locator('[data-testid="chat-turn"]').nth(1);
    await turn.waitFor({ timeout: WAIT });
    expect(llm.received).toHaveLength(1);
    expect(llm.received[0]!.body).toBe(preview);
    expect(llm.received[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(await turn.getAttribute('data-status')).toBe('checked');
    expect(await turn.locator('[data-testid="chat-sql"]').textContent()).toBe(COUNT_SQL);
    expect(await turn.locator('[data-testid="chat-sql"] .tok-keyword').count()).toBeGreaterThan(3);
    expect(await turn.locator('[data-testid="chat-check"]').getAttribute('data-code')).toBe('OK');
    // Checked, not run: no result until Run.
    expect(await turn.locator('[data-testid="chat-result"]').count()).toBe(0);
    await turn.locator('[data-testid="chat-run"]').click();
    await turn.locator('[data-testid="chat-result"][data-rows="3"]').waitFor({ timeout: WAIT });
    expect(await resultCells(page)).toEqual(passengersPerClass());
    expect(await turn.locator('[data-testid="chat-chart"]').getAttribute('data-kind')).toBe('bar');
    await screenshot(page, 'chat-panel');

    // A failing SQL goes back once with the engine's error; both attempts stay visible. With
    // "run automatically", the repaired SQL runs at once.
    await panel.locator('[data-testid="chat-auto-run"]').check();
    await panel.locator('[data-testid="chat-save-settings"]').click();
    const bad = `SELECT klass, count(*) AS passengers FROM ${TABLE} GROUP BY klass`;
    llm.reply(answer('```sql\n' + bad + '\n```'), answer('```sql\n' + COUNT_SQL + '\n```'));
    await ask(page, 'And per class again, please?');
    const repaired = panel.locator('[data-testid="chat-turn"]').nth(2);
    const attempts = repaired.locator('[data-testid="chat-attempt"]');
    expect(await attempts.count(), (await repaired.textContent()) ?? '').toBe(2);
    expect(await attempts.nth(0).getAttribute('data-failure')).toBe('SQL_ERROR');
    expect(await attempts.nth(0).locator('[data-testid="chat-check"]').textContent()).toContain(
      'klass',
    );
    expect(await attempts.nth(1).getAttribute('data-failure')).toBe('');
    expect(llm.received).toHaveLength(3);
    expect(llm.received[2]!.body).toContain('klass');
    expect(llm.received[2]!.body).toContain(bad.replace(/"/g, '\\"'));
    await repaired.locator('[data-testid="chat-result"][data-rows="3"]').waitFor({ timeout: WAIT });
    expect(await resultCells(page)).toEqual(passengersPerClass());

    // A write from the model: refused by the read-only engine, not repaired, nothing to run.
    llm.reply(answer(`\`\`\`sql\nDELETE FROM ${TABLE} WHERE survived = 0\n\`\`\``));
    await ask(page, 'Remove the passengers who died.');
    const refused = panel.locator('[data-testid="chat-turn"]').nth(3);
    expect(await refused.getAttribute('data-status')).toBe('refused');
    expect(await refused.locator('[data-testid="chat-check"]').getAttribute('data-code')).toBe(
      'READ_ONLY',
    );
    expect(await refused.locator('[data-testid="chat-run"]').count()).toBe(0);
    expect(llm.received).toHaveLength(4);
    await page.locator('[data-testid="run-query"]').waitFor();

    // Whole rows of one record set: Save as branch, through the view's filter.
    const firstClass = `SELECT * FROM ${TABLE} WHERE pclass = 1`;
    llm.reply(answer('```sql\n' + firstClass + '\n```'));
    await ask(page, 'Show the first-class passengers.');
    const rows = panel.locator('[data-testid="chat-turn"]').nth(4);
    const firstClassCount = passengersPerClass()[0]![1];
    await rows
      .locator(`[data-testid="chat-result"][data-rows="${firstClassCount}"]`)
      .waitFor({ timeout: WAIT });
    await rows.locator('[data-testid="chat-filter"]').click();
    await page
      .locator(`.sql [data-testid="result-grid"][data-rows="${firstClassCount}"]`)
      .waitFor({ timeout: WAIT });
    await page.locator('[data-testid="save-branch-open"]').click();
    await waitForText(page, '[data-testid="save-kept"]', firstClassCount);
    await page.locator('[data-testid="branch-name-input"]').fill('first-class');
    await page.locator('[data-testid="save-branch"]').click();
    await page.locator('[data-testid="branch-saved"]').waitFor({ timeout: WAIT });

    // The key: sealed in IndexedDB, absent from localStorage, from links and from the page.
    await turn.locator('[data-testid="copy-link"]').click();
    const link = await turn.locator('[data-testid="share-link"]').inputValue();
    expect(link).toContain('#share=');
    const stored = await storedText(page);
    expect(stored).toContain('vault/secret/');
    for (const text of [stored, link, page.url(), await page.content()]) {
      expect(text).not.toContain(KEY);
    }
    for (const r of llm.received) expect(r.body).not.toContain(KEY);

    // Kept per dataset in this browser: the conversation is back after a reload, then cleared.
    await page.reload();
    await showQuery(page);
    await page.locator('[data-testid="chat-toggle"]').click();
    await expect.poll(() => panel.locator('[data-testid="chat-turn"]').count()).toBe(5);
    await panel.locator('[data-testid="chat-clear"]').click();
    expect(await panel.locator('[data-testid="chat-turn"]').count()).toBe(0);
    expect(await page.evaluate(() => localStorage.getItem('croissant-lake.chat.titanic'))).toBe(
      null,
    );

    // The in-tab GGUF path: its wasm comes from the app; a wrong file is named, and a file with
    // GGUF's header but nothing after it is refused by llama.cpp itself (so the wasm ran).
    await panel.locator('summary', { hasText: 'Model:' }).click();
    await panel.locator('[data-testid="chat-source-local"]').check();
    const file = panel.locator('[data-testid="chat-model-file"]');
    await file.setInputFiles({
      name: 'notes.gguf',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from('these are not weights at all'),
    });
    const localError = panel.locator('[data-testid="chat-settings"] [data-testid="error"]');
    await localError.waitFor({ timeout: WAIT });
    expect(await localError.getAttribute('data-code')).toBe('MODEL_FILE');
    expect(await localError.textContent()).toContain('notes.gguf is not a GGUF model');
    const header = Buffer.alloc(64);
    header.write('GGUF', 0, 'latin1');
    header.writeUInt32LE(3, 4);
    header.writeBigUInt64LE(1n, 8); // one tensor that is not there
    header.writeBigUInt64LE(0n, 16);
    await file.setInputFiles({
      name: 'cut.gguf',
      mimeType: 'application/octet-stream',
      buffer: header,
    });
    await waitForText(page, '[data-testid="chat-settings"] [data-testid="error"]', 'cut.gguf');
    const why = await localError.textContent();
    expect(why).toContain('cut.gguf could not be loaded by llama.cpp');
    // llama.cpp's own reason: the tensor the header announces is not in the file.
    expect(why).toContain('not within the file bounds');
    const wasm = watch.requests.filter((u) => /wllama.*\.wasm/.test(u));
    expect(wasm.length).toBeGreaterThan(0);
    for (const u of wasm) expect(u.startsWith(app().url)).toBe(true);
    expect(
      watch.requests.filter(
        (u) =>
          !u.startsWith(app().url) &&
          !u.startsWith(llm.baseUrl) &&
          !u.startsWith(closed.baseUrl) &&
          !u.startsWith('blob:') &&
          !u.startsWith('data:'),
      ),
    ).toEqual([]);
    await screenshot(page, 'chat-local-model');
    // The only console errors: the browser's own report of the refused origin.
    expect(watch.errors.filter((e) => !e.includes(closed.baseUrl))).toEqual([]);
  });
});
