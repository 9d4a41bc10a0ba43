/**
 * Remotes in the Lake tab (issue 17), end to end against the built app and a real S3 API
 * server (s3rver on 127.0.0.1, CORS configured, started here): a dataset pushed from Node (as
 * the CLI does) is cloned in the browser with the same commit hashes, credentials kept in the
 * encrypted vault, and what the browser pushes to another remote clones in Node again; a branch pushed later shows as remote-only after Fetch; a bucket without
 * CORS rules gives an error naming the rules it needs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeResolver } from '../../src/lib/io/node.ts';
import { sha256 } from '../../src/lib/store/hash.ts';
import { openNodeBackend } from '../../src/lib/store/node-fs.ts';
import { croissantKey } from '../../src/lib/sync/layout.ts';
import { clone } from '../../src/lib/sync/pull.ts';
import { push } from '../../src/lib/sync/push.ts';
import { S3Remote } from '../../src/lib/sync/s3.ts';
import { openRemote } from '../../src/lib/sync/session.ts';
import { appendRows } from '../../src/lib/versions/append.ts';
import { ingest } from '../../src/lib/versions/ingest.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { recordSetOf } from '../../src/lib/versions/read.ts';
import { verifyLake } from '../../src/lib/versions/verify.ts';
import { startProxy, type S3Proxy } from '../s3/proxy.ts';
import { startS3rver, type S3Server } from '../s3/s3rver.ts';
import { REPO_ROOT, launchBrowser, screenshot, startPreview } from './harness.ts';
import type { LaunchedBrowser, Served } from './harness.ts';
import { textOf } from './explore-helpers.ts';
import { WAIT, showLake } from './lake-helpers.ts';

describe('remotes in the Lake tab', () => {
  let app: Served | undefined;
  let s3: S3Server | undefined;
  let proxy: S3Proxy | undefined;
  let tmp: string | undefined;
  let browser: LaunchedBrowser | undefined;
  let nodeLake: Lake;

  beforeAll(async () => {
    s3 = await startS3rver([{ name: 'lake' }, { name: 'closed', cors: 'none' }]);
    proxy = await startProxy({ upstream: s3.port, conditional: false });
    app = await startPreview();
    tmp = mkdtempSync(path.join(os.tmpdir(), 'remotes-e2e-'));
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await app?.close();
    await proxy?.stop();
    await s3?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  // Each attempt (a retry on a busy machine) starts afresh: its own Node lake, browser profile
  // and prefixes on the buckets, so that a retry never meets what the first attempt wrote.
  let attempt = 0;
  let dir = '';
  let at = (prefix: string) => prefix;
  const remoteOf = (bucket: string, prefix = 'e2e') =>
    new S3Remote(
      { endpoint: s3!.endpoint, bucket, prefix: at(prefix), region: 'us-east-1', pathStyle: true },
      { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    );

  it('clones what the CLI pushed, fetches a new branch, pushes what Node clones, cancels a stalled push, and names missing CORS rules', async () => {
    attempt++;
    dir = path.join(tmp!, `attempt-${attempt}`);
    at = (prefix: string) => `${prefix}-${attempt}`;
    await browser?.close().catch(() => undefined);
    nodeLake = await Lake.open(await openNodeBackend(path.join(dir, 'cli-lake')), { actor: 'cli' });
    await ingest(nodeLake, path.join(REPO_ROOT, 'public/examples/titanic/metadata.json'), {
      resolver: nodeResolver(),
    });
    await push(nodeLake, await openRemote('origin', remoteOf('lake'), { create: true }), 'titanic');
    const mainHash = await nodeLake.resolve('titanic', 'main');

    browser = await launchBrowser({ userDataDir: path.join(dir, 'profile') });
    const page = await browser.newPage();
    await page.goto(`${app!.url}/`);
    await showLake(page);
    const panel = page.locator('[data-testid="remotes"]');
    await panel.locator('[data-testid="remote-name"]').fill('origin');
    await panel
      .locator('[data-testid="remote-url-input"]')
      .fill(`${s3!.endpoint}/lake/${at('e2e')}`);
    await panel.locator('[data-testid="remote-add-button"]').click();
    await panel.locator('[data-testid="remote-url"]').waitFor({ timeout: WAIT });
    expect(await panel.locator('[data-testid="remote-credentials"]').textContent()).toContain(
      'no credentials',
    );
    // Remove asks first (it drops the remote's stored credentials too): Keep it keeps it.
    await panel.locator('[data-testid="remote-remove"]').click();
    expect(await panel.locator('[data-testid="remote-remove-confirm"]').innerText()).toMatch(
      /^Remove origin\? This lake forgets its address, what it tracked there and the credentials stored for it; nothing on the bucket is deleted\./,
    );
    await panel.locator('[data-testid="remote-remove-no"]').click();
    expect(await panel.locator('[data-testid="remote-remove-confirm"]').count()).toBe(0);
    expect(await panel.locator('[data-testid="remote-url"]').count()).toBe(1);
    // No dataset picked (this lake has none yet): the panel says what to do instead of Push.
    expect(await panel.locator('[data-testid="remote-pick-dataset"]').innerText()).toMatch(
      /^This lake has no dataset yet: clone one from origin below, or save one to push it\.$/,
    );

    await panel.locator('summary', { hasText: 'Credentials for origin' }).click();
    // A new vault: a passphrase too short, then one typed differently twice, creates nothing.
    const problem = panel.locator('[data-testid="vault-passphrase-problem"]');
    await panel.locator('[data-testid="vault-passphrase"]').fill('a');
    await panel.locator('[data-testid="vault-passphrase-again"]').fill('a');
    await panel.locator('[data-testid="vault-unlock-button"]').click();
    expect(await problem.innerText()).toMatch(/at least 8 characters/);
    await panel.locator('[data-testid="vault-passphrase"]').fill('a long passphrase');
    await panel.locator('[data-testid="vault-passphrase-again"]').fill('a long passphrasE');
    await panel.locator('[data-testid="vault-unlock-button"]').click();
    expect(await problem.innerText()).toMatch(/The two passphrases differ: nothing was created/);
    await screenshot(page, 'remotes-passphrase-differ');
    expect(await panel.locator('[data-testid="cred-key"]').count()).toBe(0); // still locked
    await panel.locator('[data-testid="vault-passphrase-again"]').fill('a long passphrase');
    await panel.locator('[data-testid="vault-unlock-button"]').click();
    await panel.locator('[data-testid="cred-key"]').fill('S3RVER');
    await panel.locator('[data-testid="cred-secret"]').fill('S3RVER');
    await panel.locator('[data-testid="cred-save"]').click();
    await page
      .locator('[data-testid="remote-credentials"]', { hasText: 'credentials stored' })
      .waitFor({ timeout: WAIT });

    await panel.locator('summary', { hasText: 'Clone a dataset from origin' }).click();
    await panel.locator('[data-testid="clone-id"]').fill('titanic');
    await panel.locator('[data-testid="remote-clone"]').click();
    await page.locator('[data-testid="remote-summary"]').waitFor({ timeout: WAIT });
    expect(await page.locator('[data-testid="remote-summary"]').textContent()).toContain(
      `branch main: ${mainHash.slice(0, 12)}`,
    );
    await page
      .locator('[data-testid="lake-dataset"][data-dataset="titanic"]')
      .waitFor({ timeout: WAIT });
    await page
      .locator('[data-testid="remote-status"] tr[data-branch="main"][data-state="same"]')
      .waitFor({ timeout: WAIT });

    // The CLI pushes a new branch; Fetch shows it as only on the remote.
    await nodeLake.createBranch('titanic', 'curated', 'main');
    await push(nodeLake, await openRemote('origin', remoteOf('lake')), 'titanic');
    await panel.locator('[data-testid="remote-fetch"]').click();
    await page
      .locator('[data-testid="remote-status"] tr[data-branch="curated"][data-state="remote-only"]')
      .waitFor({ timeout: WAIT });
    expect(await textOf(page.locator('[data-testid="remote-status-caption"]'))).toBe(
      'As this lake last saw origin (its last fetch, pull or push): Fetch shows what changed there since.',
    );
    await screenshot(page, 'remotes-panel');

    // A branch both sides have: the browser takes `curated` from the remote, the CLI
    // adds a row to it and pushes. Pull in the panel brings the row, and the dataset panel's
    // history shows the branch's new head, selected, with no reload (it follows ref changes
    // made anywhere on the page).
    // Pull updates the branches this lake has; the remote-only row's own Pull creates it.
    await page
      .locator(
        '[data-testid="remote-status"] tr[data-branch="curated"] [data-testid="remote-pull-branch"]',
      )
      .click();
    await page
      .locator('[data-testid="remote-status"] tr[data-branch="curated"][data-state="same"]')
      .waitFor({ timeout: WAIT });
    expect(await page.locator('[data-testid="remote-summary"]').innerText()).toContain(
      `curated: created (none) → ${mainHash.slice(0, 12)}`,
    );
    // The dataset's branches show it at once; selected, the history below follows it.
    await page.locator('[data-testid="refs"] button[data-ref="curated"]').click();
    const { columns } = recordSetOf(await nodeLake.readCommit(mainHash), 'passengers')[1];
    const row = Object.fromEntries(columns.map((c) => [c.name, null]));
    const appended = await appendRows(nodeLake, 'titanic', {
      branch: 'curated',
      recordSet: 'passengers',
      rows: [row],
    });
    await push(nodeLake, await openRemote('origin', remoteOf('lake')), 'titanic');
    const history = page.locator(
      '[data-testid="lake-dataset"][data-dataset="titanic"] [data-testid="log"]',
    );
    await history.locator('h3', { hasText: 'History of curated' }).waitFor({ timeout: WAIT });
    expect(await history.locator(`[data-commit="${appended.hash}"]`).count()).toBe(0);
    await panel.locator('[data-testid="remote-pull"]').click();
    await history
      .locator(`button[data-commit="${appended.hash}"][aria-current="true"]`)
      .waitFor({ timeout: WAIT });

    // Lock now: the key leaves memory, Fetch waits for the passphrase, which unlocks again.
    await panel.locator('[data-testid="vault-lock"]').click();
    const unlockForm = panel.locator('[data-testid="vault-unlock"]');
    await unlockForm.waitFor({ timeout: WAIT });
    expect(await panel.locator('[data-testid="remote-fetch"]').isDisabled()).toBe(true);
    expect(await panel.locator('[data-testid="vault-lock"]').count()).toBe(0);
    await unlockForm.locator('input[type="password"]').fill('a long passphrase');
    await unlockForm.locator('button[type="submit"]').click();
    await panel.locator('[data-testid="vault-lock"]').waitFor({ timeout: WAIT });
    expect(await panel.locator('[data-testid="remote-fetch"]').isDisabled()).toBe(false);

    // The other way round: the browser pushes its clone to another remote, and Node (as the
    // CLI does) clones it from there with the same commit hash and a lake that verifies.
    await addRemote(
      panel,
      'mirror',
      `${s3!.endpoint}/lake/${at('mirror')}`,
      `lake/${at('mirror')}`,
    );
    await storeCredentials(panel, 'mirror');
    await panel.locator('[data-testid="remote-push"]').click();
    await page
      .locator('[data-testid="remote-summary"]', { hasText: 'push done' })
      .waitFor({ timeout: WAIT });
    const fromBrowser = await Lake.open(await openNodeBackend(path.join(dir, 'cli-lake-2')));
    const mirror = new S3Remote(
      {
        endpoint: s3!.endpoint,
        bucket: 'lake',
        prefix: at('mirror'),
        region: 'us-east-1',
        pathStyle: true,
      },
      { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    );
    await clone(fromBrowser, await openRemote('mirror', mirror), 'titanic');
    expect(await fromBrowser.resolve('titanic', 'main')).toBe(mainHash);
    expect((await verifyLake(fromBrowser, { dataset: 'titanic' })).problems).toEqual([]);
    // The browser's push wrote the branch's Croissant document (docs/format.md) there too.
    const doc = (await mirror.get(croissantKey('titanic', 'main')))!.bytes;
    expect(JSON.parse(new TextDecoder().decode(doc))).toMatchObject({ version: mainHash });

    // A server that stalls after two chunks: Cancel in the panel stops the push mid-way.
    await addRemote(panel, 'slow', `${proxy!.endpoint}/lake/${at('slow')}`, `lake/${at('slow')}`);
    await storeCredentials(panel, 'slow');
    proxy!.setFaults([
      { kind: 'delay', ms: 120_000, count: 1000, op: 'PutObject', path: '/chunks/', after: 2 },
    ]);
    await panel.locator('[data-testid="remote-push"]').click();
    const progress = page.locator('[data-testid="remote-progress"]');
    await progress
      .locator('span', { hasText: /push: .* 2 of \d+ chunks/ })
      .waitFor({ timeout: WAIT });
    await screenshot(page, 'remotes-push-cancel');
    await progress.locator('button', { hasText: 'Cancel' }).click();
    // Told as a notice, not as an error: the user asked for it.
    const cancelled = page.locator('[data-testid="remotes"] [data-testid="remote-cancelled"]');
    await cancelled.waitFor({ timeout: WAIT });
    expect(await cancelled.innerText()).toMatch(/^push cancelled: what was transferred is kept/);
    expect(await page.locator('[data-testid="remotes"] [data-testid="error"]').count()).toBe(0);
    await progress.waitFor({ state: 'detached', timeout: WAIT });
    proxy!.setFaults([]);
    // The remote: no ref, and the two chunks that went up whole (nothing half-written).
    const slow = remoteOf('lake', 'slow');
    expect(await (await openRemote('slow', slow)).refs.read('titanic', 'branch', 'main')).toBe(
      null,
    );
    let whole = 0;
    for await (const o of slow.list('chunks/')) {
      expect(await sha256((await slow.get(o.key))!.bytes), o.key).toBe(o.key.split('/').pop());
      whole++;
    }
    expect(whole).toBe(2);
    // The lake: its branch where it was, not shown as pushed, and every chunk whole. It is ahead
    // of `slow` by its one commit (the import), which that remote does not have.
    const unpushed = page.locator(
      '[data-testid="remote-status"] tr[data-branch="main"][data-state="local-only"]',
    );
    await unpushed.waitFor({ timeout: WAIT });
    expect(await unpushed.locator('td').allTextContents()).toEqual([
      'main',
      'local-only',
      '1',
      '0',
      '', // no action: only a remote-only row has one (Pull it here)
    ]);
    await page.locator('[data-testid="verify-button"]').click();
    const verified = page.locator('[data-testid="verify-result"]');
    await verified.waitFor({ timeout: WAIT });
    expect(await verified.getAttribute('data-status')).toBe('ok');
    // Pushed again, it sends only what is missing; Node clones the same head from there.
    await panel.locator('[data-testid="remote-push"]').click();
    const done = page.locator('[data-testid="remote-summary"]', { hasText: 'push done' });
    await done.waitFor({ timeout: WAIT });
    const sent = Number(/push done: (\d+) chunks/.exec((await done.textContent()) ?? '')?.[1]);
    const fromSlow = await Lake.open(await openNodeBackend(path.join(dir, 'cli-lake-3')));
    const cloned = await clone(fromSlow, await openRemote('slow', slow), 'titanic');
    expect(await fromSlow.resolve('titanic', 'main')).toBe(mainHash);
    expect(sent).toBe(cloned.downloaded - 2);
    expect((await verifyLake(fromSlow, { dataset: 'titanic' })).problems).toEqual([]);

    // A bucket without CORS rules: the error names the rule the bucket needs.
    await addRemote(panel, 'closed', `${s3!.endpoint}/closed/e2e`, 'closed');
    await panel.locator('[data-testid="remote-fetch"]').click();
    const error = page.locator('[data-testid="remotes"] [data-testid="error"]');
    await error.waitFor({ timeout: WAIT });
    expect(await error.getAttribute('data-code')).toBe('REMOTE_CORS');
    expect(await error.textContent()).toMatch(/ExposeHeaders: ETag/);

    // Removed once confirmed: the remote leaves the panel, the others stay.
    await panel.locator('[data-testid="remote-remove"]').click();
    await panel.locator('[data-testid="remote-remove-yes"]').click();
    await expect
      .poll(() => panel.locator('[data-testid="remote-select"] option').allTextContents())
      .toEqual(['mirror', 'origin', 'slow']);
  });
});

/** Adds remote `name` at `url` in the panel (unfolding its form if needed); waits for `shown`. */
async function addRemote(panel: Locator, name: string, url: string, shown: string) {
  if (!(await panel.locator('[data-testid="remote-add"]').isVisible())) {
    await panel.locator('summary', { hasText: 'Add a remote' }).click();
  }
  await panel.locator('[data-testid="remote-name"]').fill(name);
  await panel.locator('[data-testid="remote-url-input"]').fill(url);
  await panel.locator('[data-testid="remote-add-button"]').click();
  await panel.locator('[data-testid="remote-url"]', { hasText: shown }).waitFor({ timeout: WAIT });
  // The form is cleared once it is added: its name is taken now (adding again was refused).
  await expect.poll(() => panel.locator('[data-testid="remote-name"]').inputValue()).toBe('');
}

/** Stores s3rver's credentials for remote `name` (the vault already unlocked). */
async function storeCredentials(panel: Locator, name: string) {
  await panel.locator('summary', { hasText: `Credentials for ${name}` }).click();
  await panel.locator('[data-testid="cred-key"]').fill('S3RVER');
  await panel.locator('[data-testid="cred-secret"]').fill('S3RVER');
  await panel.locator('[data-testid="cred-save"]').click();
  await panel
    .page()
    .locator('[data-testid="remote-credentials"]', { hasText: 'credentials stored' })
    .waitFor({ timeout: WAIT });
}
