/**
 * What the lake still needs: every chunk reachable from a ref of any dataset, from a commit the
 * ref log keeps (a deleted branch stays restorable for 30 days), or named by the resume journal
 * of unfinished work, or by a stored model or training checkpoint. Garbage collection keeps
 * these, and so does a failed writer cleaning up after itself.
 */
import type { Lake } from './lake.ts';
import { journaledObjects } from './journal.ts';
import { refLogRoots } from './reflog.ts';

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

/**
 * Everything that must be kept: chunks reachable from refs, from commits the ref log retains,
 * and the objects resume journals name. A ref-log commit that is gone already (collected
 * before, or an entry whose change never happened) is skipped: there is nothing to keep.
 */
export async function liveSet(lake: Lake, now = Date.now()): Promise<Set<string>> {
  const live = await liveChunks(lake);
  for (const root of await refLogRoots(lake.backend.refs, now)) {
    if (live.has(root) || !(await lake.chunks.has(root))) continue;
    await reachable(lake, root, live);
  }
  for (const o of await journaledObjects(lake.backend.refs)) {
    for (const [chunk] of o.parts) live.add(chunk);
  }
  // Stored models and training checkpoints (src/lib/model/store.ts, checkpoints.ts) list
  // their chunks in their entries.
  for (const prefix of ['model/', 'model-run/']) {
    for (const e of await lake.backend.refs.list<{ chunks?: unknown }>(prefix)) {
      if (Array.isArray(e.value.chunks)) {
        for (const c of e.value.chunks) if (typeof c === 'string') live.add(c);
      }
    }
  }
  return live;
}
