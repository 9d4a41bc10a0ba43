/**
 * scripts/test-all.mjs in a sandbox where every command it runs is a fake: the dependencies
 * stage runs first and, when it fails, nothing else runs and the totals line still ends the
 * output, counting the failure (issue 11 §5); a vitest run that reports fewer tests than its
 * stage's floor is a failure (a broken glob cannot pass); otherwise the totals add up. Lint,
 * typecheck and the build run in the side lane, after unit: the summary still lists the steps in
 * the stages' order, and a failed build skips the e2e tests.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sandbox, type Sandbox } from './script-sandbox.ts';

let box: Sandbox;
afterEach(() => box?.remove());

/** Counts each fake vitest project reports, by the name of its JSON report. */
interface Counts {
  node: number;
  browser: number;
  e2e: number;
}

/**
 * A sandbox whose ensure-deps exits with `depsExit`, whose lint/typecheck/build commands pass
 * (those named in `failing` exit 1), and whose vitest writes a JSON report with `counts` passing
 * tests. Every command logs its name.
 */
function fakeRepo(
  depsExit: number,
  counts: Counts,
  failing: string[] = [],
): { env: Record<string, string>; ran: () => string[] } {
  box = sandbox('test-all.mjs');
  const log = path.join(box.dir, 'ran.log');
  box.write(
    'scripts/ensure-deps.mjs',
    `import { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(log)}, 'ensure-deps ' + process.argv.slice(2).join(' ') + '\\n');\nif (${depsExit}) console.error('[ensure-deps] ERROR: dpkg lock');\nprocess.exitCode = ${depsExit};\n`,
  );
  for (const name of ['eslint', 'prettier', 'svelte-check', 'vite']) {
    const exit = failing.includes(name) ? '\nexit 1' : '';
    box.fake(`node_modules/.bin/${name}`, `echo ${name} >> "${log}"${exit}`);
  }
  box.fake(
    'node_modules/.bin/vitest',
    [
      `echo vitest >> "${log}"`,
      'for a in "$@"; do case "$a" in --outputFile.json=*) out="${a#--outputFile.json=}" ;; esac; done',
      `case "$out" in *node*) n=${counts.node} ;; *browser*) n=${counts.browser} ;; *) n=${counts.e2e} ;; esac`,
      'printf \'{"numPassedTests":%s,"numFailedTests":0,"numPendingTests":0,"testResults":[]}\' "$n" > "$out"',
    ].join('\n'),
  );
  return {
    env: {},
    ran: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []),
  };
}

const ENOUGH: Counts = { node: 10_000, browser: 10_000, e2e: 1_000 };

describe('test-all', () => {
  it('runs nothing more when the dependencies fail, and still ends with the totals', async () => {
    const { env, ran } = fakeRepo(1, ENOUGH);
    const res = await box.run([], env);
    expect(res.code).toBe(1);
    expect(res.lastLine).toBe('0 passed, 1 failed');
    expect(ran()).toEqual(['ensure-deps --browser']);
    expect(res.stdout).toMatch(/FAIL deps +ensure-deps/);
    expect(res.stdout).toMatch(/SKIP unit +vitest \(node\).*dependencies could not be installed/);
  });

  it('adds up every stage when all pass', async () => {
    const { env, ran } = fakeRepo(0, ENOUGH);
    const res = await box.run([], env);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    // ensure-deps, eslint, prettier, svelte-check, vite build: one each.
    expect(res.lastLine).toBe(`${5 + 10_000 + 10_000 + 1_000} passed, 0 failed`);
    // Unit first and alone; the side lane after it, beside the browser stage.
    expect(ran().slice(0, 2)).toEqual(['ensure-deps --browser', 'vitest']);
    expect(ran().filter((r) => r === 'vitest')).toHaveLength(3);
    expect(ran().indexOf('vite')).toBeLessThan(ran().lastIndexOf('vitest'));
    // The summary in the stages' order, whatever order the side lane finished in.
    const rows = res.stdout
      .split('\n')
      .filter((l) => /^ {2}ok /.test(l))
      .map((l) => l.slice(7, 36).replace(/ +/g, ' ').trim());
    expect(rows).toEqual([
      'deps ensure-deps',
      'lint eslint .',
      'lint prettier --check .',
      'typecheck svelte-check',
      'unit vitest (node)',
      'browser vitest (chromium)',
      'e2e vite build',
      'e2e vitest (e2e)',
    ]);
  });

  it('skips the e2e tests when the build fails, and runs the rest', async () => {
    const { env, ran } = fakeRepo(0, ENOUGH, ['vite']);
    const res = await box.run([], env);
    expect(res.code).toBe(1);
    expect(res.lastLine).toBe(`${4 + 10_000 + 10_000} passed, 1 failed`);
    expect(ran().filter((r) => r === 'vitest')).toHaveLength(2);
    expect(res.stdout).toMatch(/FAIL e2e +vite build/);
    expect(res.stdout).toMatch(/SKIP e2e +vitest \(e2e\) .*skipped: vite build failed/);
  });

  it('fails a vitest run that reports fewer tests than its floor', async () => {
    const { env } = fakeRepo(0, { ...ENOUGH, node: 3 });
    const res = await box.run(['unit'], env);
    expect(res.code).toBe(1);
    expect(res.lastLine).toBe('3 passed, 1 failed');
    expect(res.stdout).toMatch(/FAIL unit .*3 tests, fewer than this stage's floor of \d+/);
  });

  it('runs only the named stages', async () => {
    const { env, ran } = fakeRepo(0, ENOUGH);
    const res = await box.run(['lint'], env);
    expect(res.lastLine).toBe('2 passed, 0 failed');
    expect(ran().sort()).toEqual(['eslint', 'prettier']);
  });
});
