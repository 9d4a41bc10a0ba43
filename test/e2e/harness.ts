/**
 * Shared helpers for the Playwright e2e tests (test/e2e/**\/*.e2e.ts, run by vitest in Node with
 * vitest.e2e.config.ts). The app must be built first (`npm run build`); `npm run test:e2e` and
 * `npm test` do that.
 *
 * Typical use:
 *
 *   let app: Served; let fixtures: StaticServer; let browser: LaunchedBrowser;
 *   beforeAll(async () => {
 *     app = await startPreview();
 *     fixtures = await startStaticServer('test/fixtures/croissant');
 *     browser = await launchBrowser();
 *   });
 *   afterAll(async () => { await browser?.close(); await fixtures?.close(); await app?.close(); });
 *
 *   it('loads', async () => {
 *     const page = await browser.newPage();
 *     const watch = watchPage(page);
 *     await page.goto(app.url);
 *     ...
 *     await screenshot(page, 'loaded');
 *     expect(watch.errors).toEqual([]);
 *   });
 */
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type {
  Browser,
  BrowserContext,
  LaunchOptions as PlaywrightLaunchOptions,
  Page,
} from 'playwright-core';
import { preview } from 'vite';
import { CHROMIUM_PATH, TEST_CHROMIUM_ARGS } from '../../scripts/chromium.ts';

/** Absolute path of the repository root. */
export const REPO_ROOT: string = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../..',
);

/** Where `screenshot()` writes PNGs. */
export const SCREENSHOT_DIR: string = path.join(REPO_ROOT, 'test-results', 'screenshots');

export interface Served {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the built app (dist/) with `vite preview` on 127.0.0.1 and a free port. It uses the
 * project's vite.config.ts, so the page gets the COOP/COEP headers and is cross-origin isolated.
 */
export async function startPreview(): Promise<Served> {
  const dist = path.join(REPO_ROOT, 'dist');
  if (!existsSync(path.join(dist, 'index.html'))) {
    throw new Error(
      `startPreview: ${dist}/index.html does not exist. Build the app first: npm run build`,
    );
  }
  const server = await preview({
    root: REPO_ROOT,
    configFile: path.join(REPO_ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    preview: { host: '127.0.0.1', port: 0, strictPort: true, open: false },
  });
  const address = server.httpServer.address() as AddressInfo | null;
  if (!address || typeof address !== 'object') {
    await server.close();
    throw new Error('startPreview: vite preview did not report a listening address');
  }
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () => server.close(),
  };
}

export interface StaticServerOptions {
  /**
   * Default true: answer with `Access-Control-Allow-Origin: *` (plus preflight and exposed
   * headers) and `Cross-Origin-Resource-Policy: cross-origin`, so the cross-origin-isolated app
   * can fetch from it. false: send neither, like a server that does not cooperate; fetches from
   * the app then fail, which is what a test of that error path wants.
   */
  cors?: boolean;
}

export interface RequestRecord {
  method: string;
  /** Path and query, e.g. `/1.0/titanic/metadata.json`. */
  url: string;
  /** The Range header, when there was one. */
  range?: string;
  status: number;
}

export interface StaticServer extends Served {
  /** Every request served so far, in order (tests can assert on Range reads, counts, ...). */
  requests: RequestRecord[];
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.jsonld': 'application/ld+json; charset=utf-8',
  '.jsonl': 'application/jsonl; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.tsv': 'text/tab-separated-values; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.wasm': 'application/wasm',
  '.parquet': 'application/vnd.apache.parquet',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.webp': 'image/webp',
  '.zip': 'application/zip',
  '.tar': 'application/x-tar',
  '.gz': 'application/gzip',
  '.dcm': 'application/dicom',
  '.onnx': 'application/octet-stream',
};

/**
 * Serves `dir` (absolute, or relative to the repo root) on 127.0.0.1 and a free port: GET and HEAD,
 * single-range `Range: bytes=a-b` requests (206), OPTIONS preflights, 404 for anything missing or
 * outside `dir`. Directories serve their index.html if they have one.
 */
export async function startStaticServer(
  dir: string,
  opts: StaticServerOptions = {},
): Promise<StaticServer> {
  const root = path.resolve(REPO_ROOT, dir);
  const rootStat = await stat(root).catch(() => null);
  if (!rootStat?.isDirectory()) throw new Error(`startStaticServer: not a directory: ${root}`);
  const cors = opts.cors ?? true;
  const requests: RequestRecord[] = [];

  const server = http.createServer((req, res) => {
    const record: RequestRecord = { method: req.method ?? 'GET', url: req.url ?? '/', status: 0 };
    if (req.headers.range) record.range = req.headers.range;
    requests.push(record);
    const finish = (status: number, body?: string): void => {
      record.status = status;
      res.statusCode = status;
      if (body !== undefined) res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(body);
    };

    if (cors) {
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', '*');
      res.setHeader(
        'Access-Control-Expose-Headers',
        'Content-Length, Content-Range, Content-Type, Accept-Ranges, ETag, Last-Modified',
      );
      res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    }
    if (req.method === 'OPTIONS') return finish(204);
    if (req.method !== 'GET' && req.method !== 'HEAD') return finish(405, 'method not allowed');

    let rel: string;
    try {
      rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      return finish(400, 'bad path');
    }
    let file = path.join(root, rel);
    if (file !== root && !file.startsWith(root + path.sep)) return finish(404, 'not found');

    void (async () => {
      let st = await stat(file).catch(() => null);
      if (st?.isDirectory()) {
        file = path.join(file, 'index.html');
        st = await stat(file).catch(() => null);
      }
      if (!st?.isFile()) return finish(404, 'not found');

      const size = st.size;
      res.setHeader(
        'Content-Type',
        MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
      );
      res.setHeader('Accept-Ranges', 'bytes');
      res.setHeader('Last-Modified', st.mtime.toUTCString());
      res.setHeader('ETag', `"${size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`);
      res.setHeader('Cache-Control', 'no-store');

      let start = 0;
      let end = size - 1;
      let status = 200;
      const range = req.headers.range;
      if (range) {
        const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
        if (!m || (m[1] === '' && m[2] === '')) {
          res.setHeader('Content-Range', `bytes */${size}`);
          return finish(416, 'bad range');
        }
        if (m[1] === '') {
          // Suffix range: the last N bytes.
          start = Math.max(0, size - Number(m[2]));
        } else {
          start = Number(m[1]);
          if (m[2] !== '') end = Math.min(Number(m[2]), size - 1);
        }
        if (start >= size || start > end) {
          res.setHeader('Content-Range', `bytes */${size}`);
          return finish(416, 'range not satisfiable');
        }
        status = 206;
        res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
      }
      const length = size === 0 ? 0 : end - start + 1;
      res.setHeader('Content-Length', String(length));
      record.status = status;
      res.statusCode = status;
      if (req.method === 'HEAD' || length === 0) return void res.end();
      const stream = createReadStream(file, { start, end });
      stream.on('error', () => res.destroy());
      stream.pipe(res);
    })().catch(() => {
      if (!res.headersSent) finish(500, 'internal error');
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface LaunchOptions {
  /**
   * A profile folder. Given, the browser keeps OPFS, IndexedDB and the rest across
   * `close()` and a later `launchBrowser` with the same folder (tests of persistence).
   * Left out, every launch starts from an empty in-memory profile.
   */
  userDataDir?: string;
  /** Enable WebGPU (SwiftShader, slow but correct). Default false. */
  webgpu?: boolean;
  /** Pass `--disable-gpu`: `navigator.gpu.requestAdapter()` then returns null. Default false. */
  disableGpu?: boolean;
  /** More Chromium flags. */
  args?: string[];
  /**
   * Let the app's service worker (the PWA, see vite.config.ts) register and serve. Default
   * false: pages are never controlled by it, so `page.route()` sees every request and the
   * precache takes no storage quota. test/e2e/offline.e2e.ts turns it on.
   */
  serviceWorkers?: boolean;
}

export interface LaunchedBrowser {
  /** The browser context every page is opened in (the persistent one with `userDataDir`). */
  context: BrowserContext;
  /**
   * The browser, or null for a persistent context (which has no separate Browser object). Without
   * `userDataDir` it is shared (see {@link launchBrowser}): a test may open contexts of its own in
   * it, and must close them, but must not close the browser.
   */
  browser: Browser | null;
  newPage(): Promise<Page>;
  /** Closes every page and the context, and the browser process of a persistent context. */
  close(): Promise<void>;
}

/**
 * Browsers shared by the launches without a profile folder, one per set of flags, for as long as
 * the test worker runs: its files run one after another in one process (`isolate: false`,
 * vitest.e2e.config.ts), and Playwright closes them when the process ends. A Chromium start costs
 * 3–4 CPU-s on this machine; a context, which is an empty in-memory profile of its own (storage,
 * OPFS, caches, service workers), costs a fraction of that (bench/README.md, "Test suite: shared
 * browsers").
 */
const shared = new Map<string, Promise<Browser>>();

async function sharedBrowser(launch: PlaywrightLaunchOptions): Promise<Browser> {
  const key = (launch.args ?? []).join(' ');
  const known = await shared.get(key)?.catch(() => undefined);
  if (known?.isConnected()) return known;
  const started = chromium.launch(launch);
  shared.set(key, started);
  return started;
}

/**
 * Headless Debian Chromium (/usr/bin/chromium) through playwright-core. With `userDataDir`, a
 * browser of its own on that profile folder; without, a new context (an empty in-memory profile)
 * in a browser shared with the other launches of the same flags in this test worker.
 */
export async function launchBrowser(opts: LaunchOptions = {}): Promise<LaunchedBrowser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `launchBrowser: ${CHROMIUM_PATH} not found. Install it: node scripts/ensure-deps.mjs --browser`,
    );
  }
  const args = [...TEST_CHROMIUM_ARGS];
  if (opts.webgpu) args.push('--enable-unsafe-webgpu');
  if (opts.disableGpu) args.push('--disable-gpu');
  if (opts.args) args.push(...opts.args);
  const launch = { executablePath: CHROMIUM_PATH, headless: true, args, timeout: 60_000 };
  const serviceWorkers = opts.serviceWorkers ? 'allow' : 'block';

  if (opts.userDataDir) {
    await mkdir(opts.userDataDir, { recursive: true });
    const context = await chromium.launchPersistentContext(opts.userDataDir, {
      ...launch,
      serviceWorkers,
    });
    return {
      context,
      browser: null,
      newPage: () => context.newPage(),
      close: () => context.close(),
    };
  }
  const browser = await sharedBrowser(launch);
  const context = await browser.newContext({ serviceWorkers });
  return {
    context,
    browser,
    newPage: () => context.newPage(),
    close: () => context.close(),
  };
}

export interface PageWatch {
  /** Uncaught page errors and `console.error` messages, in order. */
  errors: string[];
  /** Every URL the page and its dedicated workers requested (documents, scripts, fetches, wasm). */
  requests: string[];
}

/** Records a page's errors and requests from now on. */
export function watchPage(page: Page): PageWatch {
  const watch: PageWatch = { errors: [], requests: [] };
  page.on('pageerror', (err) => watch.errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    // "Failed to load resource" messages say which URL only in their location.
    const where = msg.location().url;
    const text = msg.text();
    watch.errors.push(
      `console.error: ${text}${where && !text.includes(where) ? ` (${where})` : ''}`,
    );
  });
  page.on('request', (req) => watch.requests.push(req.url()));
  return watch;
}

/**
 * Saves a full-page PNG as test-results/screenshots/<name>.png (the name is made file-safe) and
 * returns its path.
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '') || 'screenshot';
  const file = path.join(SCREENSHOT_DIR, safe.endsWith('.png') ? safe : `${safe}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
