/**
 * What a push would do to each ref (push.ts): refused as a whole, before anything is written,
 * when one ref would lose the remote's commits (NON_FAST_FORWARD), move a tag (REF_EXISTS), or
 * move a branch protected on the remote by anything but new imports (PROTECTED_BRANCH).
 */
import { LakeError } from '../store/errors.ts';
import type { Lake } from '../versions/lake.ts';
import type { Ref, RefKind } from '../versions/refs.ts';
import { ancestorsOf, commitsSince } from './ancestry.ts';
import type { RemoteObject } from './remote.ts';
import type { RemoteRef } from './remote-refs.ts';
import type { RemoteSession } from './session.ts';

/** What happened to one ref. */
export interface RefPush {
  kind: RefKind;
  name: string;
  old: string | null;
  new: string;
  status: 'created' | 'fast-forward' | 'up-to-date';
}

/** A ref's push as planned: the local ref, and the remote one it replaces. */
export interface Planned extends RefPush {
  local: Ref;
  remote: RemoteRef | null;
}

export const short = (h: string | null) => (h ? h.slice(0, 12) : '(none)');

/** What each ref would do; refuses the whole push when one would lose commits. */
export async function planRefs(
  lake: Lake,
  session: RemoteSession,
  dataset: string,
  opts: {
    branches?: string[];
    tags?: boolean;
    signal?: AbortSignal;
    /** An early listing of the whole remote (null: it did not fit in one page). */
    listed?: Promise<RemoteObject[] | null> | undefined;
  },
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
  const listed = await session.refs.listAll(dataset, signal, (await opts.listed) ?? undefined);
  for (const r of [...listed.branch, ...listed.tag]) remote.set(`${r.kind}/${r.name}`, r);
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
