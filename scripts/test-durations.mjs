#!/usr/bin/env node
/**
 * Writes test/durations.json from the JSON reports of the last `npm test`
 * (test-results/vitest-{node,browser,e2e}.json): each test file's duration in whole seconds,
 * keyed `project:path`, for test/sequencer.ts, which starts the slowest files first. Files under
 * one second are left out (their order does not matter). Run it after a full run when files were
 * added or got much slower or faster:
 *
 *   node scripts/test-durations.mjs
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const reports = {
  node: 'vitest-node.json',
  browser: 'vitest-browser.json',
  e2e: 'vitest-e2e.json',
};
/** @type {Record<string, number>} */
const out = {};
for (const [project, name] of Object.entries(reports)) {
  const file = path.join(root, 'test-results', name);
  if (!existsSync(file)) throw new Error(`${file} is missing: run npm test first`);
  const report = JSON.parse(readFileSync(file, 'utf8'));
  for (const t of report.testResults) {
    const seconds = Math.round((t.endTime - t.startTime) / 1000);
    if (seconds < 1) continue;
    out[`${project}:${path.relative(root, t.name).split(path.sep).join('/')}`] = seconds;
  }
}
const sorted = Object.fromEntries(Object.entries(out).sort((a, b) => b[1] - a[1]));
writeFileSync(path.join(root, 'test', 'durations.json'), JSON.stringify(sorted, null, 2) + '\n');
console.log(`test/durations.json: ${Object.keys(sorted).length} files`);
