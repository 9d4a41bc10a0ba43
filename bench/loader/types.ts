/**
 * What the loader bench page (bench/loader/page.ts, in Chromium) is asked to do and what it
 * posts back to bench/loader.ts (as `window.__bench`). Plain JSON both ways; times in ms.
 */

/** The page's settings, passed in its URL's query string. */
export interface LoaderBenchSettings {
  /** The dataset's Croissant document, a path on the dev server (`/examples/…/metadata.json`). */
  metadata: string;
  /** Images the dataset holds (a check). */
  images: number;
  batchSize: number;
  workers: number;
  prefetch: number;
  runs: number;
  warmup: number;
  /** Items the one-read-per-image baseline of the read figure reads (it is slow). */
  readItems: number;
  /**
   * The figures use the first this many images of the dataset (the loader's `rowIds`); 0: all.
   * The smoke test's quick mode uses a few hundred.
   */
  subset: number;
}

/** Repeated timings of one thing, with what it processed. */
export interface Timing {
  name: string;
  items: number;
  ms: number[];
  medianMs: number;
  /** items ÷ median seconds. */
  perSecond: number;
}

/** The loader's own statistics of the last timed epoch (loader-stats.ts, summed per stage). */
export interface EpochStats {
  /** From the epoch's start (loader new: items resolved, workers started) to its first batch. */
  firstBatchMs: number;
  ioMs: number;
  verifyMs: number;
  decodeMs: number;
  augmentMs: number;
  waitMs: number;
  reads: number;
  bytesRead: number;
  cacheHits: number;
  lanes: number;
  bottleneck: string | null;
}

export interface LoaderBenchResults {
  settings: LoaderBenchSettings;
  env: { userAgent: string; hardwareConcurrency: number; crossOriginIsolated: boolean };
  setup: { ingestMs: number; items: number; packs: number; packBytes: number };
  /**
   * (a) the loader, decode only (baseline) and with the typical augmentation: the first epoch
   * of a new loader, and a later epoch (workers warm, packs kept).
   */
  augment: {
    decodeOnly: Timing;
    augmented: Timing;
    laterDecode: Timing;
    laterAugmented: Timing;
    stats: Record<string, EpochStats>;
  };
  /** (b) the same item work on one thread, bytes in memory, no loader (× workers: the ceiling). */
  ceiling: { direct: Timing; loader: Timing };
  /**
   * (c) reading an epoch's bytes: one read per image against the loader's reader, on the page
   * (`getFile()`) and through the lake worker (the loader's path).
   */
  reads: {
    perImage: Timing;
    reader: Timing;
    worker: Timing;
    readerStats: { reads: number; bytes: number };
  };
  problems: string[];
}
