/**
 * End-to-end tests: test/e2e/**\/*.e2e.ts, run in Node. Each test drives headless Chromium through
 * playwright-core against the built app (`vite build` first; the harness serves dist/ with
 * `vite preview`). Helpers live in test/e2e/harness.ts.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'e2e',
    include: ['test/e2e/**/*.e2e.ts'],
    environment: 'node',
    // One fork, one file at a time: browsers and preview servers are heavy on 2 cores.
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    // A glob that matches nothing fails rather than passes; scripts/test-all.mjs also fails a
    // run with fewer tests than its stage's floor.
    passWithNoTests: false,
  },
});
