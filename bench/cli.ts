/**
 * The command-line group (`npm run bench -- --only cli`; bench/README.md, "Command line"),
 * issue 12 §3 and §4, each figure a ratio against a baseline measured in the same run:
 *
 *   1. records: the CPU time of `croissant-lake records <titanic-x200> -r passengers` (261,800
 *      records, two joins, sha256 checked) in a child process, against a plain Papa Parse +
 *      JSON.stringify of the same CSV; also printed against mlcroissant's CPU time recorded in
 *      the issue (mlcroissant cannot run here), labelled as a recorded figure;
 *   2. start: the wall time of `croissant-lake --help` and `validate` on titanic, against
 *      `node -e 0` (Node's own start).
 *
 * `--quick` (the smoke test's mode) repeats titanic 20 times and runs everything once.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { buildCli, isBuildCurrent } from '../scripts/build-cli.mjs';
import { ROOT, runMeasured, runTimed, type ChildRun } from './cli-child.ts';
import { parseIntFlag } from './generate.ts';
import { dataIsCurrent, DEFAULT_OUT, readManifest } from './gen/common.ts';
import {
  DEFAULT_REPEAT,
  generateTitanicRepeat,
  titanicRepeatDir,
  TITANIC_ROWS,
} from './gen/titanic-repeat.ts';
import { fmtInt, formatTable, median } from './measure.ts';

/** mlcroissant's CPU time for titanic-x200, recorded in issue 12 (not measured here). */
export const MLCROISSANT_RECORDED_CPU_S = 92;
const RECORDS_GOAL = 20; // × mlcroissant's recorded CPU time
const HELP_GOAL_S = 0.3;
const VALIDATE_GOAL_S = 1;
const QUICK_REPEAT = 20;

export interface CliOptions {
  runs: number;
  warmup: number;
  /** Times the passengers CSV is repeated. */
  repeat: number;
  /** Rounds of the start figures. */
  startRuns: number;
  /** Also time `npx croissant-lake --help` (informational). */
  npx: boolean;
  regen: boolean;
  out: string;
}

const BIN = 'bin/croissant-lake.js';
const TITANIC = 'test/fixtures/croissant/1.0/titanic';
const x = (r: number) => `${r.toFixed(r < 0.1 ? 3 : 2)}x`;
const s3 = (s: number) => `${s.toFixed(3)} s`;

/**
 * The expected output of titanic-xN: the CLI's output on titanic, checked against the
 * reference's own (the corpus's passengers.jsonl, value by value), repeated N times.
 */
async function expectedOutput(repeat: number) {
  const args = [BIN, 'records', `${TITANIC}/metadata.json`, '-r', 'passengers'];
  const one = (await runTimed(process.execPath, args)).stdout;
  const reference = readFileSync(join(ROOT, TITANIC, 'output/passengers.jsonl'), 'utf8')
    .trim()
    .split('\n');
  const lines = one.trim().split('\n');
  const matchesReference =
    lines.length === reference.length &&
    lines.every((l, i) => isDeepStrictEqual(JSON.parse(l), JSON.parse(reference[i] as string)));
  const hash = createHash('sha256');
  for (let i = 0; i < repeat; i++) hash.update(one);
  return { sha256: hash.digest('hex'), lines: repeat * TITANIC_ROWS, matchesReference };
}

/** Figure 1: records of titanic-xN, CPU time against the plain baseline. */
async function recordsFigure(o: CliOptions, log: (s: string) => void) {
  const dir = titanicRepeatDir(o.out, o.repeat);
  if (o.regen || !dataIsCurrent(dir, readManifest(dir), 'repeat', o.repeat)) {
    log(`generating ${dir}…\n`);
    await generateTitanicRepeat({ out: o.out, repeat: o.repeat });
  }
  const expected = await expectedOutput(o.repeat);
  const csv = join(dir, 'data/titanic.csv');
  const runs: { baseline: ChildRun[]; ours: ChildRun[] } = { baseline: [], ours: [] };
  const problems: string[] = [];
  if (!expected.matchesReference)
    problems.push('titanic passengers: the CLI output differs from the reference output');
  log('• records: ');
  for (let i = 0; i < o.warmup + o.runs; i++) {
    const base = await runMeasured('bench/child/csv-to-jsonl.mjs', [csv]);
    const ours = await runMeasured(BIN, [
      'records',
      join(dir, 'metadata.json'),
      '-r',
      'passengers',
    ]);
    if (ours.status !== 0 || ours.lines !== expected.lines || ours.sha256 !== expected.sha256) {
      problems.push(
        `records: status ${ours.status}, ${ours.lines} lines (expected ${expected.lines}), ` +
          `output ${ours.sha256 === expected.sha256 ? 'identical' : 'DIFFERENT'}: ${ours.stderr.slice(0, 300)}`,
      );
    }
    if (base.lines !== expected.lines) problems.push(`baseline: ${base.lines} lines`);
    if (i >= o.warmup) {
      runs.baseline.push(base);
      runs.ours.push(ours);
    }
    log(i < o.warmup ? 'w ' : `${ours.cpuSeconds.toFixed(2)}s `);
  }
  log('\n');
  const baseCpu = median(runs.baseline.map((r) => r.cpuSeconds));
  const oursCpu = median(runs.ours.map((r) => r.cpuSeconds));
  const recorded = o.repeat === DEFAULT_REPEAT ? MLCROISSANT_RECORDED_CPU_S / oursCpu : null;
  return {
    dataset: dir,
    repeat: o.repeat,
    records: expected.lines,
    baseline: {
      cpuSeconds: runs.baseline.map((r) => r.cpuSeconds),
      medianCpuSeconds: baseCpu,
      peakRssBytes: Math.max(...runs.baseline.map((r) => r.maxRssBytes)),
    },
    ours: {
      cpuSeconds: runs.ours.map((r) => r.cpuSeconds),
      wallSeconds: runs.ours.map((r) => r.wallSeconds),
      medianCpuSeconds: oursCpu,
      peakRssBytes: Math.max(...runs.ours.map((r) => r.maxRssBytes)),
      outputSha256: runs.ours[0]?.sha256,
    },
    ratio: baseCpu / oursCpu,
    vsMlcroissantRecorded: recorded,
    problems,
  };
}

/** Figure 2: wall time of starting the CLI, against Node's own start. */
async function startFigure(o: CliOptions, log: (s: string) => void) {
  const rows: { name: string; cmd: string; args: string[]; goal?: number; check: RegExp }[] = [
    { name: 'node -e 0 (baseline)', cmd: process.execPath, args: ['-e', '0'], check: /^$/ },
    {
      name: 'croissant-lake --help',
      cmd: process.execPath,
      args: [BIN, '--help'],
      goal: HELP_GOAL_S,
      check: /^Usage:/m,
    },
    {
      name: 'croissant-lake validate titanic',
      cmd: process.execPath,
      args: [BIN, 'validate', `${TITANIC}/metadata.json`],
      goal: VALIDATE_GOAL_S,
      check: /^Done: no errors\.$/m,
    },
  ];
  if (o.npx) {
    rows.push({
      name: 'npx croissant-lake --help',
      cmd: 'npx',
      args: ['croissant-lake', '--help'],
      check: /^Usage:/m,
    });
  }
  const times = rows.map(() => [] as number[]);
  const problems: string[] = [];
  log('• start: ');
  for (let i = 0; i < o.startRuns; i++) {
    for (const [k, row] of rows.entries()) {
      const r = await runTimed(row.cmd, row.args);
      if (r.status !== 0 || !row.check.test(r.stdout))
        problems.push(
          `${row.name}: status ${r.status}, output ${JSON.stringify(r.stdout.slice(0, 200))} ${r.stderr.slice(0, 200)}`,
        );
      times[k]?.push(r.wallSeconds);
    }
    log('.');
  }
  log('\n');
  const node = median(times[0] ?? []);
  return {
    rows: rows.map((row, k) => {
      const m = median(times[k] ?? []);
      return {
        name: row.name,
        wallSeconds: times[k],
        medianWallSeconds: m,
        ratio: node / m,
        goalSeconds: row.goal,
      };
    }),
    problems,
  };
}

/** Runs the group; returns what results.json keeps and whether a check failed. */
export async function benchCli(
  o: CliOptions,
  log: (s: string) => void = (s) => process.stdout.write(s),
) {
  let built = false;
  if (!isBuildCurrent()) {
    await buildCli();
    built = true;
  }
  const records = await recordsFigure(o, log);
  const start = await startFigure(o, log);
  return { built, records, start, failed: records.problems.length + start.problems.length > 0 };
}

/** Prints the group's tables. */
function report(r: Awaited<ReturnType<typeof benchCli>>, o: CliOptions): void {
  const rec = r.records;
  console.log(
    `\nCommand line 1 — records of ${rec.dataset} (${fmtInt(rec.records)} records, two joins, sha256 checked), CPU time of the whole process, median of ${o.runs}`,
  );
  console.log(
    formatTable(
      ['row', 'CPU', 'ratio', 'peak RSS'],
      [
        [
          'plain Papa Parse + JSON.stringify (baseline)',
          s3(rec.baseline.medianCpuSeconds),
          '1.00x',
          `${(rec.baseline.peakRssBytes / 1e6).toFixed(0)} MB`,
        ],
        [
          'croissant-lake records --format jsonl',
          s3(rec.ours.medianCpuSeconds),
          x(rec.ratio),
          `${(rec.ours.peakRssBytes / 1e6).toFixed(0)} MB`,
        ],
      ],
    ),
  );
  console.log(
    rec.vsMlcroissantRecorded === null
      ? `  mlcroissant (recorded figure): only for --titanic-repeat ${DEFAULT_REPEAT}`
      : `  against mlcroissant's RECORDED ${MLCROISSANT_RECORDED_CPU_S} s of CPU (issue 12, not measured here): ${rec.vsMlcroissantRecorded.toFixed(1)}x faster` +
          (rec.vsMlcroissantRecorded >= RECORDS_GOAL
            ? ` (goal ≥ ${RECORDS_GOAL}x: met)`
            : ` !! goal ≥ ${RECORDS_GOAL}x missed`),
  );
  console.log(
    `\nCommand line 2 — start, wall time, median of ${o.startRuns} (ratio = node -e 0 ÷ row)`,
  );
  console.log(
    formatTable(
      ['row', 'wall', 'ratio', 'goal'],
      r.start.rows.map((row) => [
        row.name,
        s3(row.medianWallSeconds),
        x(row.ratio),
        row.goalSeconds === undefined
          ? ''
          : `≤ ${row.goalSeconds} s ${row.medianWallSeconds <= row.goalSeconds ? 'met' : '!! missed'}`,
      ]),
    ),
  );
  if (r.built) console.log('  (dist-cli was stale or missing and was built before timing)');
  for (const p of [...rec.problems, ...r.start.problems]) console.log(`  !! ${p}`);
}

/** `--only cli` from bench/run.ts. */
export async function runCliFromArgv(
  argv: string[],
  base: { runs: number; warmup: number; regen: boolean },
): Promise<{ json: unknown; failed: boolean }> {
  const quick = argv.includes('--quick');
  const o: CliOptions = {
    runs: quick ? 1 : base.runs,
    warmup: quick ? 0 : base.warmup,
    repeat: parseIntFlag(argv, '--titanic-repeat') ?? (quick ? QUICK_REPEAT : DEFAULT_REPEAT),
    startRuns: parseIntFlag(argv, '--start-runs') ?? (quick ? 1 : 10),
    npx: !quick && !argv.includes('--no-npx'),
    regen: base.regen,
    out: DEFAULT_OUT,
  };
  const r = await benchCli(o);
  report(r, o);
  return { json: { options: o, ...r }, failed: r.failed };
}
