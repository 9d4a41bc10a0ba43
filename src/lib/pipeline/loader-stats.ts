/**
 * Live statistics of a dataloader and its one-word bottleneck verdict.
 *
 * Times (ms) are split into:
 * - `io`: wall time the loader spent reading bytes from the lake (one reader, in batch order);
 * - `verify`, `decode`, `augment`: time summed over items where they ran (workers or inline);
 *   `augment` includes the channel-first layout;
 * - `wait`: time the consumer spent waiting for a batch (the pipeline was behind);
 * - `consumer`: time between handing a batch out and being asked for the next (the consumer's
 *   own work, e.g. a training step).
 *
 * The verdict ({@link bottleneck}): `consumer` when the consumer's own time is at least the time
 * it waited (batches were ready when asked: a faster pipeline would not help). Otherwise the
 * pipeline stage with the most time per lane: `io` (wall, one reader) against
 * `(verify + decode) / lanes` and `augment / lanes` (the lanes work in parallel).
 */

/** The stage that limits throughput. */
export type Bottleneck = 'io' | 'decode' | 'augment' | 'consumer';

/** Milliseconds by stage. */
export interface StageTimes {
  io: number;
  verify: number;
  decode: number;
  augment: number;
  wait: number;
  consumer: number;
}

/** One skipped item. */
export interface SkippedItem {
  rowId: bigint;
  code: string;
  message: string;
}

/** A snapshot of a loader's statistics. */
export interface LoaderStats {
  /** Items and batches delivered. */
  items: number;
  batches: number;
  /** Items delivered per second of iteration (time inside and between `next()` calls). */
  itemsPerSecond: number;
  ms: StageTimes;
  /** Lanes working in parallel (workers, or 1 inline). */
  lanes: number;
  /** null until a batch was delivered. */
  bottleneck: Bottleneck | null;
  /** Items skipped (`onError: 'skip'`), and the first {@link MAX_SKIPPED_KEPT} of them. */
  skipped: number;
  skippedItems: SkippedItem[];
  /** Ranges read from the lake, their bytes, and items served from the range kept in memory. */
  reads: number;
  bytesRead: number;
  cacheHits: number;
  /** Items served already processed, from the loader's item cache (later epochs). */
  itemCacheHits: number;
}

/** Skipped items kept with their messages (the count goes on). */
export const MAX_SKIPPED_KEPT = 1000;

/** The verdict for stage times over `lanes` parallel lanes (see the module comment). */
export function bottleneck(ms: StageTimes, lanes: number): Bottleneck {
  if (ms.consumer >= ms.wait) return 'consumer';
  const n = Math.max(1, lanes);
  const stages: [Bottleneck, number][] = [
    ['io', ms.io],
    ['decode', (ms.verify + ms.decode) / n],
    ['augment', ms.augment / n],
  ];
  let best = stages[0]!;
  for (const s of stages) if (s[1] > best[1]) best = s;
  return best[0];
}

/** Accumulates a loader's statistics. */
export class StatsRecorder {
  items = 0;
  batches = 0;
  readonly ms: StageTimes = { io: 0, verify: 0, decode: 0, augment: 0, wait: 0, consumer: 0 };
  skipped = 0;
  readonly skippedItems: SkippedItem[] = [];
  lanes = 1;

  /** Counts a skipped item. */
  skip(item: SkippedItem): void {
    this.skipped++;
    if (this.skippedItems.length < MAX_SKIPPED_KEPT) this.skippedItems.push(item);
  }

  /** A snapshot; `io` counters come from the reader. */
  snapshot(
    io: { reads: number; bytes: number; cacheHits: number },
    itemCacheHits = 0,
  ): LoaderStats {
    const active = this.ms.wait + this.ms.consumer;
    return {
      items: this.items,
      batches: this.batches,
      itemsPerSecond: active > 0 ? (this.items * 1000) / active : 0,
      ms: { ...this.ms },
      lanes: this.lanes,
      bottleneck: this.batches ? bottleneck(this.ms, this.lanes) : null,
      skipped: this.skipped,
      skippedItems: [...this.skippedItems],
      reads: io.reads,
      bytesRead: io.bytes,
      cacheHits: io.cacheHits,
      itemCacheHits,
    };
  }
}
