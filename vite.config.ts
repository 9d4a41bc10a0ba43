import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

/**
 * Cross-origin isolation (COOP + COEP) gives `crossOriginIsolated === true`, which the app needs
 * for SharedArrayBuffer (DuckDB-WASM threads, OPFS sync handles shared with workers). Every
 * server that serves the app must send these headers; anything the app fetches from another
 * origin must then answer with CORS (or `Cross-Origin-Resource-Policy: cross-origin`).
 */
export const isolationHeaders: Record<string, string> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

// The app never loads code from a CDN: wasm and worker files are bundled (`?url`/`?worker`
// imports) and served from the app's own origin.
export default defineConfig({
  // index.html at the repo root is the app entry.
  root: '.',
  plugins: [svelte()],
  server: {
    headers: isolationHeaders,
  },
  preview: {
    headers: isolationHeaders,
  },
  worker: {
    format: 'es',
  },
  optimizeDeps: {
    // parquet-wasm loads its .wasm relative to its own module URL; pre-bundling breaks that.
    exclude: ['parquet-wasm'],
  },
  build: {
    target: 'es2022',
    outDir: 'dist',
    // DuckDB-WASM and onnxruntime-web ship multi-MB chunks; this only silences the warning.
    chunkSizeWarningLimit: 4096,
  },
});
