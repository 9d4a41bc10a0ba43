/**
 * Unfinished work the lake still holds: the resume journals of interrupted ingests
 * (`ingest/<dataset>/…`) and batch pipeline runs (`transform/<dataset>/<branch>/…`). Garbage
 * collection keeps what they name so that a rerun resumes; this module says what that costs and
 * lets the user give the work up — the only way to free a first ingest that was killed before
 * its first commit, since no dataset exists yet to delete.
 */
import { LakeError } from '../store/errors.ts';
import type { Lake } from './lake.ts';
import { GC_LOCK, describeLease, liveLeases } from './lease.ts';
import type { ObjectEntry } from './manifest.ts';

/** One dataset's unfinished ingest, or one branch's unfinished batch pipeline run. */
export interface UnfinishedWork {
  kind: 'ingest' | 'transform';
  dataset: string;
  /** The source URL of an ingest; the target branch of a pipeline run. */
  what: string;
  /** Distinct objects the journal names, and their bytes (kept by gc). */
  objects: number;
  bytes: number;
}

interface JournalValue {
  source?: string;
  objects?: Record<string, ObjectEntry>;
}

/** Every piece of unfinished work, one entry per ingest journal or pipeline branch. */
export async function unfinishedWork(lake: Lake): Promise<UnfinishedWork[]> {
  const groups = new Map<string, UnfinishedWork & { seen: Set<string> }>();
  for (const kind of ['ingest', 'transform'] as const) {
    for (const e of await lake.backend.refs.list<JournalValue>(`${kind}/`)) {
      const parts = e.key.split('/');
      const dataset = parts[1]!;
      const what = kind === 'ingest' ? (e.value.source ?? '') : decodeURIComponent(parts[2] ?? '');
      const key = `${kind}\0${dataset}\0${kind === 'ingest' ? '' : what}`;
      let g = groups.get(key);
      if (!g) {
        g = { kind, dataset, what, objects: 0, bytes: 0, seen: new Set() };
        groups.set(key, g);
      }
      for (const [sha, o] of Object.entries(e.value.objects ?? {})) {
        if (g.seen.has(sha)) continue;
        g.seen.add(sha);
        g.objects++;
        g.bytes += o.size;
      }
    }
  }
  return [...groups.values()].map(({ seen: _seen, ...w }) => w);
}

/**
 * The unfinished work no writer is running now: saves and pipeline runs stopped midway (a tab
 * closed or reloaded, a failure), whose rerun resumes. A dataset with a live writer lease, in
 * this or another tab, is left out: its work is under way, not interrupted.
 */
export async function interruptedWork(
  lake: Lake,
  running?: ReadonlySet<string>,
): Promise<UnfinishedWork[]> {
  const busy = running ?? (await runningDatasets(lake));
  return (await unfinishedWork(lake)).filter((w) => !busy.has(w.dataset));
}

/** The datasets a live writer (an ingest, a pipeline run, …) holds a lease on, in any tab. */
export async function runningDatasets(lake: Lake): Promise<Set<string>> {
  const out = new Set<string>();
  for (const l of await liveLeases(lake)) if (l.dataset) out.add(l.dataset);
  return out;
}

/**
 * Gives up the unfinished work of `dataset` (its ingest and pipeline journals): the next
 * collection frees what only they kept. Refuses while a writer on that dataset is running.
 * @returns what was discarded.
 * @throws LakeError LOCKED while a writer of `dataset` is live; UNKNOWN_DATASET when nothing of
 *   it is unfinished.
 */
export async function discardUnfinished(lake: Lake, dataset: string): Promise<UnfinishedWork[]> {
  return lake.backend.locks.withLock(GC_LOCK, async () => {
    const running = (await liveLeases(lake)).filter((l) => l.dataset === dataset);
    if (running.length) {
      throw new LakeError(
        'LOCKED',
        `not discarding the unfinished work of "${dataset}": ${running.map(describeLease).join('; ')} is running`,
      );
    }
    const work = (await unfinishedWork(lake)).filter((w) => w.dataset === dataset);
    if (!work.length) {
      throw new LakeError(
        'UNKNOWN_DATASET',
        `no unfinished ingest or pipeline run of "${dataset}"`,
      );
    }
    for (const prefix of [`ingest/${dataset}/`, `transform/${dataset}/`]) {
      for (const e of await lake.backend.refs.list(prefix)) {
        await lake.backend.refs.cas(e.key, e.version, null);
      }
    }
    return work;
  });
}
