/**
 * How the app is served (issue 11 §2, §3): every response of `vite preview` (what `npm start`
 * runs) carries the headers README.md's "Hosting" section lists — a strict Content-Security-Policy
 * (no inline script, no eval, wasm allowed), nosniff, no framing, cross-origin isolation — and a
 * `.gz` file comes as itself, byte for byte, never with `Content-Encoding`; the dev server too.
 * Under that policy the main flows (open an example, save it, query it, preview a pipeline and run
 * a loader epoch) raise no CSP violation in the page or its workers.
 *
 * Violations are seen through `securitypolicyviolation` listeners: in the page from before its
 * first script, in each dedicated worker as soon as Playwright reports it (its first steps may
 * run before; DuckDB's worker, nested in the query worker, is not reported at all, so for those
 * the flows' own outcomes are the check). A positive control proves each channel reports.
 */
import { readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Page, Worker } from 'playwright-core';
import { createServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSqlDone, showQuery } from './explore-helpers.ts';
import {
  REPO_ROOT,
  launchBrowser,
  onFailure,
  screenshot,
  startPreview,
  watchPage,
} from './harness.ts';
import type { LaunchedBrowser, Served } from './harness.ts';
import { WAIT, saveToLake } from './lake-helpers.ts';

const TAR_GZ = 'examples/synthetic-lesions/data/images-dicom.tar.gz';
const TAR_GZ_BYTES = readFileSync(path.join(REPO_ROOT, 'public', TAR_GZ));

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A plain HTTP GET, as a browser would send it (gzip and brotli accepted). */
function get(base: string, rel: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      `${base}/${rel}`,
      { headers: { 'accept-encoding': 'gzip, deflate, br', ...headers } },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(parts),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
  });
}

/** A CSP header as directive → sources. */
function directives(csp: string | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of (csp ?? '').split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) out.set(name.toLowerCase(), sources);
  }
  return out;
}

/** The headers "Hosting" in README.md requires, checked on one response. */
function expectHostingHeaders(a: Answer, what: string): void {
  expect(a.headers['cross-origin-opener-policy'], what).toBe('same-origin');
  expect(a.headers['cross-origin-embedder-policy'], what).toBe('require-corp');
  expect(a.headers['x-content-type-options'], what).toBe('nosniff');
  expect(a.headers['x-frame-options'], what).toBe('DENY');
  expect(a.headers['referrer-policy'], what).toBe('no-referrer');
  const csp = directives(a.headers['content-security-policy'] as string | undefined);
  expect(csp.get('script-src'), what).toEqual(["'self'", "'wasm-unsafe-eval'"]);
  expect(csp.get('default-src'), what).toEqual(["'self'"]);
  expect(csp.get('object-src'), what).toEqual(["'none'"]);
  expect(csp.get('base-uri'), what).toEqual(["'self'"]);
  expect(csp.get('frame-ancestors'), what).toEqual(["'none'"]);
  // blob: for @wllama/wllama's workers (scripts/serving.ts says why).
  expect(csp.get('worker-src'), what).toEqual(["'self'", 'blob:']);
}

/** The .gz example file, whole and by range, exactly as stored. */
async function expectGzAsItself(base: string): Promise<void> {
  const whole = await get(base, TAR_GZ);
  expect(whole.status).toBe(200);
  expect(whole.headers['content-encoding']).toBeUndefined();
  expect(whole.headers['content-type']).toBe('application/gzip');
  expect(whole.body.equals(TAR_GZ_BYTES)).toBe(true);
  const part = await get(base, TAR_GZ, { range: 'bytes=100-199' });
  expect(part.status).toBe(206);
  expect(part.headers['content-encoding']).toBeUndefined();
  expect(part.body.equals(TAR_GZ_BYTES.subarray(100, 200))).toBe(true);
}

/**
 * Collects CSP violations of a page and of each dedicated worker it starts (see the module
 * comment), as `directive blocked-uri` strings.
 */
async function watchCsp(page: Page): Promise<{ violations: string[] }> {
  const watch = { violations: [] as string[] };
  await page.exposeFunction('__cspViolation', (v: string) => void watch.violations.push(v));
  await page.addInitScript(() => {
    const report = (window as unknown as { __cspViolation: (v: string) => void }).__cspViolation;
    document.addEventListener('securitypolicyviolation', (e) =>
      report(`page: ${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  page.on('worker', (worker: Worker) => {
    void worker
      .evaluate(() => {
        self.addEventListener('securitypolicyviolation', (e) =>
          console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`),
        );
      })
      .catch(() => undefined); // a worker that already ended
    worker.on('console', (msg) => {
      const text = msg.text();
      if (text.startsWith('CSP violation: ')) {
        watch.violations.push(`worker ${path.basename(worker.url())}: ${text.slice(15)}`);
      }
    });
  });
  return watch;
}

describe('hosting', () => {
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

  it('vite preview sends the hosting headers on every response, and .gz files as themselves', async () => {
    if (!app) throw new Error('setup failed');
    const assets = readdirSync(path.join(REPO_ROOT, 'dist/assets'));
    const worker = assets.find((f) => f.startsWith('lake.worker-') && f.endsWith('.js'));
    const wasm = assets.find((f) => f.endsWith('.wasm'));
    expect([worker, wasm]).not.toContain(undefined);
    for (const rel of [
      '',
      '?url=https%3A%2F%2Fexample.org%2Fx.json',
      `assets/${worker}`,
      `assets/${wasm}`,
      'sw.js',
      'manifest.webmanifest',
      'examples/index.json',
      TAR_GZ,
      'no/such/file.json',
    ]) {
      const a = await get(app.url, rel);
      expectHostingHeaders(a, `/${rel}`);
    }
    await expectGzAsItself(app.url);
  });

  it('opens, saves, queries and previews a pipeline with no CSP violation', async () => {
    if (!app || !browser) throw new Error('setup failed');
    const page = await browser.newPage();
    const watch = watchPage(page);
    const csp = await watchCsp(page);
    await page.goto(app.url);
    await page.locator('.example-card').first().waitFor({ timeout: WAIT });

    // Positive controls: an inline script in the page, a data: module in a worker.
    await page.addScriptTag({ content: 'window.inlineRan = true;' }).catch(() => undefined);
    expect(await page.evaluate(() => 'inlineRan' in window)).toBe(false);
    await page.locator('[data-example="coco2014-mini"]').click();
    await page
      .locator('[data-record-set="images"][data-status="ready"]')
      .waitFor({ timeout: WAIT });
    const someWorker = page.workers()[0];
    if (!someWorker) throw new Error('the app started no worker');
    // (A string: vitest would rewrite an import() written in this file.)
    await someWorker.evaluate("import('data:text/javascript,1').catch(() => undefined)");
    await expect.poll(() => csp.violations.length, { timeout: WAIT }).toBe(2);
    expect(csp.violations[0]).toMatch(/^page: script-src-elem inline$/);
    expect(csp.violations[1]).toMatch(/^worker .*: script-src-elem data$/);
    csp.violations.length = 0;
    watch.errors.length = 0;

    // The flows.
    expect(await saveToLake(page)).toBe('saved');
    await showQuery(page);
    await expectSqlDone(page, 'SELECT count(*) AS n FROM "mini-coco@main".images');
    await page.locator('[data-testid="tab-pipeline"]').click();
    await page.locator('[data-testid="pipeline-view"]').waitFor({ timeout: WAIT });
    await page
      .locator('[data-testid="preview-pair"][data-ok="true"]')
      .first()
      .waitFor({ timeout: WAIT });
    await page.locator('[data-testid="loader-start"]').click();
    await page
      .locator('[data-testid="loader-status"][data-status="done"]')
      .waitFor({ timeout: WAIT });
    await screenshot(page, 'hosting-csp-pipeline');
    expect(csp.violations).toEqual([]);
    expect(watch.errors).toEqual([]);
    await page.close();
  });

  it('the dev server sends the same headers and .gz files as themselves', async () => {
    // The dev server gives vitest's own browser runner only the isolation headers (its pages
    // use inline scripts); outside vitest it sends them all, which is what is checked here.
    const vitest = process.env['VITEST'];
    delete process.env['VITEST'];
    let server: Awaited<ReturnType<typeof createServer>>;
    try {
      server = await createServer({
        root: REPO_ROOT,
        configFile: path.join(REPO_ROOT, 'vite.config.ts'),
        logLevel: 'warn',
        server: { host: '127.0.0.1', port: 0, strictPort: true, hmr: false, watch: null },
      });
    } finally {
      process.env['VITEST'] = vitest;
    }
    try {
      await server.listen();
      const { port } = server.httpServer!.address() as AddressInfo;
      const base = `http://127.0.0.1:${port}`;
      expectHostingHeaders(await get(base, ''), 'dev /');
      expectHostingHeaders(await get(base, TAR_GZ), `dev /${TAR_GZ}`);
      await expectGzAsItself(base);
    } finally {
      await server.close();
    }
  });
});
