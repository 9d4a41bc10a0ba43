/**
 * The `pipeline` bench group (bench/README.md, "Pipeline"): the dataloader and the batch
 * pipeline in Node over the bundled demo dataset public/examples/synthetic-lesions (5,000
 * 64×64 8-bit grayscale PNGs), ingested once into a temporary Node filesystem lake. Every
 * figure is items/s and a ratio against a baseline measured in the same run, rounds
 * alternating baseline and measured; the median of --runs after --warmup. Worker lanes are
 * Node worker_threads (bench/pipeline-lanes.ts); the real target is browser workers.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { nodeResolver } from '../src/lib/io/node.ts';
import { runPipelineToBranch } from '../src/lib/pipeline/batch.ts';
import { decodeImage, encodePng } from '../src/lib/pipeline/decode.ts';
import type { PipelineSpec } from '../src/lib/pipeline/image.ts';
import { createLoader, type LoaderConfig } from '../src/lib/pipeline/loader.ts';
import { rngFor } from '../src/lib/pipeline/rng.ts';
import { applyPipeline, toTensor } from '../src/lib/pipeline/transforms.ts';
import { sha256 } from '../src/lib/store/hash.ts';
import { openNodeBackend } from '../src/lib/store/node-fs.ts';
import { ingest } from '../src/lib/versions/ingest.ts';
import { Lake } from '../src/lib/versions/lake.ts';
import { readObject } from '../src/lib/versions/objects-read.ts';
import { readAllRows, recordSetOf } from '../src/lib/versions/read.ts';
import { fmtInt, formatTable, gc, median } from './measure.ts';
import { nodeBatchLane, nodeLoaderLane } from './pipeline-lanes.ts';

const DATASET = 'lesions';
const RECORD_SET = 'images';
const IMAGE = 'images/image';
const LABEL = 'images/lesion';
/** The loader's typical augmentation (64×64 grayscale input). */
export const AUGMENT: PipelineSpec = [
  { op: 'random-crop', width: 56, height: 56 },
  { op: 'flip', axis: 'horizontal', p: 0.5 },
  { op: 'brightness-contrast', brightness: 0.2, contrast: 0.2, random: true },
  { op: 'gaussian-noise', std: 4 },
  { op: 'normalize', mean: [128], std: [64] },
];
/** The same without normalize, for the batch pipeline (stored as PNG). */
const BATCH_SPEC = AUGMENT.slice(0, 4);

/** One timed measurement (items/s), and what it is compared with. */
export interface Row {
  name: string;
  items: number;
  seconds: number[];
  median: number;
  perSecond: number;
  /** The name of the row it is compared with, and the ratio of items/s. */
  vs?: string;
  ratio?: number;
  goal?: number;
}

/** A timed piece of work; resolves with the items it did. */
export type Work = () => Promise<number>;

/** Times `pairs` (name → work), rounds alternating their order; medians after warm-up. */
export async function rounds(
  works: [string, Work][],
  opts: { runs: number; warmup: number },
): Promise<Row[]> {
  const secs = works.map(() => [] as number[]);
  const items = works.map(() => 0);
  for (let r = 0; r < opts.warmup + opts.runs; r++) {
    const order = works.map((_, i) => i);
    if (r % 2) order.reverse();
    for (const i of order) {
      gc?.();
      const t = performance.now();
      items[i] = await works[i]![1]();
      if (r >= opts.warmup) secs[i]!.push((performance.now() - t) / 1e3);
    }
  }
  return works.map(([name], i) => {
    const m = median(secs[i]!);
    return { name, items: items[i]!, seconds: secs[i]!, median: m, perSecond: items[i]! / m };
  });
}

/** Sets `row`'s ratio of items/s against `base` (and its goal). */
export function compare(row: Row, base: Row, goal?: number): void {
  row.vs = base.name;
  row.ratio = row.perSecond / base.perSecond;
  if (goal !== undefined) row.goal = goal;
}

/** Prints rows as a table under `title`. */
export function print(title: string, rows: Row[]): void {
  console.log(`\n${title}`);
  console.log(
    formatTable(
      ['measurement', 'items', 'median s', 'items/s', 'ratio', 'vs'],
      rows.map((r) => [
        r.name,
        fmtInt(r.items),
        r.median.toFixed(3),
        fmtInt(r.perSecond),
        r.ratio === undefined
          ? 'ref'
          : `${r.ratio.toFixed(2)}x${r.goal !== undefined ? (r.ratio >= r.goal ? ' ✓' : ` !! goal ≥${r.goal}`) : ''}`,
        r.vs ?? '',
      ]),
    ),
  );
}

/** Runs the group; `failed` when a figure did not process every image. */
export async function runPipelineFromArgv(
  _argv: string[],
  opts: { runs: number; warmup: number },
): Promise<{ json: unknown; failed: boolean }> {
  const dir = await mkdtemp(join(os.tmpdir(), 'croissant-lake-bench-pipeline-'));
  try {
    const lake = await Lake.open(await openNodeBackend(dir));
    const metadata = join(process.cwd(), 'public/examples/synthetic-lesions/metadata.json');
    const t0 = performance.now();
    await ingest(lake, metadata, { resolver: nodeResolver(), dataset: DATASET });
    const commit = await lake.readCommit(await lake.resolve(DATASET, 'main'));
    const [, rs] = recordSetOf(commit, RECORD_SET);
    const index = await lake.readObjects(commit);
    const rows = await readAllRows(lake.chunks, rs, 'bench');
    const n = rows.length;
    console.log(
      `pipeline: synthetic-lesions ingested in ${((performance.now() - t0) / 1e3).toFixed(1)} s: ${fmtInt(n)} images; ${os.cpus().length} CPU(s)`,
    );

    const config = (over: Partial<LoaderConfig>): LoaderConfig => ({
      dataset: DATASET,
      ref: 'main',
      recordSet: RECORD_SET,
      fields: { image: IMAGE, label: LABEL },
      batchSize: 64,
      shuffle: { seed: 1 },
      augment: AUGMENT,
      workers: 0,
      prefetch: 2,
      ...over,
    });
    const epoch =
      (over: Partial<LoaderConfig>): Work =>
      async () => {
        const spawn = over.workers ? { spawn: nodeLoaderLane } : {};
        const loader = createLoader(config(over), { lake, ...spawn });
        let items = 0;
        try {
          for await (const b of loader.epoch(0)) items += b.shape[0];
        } finally {
          loader.close();
        }
        return items;
      };
    const naive: Work = async () => {
      for (const r of rows) {
        const cell = r.row[IMAGE] as { sha256: string };
        const img = await decodeImage(await readObject(lake.chunks, index, cell.sha256));
        toTensor([applyPipeline(AUGMENT, img, rngFor(1, 0, r.rowid))]);
      }
      return n;
    };

    // (a) augmentation against decode only, inline
    const a = await rounds(
      [
        ['loader inline: decode only (baseline)', epoch({ augment: [] })],
        ['loader inline: typical augmentation', epoch({})],
        ['loader, 2 worker threads: decode only (baseline)', epoch({ augment: [], workers: 2 })],
        ['loader, 2 worker threads: typical augmentation', epoch({ workers: 2 })],
      ],
      opts,
    );
    compare(a[1]!, a[0]!, 0.8);
    compare(a[3]!, a[2]!, 0.8);
    print('(a) loader: typical augmentation vs decode only (same images, same workers)', a);

    // (b) scaling, and the loader against a naive loop
    const b = await rounds(
      [
        ['naive loop: read + decode + augment (baseline)', naive],
        ['loader inline', epoch({})],
        ['loader, 1 worker thread', epoch({ workers: 1 })],
        ['loader, 2 worker threads', epoch({ workers: 2 })],
      ],
      opts,
    );
    compare(b[1]!, b[0]!);
    compare(b[2]!, b[0]!);
    compare(b[3]!, b[2]!);
    print('(b) loader scaling (typical augmentation)', b);

    // (c) batch pipeline against decode + encode only
    let k = 0;
    const batch =
      (spec: PipelineSpec, workers = 0): Work =>
      async () => {
        const res = await runPipelineToBranch(lake, DATASET, {
          from: 'main',
          recordSet: RECORD_SET,
          imageColumn: IMAGE,
          spec,
          seed: 3,
          branch: `bench-${k++}`,
          ...(workers ? { workers, spawn: nodeBatchLane } : {}),
        });
        return res.processed;
      };
    const plain: Work = async () => {
      for (const r of rows) {
        const cell = r.row[IMAGE] as { sha256: string };
        const img = await decodeImage(await readObject(lake.chunks, index, cell.sha256));
        await sha256(encodePng(img));
      }
      return n;
    };
    const c = await rounds(
      [
        ['read + decode + encode + hash loop (baseline)', plain],
        ['batch pipeline inline: identity spec', batch([])],
        ['batch pipeline inline: crop, flip, b/c, noise', batch(BATCH_SPEC)],
        ['batch pipeline, 2 worker threads: same spec', batch(BATCH_SPEC, 2)],
      ],
      opts,
    );
    compare(c[1]!, c[0]!);
    compare(c[2]!, c[0]!);
    compare(c[3]!, c[2]!);
    print('(c) batch pipeline → derived branch', c);
    console.log(
      '\nratio = items/s ÷ items/s of the row named in "vs"; worker lanes are Node worker_threads' +
        '\n(the real target is browser workers); every batch run writes a new protected branch.',
    );
    const all = [...a, ...b, ...c];
    // A missed goal is flagged (!!) but is no failure: shared machines are noisy.
    const failed = all.some((r) => r.items !== n);
    return { json: { images: n, cpus: os.cpus().length, rows: all }, failed };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
