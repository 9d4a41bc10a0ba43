/**
 * Garbage collection and dataset sizes. Live chunks are those reachable from any ref of any
 * dataset, plus the objects named by unfinished ingests' journals; anything else older than
 * the grace period is deleted.
 */
import type { Lake } from './lake.ts';
import { journaledObjects } from './journal.ts';

/** One hour: an ingest running in another tab or process keeps its fresh chunks. */
export const GC_GRACE_MS = 60 * 60 * 1000;

export interface GcResult {
  deleted: number;
  freedBytes: number;
  kept: number;
  keptBytes: number;
  temporaryRemoved: number;
}

/** Every chunk reachable from a commit (its ancestors included) into `live`. */
export async function reachable(lake: Lake, commit: string, live: Set<string>): Promise<void> {
  const stack = [commit];
  while (stack.length) {
    const hash = stack.pop()!;
    if (live.has(hash)) continue;
    live.add(hash);
    const c = await lake.readCommit(hash);
    if (c.document) live.add(c.document);
    if (c.objects) {
      live.add(c.objects);
      for (const o of Object.values((await lake.readObjects(c)).objects)) {
        for (const [chunk] of o.parts) live.add(chunk);
      }
    }
    for (const rs of Object.values(c.recordSets)) {
      for (const f of rs.fragments) {
        live.add(f.chunk);
        if (f.deletions) live.add(f.deletions);
      }
    }
    stack.push(...c.parents);
  }
}

/** Chunks reachable from every ref of `dataset` (or of every dataset). */
export async function liveChunks(lake: Lake, dataset?: string): Promise<Set<string>> {
  const live = new Set<string>();
  const refs = await lake.backend.refs.list<{ commit: string }>(
    dataset ? `ref/${dataset}/` : 'ref/',
  );
  for (const e of refs) await reachable(lake, e.value.commit, live);
  return live;
}

/** Deletes unreachable chunks older than `graceMs`, and leftovers of interrupted writes. */
export async function collectGarbage(
  lake: Lake,
  opts: { graceMs?: number } = {},
): Promise<GcResult> {
  const grace = opts.graceMs ?? GC_GRACE_MS;
  return lake.backend.locks.withLock('gc', async () => {
    const live = await liveChunks(lake);
    for (const o of await journaledObjects(lake.backend.refs)) {
      for (const [chunk] of o.parts) live.add(chunk);
    }
    const result: GcResult = {
      deleted: 0,
      freedBytes: 0,
      kept: 0,
      keptBytes: 0,
      temporaryRemoved: 0,
    };
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
