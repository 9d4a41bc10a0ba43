/**
 * Garbage collection and dataset sizes. Live chunks are those reachable from any ref of any
 * dataset, from commits the ref log keeps (30 days), and the objects named by unfinished
 * work's journals (live.ts); anything else older than the grace period is deleted. Nothing is
 * deleted while a writer holds a live lease (lease.ts), whatever the grace period.
 */
import { LakeError } from '../store/errors.ts';
import type { Lake } from './lake.ts';
import { GC_LOCK, describeLease, liveLeases, type LeaseEntry } from './lease.ts';
import { liveChunks, liveSet } from './live.ts';
import { unfinishedWork, type UnfinishedWork } from './unfinished.ts';

export { liveChunks, reachable } from './live.ts';

/** One hour: a chunk younger than that is kept even when unreferenced. */
export const GC_GRACE_MS = 60 * 60 * 1000;

export interface GcResult {
  deleted: number;
  freedBytes: number;
  kept: number;
  keptBytes: number;
  temporaryRemoved: number;
  /** Unfinished ingests and pipeline runs, whose journaled objects were kept (unfinished.ts). */
  unfinished: UnfinishedWork[];
  /**
   * Writers that were running: nothing was deleted, because their chunks are not referenced
   * yet. Run the collection again once they are done.
   */
  deferred?: { writers: string[] };
}

/**
 * Deletes unreachable chunks older than `graceMs`, and leftovers of interrupted writes; defers
 * (deletes nothing, says who it waits for) while writers hold live leases.
 */
export async function collectGarbage(
  lake: Lake,
  opts: { graceMs?: number } = {},
): Promise<GcResult> {
  const grace = opts.graceMs ?? GC_GRACE_MS;
  // NaN would keep nothing (no chunk is newer than a NaN cutoff): refused, never read as 0.
  if (!Number.isFinite(grace) || grace < 0) {
    throw new LakeError(
      'BAD_INPUT',
      `gc's grace period must be a number of milliseconds ≥ 0, got ${String(grace)}; nothing was deleted`,
    );
  }
  return lake.backend.locks.withLock(GC_LOCK, async () => {
    const result: GcResult = {
      deleted: 0,
      freedBytes: 0,
      kept: 0,
      keptBytes: 0,
      temporaryRemoved: 0,
      unfinished: await unfinishedWork(lake),
    };
    const writers: LeaseEntry[] = await liveLeases(lake);
    if (writers.length) {
      for await (const c of lake.chunks.list()) {
        result.kept++;
        result.keptBytes += c.size;
      }
      return { ...result, deferred: { writers: writers.map(describeLease) } };
    }
    const live = await liveSet(lake);
    const cutoff = Date.now() - grace;
    const doomed: { hash: string; size: number }[] = [];
    for await (const c of lake.chunks.list()) {
      if (live.has(c.hash) || c.mtime > cutoff) {
        result.kept++;
        result.keptBytes += c.size;
      } else doomed.push(c);
    }
    for (const c of doomed) {
      await lake.chunks.delete(c.hash);
      result.deleted++;
      result.freedBytes += c.size;
    }
    result.temporaryRemoved = await lake.chunks.sweepTemporary();
    return result;
  });
}

/** Bytes each dataset's chunks take in the lake (shared chunks count for each), and in all. */
export async function datasetSizes(
  lake: Lake,
): Promise<{ total: number; byDataset: Record<string, number> }> {
  const sizes = new Map<string, number>();
  let total = 0;
  for await (const c of lake.chunks.list()) {
    sizes.set(c.hash, c.size);
    total += c.size;
  }
  const byDataset: Record<string, number> = {};
  for (const d of await lake.datasets()) {
    let n = 0;
    for (const h of await liveChunks(lake, d.id)) n += sizes.get(h) ?? 0;
    byDataset[d.id] = n;
  }
  return { total, byDataset };
}
