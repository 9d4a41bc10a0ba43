/**
 * Fetch: a dataset's branches and tags from a remote into the lake, as remote-tracking refs
 * (`ref/<id>/remote/<remote>/<branch>`). The commit graph is walked from the remote heads down
 * to what the lake has already; only missing chunks are downloaded, and every one is checked
 * against its sha256 before it is stored (CORRUPT_CHUNK naming what it is, otherwise). The work
 * runs under a writer lease, so garbage collection keeps what arrives; an interrupted fetch
 * keeps what it stored (for the grace period), and fetching again resumes from there.
 */
import { LakeError, checkAborted } from '../store/errors.ts';
import { sha256 } from '../store/hash.ts';
import type { Lake } from '../versions/lake.ts';
import { liveChunks } from '../versions/live.ts';
import { parseCommit, parseObjectIndex } from '../versions/manifest.ts';
import { setTracking, trackingRefs } from './config.ts';
import { indexChunks, ownChunks, type ChunkLabels } from './graph.ts';
import { chunkKey } from './layout.ts';
import { eachLimited } from './pool.ts';
import type { SyncProgress } from './progress.ts';
import type { RemoteRef } from './remote-refs.ts';
import type { RemoteSession } from './session.ts';

export interface FetchOptions {
  signal?: AbortSignal;
  onProgress?: (p: SyncProgress) => void;
  concurrency?: number;
  /**
   * Awaited once the refs are listed: falsy stops the fetch there, nothing stored or changed
   * (clone reads the remote's catalog entry alongside the listing, and fetches only if found).
   */
  proceedIf?: Promise<unknown>;
}

/** What a fetch found and brought. */
export interface FetchResult {
  /** The remote's live branches and tags. */
  branches: RemoteRef[];
  tags: RemoteRef[];
  /** Chunks downloaded, and their bytes. */
  downloaded: number;
  bytes: number;
  /** Remote branches that forked (claims mode): both heads are kept as tracking refs. */
  forks: { branch: string; commits: string[] }[];
}

/** Downloads one chunk and checks it against its address. */
async function download(
  session: RemoteSession,
  hash: string,
  what: string,
  signal: AbortSignal | undefined,
): Promise<Uint8Array> {
  const got = await session.remote.get(chunkKey(hash), { signal });
  if (!got) {
    throw new LakeError(
      'MISSING_CHUNK',
      `${what}: chunk ${hash} is missing from remote ${session.name} (${session.remote.label}); push it again from a lake that has it`,
    );
  }
  const actual = await sha256(got.bytes);
  if (actual !== hash) {
    throw new LakeError(
      'CORRUPT_CHUNK',
      `${what}: chunk ${hash} on remote ${session.name} (${session.remote.label}) is damaged (its bytes hash to ${actual}); it was not stored. Push it again from a lake that holds it intact.`,
      { detail: { chunk: hash, what } },
    );
  }
  return got.bytes;
}

/**
 * Fetches the dataset's refs from the remote. Returns its live refs; the lake then has every
 * chunk they reach, and remote-tracking refs naming the branch heads.
 */
export async function fetchDataset(
  lake: Lake,
  session: RemoteSession,
  dataset: string,
  opts: FetchOptions = {},
): Promise<FetchResult> {
  const { signal } = opts;
  const progress: SyncProgress = {
    op: 'fetch',
    phase: 'refs',
    chunksDone: 0,
    chunksTotal: 0,
    bytesDone: 0,
  };
  const report = () => opts.onProgress?.({ ...progress });
  report();
  const all = await session.refs.listAll(dataset, signal);
  if (opts.proceedIf && !(await opts.proceedIf))
    return { branches: [], tags: [], downloaded: 0, bytes: 0, forks: [] };
  const branches = all.branch.filter((r) => r.commit);
  const tags = all.tag.filter((r) => r.commit);
  const forks = branches
    .filter((b) => b.forks?.length)
    .map((b) => ({
      branch: b.name,
      commits: [b.commit!, ...b.forks!.map((f) => f.commit).filter((c): c is string => Boolean(c))],
    }));
  const heads = [...branches, ...tags]
    .flatMap((r) => [r.commit!, ...(r.forks ?? []).map((f) => f.commit ?? '')])
    .filter(Boolean);

  // Lease-held, and failures returned rather than thrown: a failed writer's cleanup would
  // remove what was downloaded, and a fetch run again should find it.
  const outcome = await lake.writing({ op: 'fetch', dataset }, async (leased) => {
    try {
      return {
        ok: true as const,
        value: await bring(leased, session, dataset, heads, progress, report, opts),
      };
    } catch (error) {
      return { ok: false as const, error };
    }
  });
  if (!outcome.ok) throw outcome.error;
  const previous = await trackingRefs(lake.backend.refs, dataset, session.name);
  for (const b of branches) {
    await setTracking(lake.backend.refs, dataset, session.name, b.name, {
      commit: b.commit!,
      protected: b.protected,
      updatedAt: b.time,
    });
    for (const [i, f] of (b.forks ?? []).entries()) {
      if (f.commit) {
        await setTracking(lake.backend.refs, dataset, session.name, `${b.name}@fork${i + 1}`, {
          commit: f.commit,
          protected: b.protected,
          updatedAt: b.time,
        });
      }
    }
  }
  for (const name of previous.keys()) {
    if (!branches.some((b) => name === b.name || name.startsWith(`${b.name}@fork`))) {
      await setTracking(lake.backend.refs, dataset, session.name, name, null);
    }
  }
  return { branches, tags, downloaded: outcome.value.downloaded, bytes: progress.bytesDone, forks };
}

async function bring(
  lake: Lake,
  session: RemoteSession,
  dataset: string,
  heads: string[],
  progress: SyncProgress,
  report: () => void,
  opts: FetchOptions,
): Promise<{ downloaded: number }> {
  const { signal } = opts;
  progress.phase = 'scan';
  report();
  // Everything reachable from the lake's refs (its tracking refs too) is whole: stop there.
  const whole = await liveChunks(lake, dataset);
  const labels: ChunkLabels = new Map();
  const seen = new Set<string>();
  const stack = [...heads];
  let downloaded = 0;
  const stored = async (hash: string, what: string) => {
    if (await lake.chunks.has(hash)) return lake.chunks.get(hash);
    const bytes = await download(session, hash, what, signal);
    await lake.chunks.put(hash, bytes);
    downloaded++;
    progress.bytesDone += bytes.byteLength;
    return bytes;
  };
  while (stack.length) {
    checkAborted(signal);
    const hash = stack.pop()!;
    if (seen.has(hash) || whole.has(hash)) continue;
    seen.add(hash);
    const commit = parseCommit(await stored(hash, `commit ${hash} of ${dataset}`), hash);
    if (commit.dataset !== dataset) {
      throw new LakeError(
        'BAD_INPUT',
        `remote ${session.name}: commit ${hash} under dataset ${dataset} belongs to dataset ${commit.dataset}`,
      );
    }
    ownChunks(hash, commit, labels);
    if (commit.objects && !whole.has(commit.objects)) {
      const what = `the object index of commit ${hash.slice(0, 12)} (dataset ${dataset})`;
      indexChunks(
        commit,
        parseObjectIndex(await stored(commit.objects, what), commit.objects),
        labels,
      );
    }
    stack.push(...commit.parents);
  }
  const missing: [string, string][] = [];
  for (const [hash, what] of labels) {
    if (!whole.has(hash) && !(await lake.chunks.has(hash))) missing.push([hash, what]);
  }
  progress.phase = 'transfer';
  progress.chunksTotal = missing.length;
  report();
  await eachLimited(missing, opts.concurrency ?? 4, async ([hash, what]) => {
    checkAborted(signal);
    const bytes = await download(session, hash, what, signal);
    await lake.chunks.put(hash, bytes);
    downloaded++;
    progress.chunksDone++;
    progress.bytesDone += bytes.byteLength;
    report();
  });
  return { downloaded };
}
