#!/usr/bin/env node
/**
 * The whole test suite, as `npm test` runs it.
 *
 *   node scripts/test-all.mjs                 every stage
 *   node scripts/test-all.mjs unit e2e        only the named stages (deps lint typecheck unit
 *                                             browser e2e)
 *
 * Stages; a failure does not stop the later ones, except that nothing runs when the dependencies
 * could not be installed:
 *   deps       node scripts/ensure-deps.mjs --browser   (npm packages, Debian's Chromium)
 *   lint       eslint .   and   prettier --check .
 *   typecheck  svelte-check --tsconfig ./tsconfig.json (TypeScript, strict: .ts and .svelte)
 *   unit       vitest, project `node`    (test/{unit,contract,regression}, no *.browser.test.ts)
 *   browser    vitest, project `browser` (same files + test/browser, no *.node.test.ts; Chromium)
 *   e2e        vite build, then vitest -c vitest.e2e.config.ts (test/e2e/**\/*.e2e.ts)
 *
 * Order: deps, then unit, which keeps both cores busy on its own. Then the browser stage, which
 * runs one page at a time and leaves about a fifth of the two cores idle (78% busy, measured with
 * /proc/stat), so the side lane runs beside it: lint, typecheck and vite build, one command at a
 * time, their output printed once the browser stage is done. Then the e2e tests, which need the
 * build. Each step's summary row is in the order of the list above.
 *
 * Test counts come from vitest's JSON reporter (test-results/vitest-*.json). A vitest run that
 * reports fewer tests than its stage's floor (`minTests`) counts one more failure, so that a
 * broken glob or a lost project cannot pass quietly; the floors sit a little below the real
 * counts and are raised as tests are added. Any other command counts as one test. Whatever
 * happens, the last line of output is exactly `N passed, N failed`; the exit code is 1 when
 * anything failed. Every command runs under a time limit and is killed (with its whole process
 * group: browsers included) when it overruns.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const resultsDir = path.join(root, 'test-results');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const MIN = 60_000;

/**
 * @typedef {{ name: string, cmd: string, args: string[], timeoutMs: number, json?: string,
 *   minTests?: number }} Step
 */
/**
 * `side`: the stage's steps run in the side lane (see above), as does a step with `side: true`.
 * @type {{ stage: string, side?: boolean, steps: (Step & { side?: boolean })[] }[]}
 */
const STAGES = [
  {
    stage: 'deps',
    steps: [
      {
        name: 'ensure-deps',
        cmd: process.execPath,
        args: [path.join(root, 'scripts', 'ensure-deps.mjs'), '--browser'],
        // npm ci, apt-get, and up to 10 minutes waiting for another process's apt lock.
        timeoutMs: 25 * MIN,
      },
    ],
  },
  {
    stage: 'lint',
    side: true,
    steps: [
      { name: 'eslint .', cmd: bin('eslint'), args: ['.'], timeoutMs: 5 * MIN },
      {
        name: 'prettier --check .',
        cmd: bin('prettier'),
        args: ['--check', '.'],
        timeoutMs: 5 * MIN,
      },
    ],
  },
  {
    stage: 'typecheck',
    side: true,
    // svelte-check type-checks every file of tsconfig.json (the .ts files too, strict, with the
    // same options), so `tsc --noEmit` here would check the same program a second time: a
    // type error put in a .ts file of src/, test/, bench/ or scripts/ is reported by both.
    // `npm run typecheck` still runs both.
    steps: [
      {
        name: 'svelte-check',
        cmd: bin('svelte-check'),
        args: ['--tsconfig', './tsconfig.json', '--output', 'human'],
        timeoutMs: 5 * MIN,
      },
    ],
  },
  {
    stage: 'unit',
    // Two workers, not vitest's default of one fewer than the cores: on a 2-core machine that
    // is one, while many Node tests wait on child processes and fsyncs (209 s -> 152 s here).
    steps: [
      vitestStep(
        'vitest (node)',
        ['--project', 'node', '--maxWorkers=2'],
        'vitest-node.json',
        15 * MIN,
        1000,
      ),
    ],
  },
  {
    stage: 'browser',
    steps: [
      // No --maxWorkers: in browser mode the project's own config sets the pages at a time
      // (vitest.config.ts says why one on 2 cores), and the flag here was silently ignored.
      vitestStep(
        'vitest (chromium)',
        ['--project', 'browser'],
        'vitest-browser.json',
        10 * MIN,
        850,
      ),
    ],
  },
  {
    stage: 'e2e',
    steps: [
      { name: 'vite build', cmd: bin('vite'), args: ['build'], timeoutMs: 5 * MIN, side: true },
      // Two files at a time (vitest.e2e.config.ts); saving every bundled example (5,000 images
      // among them) is long.
      vitestStep('vitest (e2e)', ['-c', 'vitest.e2e.config.ts'], 'vitest-e2e.json', 25 * MIN, 60),
    ],
  },
];

/** @returns {Step} */
function vitestStep(name, extraArgs, jsonName, timeoutMs, minTests) {
  return {
    name,
    cmd: bin('vitest'),
    args: [
      'run',
      ...extraArgs,
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${path.join(resultsDir, jsonName)}`,
    ],
    timeoutMs,
    json: path.join(resultsDir, jsonName),
    minTests,
  };
}

// --- running commands ----------------------------------------------------------------------------

/** @type {Set<import('node:child_process').ChildProcess>} */
const running = new Set();

function killGroup(child, signal) {
  if (!child?.pid) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

// Interrupted (Ctrl-C, a CI job's time limit): stop everything, and still end with the totals.
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    for (const child of running) killGroup(child, 'SIGKILL');
    console.error(`\n[test-all] interrupted (${sig})`);
    rows.push({ ...skippedRow('test-all', 'interrupted', sig), failed: 1 });
    summary();
    process.exit(130);
  });
}

/**
 * Runs a step in its own process group under its time limit. `buffered`: collect its output and
 * return it (for steps that run side by side) instead of streaming it.
 */
function runStep(step, buffered) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(step.cmd, step.args, {
      cwd: root,
      stdio: buffered ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
      detached: true,
      env: { ...process.env, FORCE_COLOR: process.stdout.isTTY ? '1' : '0' },
    });
    running.add(child);
    let output = '';
    child.stdout?.on('data', (d) => (output += d));
    child.stderr?.on('data', (d) => (output += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      const msg = `\n[test-all] ${step.name}: over its ${step.timeoutMs / 1000}s limit, killing it\n`;
      if (buffered) output += msg;
      else console.error(msg);
      killGroup(child, 'SIGTERM');
      setTimeout(() => killGroup(child, 'SIGKILL'), 5000).unref();
    }, step.timeoutMs);
    let finished = false;
    const done = (code, error) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      // Reap anything the command left behind in its group (stray browsers, servers).
      killGroup(child, 'SIGKILL');
      running.delete(child);
      resolve({ code, timedOut, error, output, seconds: (Date.now() - started) / 1000 });
    };
    child.on('error', (err) => done(null, err.message));
    child.on('close', (code, signal) => done(code ?? (signal ? 128 : 1), undefined));
  });
}

/** Counts from vitest's JSON report; a file that failed to load counts as one failed test. */
function readVitestJson(file) {
  if (!existsSync(file)) return null;
  try {
    const report = JSON.parse(readFileSync(file, 'utf8'));
    let failed = report.numFailedTests ?? 0;
    /** @type {{ kind: string, where: string, message: string }[]} */
    const notes = [];
    for (const suite of report.testResults ?? []) {
      const file = path.relative(root, suite.name ?? '');
      const results = suite.assertionResults ?? [];
      const failedInside = results.some((a) => a.status === 'failed');
      if (suite.status === 'failed' && !failedInside) {
        failed += 1;
        notes.push({ kind: 'FAILED', where: file, message: suite.message ?? '' });
      }
      for (const a of results) {
        const messages = a.failureMessages ?? [];
        // A test that passed with errors on record passed on a retry (vitest keeps the errors
        // of the attempts before): name it, so that flakiness is seen rather than hidden.
        if (a.status === 'failed' || (a.status === 'passed' && messages.length)) {
          notes.push({
            kind: a.status === 'failed' ? 'FAILED' : 'FLAKY (passed on retry)',
            where: `${file} > ${a.fullName ?? a.title}`,
            message: messages[0] ?? '',
          });
        }
      }
    }
    return {
      passed: report.numPassedTests ?? 0,
      failed,
      skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
      notes,
    };
  } catch {
    return null;
  }
}

/** Turns a finished step into a summary row. */
function toRow(stage, step, res) {
  const row = {
    stage,
    name: step.name,
    passed: 0,
    failed: 0,
    skipped: 0,
    seconds: res.seconds,
    note: '',
  };
  if (step.json) {
    const counts = readVitestJson(step.json);
    if (counts) {
      const { notes, ...numbers } = counts;
      Object.assign(row, numbers);
      testNotes.push(...notes);
    }
    // A non-zero exit with no failed test (unhandled error, crash, time limit) is one failure.
    if (res.code !== 0 && row.failed === 0) {
      row.failed = 1;
      row.note = counts ? `exit code ${res.code} with no failed test` : 'no JSON report';
    }
    const ran = row.passed + row.failed;
    if (counts && step.minTests && ran < step.minTests) {
      row.failed += 1;
      row.note = `${ran} tests, fewer than this stage's floor of ${step.minTests}`;
    }
  } else if (res.code === 0) {
    row.passed = 1;
  } else {
    row.failed = 1;
  }
  if (res.timedOut) row.note = `killed after ${step.timeoutMs / 1000}s`;
  if (res.error) row.note = `could not start: ${res.error}`;
  return row;
}

// --- main ----------------------------------------------------------------------------------------

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((w) => !STAGES.some((s) => s.stage === w));
if (unknown.length) {
  console.error(`[test-all] unknown stage(s): ${unknown.join(', ')}`);
  console.error(`[test-all] stages: ${STAGES.map((s) => s.stage).join(' ')}`);
  process.exit(2);
}

const t0 = Date.now();
/**
 * Failed and flaky tests of every vitest step, repeated at the end of the output: CI often
 * shows only its tail.
 * @type {{ kind: string, where: string, message: string }[]}
 */
const testNotes = [];
/** @type {{ stage: string, name: string, passed: number, failed: number, skipped: number, seconds: number, note: string }[]} */
const rows = [];
const selected = STAGES.filter((s) => !wanted.length || wanted.includes(s.stage));
const banner = (stage, step) => `\n[test-all] ===== ${stage}: ${step.name} =====`;
const skippedRow = (stage, step, note) => ({
  stage,
  name: step.name,
  passed: 0,
  failed: 0,
  skipped: 0,
  seconds: 0,
  note,
});

/** Runs the selected stages, appending one row per step. */
async function runStages() {
  mkdirSync(resultsDir, { recursive: true });
  let stages = selected;
  const deps = stages.find((s) => s.stage === 'deps');
  if (deps) {
    stages = stages.filter((s) => s !== deps);
    for (const step of deps.steps) {
      console.log(banner(deps.stage, step));
      rows.push(toRow(deps.stage, step, await runStep(step, false)));
    }
    if (rows.some((r) => r.failed)) {
      const note = 'skipped: the dependencies could not be installed (see ensure-deps above)';
      for (const { stage, steps } of stages) {
        for (const step of steps) rows.push(skippedRow(stage, step, note));
      }
      return;
    }
  }

  // The side lane: lint, typecheck and the build, one at a time beside the browser stage (or
  // beside nothing, when it is not selected), after unit, which needs both cores.
  const sideJobs = stages.flatMap((s) =>
    s.steps.filter((step) => s.side || step.side).map((step) => ({ stage: s.stage, step })),
  );
  const mainJobs = stages.flatMap((s) =>
    s.steps.filter((step) => !(s.side || step.side)).map((step) => ({ stage: s.stage, step })),
  );
  /** The build's row, once it ran. */
  let buildRow;
  /** @type {string[]} */
  const sideOutput = [];
  // One command at a time beside the browser stage; two (the two cores) when it does not run.
  const lanes = mainJobs.some((j) => j.stage === 'browser') ? 1 : 2;
  let next = 0;
  const lane = async () => {
    while (next < sideJobs.length) {
      const { stage, step } = sideJobs[next++];
      const res = await runStep(step, true);
      sideOutput.push(`${banner(stage, step)}\n${res.output}`);
      const row = toRow(stage, step, res);
      if (step.name === 'vite build') buildRow = row;
      rows.push(row);
    }
  };
  /** @type {Promise<unknown> | undefined} */
  let sideLane;
  /** Starts the side lane the first time; its end. */
  const side = () => (sideLane ??= Promise.all(Array.from({ length: lanes }, lane)));
  const printSide = () => {
    for (const text of sideOutput.splice(0)) process.stdout.write(`${text}\n`);
  };

  for (const { stage, step } of mainJobs) {
    if (stage !== 'unit') side();
    // The e2e tests need the build: wait for it, and skip them when it failed.
    if (stage === 'e2e') {
      await side();
      printSide();
      if (buildRow?.failed) {
        rows.push(skippedRow(stage, step, 'skipped: vite build failed'));
        continue;
      }
    }
    console.log(banner(stage, step));
    if (step.json) rmSync(step.json, { force: true });
    rows.push(toRow(stage, step, await runStep(step, false)));
    if (stage === 'browser') printSide();
  }
  await side();
  printSide();
}

/** Puts the summary rows in the order of STAGES (the side lane finishes out of order). */
function sortRows() {
  const order = STAGES.flatMap((s) => s.steps.map((step) => `${s.stage}\0${step.name}`));
  const at = (r) => {
    const i = order.indexOf(`${r.stage}\0${r.name}`);
    return i < 0 ? order.length : i;
  };
  rows.sort((a, b) => at(a) - at(b));
}

try {
  await runStages();
} catch (e) {
  // Whatever went wrong in this script itself is one more failure, and the summary still ends
  // the output.
  console.error(e);
  rows.push({
    ...skippedRow('test-all', 'internal error', ''),
    failed: 1,
    note: e instanceof Error ? e.message : String(e),
  });
}

summary();

/** Prints one line per step, then the totals line `N passed, N failed` last; sets the exit code. */
function summary() {
  sortRows();
  const passed = rows.reduce((n, r) => n + r.passed, 0);
  const failed = rows.reduce((n, r) => n + r.failed, 0);
  const pad = (s, n) => String(s).padEnd(n);
  console.log('\n[test-all] ===== summary =====');
  for (const r of rows) {
    const status = r.note.startsWith('skipped') ? 'SKIP' : r.failed ? 'FAIL' : 'ok';
    const counts = `${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''}`;
    console.log(
      `  ${pad(status, 5)}${pad(r.stage, 11)}${pad(r.name, 20)}${pad(counts, 32)}${pad(`${r.seconds.toFixed(1)}s`, 8)}${r.note}`.trimEnd(),
    );
  }
  console.log(`  total time ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  for (const n of testNotes.slice(0, 20)) {
    // The first lines of the error only: the stack's own frames are in the stage's output.
    const lines = n.message.split('\n').filter((l) => l.trim() && !/^\s+at /.test(l));
    console.log(`  ${n.kind}: ${n.where}`);
    for (const l of lines.slice(0, 6)) console.log(`      ${l.slice(0, 300)}`);
  }
  if (testNotes.length > 20) console.log(`  … and ${testNotes.length - 20} more (see above)`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}
