/**
 * Push: a dataset's branches and tags from the lake to a remote. Only the chunks the remote
 * lacks move (those its known heads do not reach, checked by HEAD or a listing: present.ts),
 * large ones in parts; the refs move last, by compare-and-swap or claim (remote-refs.ts), and
 * only as fast-forwards. A push that would lose the remote's commits is refused before anything
 * is written (NON_FAST_FORWARD), and so is moving a branch protected on the remote by anything
 * but new imports (PROTECTED_BRANCH). An interrupted push resumes: what was uploaded is found
 * there.
 */
import { LakeError, checkAborted } from '../store/errors.ts';
import type { Lake } from '../versions/lake.ts';
import { reachable } from '../versions/live.ts';
import { setTracking, trackingRefs, uploadJournal } from './config.ts';
import { writeBucketDocument, type TableFiles } from './bucket-croissant.ts';
import { planDeltaLogs, type DeltaPlan } from './delta.ts';
import { deltaMemory } from './delta-state.ts';
import { chunkKey } from './layout.ts';
import { eachLimited } from './pool.ts';
import { listSmallRemote, presentChunks } from './present.ts';
import type { SyncProgress } from './progress.ts';
import { pushCatalogEntry } from './push-catalog.ts';
import { planRefs, short, type RefPush } from './push-plan.ts';
import { loggedUpdate } from './remote-refs.ts';
import { S3Remote } from './s3.ts';
import type { RemoteSession } from './session.ts';

export type { RefPush } from './push-plan.ts';

export interface PushOptions {
  /** Branches to push (default: every branch of the dataset). */
  branches?: string[];
  /** Push tags too (default true). */
  tags?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: SyncProgress) => void;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /** Write the Delta Lake log of each pushed branch head (default true; S3 remotes). */
  delta?: boolean;
}

export interface PushResult {
  refs: RefPush[];
  /** Chunks uploaded, and their bytes. */
  uploaded: number;
  bytes: number;
  /** Chunks needed that the remote had already. */
  present: number;
}

/** Chunks this large are not read ahead of their upload (a lane holds one more in memory). */
const READ_AHEAD_BELOW = 64 * 1024 * 1024;

/** A promise awaited later, possibly never: its rejection must not go unhandled meanwhile. */
function later<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

/** Pushes `dataset` to the remote of `session`. */
export async function push(
  lake: Lake,
  session: RemoteSession,
  dataset: string,
  opts: PushOptions = {},
): Promise<PushResult> {
  // Work started alongside the main line (the early listing, the Delta plans) is stopped and
  // settled before push returns or throws: nothing of a failed push goes on in the background.
  const aside = new AbortController();
  const started: Promise<unknown>[] = [];
  const signal = opts.signal ? AbortSignal.any([opts.signal, aside.signal]) : aside.signal;
  try {
    return await pushing(lake, session, dataset, { ...opts, signal }, (p) => {
      started.push(p);
      return later(p);
    });
  } finally {
    aside.abort();
    await Promise.allSettled(started);
  }
}

async function pushing(
  lake: Lake,
  session: RemoteSession,
  dataset: string,
  opts: PushOptions & { signal: AbortSignal },
  alongside: <T>(p: Promise<T>) => Promise<T>,
): Promise<PushResult> {
  const { signal } = opts;
  const progress: SyncProgress = {
    op: 'push',
    phase: 'refs',
    chunksDone: 0,
    chunksTotal: 0,
    bytesDone: 0,
  };
  const report = () => opts.onProgress?.({ ...progress });
  report();
  const entry = await lake.dataset(dataset);
  await session.checkWritable(signal);
  const concurrency = opts.concurrency ?? 4;
  const tracking = await trackingRefs(lake.backend.refs, dataset, session.name);
  // A first push to this remote (nothing tracked) will most likely send every chunk, and often
  // goes to a new or small remote: one listing of the whole remote, where it fits in a page,
  // answers for its chunks, the dataset's refs and its Delta logs (three requests otherwise).
  const listed = tracking.size ? undefined : alongside(listSmallRemote(session.remote, signal, ''));
  const plan = await planRefs(lake, session, dataset, { ...opts, listed });
  const changed = plan.filter((p) => p.status !== 'up-to-date');

  // Chunks the remote has for sure: everything its current heads (and what we last knew of
  // them) reach. The rest is checked one by one.
  progress.phase = 'scan';
  report();
  const known = new Set<string>();
  const remoteHeads = plan.map((p) => p.remote?.commit ?? null);
  const stale = [...tracking.values()].filter((t) => !remoteHeads.includes(t.commit));
  await eachLimited(stale, concurrency * 2, async (t) => {
    // What we last knew is trusted only while its commit is still there: a bucket emptied or
    // replaced under the same remote would otherwise get refs naming chunks it lacks.
    if (await session.remote.head(chunkKey(t.commit), { signal })) remoteHeads.push(t.commit);
  });
  for (const h of remoteHeads) {
    if (h && (await lake.chunks.has(h))) await reachable(lake, h, known);
  }
  const needed = new Set(known);
  for (const p of changed) await reachable(lake, p.new, needed);
  for (const h of known) needed.delete(h);
  const candidates = [...needed];
  const sizes = new Map<string, number>();
  if (candidates.length) {
    for await (const c of lake.chunks.list()) if (needed.has(c.hash)) sizes.set(c.hash, c.size);
  }
  const present = await presentChunks(session.remote, candidates, sizes, {
    concurrency: concurrency * 2,
    signal,
    listed,
  });
  // Largest first: the lanes then finish together, not behind one big chunk started last.
  const size = (h: string) => sizes.get(h) ?? 0;
  const missing = candidates.filter((h) => !present.has(h)).sort((a, b) => size(b) - size(a));

  // Each moved branch's Delta tables are planned (logs read, versions built) while the chunks
  // upload; they are written only once the branch has moved.
  const s3 = session.remote;
  const delta = opts.delta !== false && s3 instanceof S3Remote ? s3 : null;
  const memory = deltaMemory(lake.backend.refs, session.name);
  const deltaPlans: { branch: string; commit: string; planning: Promise<DeltaPlan> }[] = [];
  if (delta) {
    for (const { kind, name, new: commit } of changed) {
      if (kind !== 'branch') continue;
      const opts = { memory, signal, sizes, listed };
      const planning = alongside(planDeltaLogs(lake, delta, dataset, name, commit, opts));
      deltaPlans.push({ branch: name, commit, planning });
    }
  }

  progress.phase = 'transfer';
  progress.chunksTotal = missing.length;
  progress.bytesTotal = missing.reduce((n, h) => n + size(h), 0);
  report();
  const journal = uploadJournal(lake.backend.refs, session.name);
  // The ref's first requests go out once only the last wave of uploads is left to start (the
  // smallest chunks: they go largest first), so that the claim and its listing are answered
  // by the time the last upload ends rather than after it; never before the first wave has
  // started (nor, for a push of a few chunks, before the last upload starts).
  const claimAt = Math.min(
    missing.length - 1,
    Math.max(concurrency, missing.length - 1 - concurrency),
  );
  let dispatched!: () => void;
  const nearlyStarted = new Promise<void>((resolve) => (dispatched = resolve));
  if (!missing.length) dispatched();
  // Alongside: a push that loses the race for a ref before its last uploads end stops them.
  // Each lane reads (and so verifies) its next chunk while the current one goes up: once the
  // current one's request has gone out (reading hashes, synchronous work, which would otherwise
  // hold the first wave's requests behind the second wave's reads), unless a lane took it since.
  const reads = new Map<number, Promise<Uint8Array>>();
  let taken = -1; // lanes take the chunks in order
  const read = (i: number) => {
    let r = reads.get(i);
    if (!r) reads.set(i, (r = later(lake.chunks.get(missing[i]!))));
    return r;
  };
  const readAhead = (i: number) => setTimeout(() => signal.aborted || i <= taken || read(i), 0);
  const uploads = alongside(
    eachLimited(missing, concurrency, async (hash, i) => {
      if (i === claimAt) dispatched();
      checkAborted(signal);
      taken = i;
      const bytes = await read(i);
      reads.delete(i);
      const next = i + concurrency;
      if (next < missing.length && size(missing[next]!) < READ_AHEAD_BELOW) readAhead(next);
      let sent = 0;
      await session.remote.put(chunkKey(hash), bytes, {
        sha256: hash,
        signal,
        resume: journal,
        onBytes: (n) => {
          progress.bytesDone += n - sent;
          sent = n;
          report();
        },
      });
      progress.chunksDone++;
      report();
    }),
  );
  // The refs move last: a ref never names a commit whose chunks are not all there. Their first
  // requests (the ref log entry, a claim and its listing) go out with the last two waves of
  // uploads; the move itself (confirming the claim, the swap) waits until every chunk is there.
  // A claim that waited too long for them is made again (claim-refs.ts), never confirmed stale.
  await Promise.race([nearlyStarted, uploads]);
  const chunksThere = later(
    uploads.then(() => {
      progress.phase = 'refs';
      report();
    }),
  );
  for (const p of changed) {
    checkAborted(signal);
    const value = {
      commit: p.new,
      protected: p.local.protected || Boolean(p.remote?.protected),
      who: lake.actor,
      time: new Date().toISOString(),
    };
    const log = {
      dataset,
      kind: p.kind,
      name: p.name,
      action: p.old ? ('move' as const) : ('create' as const),
      old: p.old,
      new: p.new,
      who: lake.actor,
      time: value.time,
    };
    const moved = await loggedUpdate(
      session.remote,
      log,
      (ready) => {
        const both = later(Promise.all([ready, chunksThere]));
        return session.refs.update(dataset, p.kind, p.name, p.remote, value, signal, both);
      },
      signal,
    );
    if (!moved) {
      const now = await session.refs.read(dataset, p.kind, p.name, signal);
      throw new LakeError(
        'NON_FAST_FORWARD',
        `push of ${p.kind} "${p.name}" of ${dataset} to ${session.name} lost a race: another push moved it to ${short(now?.commit ?? null)} meanwhile. Nothing of yours is lost (the uploaded data stays); fetch and pull, then push again.`,
        { detail: { kind: p.kind, name: p.name, remote: now?.commit ?? null } },
      );
    }
    if (p.kind === 'branch') {
      await setTracking(lake.backend.refs, dataset, session.name, p.name, {
        commit: p.new,
        protected: value.protected,
        updatedAt: value.time,
      });
    }
  }
  await chunksThere;
  // The catalog entry (when changed), and each moved branch's Delta versions and Croissant
  // document, at once.
  const hadRefs = plan.some((p) => p.remote);
  const tail: Promise<unknown>[] = [
    pushCatalogEntry(
      lake.backend.refs,
      session.remote,
      session.name,
      dataset,
      entry,
      hadRefs,
      signal,
    ),
  ];
  if (delta && deltaPlans.length) {
    progress.phase = 'delta';
    report();
  }
  for (const { branch, commit, planning } of deltaPlans) {
    tail.push(
      planning.then(async (planned) => {
        const doc = (tables: TableFiles[]) =>
          writeBucketDocument(lake, delta!, dataset, branch, commit, tables, signal);
        const keys = (t: TableFiles[]) => JSON.stringify(t.map((x) => x.keys));
        const [, result] = await Promise.all([doc(planned.tables), planned.write()]);
        // Planned again (another writer's version came first): the document follows.
        if (keys(result.tables) !== keys(planned.tables)) await doc(result.tables);
      }),
    );
  }
  await Promise.all(tail);
  return {
    refs: plan.map(({ kind, name, old, new: n, status }) => ({ kind, name, old, new: n, status })),
    uploaded: missing.length,
    bytes: progress.bytesDone,
    present: candidates.length - missing.length,
  };
}
