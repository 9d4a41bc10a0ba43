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
import { encodeJson } from '../versions/manifest.ts';
import type { Ref, RefKind } from '../versions/refs.ts';
import { ancestorsOf, commitsSince } from './ancestry.ts';
import { setTracking, trackingRefs, uploadJournal } from './config.ts';
import { writeBucketDocument, type TableFiles } from './bucket-croissant.ts';
import { writeDeltaLogs } from './delta.ts';
import { deltaMemory } from './delta-state.ts';
import { chunkKey, datasetKey } from './layout.ts';
import { eachLimited } from './pool.ts';
import { presentChunks } from './present.ts';
import type { SyncProgress } from './progress.ts';
import { loggedUpdate, type RemoteRef } from './remote-refs.ts';
import { S3Remote } from './s3.ts';
import type { RemoteSession } from './session.ts';

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

/** What happened to one ref. */
export interface RefPush {
  kind: RefKind;
  name: string;
  old: string | null;
  new: string;
  status: 'created' | 'fast-forward' | 'up-to-date';
}

export interface PushResult {
  refs: RefPush[];
  /** Chunks uploaded, and their bytes. */
  uploaded: number;
  bytes: number;
  /** Chunks needed that the remote had already. */
  present: number;
}

interface Planned extends RefPush {
  local: Ref;
  remote: RemoteRef | null;
}

const short = (h: string | null) => (h ? h.slice(0, 12) : '(none)');

/** Pushes `dataset` to the remote of `session`. */
export async function push(
  lake: Lake,
  session: RemoteSession,
  dataset: string,
  opts: PushOptions = {},
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
  const plan = await planRefs(lake, session, dataset, opts);
  const changed = plan.filter((p) => p.status !== 'up-to-date');

  // Chunks the remote has for sure: everything its current heads (and what we last knew of
  // them) reach. The rest is checked one by one.
  progress.phase = 'scan';
  report();
  const known = new Set<string>();
  const tracking = await trackingRefs(lake.backend.refs, dataset, session.name);
  const remoteHeads = plan.map((p) => p.remote?.commit ?? null);
  for (const t of tracking.values()) {
    if (remoteHeads.includes(t.commit)) continue;
    // What we last knew is trusted only while its commit is still there: a bucket emptied or
    // replaced under the same remote would otherwise get refs naming chunks it lacks.
    if (await session.remote.head(chunkKey(t.commit), { signal })) remoteHeads.push(t.commit);
  }
  for (const h of remoteHeads) {
    if (h && (await lake.chunks.has(h))) await reachable(lake, h, known);
  }
  const needed = new Set(known);
  for (const p of changed) await reachable(lake, p.new, needed);
  for (const h of known) needed.delete(h);
  const candidates = [...needed];
  const concurrency = opts.concurrency ?? 4;
  const sizes = new Map<string, number>();
  if (candidates.length) {
    for await (const c of lake.chunks.list()) if (needed.has(c.hash)) sizes.set(c.hash, c.size);
  }
  const present = await presentChunks(session.remote, candidates, sizes, {
    concurrency: concurrency * 2,
    signal,
  });
  const missing = candidates.filter((h) => !present.has(h));
  progress.phase = 'transfer';
  progress.chunksTotal = missing.length;
  progress.bytesTotal = missing.reduce((n, h) => n + (sizes.get(h) ?? 0), 0);
  report();
  const journal = uploadJournal(lake.backend.refs, session.name);
  await eachLimited(missing, concurrency, async (hash) => {
    checkAborted(signal);
    const bytes = await lake.chunks.get(hash);
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
  });

  // The refs, last: a ref never names a commit whose chunks are not all there.
  progress.phase = 'refs';
  report();
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
      () => session.refs.update(dataset, p.kind, p.name, p.remote, value, signal),
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
  // The catalog entry, and each moved branch's Delta tables and Croissant document, at once:
  // a few requests each, in parallel rather than one after the other.
  const { incomplete: _incomplete, ...catalog } = entry;
  const tail: Promise<unknown>[] = [
    session.remote.put(datasetKey(dataset), encodeJson(catalog), { signal }),
  ];
  const s3 = session.remote;
  if (opts.delta !== false && s3 instanceof S3Remote) {
    progress.phase = 'delta';
    report();
    const memory = deltaMemory(lake.backend.refs, session.name);
    for (const p of changed.filter((x) => x.kind === 'branch')) {
      const doc = (tables: TableFiles[]) =>
        writeBucketDocument(lake, s3, dataset, p.name, p.new, tables, signal);
      let planned: TableFiles[] = [];
      const written = writeDeltaLogs(lake, s3, dataset, p.name, p.new, {
        memory,
        signal,
        onPlanned: async (tables) => {
          planned = tables;
          await doc(tables);
        },
      }).then(async ({ tables }) => {
        // Planned again (another writer's version came first): the document follows.
        const keys = (t: TableFiles[]) => JSON.stringify(t.map((x) => x.keys));
        if (keys(tables) !== keys(planned)) await doc(tables);
      });
      tail.push(written);
    }
  }
  await Promise.all(tail);
  return {
    refs: plan.map(({ kind, name, old, new: n, status }) => ({ kind, name, old, new: n, status })),
    uploaded: missing.length,
    bytes: progress.bytesDone,
    present: candidates.length - missing.length,
  };
}

/** What each ref would do; refuses the whole push when one would lose commits. */
async function planRefs(
  lake: Lake,
  session: RemoteSession,
  dataset: string,
  opts: PushOptions,
): Promise<Planned[]> {
  const { signal } = opts;
  let branches = await lake.branches(dataset);
  if (opts.branches?.length) {
    const names = new Set(branches.map((b) => b.name));
    const unknown = opts.branches.filter((b) => !names.has(b));
    if (unknown.length) {
      throw new LakeError(
        'UNKNOWN_REF',
        `dataset ${dataset} has no branch ${unknown.join(', ')}; it has: ${[...names].join(', ')}`,
      );
    }
    branches = branches.filter((b) => opts.branches!.includes(b.name));
  }
  const tags = opts.tags === false ? [] : await lake.tags(dataset);
  const remote = new Map<string, RemoteRef>();
  const kinds = ['branch', 'tag'] as const;
  const listed = await Promise.all(kinds.map((kind) => session.refs.list(dataset, kind, signal)));
  kinds.forEach((kind, i) => {
    for (const r of listed[i]!) remote.set(`${kind}/${r.name}`, r);
  });
  const out: Planned[] = [];
  for (const local of [...branches, ...tags]) {
    const r = remote.get(`${local.kind}/${local.name}`) ?? null;
    const old = r?.commit ?? null;
    const base = { kind: local.kind, name: local.name, old, new: local.commit, local, remote: r };
    if (old === local.commit) {
      out.push({ ...base, status: 'up-to-date' });
      continue;
    }
    if (!old) {
      out.push({ ...base, status: 'created' });
      continue;
    }
    const where = `${local.kind} "${local.name}" of ${dataset} on ${session.name}`;
    if (local.kind === 'tag') {
      throw new LakeError(
        'REF_EXISTS',
        `push refused: ${where} names commit ${short(old)}, not ${short(local.commit)}; tags never move. Nothing was changed.`,
      );
    }
    const ours = await ancestorsOf(lake, local.commit);
    if (!ours.has(old)) {
      const behind =
        (await lake.chunks.has(old)) && (await ancestorsOf(lake, old)).has(local.commit);
      throw new LakeError(
        'NON_FAST_FORWARD',
        behind
          ? `push refused: ${where} is ahead of this lake (at ${short(old)}, which has yours, ${short(local.commit)}); nothing to push. Pull to get its commits. Nothing was changed.`
          : `push refused: ${where} is at ${short(old)}, which is not in the history of ${short(local.commit)} (not a fast-forward; the remote has commits this lake does not). Nothing was changed and nothing is lost: fetch and pull (merge) first, then push again.`,
        { detail: { kind: local.kind, name: local.name, remote: old, local: local.commit } },
      );
    }
    if (r?.protected) {
      for (const h of await commitsSince(lake, local.commit, old)) {
        const c = await lake.readCommit(h);
        if (c.lineage.op !== 'ingest') {
          throw new LakeError(
            'PROTECTED_BRANCH',
            `push refused: ${where} is protected (read-only) there, and moves only by new imports; commit ${short(h)} is a ${c.lineage.op}. Push it as another branch. Nothing was changed.`,
          );
        }
      }
    }
    out.push({ ...base, status: 'fast-forward' });
  }
  return out;
}
