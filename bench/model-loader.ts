/**
 * Figure (b) of the `model` bench group (bench/README.md, "Model"): the CNN trained for
 * `epochs` epochs fed by the training loader (`LakeBatches`: read from the lake, verify, decode,
 * resize, batch; inline, and on 2 worker threads), against the same training on the same
 * batches collected in memory first. Goal ≥ 0.9: the loader must not starve training.
 *
 * What is timed, in every variant alike: the epochs, from asking for the first batch to the
 * end of the last step. The loader's set-up (resolving its rows, reading the packs) falls in
 * epoch 1. Not timed: creating the trainer (the same graph and session for every variant), and
 * booting the worker threads: a Node worker boots by compiling the TypeScript sources with tsx
 * (a second or more on a busy machine), which the app's bundled worker does not; that time is
 * printed apart. onnxruntime's first session in the process (its wasm start-up) is paid by an
 * untimed warm-up step before any variant.
 */
import { LakeBatches, type XYBatch } from '../src/lib/model/lake-batches.ts';
import type { TrainingData } from '../src/lib/model/lake-data.ts';
import type { ModelRuntime } from '../src/lib/model/runtime.ts';
import type { ModelSpec } from '../src/lib/model/spec.ts';
import { Trainer } from '../src/lib/model/trainer.ts';
import type { LoaderStats } from '../src/lib/pipeline/loader.ts';
import type { PoolLane } from '../src/lib/pipeline/loader-item.ts';
import type { Lake } from '../src/lib/versions/lake.ts';
import { fmtInt, median } from './measure.ts';
import type { Figure } from './model.ts';
import { nodeLoaderLane } from './pipeline-lanes.ts';

/** What figure (b) runs on. */
export interface LoaderBench {
  lake: Lake;
  data: TrainingData;
  runtime: ModelRuntime;
  spec: ModelSpec;
  batch: number;
  epochs: number;
  runs: number;
  warmup: number;
  /** The trainer's options besides the batch (train() in model.ts). */
  trainer: Omit<Parameters<typeof Trainer.create>[2], 'batch'>;
}

/** One variant's timed run: seconds per epoch, process CPU seconds, loader statistics. */
interface Run {
  secs: number[];
  cpu: number;
  stats: LoaderStats | null;
}

const oneHot = (y: ArrayLike<number>, k: number): Float32Array => {
  const t = new Float32Array(y.length * k);
  for (let i = 0; i < y.length; i++) t[i * k + y[i]!] = 1;
  return t;
};

const cpuSecs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};

/** Starts `n` loader lanes and waits until each has answered a task (its modules loaded). */
async function bootLanes(n: number): Promise<PoolLane[]> {
  const lanes = Array.from({ length: n }, nodeLoaderLane);
  const job = { augment: [], seed: 0, epoch: 0 };
  // Bytes that are no image: the lane answers with a failure, as data.
  const probe = () => ({ job, rowId: 0n, sha256: '', bytes: new Uint8Array(8), verified: true });
  await Promise.all(lanes.map((l) => l.process(probe())));
  return lanes;
}

/** Figure (b); see the module comment. */
export async function loaderFigures(
  o: LoaderBench,
): Promise<{ figures: Figure[]; notes: string[] }> {
  const { lake, data, runtime, spec, batch, epochs } = o;
  const k = o.data.classes.length;
  const memory: XYBatch[][] = [];
  for (let e = 0; e < epochs; e++) memory.push(await collect(lake, data, batch, e));
  const trainer = () => Trainer.create(runtime, spec, { batch, ...o.trainer });
  {
    const warm = await trainer(); // onnxruntime's start-up, paid by no variant
    await warm.trainStep(memory[0]![0]!.x, oneHot(memory[0]![0]!.y, k));
    await warm.release();
  }
  const bootMs: number[] = [];
  const trainRun = async (
    source: (e: number) => AsyncIterable<XYBatch> | Iterable<XYBatch>,
    stats: () => LoaderStats | null = () => null,
  ): Promise<Run> => {
    const t = await trainer();
    const secs: number[] = [];
    const c0 = cpuSecs();
    try {
      for (let e = 0; e < epochs; e++) {
        const t0 = performance.now();
        for await (const b of source(e)) await t.trainStep(b.x, oneHot(b.y, k));
        secs.push((performance.now() - t0) / 1e3);
      }
    } finally {
      await t.release();
    }
    return { secs, cpu: cpuSecs() - c0, stats: stats() };
  };
  const fromLoader = (workers: number) => async () => {
    let lanes: PoolLane[] = [];
    if (workers) {
      const t = performance.now();
      lanes = await bootLanes(workers);
      bootMs.push(performance.now() - t);
    }
    const spawn = () => lanes.shift() ?? nodeLoaderLane();
    const b = new LakeBatches(data, {
      lake,
      batch,
      seed: 0,
      ...(workers ? { workers, spawn } : {}),
    });
    try {
      return await trainRun(
        (e) => b.trainEpoch(e),
        () => b.trainStats(),
      );
    } finally {
      b.close();
    }
  };
  const works = [fromLoader(0), () => trainRun((e) => memory[e]!), fromLoader(2)];
  const runs: Run[][] = works.map(() => []);
  for (let r = 0; r < o.warmup + o.runs; r++) {
    const order = works.map((_, i) => i);
    if (r % 2) order.reverse();
    for (const i of order) {
      const got = await works[i]!();
      if (r >= o.warmup) runs[i]!.push(got);
    }
  }
  const items = memory.map((m) => m.reduce((n, b) => n + b.n, 0));
  const total = items.reduce((a, b) => a + b, 0);
  const rate = (rs: Run[], first: boolean) =>
    (first ? items[0]! : total) /
    median(rs.map((r) => (first ? r.secs[0]! : r.secs.reduce((a, b) => a + b, 0))));
  const [inline, mem, lanes] = runs as [Run[], Run[], Run[]];
  const figures: Figure[] = [];
  for (const [name, rs] of [
    ['inline', inline],
    ['2 worker threads', lanes],
  ] as const) {
    for (const first of [true, false]) {
      const value = rate(rs, first);
      const baseline = rate(mem, first);
      figures.push({
        name: `cnn, batch ${batch}: loader (${name}: read + decode + resize) + training, ${first ? 'epoch 1' : `${epochs} epochs`}`,
        value,
        baseline,
        baselineName: 'training on the same batches decoded in memory',
        unit: 'items/s',
        ratio: value / baseline,
        goal: 0.9,
      });
    }
  }
  const perEpoch = (rs: Run[]) =>
    Array.from({ length: epochs }, (_, e) => median(rs.map((r) => r.secs[e]!)).toFixed(2)).join(
      ' / ',
    );
  const notes = [
    `seconds per epoch: in memory ${perEpoch(mem)}; loader inline ${perEpoch(inline)}; on 2 worker threads ${perEpoch(lanes)}`,
    ...explain(inline, mem, items[0]!, total, bootMs),
  ];
  return { figures, notes };
}

/** Where the time goes, measured: the loader's stage times per item against training's CPU. */
function explain(inline: Run[], mem: Run[], perEpoch: number, total: number, bootMs: number[]) {
  const notes: string[] = [];
  const s = inline.at(-1)?.stats;
  const train = (median(mem.map((r) => r.cpu)) * 1e3) / total;
  const epoch1 = median(inline.map((r) => r.secs[0]!)) - median(mem.map((r) => r.secs[0]!));
  notes.push(`training: ${train.toFixed(2)} ms CPU per item (in memory)`);
  if (s) {
    const fresh = s.items - s.itemCacheHits;
    const per = (ms: number) => (fresh ? ms / fresh : 0).toFixed(2);
    notes.push(
      `loader inline, per item processed (${fmtInt(fresh)} of ${fmtInt(s.items)}; ${fmtInt(s.itemCacheHits)} from its item cache): read ${per(s.ms.io)} + verify ${per(s.ms.verify)} + decode ${per(s.ms.decode)} + resize/normalize ${per(s.ms.augment)} ms`,
    );
  }
  notes.push(
    `loader inline, epoch 1: ${(epoch1 * 1e3).toFixed(0)} ms more than in memory over ${fmtInt(perEpoch)} items (${((epoch1 * 1e3) / perEpoch).toFixed(2)} ms per item, set-up included); inline, it runs on the training thread, between steps`,
  );
  if (bootMs.length) {
    notes.push(
      `worker threads booted before timing: ${fmtInt(median(bootMs))} ms for 2 (tsx compiles the sources in each Node worker; not counted)`,
    );
  }
  return notes;
}

/** The batches of epoch `e` of `data`'s training rows. */
export async function collect(
  lake: Lake,
  data: TrainingData,
  batch: number,
  e = 0,
): Promise<XYBatch[]> {
  const b = new LakeBatches(data, { lake, batch, seed: 0 });
  const all: XYBatch[] = [];
  try {
    for await (const x of b.trainEpoch(e)) all.push(x);
  } finally {
    b.close();
  }
  return all;
}
