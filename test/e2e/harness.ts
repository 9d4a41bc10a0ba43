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
 *     fixtures = await startStaticServer('test/fixtures/croissant'); // static-server.ts
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
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
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
import { afterEach } from 'vitest';
import { CHROMIUM_PATH, E2E_CHROMIUM_ARGS } from '../../scripts/chromium.ts';

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
  const args = [...E2E_CHROMIUM_ARGS];
  if (opts.webgpu) args.push('--enable-unsafe-webgpu');
  if (opts.disableGpu) args.push('--disable-gpu');
  if (opts.args) args.push(...opts.args);
  const launch = { executablePath: CHROMIUM_PATH, headless: true, args, timeout: 60_000 };
  // Every page asks for reduced motion, as a user may in their system's settings: the app's
  // spinners and bars of unknown length then stand still (src/app/app.css). Moving, they kept
  // the compositor drawing frames while the tests wait: ~9 % of the CPU of four of the heaviest
  // files (bench/README.md, "Test suite: reduced motion, no screenshots").
  const reducedMotion = 'reduce' as const;
  const serviceWorkers = opts.serviceWorkers ? 'allow' : 'block';

  if (opts.userDataDir) {
    await mkdir(opts.userDataDir, { recursive: true });
    const context = await chromium.launchPersistentContext(opts.userDataDir, {
      ...launch,
      serviceWorkers,
      reducedMotion,
    });
    return {
      context,
      browser: null,
      newPage: () => context.newPage(),
      close: () => context.close(),
    };
  }
  const browser = await sharedBrowser(launch);
  const context = await browser.newContext({ serviceWorkers, reducedMotion });
  return {
    context,
    browser,
    newPage: () => context.newPage(),
    close: () => context.close(),
  };
}

/**
 * Runs `reset` after each test of the suite that failed, before its retry (vitest.e2e.config.ts
 * retries once: CI machines may be busy). A suite whose tests write to a profile relaunches its
 * browser there, so that the retry starts from an empty profile rather than meeting what the
 * failed try wrote (a dataset already saved, a branch already made).
 */
export function onFailure(reset: () => Promise<void>): void {
  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') await reset();
  });
}

/**
 * How many tests of the suite have failed so far: a suite that names its profile folders with
 * it (`${name}-${failures()}`) gives a retry new ones ({@link onFailure}).
 */
export function countFailures(): () => number {
  let failed = 0;
  onFailure(async () => void failed++);
  return () => failed;
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
 * Whether `screenshot()` writes anything: only when `E2E_SCREENSHOTS=1` is set (a person looking
 * at what the tests drive: `E2E_SCREENSHOTS=1 npm run test:e2e`). Nothing asserts on the
 * pictures, and `npm test` does without them: 114 full-page PNGs took 0.2–1.3 s each on the busy
 * 2-core machine (bench/README.md, "Test suite: reduced motion, no screenshots").
 */
export const SCREENSHOTS: boolean = process.env['E2E_SCREENSHOTS'] === '1';

/**
 * Saves a full-page PNG as test-results/screenshots/<name>.png (the name is made file-safe) and
 * returns its path, when {@link SCREENSHOTS} is on; otherwise returns null and writes nothing.
 */
export async function screenshot(page: Page, name: string): Promise<string | null> {
  if (!SCREENSHOTS) return null;
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '') || 'screenshot';
  const file = path.join(SCREENSHOT_DIR, safe.endsWith('.png') ? safe : `${safe}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
