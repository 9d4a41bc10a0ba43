/**
 * Batches of {@link TrainingData}: images through the pipeline's dataloader (the same decoder,
 * augmentations and per-row random streams, so batches are bit-identical whatever the number of
 * loader workers), or standardised numeric features from memory. Training batches are shuffled
 * per epoch from the seed and always full (the step graph has a fixed batch size); evaluation
 * batches are in storage order and cover every row.
 */
import { createLoader, type Batch, type Loader, type LoaderStats } from '../pipeline/loader.ts';
import type { PoolLane } from '../pipeline/loader-item.ts';
import type { LoaderItems } from '../pipeline/loader-items.ts';
import { shuffle } from '../pipeline/rng.ts';
import type { Lake } from '../versions/lake.ts';
import { ModelError } from './errors.ts';
import type { SplitRows, TrainingData } from './lake-data.ts';

/** Where batches come from. */
export interface BatchOptions {
  lake: Lake;
  /** Training batch size. */
  batch: number;
  seed: number;
  /** Loader workers (0: decode in this thread); needs `spawn` when above 0. */
  workers?: number;
  spawn?: () => PoolLane;
  signal?: AbortSignal;
}

/** One batch: `x` is [n, ...inputDims], `y` class indices. */
export interface XYBatch {
  x: Float32Array;
  y: Int32Array;
  rowIds: bigint[];
  n: number;
}

/** Makes the batches of one training run; {@link close} frees the loaders' workers. */
export class LakeBatches {
  readonly #data: TrainingData;
  readonly #o: BatchOptions;
  readonly #labelOf: Map<bigint, number>;
  readonly #loaders: Loader[] = [];
  #train: Loader | null = null;
  #evalLoaders = new Map<string, Loader>();
  /** A training epoch {@link start}ed before it was asked for, and its first batch. */
  #early: {
    e: number;
    it: AsyncGenerator<Batch, void, undefined>;
    first: Promise<IteratorResult<Batch, void>>;
  } | null = null;

  constructor(data: TrainingData, o: BatchOptions) {
    this.#data = data;
    this.#o = o;
    this.#labelOf = new Map();
    for (const s of [data.train, data.val])
      s.rowIds.forEach((id, i) => this.#labelOf.set(id, s.labels[i]!));
    if (data.train.rowIds.length < o.batch) {
      throw new ModelError(
        'BAD_DATA',
        `the training split has ${data.train.rowIds.length} rows, fewer than one batch of ${o.batch}; lower the batch size`,
      );
    }
  }

  /** Full training batches per epoch. */
  get batchesPerEpoch(): number {
    return Math.floor(this.#data.train.rowIds.length / this.#o.batch);
  }

  #loader(rows: SplitRows, storage: boolean, batch: number): Loader {
    const d = this.#data;
    const items = this.#items(rows);
    if (d.input.kind !== 'image') throw new Error('unreachable: features have no loader');
    const l = createLoader(
      {
        dataset: d.dataset,
        ref: d.commit,
        recordSet: d.recordSet,
        rowIds: rows.rowIds,
        fields: { image: d.input.column },
        batchSize: batch,
        shuffle: { seed: this.#o.seed, ...(storage ? { order: 'storage' as const } : {}) },
        augment: storage ? d.input.pipeline : d.trainPipeline,
        channels: d.input.channels,
        dropLast: !storage,
        workers: this.#o.workers ?? 0,
        prefetch: 2,
      },
      {
        lake: this.#o.lake,
        ...(items ? { items } : {}),
        ...(this.#o.spawn ? { spawn: this.#o.spawn } : {}),
        ...(this.#o.signal ? { signal: this.#o.signal } : {}),
      },
    );
    this.#loaders.push(l);
    return l;
  }

  /**
   * The loader's items from the rows `prepareTrainingData` read (their image objects included),
   * so that it does not scan the record set a second time; they are what the loader's own scan
   * would give (rows in storage order, no label field: labels -1, classes none).
   */
  #items(rows: SplitRows): (() => Promise<LoaderItems>) | undefined {
    const { images, formats } = rows;
    if (!images || !formats) return undefined;
    const d = this.#data;
    const lake = this.#o.lake;
    return async () => ({
      dataset: d.dataset,
      commit: d.commit,
      recordSet: d.recordSet,
      rowIds: BigInt64Array.from(rows.rowIds),
      images,
      formats,
      labels: new Int32Array(rows.rowIds.length).fill(-1),
      classes: [],
      index: await lake.readObjects(await lake.readCommit(d.commit)),
    });
  }

  #labels(ids: ArrayLike<bigint>): Int32Array {
    return Int32Array.from({ length: ids.length }, (_, i) => this.#labelOf.get(ids[i]!)!);
  }

  /**
   * Starts epoch `e`'s training batches now, before {@link trainEpoch} asks for them: the
   * loader starts its workers, reads its packs and makes its first batches (up to its prefetch)
   * while the caller does other work, such as setting up the trainer (train-lake.ts) — with
   * worker threads that work runs in parallel, and the first step need not wait for it. The
   * batches are those `trainEpoch(e)` makes anyway; a loader error is thrown there. Nothing to
   * do for numeric features, or once an epoch is started.
   *
   * Resolves (never rejects) once the loader needs this thread no more to get the first batch
   * made: with workers, its items read and handed to them; inline, its reads started. Awaiting
   * it before CPU-bound set-up on this thread (the trainer's graph and session, which do not
   * yield for tens of milliseconds) lets the workers decode during that set-up instead of
   * after it.
   */
  start(e: number): Promise<void> {
    const d = this.#data;
    if (d.input.kind === 'features' || this.#early) return Promise.resolve();
    this.#train ??= this.#loader(d.train, false, this.#o.batch);
    let underway!: () => void;
    const handedOff = new Promise<void>((resolve) => (underway = resolve));
    const it = this.#train.epoch(e, underway);
    const first = it.next();
    // Awaited by trainEpoch(e), which throws its error; not awaited only when the run stopped
    // before its first step for another reason (which is the one reported).
    first.catch(() => undefined);
    this.#early = { e, it, first };
    return handedOff;
  }

  /** The training batches of epoch `e`, from batch `from` on (a resumed epoch skips the rest). */
  async *trainEpoch(e: number, from = 0): AsyncGenerator<XYBatch> {
    const d = this.#data;
    const b = this.#o.batch;
    if (d.input.kind === 'features') {
      const order = shuffle(d.train.rowIds.length, this.#o.seed, e);
      for (let k = from; k < this.batchesPerEpoch; k++) {
        yield this.#featureBatch('train', order.subarray(k * b, (k + 1) * b));
      }
      return;
    }
    this.#train ??= this.#loader(d.train, false, b);
    const early = this.#early;
    this.#early = null;
    const started = early?.e === e ? early : null;
    if (early && !started) await early.it.return(); // started for another epoch: dropped
    const it = started?.it ?? this.#train.epoch(e);
    let k = 0;
    try {
      for (let r = await (started?.first ?? it.next()); !r.done; r = await it.next()) {
        if (k++ < from) continue;
        const ids = Array.from(r.value.rowIds);
        yield { x: r.value.x, y: this.#labels(ids), rowIds: ids, n: ids.length };
      }
    } finally {
      await it.return(); // ends the loader's epoch (its prefetch) when the caller stops early
    }
  }

  /** Every row of a side of the split, in storage order, `size` at a time. */
  async *evalBatches(side: 'train' | 'val', size: number): AsyncGenerator<XYBatch> {
    const rows = this.#data[side];
    if (this.#data.input.kind === 'features') {
      const all = Uint32Array.from({ length: rows.rowIds.length }, (_, i) => i);
      for (let k = 0; k < all.length; k += size) {
        yield this.#featureBatch(side, all.subarray(k, k + size));
      }
      return;
    }
    let l = this.#evalLoaders.get(`${side}:${size}`);
    if (!l) {
      l = this.#loader(rows, true, size);
      this.#evalLoaders.set(`${side}:${size}`, l);
    }
    for await (const batch of l.epoch(0)) {
      const ids = Array.from(batch.rowIds);
      yield { x: batch.x, y: this.#labels(ids), rowIds: ids, n: ids.length };
    }
  }

  #featureBatch(side: 'train' | 'val', positions: Uint32Array): XYBatch {
    const rows = this.#data[side];
    const k = this.#data.inputDims[0]!;
    const x = new Float32Array(positions.length * k);
    positions.forEach((p, i) => x.set(rows.features!.subarray(p * k, (p + 1) * k), i * k));
    const ids = Array.from(positions, (p) => rows.rowIds[p]!);
    return { x, y: Int32Array.from(positions, (p) => rows.labels[p]!), rowIds: ids, n: ids.length };
  }

  /**
   * The training loader's statistics (stage times, reads, items from its cache); null before
   * the first image batch and for numeric features.
   */
  trainStats(): LoaderStats | null {
    return this.#train?.stats() ?? null;
  }

  /** Closes the loaders (terminating their workers). */
  close(): void {
    this.#early = null;
    for (const l of this.#loaders) l.close();
  }
}
