/**
 * The loader benchmark group (`npm run bench -- --only loader`; see bench/README.md, "Loader").
 * It runs in headless Chromium (Debian's, scripts/chromium.ts) on a Vite dev server with the
 * project's vite.config.ts (bench/browser.ts): bench/loader/page.ts ingests the demo study
 * (public/examples/synthetic-lesions, 5,000 PNGs of 64×64) into a real browser lake (OPFS
 * chunks, IndexedDB refs) and measures, with real loader workers, against baselines of the
 * same run:
 *
 *   a. one epoch of the loader with the typical augmentation against the same loader decoding
 *      only (goal ≥ 0.8x), in items/s (goal ≥ 1,500 with 2 workers);
 *   b. that epoch against the CPU ceiling: the same item work on one thread, bytes in memory,
 *      no loader, no workers, times the number of workers; it explains an items/s below goal;
 *   c. reading an epoch's bytes in shuffled batches through the loader's reader against one
 *      read per image.
 *
 * `--quick` runs every figure once, no warm-up, for the smoke test (test/e2e/bench-loader.e2e.ts).
 */
import os from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBenchPage } from './browser.ts';
import { parseIntFlag } from './generate.ts';
import { fmtInt, formatTable } from './measure.ts';
import type {
  EpochStats,
  LoaderBenchResults,
  LoaderBenchSettings,
  Timing,
} from './loader/types.ts';

/** The whole page (ingest and every figure) may take this long (`--loader-timeout` seconds). */
export const DEFAULT_PAGE_TIMEOUT_S = 900;
/** Images the figures use in `--quick` (the smoke test): the demo is still ingested whole. */
const QUICK_SUBSET = 400;
const AUGMENT_GOAL = 0.8;
const ITEMS_GOAL = 1500;

const x = (r: number) => `${r.toFixed(2)}x`;
const s = (ms: number) => `${(ms / 1e3).toFixed(2)} s`;
const perS = (t: Timing) => `${fmtInt(t.perSecond)}/s`;

function stageLine(name: string, st: EpochStats, items: number): string {
  const per = (ms: number) => `${((ms * 1e3) / items).toFixed(0)} µs`;
  return (
    `  ${name}: per item, summed over workers: verify ${per(st.verifyMs)}, decode ${per(st.decodeMs)}, ` +
    `augment ${per(st.augmentMs)}; first batch after ${s(st.firstBatchMs)}; reading ${s(st.ioMs)} in ${fmtInt(st.reads)} reads ` +
    `(${(st.bytesRead / 1e6).toFixed(1)} MB, ${fmtInt(st.cacheHits)} items from packs kept); ` +
    `consumer waited ${s(st.waitMs)}; ${st.lanes} lanes; bottleneck ${st.bottleneck ?? 'none'}`
  );
}

function report(r: LoaderBenchResults): void {
  const st = r.setup;
  const w = r.settings.workers;
  console.log(
    `\n${fmtInt(st.items)} images in ${st.packs} packs (${(st.packBytes / 1e6).toFixed(1)} MB), ingested ` +
      `into OPFS + IndexedDB in ${s(st.ingestMs)}; batch ${r.settings.batchSize}, prefetch ` +
      `${r.settings.prefetch}, ${w} workers, shuffled (seed 1, epoch 0).`,
  );
  const a = r.augment;
  const base = a.decodeOnly.medianMs;
  const goal = `≥ ${AUGMENT_GOAL.toFixed(2)}x, ≥ ${fmtInt(ITEMS_GOAL)}/s`;
  const row = (t: Timing, ratio: string, goal: string) => [
    t.name,
    s(t.medianMs),
    perS(t),
    ratio,
    goal,
  ];
  console.log(
    '\n' +
      formatTable(
        ['(a) one epoch', 'median', 'items/s', 'vs decode', 'goal'],
        [
          row(a.decodeOnly, 'ref', ''),
          row(a.augmented, x(base / a.augmented.medianMs), goal),
          row(a.laterDecode, 'ref', ''),
          row(a.laterAugmented, x(a.laterDecode.medianMs / a.laterAugmented.medianMs), goal),
        ],
      ),
  );
  console.log(
    '\nvs decode = items/s of the row ÷ items/s of decode only just above (higher is better). loader: the' +
      '\nfirst epoch of a new loader (workers started cold, packs read once, whole, verified); later' +
      "\nepoch: epoch 1 of a loader whose epoch 0 ran untimed (workers' code optimised, packs kept).",
  );
  for (const [name, stats] of Object.entries(a.stats))
    console.log(stageLine(name, stats, st.items));
  const c = r.ceiling;
  const ceiling = c.direct.perSecond * w;
  console.log(
    '\n' +
      formatTable(
        ['(b) the CPU ceiling', 'median', 'items/s', 'vs ceiling'],
        [
          [c.direct.name, s(c.direct.medianMs), perS(c.direct), ''],
          [
            `  × ${w} threads: the ceiling of ${w} workers (baseline)`,
            '',
            `${fmtInt(ceiling)}/s`,
            'ref',
          ],
          [
            `loader, ${w} workers: typical augmentation (from a)`,
            s(c.loader.medianMs),
            perS(c.loader),
            x(c.loader.perSecond / ceiling),
          ],
          [
            `later epoch, ${w} workers: typical augmentation (from a)`,
            s(a.laterAugmented.medianMs),
            perS(a.laterAugmented),
            x(a.laterAugmented.perSecond / ceiling),
          ],
        ],
      ),
  );
  console.log(
    "\nthe same item work (verify where needed, decode, augment, lay out) on the page's own thread, one" +
      `\nitem after another, bytes in memory: no loader, no workers, no messages. ${w} workers cannot` +
      `\ndo more than ${w} times that; the ${fmtInt(ITEMS_GOAL)}/s goal needs a ceiling above it` +
      ` (here ${ceiling >= ITEMS_GOAL ? 'it is' : 'it is not'}).` +
      '\nOn a shared machine, other processes take CPU from both rows alike.',
  );
  const rd = r.reads;
  console.log(
    '\n' +
      formatTable(
        ['(c) reading an epoch, shuffled', 'median', 'items/s', 'vs per image'],
        [
          [rd.perImage.name, s(rd.perImage.medianMs), perS(rd.perImage), 'ref'],
          ...[rd.reader, rd.worker].map((t) => [
            t.name,
            s(t.medianMs),
            perS(t),
            x(rd.perImage.medianMs / rd.perImage.items / (t.medianMs / t.items)),
          ]),
        ],
      ),
  );
  console.log(
    `\nper image = one getRange per image in shuffled order (the first ${fmtInt(rd.perImage.items)} items); the` +
      ` reader read ${fmtInt(rd.readerStats.reads)} times, ${(rd.readerStats.bytes / 1e6).toFixed(1)} MB.` +
      '\nvs per image = items/s of the row ÷ items/s of one read per image.',
  );
  for (const p of r.problems) console.log(`!! ${p}`);
}

/** Runs the group, prints its tables; returns what goes into results.json and whether it failed. */
export async function runLoader(
  settings: LoaderBenchSettings,
  timeoutS = DEFAULT_PAGE_TIMEOUT_S,
): Promise<{ json: unknown; failed: boolean }> {
  console.log(
    `loader: headless Chromium on a Vite dev server, real OPFS lake and loader workers; ` +
      `median of ${settings.runs} after ${settings.warmup} warm-up`,
  );
  const loadBefore = os.loadavg()[0]!;
  const { results, chromium } = await runBenchPage<LoaderBenchResults>(
    'bench/loader/page.html',
    { ...settings },
    { timeoutS, log: (line) => console.log(`  ${line}`) },
  );
  console.log(
    `  Chromium ${chromium}, crossOriginIsolated ${results.env.crossOriginIsolated}, ` +
      `${results.env.hardwareConcurrency} hardware threads`,
  );
  // The CPUs are what limits this group: how busy the machine was says how far the figures
  // are from an idle machine's (a load of 2 on 2 cores is full).
  const load = { before: loadBefore, after: os.loadavg()[0]!, cpus: os.cpus().length };
  report(results);
  const share = load.cpus / Math.max(load.cpus, (load.before + load.after) / 2);
  console.log(
    `\nload average (1 min): ${load.before.toFixed(1)} before, ${load.after.toFixed(1)} after, on ` +
      `${load.cpus} CPUs: each runnable thread got about ${(share * 100).toFixed(0)} % of a core.`,
  );
  return { json: { chromium, load, ...results }, failed: results.problems.length > 0 };
}

/**
 * The group as bench/run.ts calls it: --loader-workers, --loader-batch, --loader-timeout, and
 * --quick (every figure once, no warm-up, a short per-image read baseline).
 */
export function runLoaderFromArgv(
  argv: string[],
  common: { runs: number; warmup: number },
): Promise<{ json: unknown; failed: boolean }> {
  const quick = argv.includes('--quick');
  return runLoader(
    {
      metadata: '/examples/synthetic-lesions/metadata.json',
      images: 5000,
      batchSize: parseIntFlag(argv, '--loader-batch') ?? 32,
      workers: parseIntFlag(argv, '--loader-workers') ?? 2,
      prefetch: 2,
      runs: quick ? 1 : common.runs,
      warmup: quick ? 0 : common.warmup,
      readItems: quick ? 100 : 640,
      subset: parseIntFlag(argv, '--loader-subset') ?? (quick ? QUICK_SUBSET : 0),
    },
    parseIntFlag(argv, '--loader-timeout') ?? DEFAULT_PAGE_TIMEOUT_S,
  );
}

// `tsx bench/loader.ts [--quick] [--runs N] [--warmup N] [--loader-…]`: the group alone, tables
// on stdout, no results.json (the smoke test, test/e2e/bench-loader.e2e.ts, runs it so).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const runs = parseIntFlag(argv, '--runs') ?? 3;
  const warmup = parseIntFlag(argv, '--warmup') ?? 1;
  runLoaderFromArgv(argv, { runs, warmup }).then(
    (r) => (process.exitCode = r.failed ? 1 : 0),
    (e: unknown) => {
      console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
      process.exitCode = 2;
    },
  );
}
