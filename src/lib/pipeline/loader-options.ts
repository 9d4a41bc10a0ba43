/**
 * What a dataloader is given and what it tells: where it runs and reads ({@link LoaderOptions}:
 * the lake, worker lanes, cancel, memory budgets, the reads' source, items resolved by the
 * caller), and what it reads once resolved ({@link LoaderInfo}). The loader itself is
 * loader.ts, which re-exports both.
 */
import type { ChunkReads } from '../store/types.ts';
import type { Lake } from '../versions/lake.ts';
import type { PoolLane } from './loader-item.ts';
import type { LoaderItems } from './loader-items.ts';

/** What a loader reads, once resolved. */
export interface LoaderInfo {
  dataset: string;
  commit: string;
  recordSet: string;
  /** Items selected (bad ones included until they are met). */
  items: number;
  batchesPerEpoch: number;
  /** Label values; `y` indexes them. */
  classes: string[];
}

/** Where a loader runs. */
export interface LoaderOptions {
  lake: Lake;
  /** Starts one worker lane (browser: `spawnLoaderWorker`); absent, items are processed inline. */
  spawn?: () => PoolLane;
  /** Closes the loader when fired (running epochs end with ABORTED). */
  signal?: AbortSignal;
  /** Bytes of whole packs kept in memory (default 256 MiB; see loader-read.ts). */
  cacheBytes?: number;
  /** Bytes of processed items kept for later epochs (default 256 MiB; see loader-cache.ts). */
  itemCacheBytes?: number;
  /**
   * Where the bytes are read (default `lake.chunks`). In the browser, the lake worker's reads
   * (`lakeWorkerChunks`, workers/api/lake-chunks.ts): it owns the OPFS handles and reads with
   * sync access handles, off the page's thread.
   */
  chunks?: ChunkReads;
  /**
   * Gives the selection, resolved by the caller from rows it has read anyway (training's
   * `prepareTrainingData` scans the record set before its loaders start): the loader then scans
   * nothing. Called once, when the loader first needs its items. It must give what
   * `resolveItems` would for `config` (rows in storage order), and `config.ref` must be its
   * commit; the loader checks the dataset, commit, record set and counts (BAD_INPUT).
   */
  items?: () => Promise<LoaderItems>;
}
