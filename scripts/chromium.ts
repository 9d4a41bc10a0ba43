/**
 * The one place that says which Chromium the tests and the bench drive, and with which flags:
 * the vitest browser project (vitest.config.ts) uses {@link TEST_CHROMIUM_ARGS}, the e2e
 * harness (test/e2e/harness.ts) {@link E2E_CHROMIUM_ARGS}; the bench (bench/browser.ts,
 * query.ts, dicom.ts) uses {@link CHROMIUM_ARGS}.
 *
 * Debian's Chromium (`apt-get install -y chromium`, done by `scripts/ensure-deps.mjs --browser`)
 * is used because Playwright's browser downloads do not work on these machines.
 */
export const CHROMIUM_PATH: string = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/**
 * The Chromium features Playwright 1.65 disables (playwright-core's `chromiumSwitches.ts`).
 * Chromium keeps only the last `--disable-features` of its command line, so the one in
 * {@link CHROMIUM_ARGS}, which Playwright puts after its own, must name these too.
 * test/unit/chromium-args.node.test.ts launches Chromium through Playwright and fails when one
 * of Playwright's names is missing here, as after an upgrade that adds one.
 */
const PLAYWRIGHT_DISABLED_FEATURES = [
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
  'msForceBrowserSignIn',
  'msEdgeUpdateLaunchServicesPreferredVersion',
];

/**
 * Chromium 156 preloads, for every browser window, two WebUI pages of the address bar's
 * suggestion popup (chrome://omnibox-popup.top-chrome/ and its AI-mode page) in a renderer of
 * their own. Headless, nobody ever sees them; each Playwright context is a window, and they cost
 * about 1.8 CPU-s of its start (6 contexts on about:blank: 15.0–16.1 CPU-s of Chromium with
 * them, 3.9–4.6 without; bench/README.md, "Test suite: the address bar's hidden pages").
 */
const HIDDEN_UI_FEATURES = ['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup'];

/**
 * Flags for headless Chromium on a closed network. Playwright adds `--headless` itself.
 * The background-networking flags keep Chromium from flooding the (closed) network.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  `--disable-features=${[...PLAYWRIGHT_DISABLED_FEATURES, ...HIDDEN_UI_FEATURES].join(',')}`,
];

/**
 * The tests' flags: {@link CHROMIUM_ARGS} plus V8's `--liftoff-only`, so WebAssembly runs on
 * V8's baseline compiler and is never recompiled by TurboFan in the background. The tests start
 * DuckDB-WASM (34 MB), onnxruntime-web (28 MB) and parquet-wasm in page after page and run them
 * briefly; on 2 cores the background recompilation of their hot functions was the largest single
 * cost in Chromium (train.e2e.ts alone: 75 CPU-s, 40 of them in the renderer's thread pool;
 * 33 CPU-s with the flag). Measured over whole stages on the idle machine: the browser project
 * 195–201 s → 167–175 s (302–314 → 245–254 CPU-s), the e2e stage 570 s → 547 s
 * (1,088 → 1,040 CPU-s); bench/README.md, "Test suite: wasm without TurboFan". What the wasm
 * computes is the same (wasm's semantics do not depend on the compiler); only its speed differs,
 * which is why the bench, whose figures are speeds, keeps {@link CHROMIUM_ARGS}. The unit project
 * (Node) keeps TurboFan: there `--liftoff-only` made the stage slower (178 s → 216 s), its tests
 * training models in wasm for tens of seconds.
 */
export const TEST_CHROMIUM_ARGS: readonly string[] = [
  ...CHROMIUM_ARGS,
  '--js-flags=--liftoff-only',
];

/**
 * The e2e tests' flags (test/e2e/harness.ts): {@link TEST_CHROMIUM_ARGS} with V8's
 * `--single-threaded` as well (one `--js-flags`: Chromium keeps only the last). V8 then runs its
 * garbage collector and compilers on the thread that needs them, not on background threads too.
 * The e2e stage runs two files at a time, each with its own Chromium, on 2 cores, so those
 * threads only competed with the other file's browser: the whole stage (`npx vitest run -c
 * vitest.e2e.config.ts`, idle machine, 64 passing) took 368 s and 714 CPU-s with it, 399 s and
 * 778 CPU-s without (the next run); on four of the heaviest files, two runs each, 127 and 125 s
 * (238, 234 CPU-s) against 131 and 149 s (246, 280 CPU-s). The browser project, one page at a
 * time beside the lint and build steps, gained nothing (175 s, 241 CPU-s, against 162 s and 235
 * CPU-s) and keeps {@link TEST_CHROMIUM_ARGS}. What scripts compute does not change; only
 * where V8 does its own work. bench/README.md, "Test suite: V8 on one thread in e2e".
 */
export const E2E_CHROMIUM_ARGS: readonly string[] = [
  ...CHROMIUM_ARGS,
  '--js-flags=--liftoff-only --single-threaded',
];
