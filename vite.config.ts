import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
import { arrowNoEval } from './scripts/arrow-no-eval.ts';
import { SECURITY_HEADERS, devServerHeaders, serving } from './scripts/serving.ts';

/**
 * The app is a PWA (issue 4 §5, "Offline"): after the first visit, the service worker has
 * precached the app shell, every worker and the wasm the app runs on (parquet-wasm, DuckDB-WASM,
 * any other `.wasm` it bundles or serves), so the app opens and works with the network off.
 *
 * What is *not* precached (issue 12 §6: the install used to store 99 MB before any data):
 * - The example datasets under examples/<id>/: each is cached when it is first opened (runtime
 *   caching, network first: a newer build's copy replaces the cached one whenever the server
 *   answers), so an example never opened takes no space and is not available offline. The list
 *   (examples/index.json) and the licences are precached, so the start page is complete offline.
 * - DuckDB-WASM's MVP build (39 MB), the fallback for browsers without WebAssembly exceptions:
 *   every browser with the OPFS access the lake needs has them and loads the EH build, which is
 *   precached. Should a browser load the MVP build all the same, it is cached on first use.
 *
 * - `generateSW` with `mode: 'production'`: workbox is bundled into dist/ (no CDN, no logs).
 * - Cross-origin isolation survives offline: the caches store each response *with its
 *   headers*, and every server that serves the app sends COOP/COEP (see `SECURITY_HEADERS` in
 *   scripts/serving.ts), so the cached index.html and workers carry them and the CSP.
 *   test/e2e/offline.e2e.ts checks
 *   `crossOriginIsolated === true` after an offline reload with the server stopped.
 * - The registration lives in src/app/pwa.ts (`virtual:pwa-register`), hence
 *   `injectRegister: false`.
 * - Under vitest (which merges this config) the plugin is disabled; its virtual modules then
 *   resolve to no-ops.
 */
/** The runtime cache that holds the example datasets opened so far. */
const EXAMPLES_CACHE = 'croissant-lake-examples';
/** DuckDB-WASM's MVP build in dist/assets/, left out of the precache. */
const DUCKDB_MVP_WASM = 'duckdb-mvp-*.wasm';

const pwa = VitePWA({
  disable: Boolean(process.env['VITEST']),
  strategies: 'generateSW',
  registerType: 'autoUpdate',
  injectRegister: false,
  // The glob below already precaches public/icons; listing them again would only duplicate.
  includeManifestIcons: false,
  manifest: {
    name: 'croissant-lake',
    short_name: 'croissant-lake',
    description: 'Open, validate and explore Croissant datasets in your browser.',
    start_url: '.',
    scope: '.',
    display: 'standalone',
    background_color: '#f6f5f2',
    theme_color: '#b05a12',
    icons: [
      { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
      { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
      { src: 'icons/icon.svg', sizes: 'any', type: 'image/svg+xml' },
      { src: 'icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
    ],
  },
  workbox: {
    mode: 'production',
    // The app shell, its workers and wasm, icons, and the examples' list and licences. The
    // examples' own files are cached when opened (runtimeCaching below). manifest.webmanifest is
    // not in the glob because the plugin adds it to the precache itself.
    globPatterns: ['**/*.{js,css,html,wasm,svg,png,ico,json}', 'examples/*.md'],
    globIgnores: ['**/node_modules/**', 'examples/*/**/*', `assets/${DUCKDB_MVP_WASM}`],
    // DuckDB-WASM's EH build is about 34 MB; the default limit (2 MiB) would silently skip it.
    maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
    // Hashed file names (assets/name-HASH.ext) need no revision query when precached.
    dontCacheBustURLsMatching: /^assets\//,
    // Any navigation (`/?url=…`, `/?lake=…`) gets the precached app shell.
    navigateFallback: 'index.html',
    // …but a data file opened in a tab is that file (or the server's 404), never the app.
    navigateFallbackDenylist: [/^\/examples\//],
    // These functions are copied into sw.js as text: they may use nothing from this file.
    runtimeCaching: [
      {
        // An example's files (examples/<id>/…), wherever the app is hosted, as they are fetched.
        urlPattern: ({ url, sameOrigin }) =>
          sameOrigin && /\/examples\/[^/]+\/./.test(url.pathname),
        handler: 'NetworkFirst',
        options: {
          cacheName: EXAMPLES_CACHE,
          cacheableResponse: { statuses: [200] },
        },
      },
      {
        // A wasm file of the build that is not precached (DuckDB's MVP build): file names carry
        // a content hash, so a cached copy is never stale; old builds' copies are dropped.
        urlPattern: ({ url, sameOrigin }) =>
          sameOrigin && /\/assets\/[^/]+\.wasm$/.test(url.pathname),
        handler: 'CacheFirst',
        options: {
          cacheName: 'croissant-lake-wasm',
          cacheableResponse: { statuses: [200] },
          expiration: { maxEntries: 4, purgeOnQuotaError: true },
        },
      },
    ],
    cleanupOutdatedCaches: true,
    clientsClaim: true,
    skipWaiting: true,
  },
});

// The app never loads code from a CDN: wasm and worker files are bundled (`?url`/`?worker`
// imports) and served from the app's own origin. Every response carries SECURITY_HEADERS (CSP,
// cross-origin isolation, …; scripts/serving.ts), which is what "Hosting" in README.md asks of
// any other server; `serving()` also sends them where Vite's own `headers` option does not reach,
// and serves .gz files as themselves.
export default defineConfig({
  // index.html at the repo root is the app entry.
  root: '.',
  plugins: [arrowNoEval(), serving(), svelte(), pwa],
  server: {
    headers: { ...devServerHeaders() },
  },
  preview: {
    headers: { ...SECURITY_HEADERS },
  },
  worker: {
    format: 'es',
    // Workers are bundled on their own: arrow's builders run in the lake and croissant workers.
    plugins: () => [arrowNoEval()],
  },
  optimizeDeps: {
    // parquet-wasm loads its .wasm relative to its own module URL; pre-bundling breaks that.
    exclude: ['parquet-wasm'],
    // The dev server pre-bundles apache-arrow: swap its eval there too.
    rolldownOptions: { plugins: [arrowNoEval()] },
  },
  build: {
    target: 'es2022',
    outDir: 'dist',
    // DuckDB-WASM and onnxruntime-web ship multi-MB chunks; this only silences the warning.
    chunkSizeWarningLimit: 4096,
    // The build's report lists each file's size without gzipping every chunk to measure it:
    // 23 → 18 CPU-s a build here (two runs each, idle machine). npm test builds once a run.
    reportCompressedSize: false,
  },
});
