/**
 * Unit/contract/regression tests, in two projects:
 *
 * - `node`:    test/{unit,contract,regression}/**\/*.test.ts, minus `*.browser.test.ts`.
 * - `browser`: the same files plus test/browser/**, minus `*.node.test.ts`, in headless Chromium
 *              (vitest browser mode, playwright provider, Debian's /usr/bin/chromium).
 *
 * Run one with `vitest run --project node` / `--project browser`. The e2e tests have their own
 * config: vitest.e2e.config.ts.
 */
import { configDefaults, defineConfig, mergeConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import viteConfig from './vite.config.ts';
import { CHROMIUM_PATH, TEST_CHROMIUM_ARGS } from './scripts/chromium.ts';
import { s3Commands } from './test/s3/browser-commands.ts';
import { SlowFirstSequencer } from './test/sequencer.ts';

const shared = [
  'test/unit/**/*.test.ts',
  'test/contract/**/*.test.ts',
  'test/regression/**/*.test.ts',
];

export default mergeConfig(
  viteConfig,
  defineConfig({
    test: {
      // Every test has a timeout; the Node project's DuckDB/Parquet work can hang otherwise.
      testTimeout: 60_000,
      hookTimeout: 60_000,
      teardownTimeout: 10_000,
      // A glob that matches nothing fails rather than passes; scripts/test-all.mjs also fails a
      // run with fewer tests than its stage's floor.
      passWithNoTests: false,
      // Failure messages in full ("expected [ 'x' ] to deeply equal []", not "[ Array(1) ]"):
      // scripts/test-all.mjs prints the first lines of each failure at the end, the part CI shows.
      chaiConfig: { truncateThreshold: 0 },
      // The slowest files start first, also on a clean clone (test/sequencer.ts).
      sequence: { sequencer: SlowFirstSequencer },
      projects: [
        {
          extends: true,
          test: {
            name: 'node',
            environment: 'node',
            pool: 'forks',
            // Files share their worker's module cache instead of each importing the lake, DuckDB,
            // onnxruntime… afresh: the stage took 217 s isolated against 149 s here (all 1,234
            // tests passing both ways). The tests keep no state between files: no vi.mock, and
            // the few spies and stubbed globals are restored in the file that makes them.
            isolate: false,
            include: shared,
            exclude: [...configDefaults.exclude, '**/*.browser.test.ts'],
          },
        },
        {
          extends: true,
          test: {
            name: 'browser',
            // One iframe runs the files one after another and keeps its module cache, instead of a
            // new iframe per file importing the lake, DuckDB, onnxruntime… afresh (about 0.5 s of
            // CPU a file: 30 small files took 29 s of CPU isolated, 14 s here; bench/README.md,
            // "Test suite"). As in the node project, the tests keep no state between files; the
            // browser files also close the DuckDB instances and workers they start, and restore
            // the timers and `document.visibilityState` they fake.
            isolate: false,
            // Pages at a time: vitest's default, one fewer than the cores (one on 2 cores). Two here
            // (the project's `maxWorkers`; the command line's --maxWorkers does not reach browser
            // mode) made every file about twice as slow, and under load the two slowest tests ran
            // past their 60 s time limit.
            include: [...shared, 'test/browser/**/*.test.ts'],
            exclude: [...configDefaults.exclude, '**/*.node.test.ts'],
            browser: {
              enabled: true,
              headless: true,
              screenshotFailures: false,
              provider: playwright({
                launchOptions: {
                  executablePath: CHROMIUM_PATH,
                  args: [...TEST_CHROMIUM_ARGS],
                },
              }),
              instances: [{ browser: 'chromium' }],
              // The remote tests start s3rver and its proxy here (test/s3/browser-commands.ts).
              commands: s3Commands,
            },
          },
        },
      ],
    },
  }),
);
