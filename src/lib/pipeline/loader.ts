/**
 * The dataloader: batches `{x: [B,C,H,W] float32, y, rowIds}` of a record set's images at a
 * commit, shuffled per epoch from a seed, augmented with per-row random streams, ready for
 * onnxruntime-web tensors.
 *
 * Determinism: batch k of epoch e is `shuffle(n, seed, e)[k·B … (k+1)·B)`, and each item is a
 * pure function of (bytes, augment, seed, e, row id). Items are processed by any lane in any
 * order and put back by position, so batches are bit-identical whatever the worker count,
 * prefetch depth or timing, on every run and machine.
 *
 * Pipeline: the loader reads a batch's bytes itself, in (chunk, offset) order (ObjectReader,
 * batches in order), then hands each item's bytes (transferred, not copied) to the lane with
 * the least work, which verifies, decodes and augments it. One reader rather than reads in each
 * worker: a selection whose packs fit in `cacheBytes` has each pack read whole once (and
 * verified at once, so workers skip the per-image hash), those reads started as the epoch
 * starts, ahead of the first batch and while the workers start; a larger one is read in ranges
 * of neighbouring images. In the browser the reads go through the lake worker, which owns the
 * OPFS handles (`chunks`). The CPU work is what runs in parallel. Up to `prefetch` batches are
 * read and prepared ahead of the consumer (a bounded queue).
 *
 * When the pipeline draws nothing from the rng, processed items are kept (up to
 * `itemCacheBytes`, ./loader-cache.ts): later epochs take them from memory, reading and
 * decoding nothing, with the same bits as processing them again.
 */
import { LakeError } from '../store/errors.ts';
import type { ChunkReads } from '../store/types.ts';
import type { Lake } from '../versions/lake.ts';
import { checkLoaderConfig, loaderPermalink, type LoaderConfig } from './loader-config.ts';
import {
  LanePool,
  assembleBatch,
  settleErrors,
  taskResults,
  type Batch,
  type Built,
} from './loader-batch.ts';
import { inlineLane, type ItemJob, type PoolLane } from './loader-item.ts';
import { ItemCache } from './loader-cache.ts';
import { checkGivenItems, resolveItems, type LoaderItems } from './loader-items.ts';
import type { LoaderInfo, LoaderOptions } from './loader-options.ts';
import { ObjectReader } from './loader-read.ts';
import { StatsRecorder, type LoaderStats } from './loader-stats.ts';
import { shuffle } from './rng.ts';

export type { Batch } from './loader-batch.ts';
export type { LoaderConfig } from './loader-config.ts';
export type { LoaderInfo, LoaderOptions } from './loader-options.ts';
export type { LoaderStats } from './loader-stats.ts';

const now = () => performance.now();

/** Creates a loader; nothing is read until the first batch (or {@link Loader.info}). */
export function createLoader(config: LoaderConfig, options: LoaderOptions): Loader {
  checkLoaderConfig(config);
  return new Loader(config, options);
}

/** See the module comment. Iterating the loader itself runs epochs 0, 1, 2… in turn. */
export class Loader implements AsyncIterable<Batch> {
  readonly config: LoaderConfig;
  readonly #lake: Lake;
  readonly #spawn: (() => PoolLane) | undefined;
  readonly #cacheBytes: number | undefined;
  readonly #chunks: ChunkReads | undefined;
  readonly #given: (() => Promise<LoaderItems>) | undefined;
  readonly #stats = new StatsRecorder();
  readonly #cache: ItemCache;
  readonly #active = new Set<AbortController>();
  #items: Promise<LoaderItems> | null = null;
  #reader: ObjectReader | null = null;
  #pool: LanePool | null = null;
  /** The lanes run in this thread (no worker). */
  #inline = true;
  #io: Promise<unknown> = Promise.resolve();
  #nextEpoch = 0;
  #closed = false;

  constructor(config: LoaderConfig, options: LoaderOptions) {
    this.config = config;
    this.#lake = options.lake;
    this.#spawn = options.spawn;
    this.#cacheBytes = options.cacheBytes;
    this.#cache = new ItemCache(config.augment, options.itemCacheBytes);
    this.#chunks = options.chunks;
    this.#given = options.items;
    if (options.signal?.aborted) this.close();
    options.signal?.addEventListener('abort', () => this.close(), { once: true });
  }

  /** Resolves the ref and the selected rows. */
  async info(): Promise<LoaderInfo> {
    const it = await this.#ready();
    const n = it.rowIds.length;
    const b = this.config.batchSize;
    return {
      dataset: it.dataset,
      commit: it.commit,
      recordSet: it.recordSet,
      items: n,
      batchesPerEpoch: this.config.dropLast ? Math.floor(n / b) : Math.ceil(n / b),
      classes: it.classes,
    };
  }

  /**
   * The permalink of this loader, pinned to the commit its ref resolved to, with the dataset's
   * source URL when it may be shared.
   */
  async permalink(): Promise<string> {
    const { commit } = await this.#ready();
    // Where the dataset came from, for a lake that lacks it (left out when not shareable).
    const { source } = await this.#lake.dataset(this.config.dataset);
    return loaderPermalink(this.config, commit, source);
  }

  /** Live statistics. */
  stats(): LoaderStats {
    return this.#stats.snapshot(
      this.#reader?.stats ?? { reads: 0, bytes: 0, cacheHits: 0 },
      this.#cache.hits,
    );
  }

  /** Stops everything: running epochs end with ABORTED, workers are terminated. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const c of this.#active) c.abort();
    this.#pool?.close();
  }

  [Symbol.asyncIterator](): AsyncIterator<Batch> {
    return this.epoch(this.#nextEpoch++);
  }

  /**
   * The batches of epoch `e` (any number of times, always the same). `underway`, when given, is
   * called once the epoch needs this thread no more to get its first batch made: with worker
   * lanes, once that batch's items are handed to them (its bytes read); inline, once its reads
   * are started (the items are then processed on this thread, whenever it is free). It is
   * called at the latest when the epoch fails or ends, so a caller may wait for it.
   */
  async *epoch(e: number, underway?: () => void): AsyncGenerator<Batch, void, undefined> {
    let handedOff = underway;
    const handOff = () => {
      handedOff?.();
      handedOff = undefined;
    };
    try {
      yield* this.#epoch(e, handOff);
    } finally {
      handOff();
    }
  }

  async *#epoch(e: number, handOff: () => void): AsyncGenerator<Batch, void, undefined> {
    if (!Number.isSafeInteger(e) || e < 0) {
      throw new LakeError('BAD_INPUT', `epoch must be a non-negative integer, got ${e}`);
    }
    this.#checkOpen();
    // The workers start (a module load each) while the items resolve and the packs are read.
    const spawned = this.#startLanes();
    let items: LoaderItems;
    try {
      items = await this.#ready();
    } catch (err) {
      if (spawned) this.#stopLanes();
      throw err;
    }
    this.#reader!.prefetch();
    if (this.#inline) handOff();
    const { batchSize: size, prefetch, shuffle: sh } = this.config;
    const n = items.rowIds.length;
    const order =
      sh.order === 'storage'
        ? Uint32Array.from({ length: n }, (_, i) => i)
        : shuffle(n, sh.seed, e);
    const count = this.config.dropLast ? Math.floor(n / size) : Math.ceil(n / size);
    const job: ItemJob = {
      augment: this.config.augment,
      seed: sh.seed,
      epoch: e,
      ...(this.config.channels ? { channels: this.config.channels } : {}),
    };
    const ctl = new AbortController();
    this.#active.add(ctl);
    const started: (Promise<Built> | undefined)[] = [];
    let made = 0;
    try {
      for (let k = 0; k < count; k++) {
        for (; made < count && made <= k + prefetch; made++) {
          const slice = order.subarray(made * size, Math.min(n, (made + 1) * size));
          const p = this.#build(items, job, made, slice, ctl.signal, made ? undefined : handOff);
          p.catch(() => undefined); // awaited in turn; a batch never reached must not go unhandled
          started.push(p);
        }
        const t = now();
        let built: Built;
        try {
          built = await started[k]!;
        } catch (err) {
          this.#checkOpen();
          throw err;
        } finally {
          this.#stats.ms.wait += now() - t;
          started[k] = undefined;
        }
        this.#checkOpen();
        settleErrors(items, built, this.config.onError, this.#stats);
        if (!built.batch) continue;
        this.#stats.items += built.batch.shape[0];
        this.#stats.batches++;
        const t1 = now();
        try {
          yield built.batch;
        } finally {
          this.#stats.ms.consumer += now() - t1;
        }
        this.#checkOpen();
      }
    } finally {
      ctl.abort();
      this.#active.delete(ctl);
    }
  }

  #checkOpen(): void {
    if (this.#closed) throw new LakeError('ABORTED', 'the loader was closed');
  }

  #ready(): Promise<LoaderItems> {
    const given = this.#given;
    this.#items ??= (
      given
        ? given().then((items) => checkGivenItems(this.config, items))
        : resolveItems(this.#lake, this.config)
    ).then(
      (items) => {
        const cache = this.#cacheBytes === undefined ? {} : { cacheBytes: this.#cacheBytes };
        this.#reader = new ObjectReader(this.#chunks ?? this.#lake.chunks, items.index, cache);
        this.#reader.expect(items.images);
        return items;
      },
      (e: unknown) => {
        this.#items = null;
        throw e;
      },
    );
    return this.#items;
  }

  /** Starts the lanes unless they run; true when this call started them. */
  #startLanes(): boolean {
    if (this.#pool) return false;
    const spawn = this.config.workers > 0 ? this.#spawn : undefined;
    this.#inline = !spawn;
    this.#pool = new LanePool(
      spawn ? Array.from({ length: this.config.workers }, spawn) : [inlineLane()],
    );
    this.#stats.lanes = this.#pool.size;
    return true;
  }

  /** Stops lanes started for an epoch that could not begin (the next epoch starts others). */
  #stopLanes(): void {
    this.#pool?.close();
    this.#pool = null;
  }

  /** Reads and processes one batch; rejects only when a lane fails or the epoch was left. */
  async #build(
    items: LoaderItems,
    job: ItemJob,
    k: number,
    positions: Uint32Array,
    signal: AbortSignal,
    dispatched?: () => void,
  ): Promise<Built> {
    const cached = Array.from(positions, (p) => this.#cache.get(p));
    const wanted: string[] = [];
    positions.forEach((p, i) => {
      const sha = items.images[p];
      if (sha && !cached[i]) wanted.push(sha);
    });
    const read = this.#io.then(async () => {
      if (!wanted.length) return [];
      if (signal.aborted) throw new LakeError('ABORTED', 'the epoch was left');
      const t = now();
      try {
        return await this.#reader!.read(wanted);
      } finally {
        this.#stats.ms.io += now() - t;
      }
    });
    this.#io = read.catch(() => undefined);
    // A failed read needs no call of `dispatched`: the epoch awaiting this batch fails, and
    // ends, with it (`epoch`'s finally).
    const got = await read;
    const tasks = taskResults(items, job, positions, cached, got, this.config.fields.image, (t) =>
      this.#pool!.run(t),
    );
    dispatched?.();
    const results = await Promise.all(tasks);
    results.forEach((r, i) => this.#cache.put(positions[i]!, r));
    return assembleBatch(items, job.epoch, k, positions, results, this.#stats);
  }
}
