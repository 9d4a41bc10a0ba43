/**
 * End-to-end tests: test/e2e/**\/*.e2e.ts, run in Node. Each test drives headless Chromium through
 * playwright-core against the built app (`vite build` first; the harness serves dist/ with
 * `vite preview`). Helpers live in test/e2e/harness.ts.
 */
import { defineConfig } from 'vitest/config';
import { SlowFirstSequencer } from './test/sequencer.ts';

export default defineConfig({
  test: {
    name: 'e2e',
    include: ['test/e2e/**/*.e2e.ts'],
    environment: 'node',
    // Two files at a time, each in its own fork with its own preview server, port and browser
    // profiles: a file spends much of its time waiting (servers, workers, wasm compiles), so on
    // 2 cores this measured 378 s -> 307 s for the stage, every test passing.
    pool: 'forks',
    maxWorkers: 2,
    fileParallelism: true,
    // CI machines may be busy with other work: a test that fails once is run once more, and
    // scripts/test-all.mjs names every test that passed only on its retry (FLAKY) at the end of
    // its output, so flakiness is seen and fixed rather than hidden. Twice failed is failed.
    retry: 1,
    // The slowest files start first, also on a clean clone (test/sequencer.ts).
    sequence: { sequencer: SlowFirstSequencer },
    testTimeout: 120_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    // A glob that matches nothing fails rather than passes; scripts/test-all.mjs also fails a
    // run with fewer tests than its stage's floor.
    passWithNoTests: false,
  },
});
