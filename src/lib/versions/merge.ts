/**
 * Three-way merge of a revision into a branch, per record set, keyed by row id. Only rows that
 * changed since the merge base are read (see diff.ts), the row merge itself is the pure
 * `mergeRows`, and the result is applied to our manifest with deletion vectors and one new
 * fragment, so nothing existing is rewritten.
 */
import { LakeError } from '../store/errors.ts';
import { putJson } from './chunks.ts';
import { emptyRecordSet, rowChanges } from './diff-rows.ts';
import { protectedError } from './commit.ts';
import type { Lake } from './lake.ts';
import { canonicalJson, type Commit, type RecordSetManifest } from './manifest.ts';
import { applyPlan, planRecordSet, type Plan } from './merge-recordset.ts';
import { conflictError, type MergeConflict, type MergePolicy } from './merge-rows.ts';
import { getRef } from './refs.ts';
import { leased } from './lease.ts';

export { conflictError, mergeRows, type MergeConflict, type MergePolicy } from './merge-rows.ts';

/** What to merge into what, and how conflicts are resolved. */
export interface MergeOptions {
  /** The branch to merge into (ours). */
  into: string;
  /** The branch, tag or commit to merge (theirs). */
  from: string;
  policy?: MergePolicy;
  author?: string;
  /** The code that produced this change (e.g. `{ repo, commit }`), recorded in its lineage. */
  code?: Record<string, string>;
  message?: string;
  /** Commit time, for reproducible tests. */
  time?: string;
}

/** Counts of what a merge did. */
export interface MergeStats {
  /** Rows written (added or changed) and deleted on top of ours. */
  upserted: number;
  deleted: number;
  conflicts: number;
  /** Record sets taken whole from theirs, or removed because theirs removed them. */
  recordSetsAdded: number;
  recordSetsRemoved: number;
  /** Columns carried over from theirs. */
  columnsAdded: number;
}

/** The outcome of `mergeBranches`. */
export interface MergeResult {
  /** The merge commit, or our head when there was nothing to merge. */
  hash: string;
  commit: Commit;
  /** True when theirs was already merged (an ancestor of ours): nothing was committed. */
  upToDate: boolean;
  base: string | null;
  /** Conflicts met and resolved by the policy (under `fail` the merge throws instead). */
  conflicts: MergeConflict[];
  stats: MergeStats;
}

/** Every ancestor of `start` (itself included) with its distance in commits. */
async function ancestors(lake: Lake, start: string): Promise<Map<string, number>> {
  const dist = new Map([[start, 0]]);
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const h = queue[i]!;
    for (const p of (await lake.readCommit(h)).parents) {
      if (dist.has(p)) continue;
      dist.set(p, dist.get(h)! + 1);
      queue.push(p);
    }
  }
  return dist;
}

/**
 * The nearest common ancestor of two revisions, or null when they share no history. Among
 * common ancestors that are not ancestors of another common one, the closest (sum of
 * distances) wins, then the newest, then the smallest hash, so the choice is deterministic.
 */
export async function mergeBase(
  lake: Lake,
  dataset: string,
  a: string,
  b: string,
): Promise<string | null> {
  const hash = async (r: string) => (/^[0-9a-f]{64}$/.test(r) ? r : lake.resolve(dataset, r));
  const da = await ancestors(lake, await hash(a));
  const db = await ancestors(lake, await hash(b));
  const common = [...da.keys()].filter((h) => db.has(h));
  // A common ancestor reachable from another common one is never the best.
  const stale = new Set<string>();
  const queue: string[] = [];
  for (const h of common) queue.push(...(await lake.readCommit(h)).parents);
  while (queue.length) {
    const h = queue.pop()!;
    if (stale.has(h)) continue;
    stale.add(h);
    queue.push(...(await lake.readCommit(h)).parents);
  }
  const best = [];
  for (const h of common.filter((c) => !stale.has(c))) {
    best.push({ h, d: da.get(h)! + db.get(h)!, t: (await lake.readCommit(h)).time });
  }
  best.sort((x, y) => x.d - y.d || y.t.localeCompare(x.t) || x.h.localeCompare(y.h));
  return best[0]?.h ?? null;
}

/** Merged record sets, object index and stats of base/ours/theirs commits. */
async function mergeCommits(
  lake: Lake,
  cb: Commit,
  co: Commit,
  ct: Commit,
  policy: MergePolicy,
): Promise<{
  recordSets: Commit['recordSets'];
  objects: string | null;
  conflicts: MergeConflict[];
  stats: MergeStats;
}> {
  const stats: MergeStats = {
    upserted: 0,
    deleted: 0,
    conflicts: 0,
    recordSetsAdded: 0,
    recordSetsRemoved: 0,
    columnsAdded: 0,
  };
  const recordSets: Commit['recordSets'] = {};
  const conflicts: MergeConflict[] = [];
  const plans: [string, Plan][] = [];
  const same = (x: unknown, y: unknown) => canonicalJson(x ?? null) === canonicalJson(y ?? null);
  const ids = new Set([cb, co, ct].flatMap((c) => Object.keys(c.recordSets)));
  for (const id of [...ids].sort()) {
    const [b, o, t] = [cb.recordSets[id], co.recordSets[id], ct.recordSets[id]];
    const take = (rs: RecordSetManifest | undefined) => {
      if (rs) recordSets[id] = rs;
      if (rs && !o) stats.recordSetsAdded++;
      if (!rs && o) stats.recordSetsRemoved++;
    };
    if (same(t, b)) take(o);
    else if (same(o, b)) {
      take(t);
      // Taken whole, what theirs changed is still written on top of ours: counted as a plan's
      // rows are (a pull that brought a row reported "upserted 0").
      if (t) {
        const d = await rowChanges(
          lake.chunks,
          b ?? emptyRecordSet(t.name),
          t,
          `merging record set ${id} of ${co.dataset} (theirs)`,
        );
        stats.upserted += d.added.size + d.modified.size;
        stats.deleted += d.removed.size;
      } else if (b) stats.deleted += b.rows;
    } else if (!o || !t) {
      // Removed on one side, changed on the other.
      const side = (rs?: RecordSetManifest) => (rs ? { rows: rs.rows } : null);
      conflicts.push({
        recordSet: id,
        rowid: '*',
        column: '*',
        ours: side(o),
        base: side(b),
        theirs: side(t),
      });
      take(policy === 'theirs' ? t : o);
    } else {
      const what = `merging record set ${id} of ${co.dataset}`;
      const plan = await planRecordSet(lake.chunks, id, b, o, t, policy, what);
      conflicts.push(...plan.rows.conflicts);
      plans.push([id, plan]);
    }
  }
  stats.conflicts = conflicts.length;
  // Refuse before writing anything, so a failed merge leaves no chunks behind.
  if (policy === 'fail' && conflicts.length)
    throw conflictError(conflicts, `merge into ${co.dataset}`);
  for (const [id, plan] of plans) {
    recordSets[id] = await applyPlan(
      lake.chunks,
      plan,
      `merging record set ${id} of ${co.dataset}`,
    );
    stats.upserted += plan.rows.upserts.length;
    stats.deleted += plan.rows.deletes.length;
    stats.columnsAdded += plan.carried.length;
  }
  return { recordSets, objects: await mergeObjects(lake, co, ct), conflicts, stats };
}

/** Ours' object index, united with theirs' when theirs stores objects ours does not. */
async function mergeObjects(lake: Lake, co: Commit, ct: Commit): Promise<string | null> {
  if (!ct.objects || ct.objects === co.objects) return co.objects;
  const [oi, ti] = [await lake.readObjects(co), await lake.readObjects(ct)];
  if (Object.keys(ti.objects).every((k) => k in oi.objects)) return co.objects;
  const ids = new Set(oi.files.map((f) => f.id));
  return putJson(lake.chunks, {
    ...oi,
    objects: { ...ti.objects, ...oi.objects },
    files: [...oi.files, ...ti.files.filter((f) => !ids.has(f.id))],
  });
}

/** Thrown inside the commit builder when a concurrent change made the merge unnecessary. */
class UpToDate extends Error {}

/**
 * Merges `from` into the branch `into` with a three-way merge per record set, and commits the
 * result on `into` with `from` as second parent (lineage op "merge"). Conflicts fail the
 * merge with MERGE_CONFLICT (policy "fail", the default) or take one side ("ours", "theirs").
 * When `from` is already an ancestor of `into`, nothing is committed (`upToDate`).
 */
export const mergeBranches = leased('merge', mergeBranchesLeased);

async function mergeBranchesLeased(
  lake: Lake,
  dataset: string,
  opts: MergeOptions,
): Promise<MergeResult> {
  const policy = opts.policy ?? 'fail';
  const theirs = await lake.resolve(dataset, opts.from);
  const ref = await getRef(lake.backend.refs, dataset, 'branch', opts.into);
  if (!ref)
    throw new LakeError(
      'UNKNOWN_REF',
      `dataset ${dataset} has no branch "${opts.into}" to merge into`,
    );
  if (ref.protected) throw protectedError(dataset, opts.into);
  const empty: MergeStats = {
    upserted: 0,
    deleted: 0,
    conflicts: 0,
    recordSetsAdded: 0,
    recordSetsRemoved: 0,
    columnsAdded: 0,
  };
  const upToDate = async (head: string): Promise<MergeResult> => ({
    hash: head,
    commit: await lake.readCommit(head),
    upToDate: true,
    base: theirs,
    conflicts: [],
    stats: empty,
  });
  if ((await ancestors(lake, ref.commit)).has(theirs)) return upToDate(ref.commit);
  let out: Awaited<ReturnType<typeof mergeCommits>> | undefined;
  let base: string | null = null;
  try {
    const res = await lake.commit(
      dataset,
      opts.into,
      async (head) => {
        const ours = head!;
        base = await mergeBase(lake, dataset, ours, theirs);
        if (base === theirs) throw new UpToDate(ours);
        if (!base) {
          throw new LakeError(
            'BAD_INPUT',
            `${opts.from} and ${opts.into} of ${dataset} share no history; nothing to merge against`,
          );
        }
        const [cb, co, ct] = [
          await lake.readCommit(base),
          await lake.readCommit(ours),
          await lake.readCommit(theirs),
        ];
        out = await mergeCommits(lake, cb, co, ct, policy);
        const { upserted, deleted, conflicts } = out.stats;
        return {
          message: opts.message ?? `merge ${opts.from} into ${opts.into}`,
          lineage: {
            op: 'merge',
            params: {
              from: opts.from,
              fromCommit: theirs,
              into: opts.into,
              base,
              policy,
              upserted,
              deleted,
              conflicts,
            },
          },
          document: co.document,
          objects: out.objects,
          recordSets: out.recordSets,
          extraParents: [theirs],
        };
      },
      { author: opts.author, time: opts.time, ...(opts.code ? { code: opts.code } : {}) },
    );
    return { ...res, upToDate: false, base, conflicts: out!.conflicts, stats: out!.stats };
  } catch (e) {
    if (e instanceof UpToDate) return upToDate(e.message);
    throw e;
  }
}
