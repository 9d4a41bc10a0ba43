/**
 * The loader panel's state: one dataloader run at a time over the lake, one epoch, with live
 * statistics, a throughput series, a preview of the current batch, the sha256 of every batch
 * of the epoch (x, then y, then row ids, batch after batch) and the loader's permalink.
 *
 * Host: the loader runs on the page, over the lake opened on the main thread (OPFS + IndexedDB
 * work there too) for its refs and manifests, with the image bytes read by the lake worker
 * (sync access handles, whole packs, ahead of decoding) and `spawnLoaderWorker` lanes doing the
 * decode and augment work; the page assembles batches and hashes them.
 */
import type { Lake } from '../lib/versions/lake.ts';
import type { Image } from '../lib/pipeline/image.ts';
import { createLoader } from '../lib/pipeline/loader.ts';
import { loaderPermalink } from '../lib/pipeline/loader-config.ts';
import type { LoaderConfig, LoaderInfo, LoaderStats } from '../lib/pipeline/loader.ts';
import type { PoolLane } from '../lib/pipeline/loader-item.ts';
import { sha256Stream } from '../lib/store/hash.ts';
import type { ChunkReads } from '../lib/store/types.ts';
import { describeError, type ErrorInfo } from './format.ts';
import { batchItem } from './pipeline-steps.ts';

/** Items shown from the current batch. */
export const PREVIEW_ITEMS = 8;
/** Throughput points kept for the chart. */
export const SERIES_POINTS = 120;

/** Where a run stands. */
export type LoaderStatus = 'idle' | 'starting' | 'running' | 'done' | 'stopped' | 'failed';

/** One point of the throughput chart: seconds since start, items per second then. */
export interface ThroughputPoint {
  t: number;
  ips: number;
}

/** What the page gives a run: the lake, how to start a worker lane, and where to read bytes. */
export interface LoaderHost {
  openLake: () => Promise<Lake>;
  spawn: () => PoolLane;
  /** The image bytes' reads (the lake worker's); absent, the lake's own store on the page. */
  chunks?: ChunkReads;
}

/** What a run used: its result is shown with these, not with the settings typed since. */
export interface RunSettings {
  epoch: number;
  batchSize: number;
  workers: number;
  prefetch: number;
  seed: number;
}

/** See the module comment. */
export class LoaderRun {
  status = $state<LoaderStatus>('idle');
  /** The settings of the current or last run (null before the first). */
  ran = $state.raw<RunSettings | null>(null);
  info = $state.raw<LoaderInfo | null>(null);
  stats = $state.raw<LoaderStats | null>(null);
  series = $state.raw<ThroughputPoint[]>([]);
  preview = $state.raw<{ rowId: string; y: number; image: Image }[]>([]);
  /** Batches delivered this epoch. */
  batches = $state(0);
  epochHash = $state<string | null>(null);
  permalink = $state<string | null>(null);
  failure = $state.raw<ErrorInfo | null>(null);

  readonly #host: LoaderHost;
  #abort: AbortController | null = null;
  #destroyed = false;

  constructor(host: LoaderHost) {
    this.#host = host;
  }

  get running(): boolean {
    return this.status === 'starting' || this.status === 'running';
  }

  /**
   * The permalink of `config` without running it: its branch resolved to the commit now, as a
   * run would (a link needed a run started first). A run's own link replaces it when it starts.
   */
  async link(config: LoaderConfig): Promise<void> {
    this.failure = null;
    try {
      const lake = await this.#host.openLake();
      const commit = /^[0-9a-f]{64}$/.test(config.ref)
        ? config.ref
        : await lake.resolve(config.dataset, config.ref);
      const { source } = await lake.dataset(config.dataset);
      if (!this.#destroyed) this.permalink = loaderPermalink(config, commit, source);
    } catch (e) {
      if (!this.#destroyed) this.failure = describeError(e);
    }
  }

  /** Runs epoch `epoch` of a loader with `config`; a run in progress is stopped first. */
  async start(config: LoaderConfig, epoch = 0): Promise<void> {
    this.stop();
    const abort = new AbortController();
    this.#abort = abort;
    this.status = 'starting';
    const { batchSize, workers, prefetch } = config;
    this.ran = { epoch, batchSize, workers, prefetch, seed: config.shuffle.seed };
    this.failure = null;
    this.info = null;
    this.stats = null;
    this.series = [];
    this.preview = [];
    this.batches = 0;
    this.epochHash = null;
    this.permalink = null;
    const live = () => !this.#destroyed && this.#abort === abort;
    try {
      const lake = await this.#host.openLake();
      if (!live()) return;
      const chunks = this.#host.chunks;
      const loader = createLoader(config, {
        lake,
        spawn: this.#host.spawn,
        signal: abort.signal,
        ...(chunks ? { chunks } : {}),
      });
      this.info = await loader.info();
      this.permalink = await loader.permalink();
      if (!live()) return;
      this.status = 'running';
      const hasher = await sha256Stream();
      const t0 = performance.now();
      let last = t0;
      for await (const batch of loader.epoch(epoch)) {
        if (!live()) return;
        hasher.update(new Uint8Array(batch.x.buffer, batch.x.byteOffset, batch.x.byteLength));
        hasher.update(new Uint8Array(batch.y.buffer, batch.y.byteOffset, batch.y.byteLength));
        hasher.update(
          new Uint8Array(batch.rowIds.buffer, batch.rowIds.byteOffset, batch.rowIds.byteLength),
        );
        const t = performance.now();
        const n = batch.shape[0];
        const point = { t: (t - t0) / 1000, ips: (n * 1000) / Math.max(t - last, 1e-3) };
        last = t;
        this.series = [...this.series, point].slice(-SERIES_POINTS);
        this.batches++;
        this.stats = loader.stats();
        this.preview = Array.from({ length: Math.min(n, PREVIEW_ITEMS) }, (_, i) => ({
          rowId: String(batch.rowIds[i]),
          y: batch.y[i] ?? -1,
          image: batchItem(batch.x, batch.shape, i),
        }));
        // Lets the page paint between batches.
        await new Promise((r) => setTimeout(r, 0));
      }
      if (!live()) return;
      this.stats = loader.stats();
      this.epochHash = hasher.digest('hex');
      this.status = 'done';
      loader.close();
    } catch (e) {
      if (!live()) return;
      const error = describeError(e);
      if (error.code === 'ABORTED') this.status = 'stopped';
      else {
        this.failure = error;
        this.status = 'failed';
      }
    } finally {
      if (this.#abort === abort) {
        this.#abort = null;
        abort.abort();
      }
    }
  }

  /** Stops the run (its workers are terminated). */
  stop(): void {
    if (!this.#abort) return;
    const abort = this.#abort;
    this.#abort = null;
    abort.abort();
    if (this.running) this.status = 'stopped';
  }

  destroy(): void {
    this.#destroyed = true;
    this.stop();
  }
}
