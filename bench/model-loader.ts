/**
 * Figure (b) of the `model` bench group (bench/README.md, "Model"): the CNN trained for
 * `epochs` epochs fed by the training loader (`LakeBatches`: read from the lake, verify, decode,
 * resize, batch; inline, and on 2 worker threads), against the same training on the same
 * batches collected in memory first. Goal ≥ 0.9: the loader must not starve training.
 *
 * Both start from `prepareTrainingData`'s result (untimed, shared): the loader takes the rows
 * and image objects it read, as training does. What is timed, in every variant alike: each
 * epoch, from asking for its first batch to the end of its last step, and in epoch 1 before
 * that the variant's set-up as `train` does it: creating its trainer (the same graph for every
 * variant) and, for a loader, `LakeBatches.start(0)` first, awaited as `train` awaits it (its
 * reads started and, with workers, its first batch handed to them), so that its start
 * (workers, pack read, first batches) runs while the trainer is created. The in-memory variant's timed
 * set-up is its trainer's creation alone. Not timed: booting the worker threads: a Node worker
 * boots by compiling the TypeScript sources with tsx (a second or more on a busy machine),
 * which the app's bundled worker does not; that time is printed apart. onnxruntime's start-up
 * and V8's tier-up of its wasm are paid by an untimed epoch before any variant.
 *
 * On a shared machine the load drifts over seconds, so the variants' epochs are interleaved and
 * each round gives paired ratios; see {@link loaderFigures}.
 */
import { LakeBatches, type XYBatch } from '../src/lib/model/lake-batches.ts';
import type { TrainingData } from '../src/lib/model/lake-data.ts';
import type { ModelRuntime } from '../src/lib/model/runtime.ts';
import type { ModelSpec } from '../src/lib/model/spec.ts';
import { Trainer } from '../src/lib/model/trainer.ts';
import type { LoaderStats } from '../src/lib/pipeline/loader.ts';
import type { PoolLane } from '../src/lib/pipeline/loader-item.ts';
import type { Lake } from '../src/lib/versions/lake.ts';
import { fmtInt, gc, median } from './measure.ts';
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
  /** Rounds, each a fresh trainer and loader per variant; the figures are medians over rounds. */
  rounds: number;
  /** The trainer's options besides the batch (train() in model.ts). */
  trainer: Omit<Parameters<typeof Trainer.create>[2], 'batch'>;
}

/**
 * One variant's timed run: seconds per epoch (epoch 1's include `setup`), seconds of set-up,
 * process CPU seconds, loader statistics.
 */
interface Run {
  secs: number[];
  setup: number;
  cpu: number;
  stats: LoaderStats | null;
  /** Seconds training waited for batches in epoch 1 (asking for one until it came): first, all. */
  waitFirst: number;
  waitAll: number;
}

/** One variant in one round: its trainer, where its batches come from, its epochs so far. */
interface Lane {
  epoch: (e: number) => AsyncIterable<XYBatch> | Iterable<XYBatch>;
  trainer: Trainer;
  run: Run;
  stats: () => LoaderStats | null;
  close: () => void;
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

const VARIANTS = ['inline', 'memory', 'workers'] as const;

/**
 * Figure (b); see the module comment. Each round makes the three variants afresh (a trainer
 * each; a loader inline, the batches in memory, a loader on 2 worker threads) and runs their
 * epochs interleaved: epoch e of each variant, one after the other, in an order that rotates
 * with the epoch and the round, so that each variant's epoch e is timed next to the others'
 * (a busy machine's load drifts over seconds) and none is always first or last. Each round
 * gives a ratio (paired); the figure is the median ratio over the rounds.
 */
export async function loaderFigures(
  o: LoaderBench,
): Promise<{ figures: Figure[]; notes: string[] }> {
  const { lake, data, runtime, spec, batch, epochs } = o;
  const k = o.data.classes.length;
  const { memory, alone } = await loaderAlone(lake, data, batch, epochs);
  const trainer = () => Trainer.create(runtime, spec, { batch, ...o.trainer });
  {
    // onnxruntime's start-up, and V8 moving its wasm from the baseline compiler to the
    // optimising one (steps several times slower until then), paid by no variant: one epoch.
    const warm = await trainer();
    for (const b of memory[0]!) await warm.trainStep(b.x, oneHot(b.y, k));
    await warm.release();
  }
  const bootMs: number[] = [];
  const fresh = (): Run => ({ secs: [], setup: 0, cpu: 0, stats: null, waitFirst: 0, waitAll: 0 });
  /** Boots a variant's worker threads, untimed (see the module comment). */
  const boot = async (workers: number): Promise<PoolLane[]> => {
    if (!workers) return [];
    const t = performance.now();
    const lanes = await bootLanes(workers);
    bootMs.push(performance.now() - t);
    return lanes;
  };
  // Set-up, timed in epoch 1: the trainer, and for a loader its start, which runs meanwhile
  // (LakeBatches.start, as train-lake.ts does).
  const fromLoader = async (workers: number, lanes: PoolLane[]): Promise<Lane> => {
    const spawn = () => lanes.shift() ?? nodeLoaderLane();
    const b = new LakeBatches(data, {
      lake,
      batch,
      seed: 0,
      ...(workers ? { workers, spawn } : {}),
    });
    await b.start(0);
    return {
      epoch: (e) => b.trainEpoch(e),
      trainer: await trainer(),
      run: fresh(),
      stats: () => b.trainStats(),
      close: () => b.close(),
    };
  };
  const inMemory = async (): Promise<Lane> => ({
    epoch: (e) => memory[e]!,
    trainer: await trainer(),
    run: fresh(),
    stats: () => null,
    close: () => undefined,
  });
  const runs: Run[][] = VARIANTS.map(() => []);
  for (let r = 0; r < o.rounds; r++) {
    const lanes = await boot(2);
    const make = [() => fromLoader(0, []), inMemory, () => fromLoader(2, lanes)];
    const round: (Lane | undefined)[] = VARIANTS.map(() => undefined);
    try {
      for (let e = 0; e < epochs; e++) {
        for (let j = 0; j < round.length; j++) {
          const i = (j + r + e) % round.length;
          gc?.(); // no variant pays for another's garbage
          const c0 = cpuSecs();
          const t0 = performance.now();
          const v = (round[i] ??= await make[i]!());
          if (!e) v.run.setup = (performance.now() - t0) / 1e3;
          const src = v.epoch(e);
          // As `for await` would: the in-memory batches are a plain array.
          const batches =
            Symbol.asyncIterator in src ? src[Symbol.asyncIterator]() : src[Symbol.iterator]();
          for (let n = 0; ; n++) {
            const asked = performance.now();
            const b = await batches.next();
            const waited = (performance.now() - asked) / 1e3;
            if (!e && !n) v.run.waitFirst = waited;
            if (!e) v.run.waitAll += waited;
            if (b.done) break;
            await v.trainer.trainStep(b.value.x, oneHot(b.value.y, k));
          }
          v.run.secs.push((performance.now() - t0) / 1e3);
          v.run.cpu += cpuSecs() - c0;
        }
      }
    } finally {
      for (const l of lanes) l.close(); // those no loader took
      for (const v of round) {
        v?.close();
        await v?.trainer.release();
      }
    }
    round.forEach((v, i) => runs[i]!.push({ ...v!.run, stats: v!.stats() }));
  }
  const items = memory.map((m) => m.reduce((n, b) => n + b.n, 0));
  const total = items.reduce((a, b) => a + b, 0);
  const secsOf = (run: Run, first: boolean) =>
    first ? run.secs[0]! : run.secs.reduce((a, b) => a + b, 0);
  const rate = (rs: Run[], first: boolean) =>
    (first ? items[0]! : total) / median(rs.map((run) => secsOf(run, first)));
  const [inline, mem, lanes] = runs as [Run[], Run[], Run[]];
  const figures: Figure[] = [];
  const ratios: string[] = [];
  for (const [name, rs] of [
    ['inline', inline],
    ['2 worker threads', lanes],
  ] as const) {
    for (const first of [true, false]) {
      // Paired: each round's memory time over its loader time, the median over rounds.
      const each = rs.map((run, i) => secsOf(mem[i]!, first) / secsOf(run, first));
      const ratio = median(each);
      ratios.push(
        `${name}, ${first ? 'epoch 1' : `${epochs} epochs`}: ${each.map((x) => x.toFixed(2)).join(' / ')}`,
      );
      figures.push({
        name: `cnn, batch ${batch}: loader (${name}: read + decode + resize) + training, ${first ? 'epoch 1' : `${epochs} epochs`}`,
        value: rate(rs, first),
        baseline: rate(mem, first),
        baselineName: 'training on the same batches decoded in memory',
        unit: 'items/s',
        ratio,
        goal: 0.9,
      });
    }
  }
  const perEpoch = (rs: Run[]) =>
    Array.from({ length: epochs }, (_, e) => median(rs.map((run) => run.secs[e]!)).toFixed(2)).join(
      ' / ',
    );
  const cpu = (rs: Run[]) => median(rs.map((run) => run.cpu)).toFixed(2);
  const setup = (rs: Run[]) => median(rs.map((run) => run.setup)).toFixed(2);
  const stepsOnly = (rs: Run[]) =>
    rs.map((run, i) => (mem[i]!.secs[0]! - mem[i]!.setup) / (run.secs[0]! - run.setup));
  const waits = (rs: Run[]) =>
    rs
      .map((run) => `${(run.waitFirst * 1e3).toFixed(0)}/${(run.waitAll * 1e3).toFixed(0)}`)
      .join(', ');
  const notes = [
    `ratio of each round (in-memory seconds ÷ loader seconds, epochs interleaved; the figure is their median): ${ratios.join('; ')}`,
    `set-up in epoch 1 (creating the trainer; a loader starts meanwhile), seconds, median: in memory ${setup(mem)}; loader inline ${setup(inline)}; on 2 worker threads ${setup(lanes)}`,
    `epoch 1 without its set-up (what a loader started during it did not show), ratio per round: inline ${stepsOnly(
      inline,
    )
      .map((x) => x.toFixed(2))
      .join(' / ')}; 2 worker threads ${stepsOnly(lanes)
      .map((x) => x.toFixed(2))
      .join(' / ')}`,
    `training's wait for batches in epoch 1, ms per round (first batch / all of the epoch): in memory ${waits(mem)}; loader inline ${waits(inline)}; on 2 worker threads ${waits(lanes)}`,
    `seconds per epoch (median over ${o.rounds} rounds): in memory ${perEpoch(mem)}; loader inline ${perEpoch(inline)}; on 2 worker threads ${perEpoch(lanes)}`,
    `CPU seconds over the ${epochs} epochs (all threads of the process, median over rounds): in memory ${cpu(mem)}; loader inline ${cpu(inline)}; on 2 worker threads ${cpu(lanes)}`,
    ...explain(alone, inline, mem, items[0]!, total, bootMs),
  ];
  return { figures, notes };
}

/** The loader alone (inline, no training) over the epochs: its batches, times and statistics. */
interface Alone {
  /** ms to the first batch (resolving the rows, reading the packs, one batch), and of epoch 1. */
  firstMs: number;
  epoch1Ms: number;
  /** ms per later epoch (items from the item cache). */
  laterMs: number[];
  /** Statistics after epoch 1. */
  stats: LoaderStats;
}

async function loaderAlone(lake: Lake, data: TrainingData, batch: number, epochs: number) {
  const b = new LakeBatches(data, { lake, batch, seed: 0 });
  const memory: XYBatch[][] = [];
  const alone: Partial<Alone> = { laterMs: [] };
  try {
    for (let e = 0; e < epochs; e++) {
      const t0 = performance.now();
      const got: XYBatch[] = [];
      for await (const x of b.trainEpoch(e)) {
        if (!got.length && !e) alone.firstMs = performance.now() - t0;
        got.push(x);
      }
      const ms = performance.now() - t0;
      if (e) alone.laterMs!.push(ms);
      else [alone.epoch1Ms, alone.stats] = [ms, b.trainStats()!];
      memory.push(got);
    }
  } finally {
    b.close();
  }
  return { memory, alone: alone as Alone };
}

/** Where the time goes, measured: the loader's own time per item against training's. */
function explain(
  alone: Alone,
  inline: Run[],
  mem: Run[],
  perEpoch: number,
  total: number,
  bootMs: number[],
): string[] {
  const s = alone.stats;
  const per = (ms: number) => (ms / perEpoch).toFixed(2);
  const trainMs = (median(mem.map((r) => r.secs.reduce((a, b) => a + b, 0))) * 1e3) / total;
  const trainCpu = (median(mem.map((r) => r.cpu)) * 1e3) / total;
  const later = alone.laterMs.length ? median(alone.laterMs) : NaN;
  const extra = median(inline.map((r) => r.secs[0]!)) - median(mem.map((r) => r.secs[0]!));
  const fresh = s.items; // items the loader processed in epoch 1 (later ones came from its cache)
  const loaderCpu =
    ((median(inline.map((r) => r.cpu)) - median(mem.map((r) => r.cpu))) * 1e3) / fresh;
  const notes = [
    `training alone: ${trainMs.toFixed(2)} ms per item (${trainCpu.toFixed(2)} ms CPU, all threads)`,
    `loader inline: ${loaderCpu.toFixed(2)} ms CPU per item it processed (CPU of the inline run less the in-memory run, over the ${fmtInt(fresh)} items of epoch 1; set-up included); on one thread, an idle machine would give the inline run ${(trainCpu / (trainCpu + loaderCpu / (total / fresh))).toFixed(2)}x over ${total / fresh} epochs and ${(trainCpu / (trainCpu + loaderCpu)).toFixed(2)}x for epoch 1`,
    `loader alone, inline, epoch 1: ${per(alone.epoch1Ms)} ms per item, of which set-up to the first batch ${alone.firstMs.toFixed(0)} ms (${per(alone.firstMs)} per item) and stage times per item: read ${per(s.ms.io)}, verify ${per(s.ms.verify)}, decode ${per(s.ms.decode)}, resize + normalize ${per(s.ms.augment)}`,
    `loader alone, later epochs (items from its item cache): ${Number.isNaN(later) ? 'none run' : `${per(later)} ms per item`}`,
    `loader inline + training, epoch 1: ${(extra * 1e3).toFixed(0)} ms more than in memory (${per(extra * 1e3)} ms per item): inline, the loader runs on the training thread, between steps`,
  ];
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
