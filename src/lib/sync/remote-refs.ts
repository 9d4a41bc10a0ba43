/**
 * Branches and tags on a remote. Two ways to move them safely, chosen per remote by whether its
 * server honours conditional writes (probeConditionalWrites):
 *
 * - `cas` (cas-refs.ts): one object per ref, moved with `If-Match` on its ETag and created with
 *   `If-None-Match: *`. Of two pushers exactly one wins.
 * - `claims` (claim-refs.ts): a server that ignores conditions (s3rver) still lets no push be
 *   lost: a ref is a log of immutable, uniquely named entries; a writer claims the next entry,
 *   confirms it only when no other claim competes, and a reader detects a fork (two confirmed
 *   entries at one position) instead of hiding one.
 *
 * Every change is also recorded in the remote's ref log (`reflog/<id>/…`, immutable entries).
 */
import { encodeJson } from '../versions/manifest.ts';
import type { RefKind } from '../versions/refs.ts';
import { reflogPrefix, type RefMode } from './layout.ts';
import type { Remote, RemoteObject } from './remote.ts';
import { CasRefs } from './cas-refs.ts';
import { ClaimRefs } from './claim-refs.ts';
import { hiddenEtag, pageOrigin } from './s3-errors.ts';

/** What a remote ref holds. `commit: null` is a deleted ref (kept, for its history). */
export interface RemoteRefValue {
  commit: string | null;
  protected: boolean;
  who: string;
  time: string;
}

/** A remote ref as read. */
export interface RemoteRef extends RemoteRefValue {
  kind: RefKind;
  name: string;
  /** What an update must name to replace it (an ETag, or the head entry's key). */
  token: string;
  /** How many times it moved (1 for a new ref). */
  seq: number;
  /** Other confirmed heads at the same position: a fork (claims mode only); nothing is lost. */
  forks?: { commit: string | null; entry: string }[];
}

/** Reads and moves a remote's refs. */
export interface RemoteRefs {
  /** Refs of one kind, deleted ones included (commit null), sorted by name. */
  list(dataset: string, kind: RefKind, signal?: AbortSignal): Promise<RemoteRef[]>;
  /**
   * Branches and tags as {@link list} gives them, from one listing of the dataset's refs; or from
   * `listed`, a listing the caller made already that holds every object under them (push's
   * listing of a small remote as a whole).
   */
  listAll(
    dataset: string,
    signal?: AbortSignal,
    listed?: readonly RemoteObject[],
  ): Promise<Record<RefKind, RemoteRef[]>>;
  read(
    dataset: string,
    kind: RefKind,
    name: string,
    signal?: AbortSignal,
  ): Promise<RemoteRef | null>;
  /**
   * Replaces `expected` (null: the ref must not exist) by `value`. False, changing nothing,
   * when another writer moved the ref first. `ready` (the ref log entry being written) must
   * have succeeded before the ref moves; whatever can go before waits for it in parallel.
   */
  update(
    dataset: string,
    kind: RefKind,
    name: string,
    expected: RemoteRef | null,
    value: RemoteRefValue,
    signal?: AbortSignal,
    ready?: Promise<unknown>,
  ): Promise<boolean>;
}

/** The refs of `remote` in mode `mode`. */
export function remoteRefs(remote: Remote, mode: RefMode): RemoteRefs {
  return mode === 'cas' ? new CasRefs(remote) : new ClaimRefs(remote);
}

/** One entry of a remote's ref log. */
export interface RemoteRefLogEntry {
  dataset: string;
  kind: RefKind;
  name: string;
  action: 'create' | 'move' | 'delete' | 'protect';
  old: string | null;
  new: string | null;
  who: string;
  time: string;
}

export function randomHex(bytes: number): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

/**
 * Records a ref change around the update that makes it: the entry is written alongside the
 * update's first steps, and the update moves the ref only once the entry is there (`ready`);
 * the entry is withdrawn when the update does not happen, so a ref never moves without it.
 */
export async function loggedUpdate(
  remote: Remote,
  entry: RemoteRefLogEntry,
  update: (ready: Promise<unknown>) => Promise<boolean>,
  signal?: AbortSignal,
): Promise<boolean> {
  const ms = String(Date.parse(entry.time)).padStart(15, '0');
  const key = `${reflogPrefix(entry.dataset)}${ms}-${randomHex(6)}.json`;
  const written = remote.put(key, encodeJson(entry), { ifNoneMatch: true, signal });
  // Handled here and awaited below: an update that fails first must not leave it unhandled.
  written.catch(() => undefined);
  let done = false;
  try {
    done = await update(written);
    if (done) await written;
    return done;
  } finally {
    if (!done) {
      // The entry's PUT may still be in flight: withdraw it only once it has landed.
      const landed = await written.then(
        () => true,
        () => false,
      );
      if (landed) await remote.delete(key).catch(() => undefined);
    }
  }
}

/** A remote's ref log for a dataset, oldest first. */
export async function readRemoteRefLog(
  remote: Remote,
  dataset: string,
  signal?: AbortSignal,
): Promise<RemoteRefLogEntry[]> {
  const out: RemoteRefLogEntry[] = [];
  for await (const o of remote.list(reflogPrefix(dataset), { signal })) {
    const got = await remote.get(o.key, { signal });
    if (got) out.push(JSON.parse(new TextDecoder().decode(got.bytes)) as RemoteRefLogEntry);
  }
  return out;
}

/** Sends a probe: true when the server honours `If-None-Match: *` and `If-Match` on PUT. */
export async function probeConditionalWrites(
  remote: Remote,
  signal?: AbortSignal,
): Promise<boolean> {
  const key = `probe/${randomHex(8)}`;
  const bytes = new TextEncoder().encode('probe');
  const first = await remote.put(key, bytes, { ifNoneMatch: true, signal });
  try {
    if (!first.ok) return false;
    const again = await remote.put(key, bytes, { ifNoneMatch: true, signal });
    const wrong = await remote.put(key, bytes, { ifMatch: '"0-not-the-etag"', signal });
    const honoured = !again.ok && !wrong.ok;
    // Refs there would move by If-Match on the ETag each was read with: one this page cannot
    // read (CORS that does not expose ETag) would make every move an unconditional overwrite.
    if (honoured && !first.etag) {
      throw hiddenEtag({ op: 'PutObject', key, remote: remote.label }, pageOrigin());
    }
    return honoured;
  } finally {
    await remote.delete(key, { signal });
  }
}
