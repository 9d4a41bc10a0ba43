/**
 * Bench group `sliceline` (issue 15 §8): SliceLine on 100k × 20 and 1M × 20 integer-coded
 * features made by gen_synth.py's design (bench/gen/sliceline-synth.ts), with the fixture's
 * parameter rule (α 0.95, max level 3, k 4, min support max(ceil(1% of N), 8)). For each size:
 * the time (median of --runs after --warmup; one run from 1M rows), the process's peak RSS, the
 * candidates per level, and two ratios: against a single-level brute-force count measured in the
 * same run (every single predicate's size and error sum by a plain loop over the rows), and
 * against the Python reference's published times (a stated constant, not measured here).
 * Every top slice is recounted by a plain loop, and the planted slices' ranks are shown.
 *
 *   tsx bench/sliceline.ts [--sliceline-scale X] [--runs N] [--warmup N]
 */
import os from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SliceLineInput, SliceLineResult } from '../src/lib/analysis/blindspots-types.ts';
import { defaultMinSupport, sliceLine } from '../src/lib/analysis/sliceline.ts';
import { generateSynth, type Planted } from './gen/sliceline-synth.ts';
import { parseIntFlag, parseStringFlag } from './generate.ts';
import { fmtInt, gc, median } from './measure.ts';

/** DataDome/sliceline (numpy/scipy) on this kind of machine: test/fixtures/sliceline/README.md. */
export const PYTHON_SECONDS: Record<number, number> = { 100_000: 173, 1_000_000: 1905 };
/** The goal: at least this many times faster than the Python reference. */
export const GOAL_SPEEDUP = 50;
export const FEATURES = 20;
export const SIZES = [100_000, 1_000_000];

/** The plain baseline: every single predicate's size and error sum, one loop over the rows per feature. */
export function bruteForceLevel1(input: SliceLineInput): { size: Float64Array; err: Float64Array } {
  let cols = 0;
  for (const l of input.levels) cols += l;
  const size = new Float64Array(cols);
  const err = new Float64Array(cols);
  let offset = -1;
  input.codes.forEach((codes, j) => {
    for (let i = 0; i < codes.length; i++) {
      const c = offset + codes[i]!;
      size[c]!++;
      err[c]! += input.errors[i]!;
    }
    offset += input.levels[j]!;
  });
  return { size, err };
}

/** A slice's size and error sum by a plain loop (the check of each reported top slice). */
function recount(input: SliceLineInput, predicates: { feature: number; code: number }[]) {
  let size = 0;
  let err = 0;
  for (let i = 0; i < input.errors.length; i++) {
    if (predicates.every((p) => input.codes[p.feature]![i] === p.code)) {
      size++;
      err += input.errors[i]!;
    }
  }
  return { size, err };
}

/**
 * Wall and CPU seconds of `fn` per run. On a shared machine the wall time grows with the load
 * while the CPU time of this (single-threaded) work stays near what an idle machine takes.
 */
function timed<T>(
  fn: () => T,
  runs: number,
  warmup: number,
): { seconds: number[]; cpuSeconds: number[]; value: T } {
  let value!: T;
  for (let r = 0; r < warmup; r++) value = fn();
  const seconds: number[] = [];
  const cpuSeconds: number[] = [];
  for (let r = 0; r < runs; r++) {
    gc?.();
    const t = performance.now();
    const c = process.cpuUsage();
    value = fn();
    const used = process.cpuUsage(c);
    seconds.push((performance.now() - t) / 1000);
    cpuSeconds.push((used.user + used.system) / 1e6);
  }
  return { seconds, cpuSeconds, value };
}

const key = (ps: { feature: number; code: number }[]) =>
  ps.map((p) => `f${p.feature}=${p.code}`).join(' & ');

/** What one size measured. */
export interface SizeResult {
  rows: number;
  features: number;
  seed: number;
  minSupport: number;
  runs: number;
  slicelineSeconds: number;
  slicelineCpuSeconds: number;
  bruteForceSeconds: number;
  bruteForceCpuSeconds: number;
  loadAverage: number;
  /** SliceLine time / brute-force time (how many single-level counts one SliceLine costs). */
  ratioToBruteForce: number;
  /** The Python reference's published seconds for this size (null: none for it). */
  pythonSeconds: number | null;
  /** Python seconds / ours. */
  speedupVsPython: number | null;
  peakRssBytes: number;
  levels: SliceLineResult['levels'];
  top: { slice: string; score: number; size: number; errorSum: number; recounted: boolean }[];
  plantedRanks: { slice: string; rank: number | null }[];
  problems: string[];
}

/** Runs one size; prints its lines through `log`. */
export function benchSize(
  rows: number,
  opts: { runs: number; warmup: number },
  log: (s: string) => void,
): SizeResult {
  const t0 = performance.now();
  const { input, planted, seed } = generateSynth(rows, FEATURES);
  const genSeconds = (performance.now() - t0) / 1000;
  const minSupport = defaultMinSupport(rows);
  const params = { alpha: 0.95, minSupport, maxLevel: 3, k: 4 };
  const runs = rows >= 1_000_000 ? 1 : opts.runs;
  const warmup = rows >= 1_000_000 ? 0 : opts.warmup;
  log(
    `sliceline ${fmtInt(rows)} × ${FEATURES} (seed ${seed}, generated in ${genSeconds.toFixed(1)} s): ` +
      `α 0.95, min support ${fmtInt(minSupport)}, max level 3, k 4; median of ${runs} run(s)`,
  );
  const brute = timed(() => bruteForceLevel1(input), Math.max(runs, 3), 1);
  const ours = timed(() => sliceLine(input, params), runs, warmup);
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  const s = median(ours.seconds);
  const b = median(brute.seconds);
  const cpu = median(ours.cpuSeconds);
  const bCpu = median(brute.cpuSeconds);
  const python = PYTHON_SECONDS[rows] ?? null;
  const problems: string[] = [];
  const top = ours.value.top.map((t) => {
    const r = recount(input, t.predicates);
    const recounted = r.size === t.size && r.err === t.errorSum;
    if (!recounted) problems.push(`${key(t.predicates)}: recount ${r.size}/${r.err}`);
    return {
      slice: key(t.predicates),
      score: t.score,
      size: t.size,
      errorSum: t.errorSum,
      recounted,
    };
  });
  // Level 1 of SliceLine and the brute force must agree (the same counts by two roads).
  const level1 = bruteForceLevel1(input);
  if (ours.value.levels[0]?.candidates !== level1.size.length) problems.push('level-1 count');
  const plantedRanks = planted.map((p: Planted) => {
    const i = top.findIndex((t) => t.slice === key(p.predicates));
    return { slice: key(p.predicates), rank: i < 0 ? null : i + 1 };
  });
  log(
    `  SliceLine ${s.toFixed(2)} s (CPU ${cpu.toFixed(2)} s); single-level brute force ` +
      `${(b * 1000).toFixed(1)} ms (CPU ${(bCpu * 1000).toFixed(1)} ms); ratio SliceLine / brute force ` +
      `${(s / b).toFixed(1)}× (CPU ${(cpu / bCpu).toFixed(1)}×)`,
  );
  if (python !== null) {
    const goal = python / GOAL_SPEEDUP;
    log(
      `  Python reference (published, not measured here) ${fmtInt(python)} s: ${(python / s).toFixed(0)}× ` +
        `faster by wall time, ${(python / cpu).toFixed(0)}× by CPU time (goal ≥ ${GOAL_SPEEDUP}×, ` +
        `i.e. ≤ ${goal.toFixed(1)} s: ${s <= goal ? 'met' : cpu <= goal ? 'met in CPU time only' : 'NOT met'})`,
    );
  }
  log(`  machine load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs`);
  log(`  peak RSS of the process ${(peakRssBytes / 2 ** 20).toFixed(0)} MiB`);
  log(
    `  levels: ${ours.value.levels.map((l) => `L${l.level} ${fmtInt(l.candidates)} candidates (${fmtInt(l.valid)} valid)`).join(', ')}`,
  );
  top.forEach((t, i) =>
    log(
      `  ${i + 1}. ${t.slice}: score ${t.score.toFixed(4)}, size ${fmtInt(t.size)}, errors ${fmtInt(t.errorSum)}` +
        `${t.recounted ? '' : ' !! recount differs'}`,
    ),
  );
  log(
    `  planted: ${plantedRanks.map((p) => `${p.slice} ${p.rank === null ? 'not in top-4' : `#${p.rank}`}`).join('; ')}`,
  );
  for (const p of problems) log(`  !! ${p}`);
  return {
    rows,
    features: FEATURES,
    seed,
    minSupport,
    runs,
    slicelineSeconds: s,
    slicelineCpuSeconds: cpu,
    bruteForceSeconds: b,
    bruteForceCpuSeconds: bCpu,
    loadAverage: os.loadavg()[0]!,
    ratioToBruteForce: s / b,
    pythonSeconds: python,
    speedupVsPython: python === null ? null : python / s,
    peakRssBytes,
    levels: ours.value.levels,
    top,
    plantedRanks,
    problems,
  };
}

/** The group: every size scaled by `scale` (1 = 100k and 1M rows). */
export function runSliceline(
  opts: { scale: number; runs: number; warmup: number },
  log: (s: string) => void = (s) => console.log(s),
): { json: unknown; failed: boolean } {
  const sizes = SIZES.map((n) => Math.max(1000, Math.round(n * opts.scale)));
  const results = sizes.map((n, i) => {
    if (i) log('');
    return benchSize(n, opts, log);
  });
  return {
    json: { scale: opts.scale, sizes: results },
    failed: results.some((r) => r.problems.length > 0),
  };
}

/** The group as bench/run.ts calls it: --sliceline-scale X (default 1; --quick 0.01). */
export function runSlicelineFromArgv(
  argv: string[],
  common: { runs: number; warmup: number },
): { json: unknown; failed: boolean } {
  const text = parseStringFlag(argv, '--sliceline-scale');
  const scale = text === undefined ? (argv.includes('--quick') ? 0.01 : 1) : Number(text);
  if (!(scale > 0 && scale <= 1)) {
    throw new Error(`--sliceline-scale expects a number in (0, 1], got ${text}`);
  }
  return runSliceline({ scale, ...common });
}

// `tsx bench/sliceline.ts [--sliceline-scale X] [--runs N] [--warmup N]`: the group alone.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  try {
    const r = runSlicelineFromArgv(argv, {
      runs: parseIntFlag(argv, '--runs') ?? 3,
      warmup: argv.includes('--warmup') ? Number(argv[argv.indexOf('--warmup') + 1]) : 1,
    });
    process.exitCode = r.failed ? 1 : 0;
  } catch (e) {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exitCode = 2;
  }
}
