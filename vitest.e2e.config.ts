/**
 * End-to-end tests: test/e2e/**\/*.e2e.ts, run in Node. Each test drives headless Chromium through
 * playwright-core against the built app (`vite build` first; the harness serves dist/ with
 * `vite preview`). Helpers live in test/e2e/harness.ts.
 *
 * The stage's time (budget: `npm test` under 15 minutes on CI) goes to the app's own work in
 * Chromium (browser starts, DuckDB's start, saving and reading datasets), not to sleeps: the
 * tests have none. A third file at a time was slower on the idle 2-core machine (602 s against
 * 553–572 s with two; bench/README.md, "Test suite: where the CPU goes"). What was cut is work
 * no assertion needs: the files that save the demo study and work on all of it (train,
 * blindspots, labels) use a 1,600-image copy made by the same generator
 * (test/e2e/demo-helpers.ts) rather than the bundled 5,000 PNGs and 800 DICOM files, and the
 * bench smoke tests run the smallest sizes that print every figure (bench-loader,
 * bench-query). Each file's header says why its sizes are what they are.
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
    // Files run in their worker one after another with its module cache (vite, playwright-core,
    // the harness) kept: vitest's import time over the stage 41 s -> 7.6 s. Each file still
    // starts its own preview server; its browser contexts come from the worker's shared browser
    // (test/e2e/harness.ts, `launchBrowser`).
    isolate: false,
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
    // Failure messages in full ("expected [ 'GET …' ] to deeply equal []", not "[ Array(1) ]"):
    // scripts/test-all.mjs prints each failure's first line at the end, the part CI shows.
    chaiConfig: { truncateThreshold: 0 },
  },
});
