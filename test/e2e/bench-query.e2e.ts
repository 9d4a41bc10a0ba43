/**
 * The query bench cannot rot: its quick mode (`--quick`: every figure once, on a small record
 * set, in headless Chromium on a Vite dev server) runs to the end and prints every figure as a
 * ratio against its baseline. No threshold on any figure: the goals live in the bench
 * (bench/README.md), and this machine is shared. It runs the group on its own
 * (`tsx bench/query.ts --quick`), which does not write bench/out/results.json over a real run's.
 * It runs on the smallest sizes that still produce every figure, `--query-rows 10000
 * --query-runs 1` (one fragment, one latency run): the figures are not asserted, and the 100,000
 * rows and 3 runs of plain `--quick` cost about 4 s more on a busy 2-core machine.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './harness.ts';

/** Runs the query group in quick mode in a child process; its exit code and output. */
function runQuick(): Promise<{ code: number | null; out: string }> {
  const tsx = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
  return new Promise((resolve, reject) => {
    const child = spawn(
      tsx,
      ['bench/query.ts', '--quick', '--query-rows', '10000', '--query-runs', '1'],
      {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

/** The table row of `figure` (its first line starting with it, after spaces). */
function rowOf(out: string, figure: string): string | undefined {
  return out.split('\n').find((l) => l.trimStart().startsWith(figure));
}

describe('npm run bench -- --only query --quick --query-rows 10000 --query-runs 1', () => {
  it('prints every figure of the query group, each against its baseline', async () => {
    const { code, out } = await runQuick();
    expect(out).not.toContain('!!');
    expect(code, out).toBe(0);
    const ratio = /\d+\.\d+x/;
    const figures: [string, RegExp][] = [
      // 0. cold start
      ['DuckDB-WASM started (baseline)', /ref/],
      ['schema (describe, from the commit manifests)', ratio],
      ['first rows of "big@main".t (load + query)', ratio],
      // 1. latency, lake against a plain table (and the cache table)
      ['GROUP BY label: count(*), avg(x)', ratio],
      ['filter: x BETWEEN 250 AND 251 AND flag', ratio],
      ['count(*): the fixed cost of a query', ratio],
      // 2. first load against parquet-wasm decode + DuckDB insert
      ['the same + insert into DuckDB (baseline)', /ref/],
      ['lake: first query of a new branch (load + count(*))', ratio],
      ['of which the catalog load (LoadedTable.ms)', ratio],
      ['lake: the same, a branch with 10 % of rows deleted', ratio],
      // 3. statistics against SUMMARIZE
      ['SUMMARIZE of the 5 columns (baseline)', /ref/],
      ['stats-plan.ts + stats.ts', ratio],
      ['of which planning (stats-plan.ts)', ratio],
      ['of which statistics (stats.ts)', ratio],
    ];
    for (const [figure, value] of figures) {
      const row = rowOf(out, figure);
      expect(row, `${figure}\n\n${out}`).toBeDefined();
      expect(row).toMatch(value);
    }
    // Quick mode leaves out the slow row of the former load path.
    expect(out).not.toContain('the former load path');
  }, 900_000);
});
