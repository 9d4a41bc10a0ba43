/**
 * The opinions benchmark group (`npm run bench -- --only opinions`; bench/README.md,
 * "Opinions"; issue 13 §5). On seeded data (bench/opinions/gen.ts: 10M opinions over 2M
 * subjects at `--opinions-scale 1`, chains of depth 5, 5 % of subjects with competing leaves):
 *
 *   a. the leaves, `latest-leaf` and `majority-of-leaves` (the project's plans, sql.ts) in
 *      DuckDB-WASM in headless Chromium (the app's engine, over a lake holding the files as its
 *      `opinions` record set) against native DuckDB (@duckdb/node-api) on the same Parquet
 *      files, in a child process, with all cores and with one (the app's DuckDB-WASM build runs
 *      one thread; --opinions-ab times the threaded COI build too, in the same page);
 *      goal ≤ 3×; both must find the counts the generator wrote;
 *   b. importing opinions (writeOpinions: checks, content-hash ids, Parquet, commit) against a
 *      plain Parquet write of the same rows (writeRows); goal ≥ 0.5× the throughput;
 *   c. peak memory: the renderer process (the page and its DuckDB worker) and native DuckDB.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { opinionRow } from '../src/lib/opinions/model.ts';
import { OPINION_COLUMNS } from '../src/lib/opinions/model.ts';
import { writeOpinions } from '../src/lib/opinions/write.ts';
import { memoryBackend } from '../src/lib/store/memory.ts';
import { Lake } from '../src/lib/versions/lake.ts';
import { writeRows } from '../src/lib/versions/write.ts';
import { runBenchPage } from './browser.ts';
import { DEFAULT_OUT, DEFAULT_SEED } from './gen/common.ts';
import { parseIntFlag, parseStringFlag } from './generate.ts';
import { fmtInt, formatTable } from './measure.ts';
import { chromiumPeaks, type ProcessPeak } from './opinions/memory.ts';
import {
  PER_SUBJECT,
  currentManifest,
  generateOpinions,
  inputsOf,
  opinionsDir,
  writeOpinionsData,
  type OpinionsManifest,
} from './opinions/gen.ts';
import { nativePlans } from './opinions/plans.ts';
import type { OpinionsPageResults, PlanTiming } from './opinions/types.ts';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
const FULL_SUBJECTS = 2_000_000;
const PLAN_GOAL = 3;
const IMPORT_GOAL = 0.5;

const ms = (x: number) => `${(x / 1e3).toFixed(2)} s`;
const mb = (b: number) => `${fmtInt(b / 1e6)} MB`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface NativeRun {
  version: string;
  threads: number;
  loadMs: number;
  plans: PlanTiming[];
  maxRssBytes: number;
}

/** Native DuckDB in a child process with `threads` threads. */
function runNative(
  m: OpinionsManifest,
  dir: string,
  threads: number,
  runs: number,
  warmup: number,
) {
  const tmp = mkdtempSync(join(os.tmpdir(), 'opinions-native-'));
  try {
    const job = join(tmp, 'job.json');
    const files = m.fragments.map((f) => join(dir, `${f.chunk}.parquet`));
    writeFileSync(job, JSON.stringify({ files, plans: nativePlans(), runs, warmup, threads }));
    const out = execFileSync(process.execPath, [join(ROOT, 'bench/opinions/native.mjs'), job], {
      maxBuffer: 1 << 24,
      timeout: 3_600_000,
    });
    return JSON.parse(out.toString().trim().split('\n').pop()!) as NativeRun;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The import figure: `count` generated opinions through writeOpinions, and as plain Parquet. */
async function importFigure(count: number, seed: number, runs: number, warmup: number) {
  const subjects = Math.ceil(count / PER_SUBJECT);
  const ops = [];
  for (const s of generateOpinions(subjects, seed)) ops.push(...s.ops);
  const inputs = inputsOf(ops.slice(0, count), 'subjects');
  const keys = [{ name: 'subjects/key', type: 'utf8' as const }];
  const importMs: number[] = [];
  const plainMs: number[] = [];
  for (let r = 0; r < warmup + runs; r++) {
    const lake = await Lake.open(memoryBackend());
    await lake.backend.refs.cas('dataset/ops', 0, {
      id: 'ops',
      name: 'ops',
      source: 'bench',
      createdAt: new Date(0).toISOString(),
      rawBytes: 0,
    });
    const fragments = await writeRows(
      lake.chunks,
      keys,
      Array.from({ length: subjects }, (_, i) => ({
        rowid: BigInt(i),
        row: { 'subjects/key': `s${i}` },
      })),
    );
    const { hash } = await lake.commit(
      'ops',
      'main',
      () =>
        Promise.resolve({
          message: 'subjects',
          lineage: { op: 'commit', params: {} },
          document: null,
          objects: null,
          recordSets: { subjects: { name: 'subjects', columns: keys, rows: subjects, fragments } },
        }),
      { create: { protected: false } },
    );
    await lake.createBranch('ops', 'labels', hash);
    let t0 = performance.now();
    const w = await writeOpinions(lake, 'ops', {
      branch: 'labels',
      opinions: inputs,
      source: { kind: 'bench' },
    });
    const t = performance.now() - t0;
    if (w.added !== count) throw new Error(`the import added ${w.added} opinions, not ${count}`);
    const rows = w.opinions.map((b) => opinionRow(b.opinion));
    // The baseline: the same rows (as the import stored them) written as Parquet fragments.
    const store = memoryBackend().chunks;
    t0 = performance.now();
    await writeRows(
      store,
      OPINION_COLUMNS,
      rows.map((row, i) => ({ rowid: BigInt(i), row })),
    );
    const p = performance.now() - t0;
    if (r >= warmup) {
      importMs.push(t);
      plainMs.push(p);
    }
  }
  return { count, importMs: median(importMs), plainMs: median(plainMs) };
}

/**
 * Prints the A/B of DuckDB-WASM's builds (--opinions-ab): the app's one-thread build and the
 * threaded COI build in the same page, run by run in turn, and the threaded one against native.
 */
function printThreaded(
  app: { build: string; loadMs: number; plans: PlanTiming[] },
  other: NonNullable<OpinionsPageResults['other']>,
  native: { loadMs: number; plans: PlanTiming[] },
  cpus: number,
): void {
  const x = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
  const rows = [
    ['load: Parquet files → table', app.loadMs, other.loadMs, native.loadMs] as const,
    ...app.plans.map(
      (p, i) => [p.name, p.medianMs, other.plans[i]!.medianMs, native.plans[i]!.medianMs] as const,
    ),
  ].map(([name, a, o, n]) => [name, ms(a), ms(o), x(o, a), x(o, n)]);
  const threads = `${other.build}, ${other.threads} thr.`;
  console.log(
    '\n' +
      formatTable(
        [
          '(a2) DuckDB-WASM builds, one page',
          `${app.build}, 1 thr.`,
          threads,
          'ratio',
          `vs native, ${cpus} thr.`,
        ],
        rows,
      ),
  );
  console.log(
    `ratio = ${threads} ÷ ${app.build}; the two builds' runs alternate, so both see the same load.`,
  );
}

/** Prints the import table (b), adding a problem when the ratio misses the goal. */
function printImport(
  imp: { count: number; importMs: number; plainMs: number },
  problems: string[],
) {
  const impRate = imp.count / (imp.importMs / 1e3);
  const plainRate = imp.count / (imp.plainMs / 1e3);
  const impRatio = impRate / plainRate;
  if (impRatio < IMPORT_GOAL)
    problems.push(`import: ${impRatio.toFixed(2)}x a plain Parquet write, goal ≥ ${IMPORT_GOAL}x`);
  console.log(
    '\n' +
      formatTable(
        [`(b) import of ${fmtInt(imp.count)} opinions`, 'median', 'opinions/s', 'vs plain', 'goal'],
        [
          ['plain Parquet write of the same rows', ms(imp.plainMs), fmtInt(plainRate), 'ref', ''],
          [
            'writeOpinions (checks, ids, Parquet, commit)',
            ms(imp.importMs),
            fmtInt(impRate),
            `${impRatio.toFixed(2)}x`,
            `≥ ${IMPORT_GOAL.toFixed(2)}x`,
          ],
        ],
      ),
  );
}

function check(
  problems: string[],
  who: string,
  plans: readonly PlanTiming[],
  m: OpinionsManifest,
): void {
  const want: Record<string, [number, number | null]> = {
    leaves: [m.expected.leaves, null],
    'latest-leaf': [m.subjects, m.expected.latestDecided],
    'majority-of-leaves': [m.subjects, m.subjects - m.expected.majorityReview],
  };
  for (const p of plans) {
    const [n, decided] = want[p.name]!;
    if (p.n !== n || p.decided !== decided) {
      problems.push(
        `${who} ${p.name}: ${p.n} rows, ${p.decided} decided; expected ${n}, ${decided}`,
      );
    }
  }
}

/** Runs the group and prints its tables; returns what goes into results.json. */
export async function runOpinions(opts: {
  scale: number;
  importCount: number;
  runs: number;
  warmup: number;
  timeoutS: number;
  seed?: number;
  /** Only the import figure (b): no Parquet files, native DuckDB nor Chromium. */
  importOnly?: boolean;
  /** Also time DuckDB-WASM's threaded (COI) build in the same page, turn about with the app's. */
  ab?: boolean;
}): Promise<{ json: unknown; failed: boolean }> {
  const seed = opts.seed ?? DEFAULT_SEED;
  const subjects = Math.max(1, Math.round(FULL_SUBJECTS * opts.scale));
  if (opts.importOnly) {
    const count = Math.min(opts.importCount, subjects * PER_SUBJECT);
    console.log(
      `opinions: the import figure only; median of ${opts.runs} after ${opts.warmup} warm-up`,
    );
    const imp = await importFigure(count, seed, opts.runs, opts.warmup);
    const problems: string[] = [];
    printImport(imp, problems);
    for (const p of problems) console.log(`!! ${p}`);
    return { json: { import: imp, problems }, failed: problems.length > 0 };
  }
  const dir = opinionsDir(DEFAULT_OUT, subjects * PER_SUBJECT);
  let m = currentManifest(dir, seed);
  if (!m) {
    console.log(`opinions: generating ${fmtInt(subjects * PER_SUBJECT)} opinions in ${dir}…`);
    m = await writeOpinionsData(dir, subjects, seed, (l) => console.log(`  ${l}`));
  }
  console.log(
    `opinions: ${fmtInt(m.opinions)} opinions over ${fmtInt(m.subjects)} subjects, ` +
      `${fmtInt(m.competing)} with competing leaves, ${m.fragments.length} Parquet files ` +
      `(${mb(m.parquetBytes)}); median of ${opts.runs} after ${opts.warmup} warm-up`,
  );
  const problems: string[] = [];
  const cpus = os.cpus().length;
  const nativeAll = runNative(m, dir, cpus, opts.runs, opts.warmup);
  console.log(`  native DuckDB ${nativeAll.version}, ${cpus} threads: done`);
  const native1 = runNative(m, dir, 1, opts.runs, opts.warmup);
  console.log('  native DuckDB, 1 thread: done');
  check(problems, 'native', nativeAll.plans, m);
  check(problems, 'native (1 thread)', native1.plans, m);

  // A page that fails (DuckDB-WASM out of memory at 10M) is a figure too: the rest still runs.
  let page;
  try {
    page = await runBenchPage<OpinionsPageResults, ProcessPeak[]>(
      'bench/opinions/page.html',
      {
        data: '/' + relative(ROOT, dir),
        runs: opts.runs,
        warmup: opts.warmup,
        stepTimeoutMs: opts.timeoutS * 1e3,
        ab: opts.ab ? 1 : 0,
      },
      { timeoutS: opts.timeoutS, log: (l) => console.log(`  ${l}`), inspect: chromiumPeaks },
    );
  } catch (e) {
    const first = (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
    problems.push(`DuckDB-WASM in Chromium: ${first}`);
  }
  const b = page?.results ?? null;
  if (b) check(problems, 'DuckDB-WASM', b.plans, m);

  const imp = await importFigure(
    Math.min(opts.importCount, m.opinions),
    seed,
    opts.runs,
    opts.warmup,
  );

  const cell = (x: number | undefined) => (x === undefined ? 'failed' : ms(x));
  const ratio = (x: number | undefined, base: number) =>
    x === undefined ? '' : `${(x / base).toFixed(2)}x`;
  const rows = [
    [
      'load: Parquet files → table',
      cell(b?.loadMs),
      ms(nativeAll.loadMs),
      ratio(b?.loadMs, nativeAll.loadMs),
      ms(native1.loadMs),
      ratio(b?.loadMs, native1.loadMs),
      '',
    ],
    ...nativeAll.plans.map((n, i) => {
      const p = b?.plans[i]?.medianMs;
      const one = native1.plans[i]!;
      if (p !== undefined && p / n.medianMs > PLAN_GOAL) {
        problems.push(
          `${n.name}: DuckDB-WASM ${(p / n.medianMs).toFixed(2)}x native, goal ≤ ${PLAN_GOAL}x`,
        );
      }
      return [
        n.name,
        cell(p),
        ms(n.medianMs),
        ratio(p, n.medianMs),
        ms(one.medianMs),
        ratio(p, one.medianMs),
        `≤ ${PLAN_GOAL}.00x`,
      ];
    }),
  ];
  console.log(
    '\n' +
      formatTable(
        [
          '(a) consolidation',
          'DuckDB-WASM',
          `native, ${cpus} thr.`,
          'ratio',
          'native, 1 thr.',
          'ratio',
          'goal',
        ],
        rows,
      ),
  );
  console.log(
    `\nratio = DuckDB-WASM time ÷ native time (lower is better). Each plan is the project's SQL` +
      `\n(src/lib/opinions/sql.ts) wrapped in count(*), over a table already loaded. latest-leaf as` +
      `\nthe Labels tab runs it (result to the page and registered back): ${cell(b?.runRuleMs)}.` +
      (b
        ? `\nDuckDB-WASM ${b.env.duckdbVersion}: its ${b.env.duckdbBuild} build, ` +
          `${b.env.duckdbThreads} thread${b.env.duckdbThreads === 1 ? '' : 's'}.`
        : ''),
  );
  if (b?.other) {
    const app = { build: b.env.duckdbBuild, loadMs: b.loadMs, plans: b.plans };
    printThreaded(app, b.other, nativeAll, cpus);
  }
  printImport(imp, problems);
  const peaks = page?.inspected ?? [];
  const renderer = Math.max(
    0,
    ...peaks.filter((p) => p.type === 'renderer').map((p) => p.peakBytes),
  );
  console.log(
    '\n' +
      formatTable(
        ['(c) peak memory (resident, high-water mark)', 'peak'],
        [
          [
            'Chromium renderer: the page and its DuckDB-WASM worker',
            peaks.length ? mb(renderer) : 'n/a',
          ],
          [
            'every Chromium process, summed (an upper bound)',
            peaks.length ? mb(peaks.reduce((s, p) => s + p.peakBytes, 0)) : 'n/a',
          ],
          [`native DuckDB process, ${cpus} threads`, mb(nativeAll.maxRssBytes)],
          ['native DuckDB process, 1 thread', mb(native1.maxRssBytes)],
        ],
      ),
  );
  if (b?.pageHeapBytes)
    console.log(`\nthe page's JS heap after consolidating: ${mb(b.pageHeapBytes)}`);
  if (b) console.log(`DuckDB-WASM's memory once the opinions are loaded: ${mb(b.loadedBytes)}`);
  for (const p of problems) console.log(`!! ${p}`);
  return {
    json: {
      manifest: { ...m, fragments: m.fragments.length },
      chromium: page?.chromium ?? null,
      browser: b,
      native: [nativeAll, native1],
      import: imp,
      peaks,
      problems,
    },
    failed: problems.length > 0,
  };
}

/**
 * The group as bench/run.ts calls it: --opinions-scale, --opinions-import, --opinions-timeout,
 * --opinions-import-only (the import figure alone), --opinions-ab (DuckDB-WASM's threaded
 * build too, in the same page), --quick.
 */
export function runOpinionsFromArgv(
  argv: string[],
  common: { runs: number; warmup: number },
): Promise<{ json: unknown; failed: boolean }> {
  const quick = argv.includes('--quick');
  const scaleText = parseStringFlag(argv, '--opinions-scale');
  const scale = scaleText === undefined ? (quick ? 0.01 : 1) : Number(scaleText);
  if (!(scale > 0 && scale <= 10))
    throw new Error(`--opinions-scale expects a number in (0, 10], got ${scaleText}`);
  return runOpinions({
    scale,
    importCount: parseIntFlag(argv, '--opinions-import') ?? (quick ? 20_000 : 200_000),
    runs: quick ? 1 : common.runs,
    warmup: quick ? 0 : common.warmup,
    timeoutS: parseIntFlag(argv, '--opinions-timeout') ?? 3600,
    importOnly: argv.includes('--opinions-import-only'),
    ab: argv.includes('--opinions-ab'),
  });
}

// `tsx bench/opinions.ts [--opinions-scale X] [--runs N] …`: the group alone, no results.json.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  runOpinionsFromArgv(argv, {
    runs: parseIntFlag(argv, '--runs') ?? 3,
    warmup: parseIntFlag(argv, '--warmup') ?? 1,
  }).then(
    (r) => (process.exitCode = r.failed ? 1 : 0),
    (e: unknown) => {
      console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
      process.exitCode = 2;
    },
  );
}
