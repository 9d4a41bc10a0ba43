/**
 * Pull (fetch, then bring each local branch up to its remote head) and clone (a dataset the
 * lake does not have, whole, with the same commit hashes). A branch behind the remote moves
 * forward; one that diverged is merged with the lake's three-way merge (merge.ts), whose
 * conflicts fail the pull (MERGE_CONFLICT, nothing changed) unless a policy picks a side. A
 * protected local branch moves forward only by new imports, as it would locally.
 */
import { LakeError } from '../store/errors.ts';
import type { DatasetEntry } from '../versions/catalog.ts';
import { checkDatasetId, checkDatasetTwin } from '../versions/dataset-id.ts';
import type { Lake } from '../versions/lake.ts';
import { mergeBranches, type MergePolicy } from '../versions/merge.ts';
import { logged } from '../versions/reflog.ts';
import { createRef } from '../versions/ref-ops.ts';
import { getRef, refKey } from '../versions/refs.ts';
import { ancestorsOf, commitsSince } from './ancestry.ts';
import { fetchDataset, type FetchOptions, type FetchResult } from './fetch.ts';
import { datasetKey } from './layout.ts';
import type { RemoteSession } from './session.ts';

/** What a pull did to one branch. */
export interface BranchPull {
  branch: string;
  status: 'up-to-date' | 'ahead' | 'fast-forward' | 'merged' | 'created';
  from: string | null;
  to: string;
  conflicts?: number;
}

export interface PullOptions extends FetchOptions {
  /** Branches to update (default: every local branch the remote has). */
  branches?: string[];
  policy?: MergePolicy;
}

const short = (h: string) => h.slice(0, 12);

/** Fetches, then updates the local branches from their remote heads. */
export async function pull(
  lake: Lake,
  session: RemoteSession,
  dataset: string,
  opts: PullOptions = {},
): Promise<{ fetch: FetchResult; branches: BranchPull[] }> {
  await lake.dataset(dataset);
  const fetched = await fetchDataset(lake, session, dataset, opts);
  const remote = new Map(fetched.branches.map((b) => [b.name, b]));
  const local = await lake.branches(dataset);
  const names = opts.branches?.length
    ? opts.branches
    : local.map((b) => b.name).filter((n) => remote.has(n));
  const out: BranchPull[] = [];
  for (const name of names) {
    const theirs = remote.get(name)?.commit;
    if (!theirs)
      throw new LakeError(
        'UNKNOWN_REF',
        `remote ${session.name} has no branch "${name}" of ${dataset}`,
      );
    const ref = await getRef(lake.backend.refs, dataset, 'branch', name);
    if (!ref) {
      // As clone creates its branches: with the remote's protection (a read-only branch pulled
      // stays read-only), logged, under the lake's own name checks.
      await createRef(
        lake,
        dataset,
        'branch',
        name,
        theirs,
        'create',
        `pull ${session.name}: branch created`,
        remote.get(name)!.protected,
      );
      out.push({ branch: name, status: 'created', from: null, to: theirs });
      continue;
    }
    if (ref.commit === theirs) {
      out.push({ branch: name, status: 'up-to-date', from: ref.commit, to: theirs });
      continue;
    }
    if ((await ancestorsOf(lake, ref.commit)).has(theirs)) {
      out.push({ branch: name, status: 'ahead', from: ref.commit, to: ref.commit });
      continue;
    }
    if ((await ancestorsOf(lake, theirs)).has(ref.commit)) {
      await fastForward(lake, dataset, name, ref.commit, theirs, session.name);
      out.push({ branch: name, status: 'fast-forward', from: ref.commit, to: theirs });
      continue;
    }
    const merged = await mergeBranches(lake, dataset, {
      into: name,
      from: theirs,
      policy: opts.policy ?? 'fail',
      message: `merge ${session.name}/${name} into ${name}`,
    });
    out.push({
      branch: name,
      status: 'merged',
      from: ref.commit,
      to: merged.hash,
      conflicts: merged.conflicts.length,
    });
  }
  return { fetch: fetched, branches: out };
}

/** Moves a local branch forward to `to` (logged), honouring its protection. */
async function fastForward(
  lake: Lake,
  dataset: string,
  branch: string,
  from: string,
  to: string,
  remote: string,
) {
  const ref = (await getRef(lake.backend.refs, dataset, 'branch', branch))!;
  if (ref.protected) {
    for (const h of await commitsSince(lake, to, from)) {
      const c = await lake.readCommit(h);
      if (c.lineage.op !== 'ingest') {
        throw new LakeError(
          'PROTECTED_BRANCH',
          `pull refused for branch "${branch}" of ${dataset}: it is protected here and moves only by new imports, and ${remote}'s has a ${c.lineage.op} commit ${short(h)}. Pull it into another branch (create one from ${remote}'s head).`,
        );
      }
    }
  }
  const time = new Date().toISOString();
  const moved = await lake.backend.locks.withLock(`dataset:${dataset}`, () =>
    logged(
      lake.backend.refs,
      {
        dataset,
        kind: 'branch',
        name: branch,
        action: 'move',
        old: from,
        new: to,
        who: lake.actor,
        time,
        message: `pull ${remote}: fast-forward`,
      },
      () =>
        lake.backend.refs.cas(refKey(dataset, 'branch', branch), ref.version, {
          ...ref,
          commit: to,
          updatedAt: time,
        }),
    ),
  );
  if (!moved)
    throw new LakeError(
      'REF_CONFLICT',
      `branch "${branch}" of ${dataset} changed during the pull; pull again`,
    );
}

/**
 * Clones a dataset from a remote into this lake, which must not have it: every branch and tag,
 * with the remote's protection, the same commit hashes, and the remote's catalog entry. The id
 * must be one ingest would take (dataset-id.ts): a remote written by other means could hold
 * `a@b`, which the Query view's `"<dataset>@<branch>"` schema names would split wrongly.
 */
export async function clone(
  lake: Lake,
  session: RemoteSession,
  dataset: string,
  opts: FetchOptions = {},
): Promise<FetchResult> {
  checkDatasetId(dataset);
  const datasets = await lake.datasets();
  if (datasets.some((d) => d.id === dataset)) {
    throw new LakeError(
      'DATASET_EXISTS',
      `this lake has a dataset "${dataset}" already; pull into it, or delete it first`,
    );
  }
  checkDatasetTwin(
    dataset,
    datasets.map((d) => d.id),
  );
  // The catalog entry is read alongside the fetch (its refs listed first): one round trip less.
  const entry = session.remote.get(datasetKey(dataset), { signal: opts.signal });
  const fetching = fetchDataset(lake, session, dataset, { ...opts, proceedIf: entry });
  const [got, fetched] = await Promise.allSettled([entry, fetching]);
  if (got.status === 'rejected') throw got.reason;
  if (!got.value) {
    throw new LakeError('UNKNOWN_DATASET', `remote ${session.name} has no dataset "${dataset}"`);
  }
  if (fetched.status === 'rejected') throw fetched.reason;
  const catalog = JSON.parse(new TextDecoder().decode(got.value.bytes)) as DatasetEntry;
  if (!fetched.value.branches.length)
    throw new LakeError(
      'UNKNOWN_DATASET',
      `remote ${session.name} has no branch of dataset "${dataset}"`,
    );
  const time = new Date().toISOString();
  for (const r of [...fetched.value.branches, ...fetched.value.tags]) {
    const value = {
      commit: r.commit!,
      protected: r.kind === 'tag' || r.protected,
      updatedAt: time,
    };
    await logged(
      lake.backend.refs,
      {
        dataset,
        kind: r.kind,
        name: r.name,
        action: 'create',
        old: null,
        new: r.commit,
        who: lake.actor,
        time,
        message: `clone from ${session.name}`,
      },
      () => lake.backend.refs.cas(refKey(dataset, r.kind, r.name), 0, value),
    );
  }
  const { incomplete: _i, ...clean } = catalog;
  await lake.backend.refs.cas(`dataset/${dataset}`, 0, { ...clean, id: dataset });
  return fetched.value;
}

/** The remote's catalog entries (the datasets a clone can take). */
export async function remoteDatasets(
  session: RemoteSession,
  signal?: AbortSignal,
): Promise<DatasetEntry[]> {
  const out: DatasetEntry[] = [];
  for await (const o of session.remote.list('datasets/', { signal })) {
    const got = await session.remote.get(o.key, { signal });
    if (got) out.push(JSON.parse(new TextDecoder().decode(got.bytes)) as DatasetEntry);
  }
  return out;
}
