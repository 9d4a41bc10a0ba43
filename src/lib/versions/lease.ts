/**
 * Writer leases (docs/format.md, "Writers and garbage collection"). Anything that writes chunks
 * and then commits holds a lease from its first write until its ref has moved: an entry
 * `lease/<id>` naming the operation, plus a lock `lease:<id>` held for as long as the writer
 * lives. Garbage collection deletes nothing while a live lease exists, whatever its grace
 * period, because a writer's new chunks are unreferenced until it commits, and a chunk it found
 * already stored (and so did not write) can be as old as any.
 *
 * A lease is live while its lock is held: the browser releases a closed tab's or terminated
 * worker's locks, and a lock file of a dead process is stale. A writer also renews the entry
 * every {@link LEASE_RENEW_MS}; one not renewed for {@link LEASE_TTL_MS} has expired (a lock
 * on a shared folder held from another machine cannot be checked), so a lost writer never
 * blocks collection for ever.
 *
 * Leases are registered under the lock `gc`, which collection holds throughout: a writer
 * either registers before a collection starts (and the collection sees it) or after it ends.
 *
 * A writer that fails or is cancelled removes the chunks it wrote that nothing references,
 * unless another writer is live (that one may have found them stored and be about to use them).
 */
import { LakeError } from '../store/errors.ts';
import type { ChunkInfo, ChunkStore, Entry } from '../store/types.ts';
import type { Lake } from './lake.ts';
import { liveSet } from './live.ts';

/** The lock that garbage collection holds, and under which leases are registered. */
export const GC_LOCK = 'gc';
/** How often a writer renews its lease. */
export const LEASE_RENEW_MS = 60_000;
/** A lease not renewed for this long has expired. */
export const LEASE_TTL_MS = 15 * 60_000;
/** How long a writer waits for a running collection to end before it starts. */
const REGISTER_WAIT_MS = 10 * 60_000;

/** What a writer is doing, for the lease entry (and for gc to say who it waits for). */
export interface LeaseInfo {
  op: string;
  dataset?: string;
}

/** A lease entry `lease/<id>`. */
export interface LeaseEntry extends LeaseInfo {
  id: string;
  who: string;
  startedAt: string;
  /** Last renewal (ms since epoch). */
  heartbeat: number;
}

const leaseKey = (id: string) => `lease/${id}`;
const leaseLock = (id: string) => `lease:${id}`;

/** A chunk store that remembers which chunks it stored itself (not found already there). */
export class TrackingChunkStore implements ChunkStore {
  readonly written = new Set<string>();
  /** Found absent by the last `has` (putChunk asks just before it puts): saves a lookup. */
  #absent = new Set<string>();
  constructor(private readonly inner: ChunkStore) {}
  async has(hash: string): Promise<boolean> {
    const found = await this.inner.has(hash);
    if (found) this.#absent.delete(hash);
    else this.#absent.add(hash);
    return found;
  }
  async put(hash: string, bytes: Uint8Array): Promise<void> {
    // Stored by another writer in between, it counts as written here too: a cleanup never
    // removes what another live writer may use (see discardWritten).
    const existed = !this.#absent.delete(hash) && (await this.inner.has(hash));
    await this.inner.put(hash, bytes);
    if (!existed) this.written.add(hash);
  }
  get(hash: string): Promise<Uint8Array> {
    return this.inner.get(hash);
  }
  getRange(hash: string, offset: number, length: number): Promise<Uint8Array> {
    return this.inner.getRange(hash, offset, length);
  }
  delete(hash: string): Promise<void> {
    return this.inner.delete(hash);
  }
  list(): AsyncIterable<ChunkInfo> {
    return this.inner.list();
  }
  sweepTemporary(): Promise<number> {
    return this.inner.sweepTemporary();
  }
}

/** What a live writer holds; given to the work it runs. */
export interface Lease {
  id: string;
  /** Chunks this writer stored. */
  written: ReadonlySet<string>;
}

function randomId(): string {
  const b = crypto.getRandomValues(new Uint8Array(12));
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

/**
 * Runs `work` holding a lease. `work` gets a lake whose chunk writes are tracked; when it
 * throws, the chunks it stored that nothing references are removed before the error goes on.
 */
export async function withLease<T>(
  lake: Lake,
  info: LeaseInfo,
  work: (leased: Lake, lease: Lease) => Promise<T>,
): Promise<T> {
  const { refs, locks } = lake.backend;
  const id = randomId();
  return locks.withLock(leaseLock(id), async () => {
    const entry: LeaseEntry = {
      ...info,
      id,
      who: lake.actor,
      startedAt: new Date().toISOString(),
      heartbeat: Date.now(),
    };
    await locks.withLock(GC_LOCK, () => refs.cas(leaseKey(id), 0, entry), {
      timeoutMs: REGISTER_WAIT_MS,
    });
    const renew = async () => {
      const now = await refs.get<LeaseEntry>(leaseKey(id));
      await refs.cas(leaseKey(id), now?.version ?? 0, { ...entry, heartbeat: Date.now() });
    };
    // A renewal that fails (storage busy or full) is not the writer's failure: at worst the
    // lease expires, gc may run, and the commit's check of its chunks refuses a broken commit.
    const timer = setInterval(() => void renew().catch(() => undefined), LEASE_RENEW_MS);
    (timer as { unref?: () => void }).unref?.();
    const tracker = new TrackingChunkStore(lake.chunks);
    const lease: Lease = { id, written: tracker.written };
    try {
      return await work(lake.scoped(tracker, lease), lease);
    } catch (e) {
      throw await discardAfter(lake, lease, e);
    } finally {
      clearInterval(timer);
      const now = await refs.get(leaseKey(id));
      if (now) await refs.cas(leaseKey(id), now.version, null);
    }
  });
}

/** Cleans up after a failed writer; the error to throw (the failure, with any cleanup issue). */
async function discardAfter(lake: Lake, lease: Lease, failure: unknown): Promise<unknown> {
  try {
    await discardWritten(lake, lease);
    return failure;
  } catch (e) {
    if (!(failure instanceof LakeError)) return failure;
    // The failure is what the user must see; what was left behind is for `gc` to free.
    return new LakeError(
      failure.code,
      `${failure.message} (its partial data could not be removed: ${(e as Error).message}; "gc" frees it later)`,
      { cause: failure, detail: failure.detail },
    );
  }
}

/**
 * Removes the chunks `lease` wrote that nothing references now; nothing when another writer is
 * live. Returns how many were removed.
 */
export async function discardWritten(lake: Lake, lease: Lease): Promise<number> {
  if (!lease.written.size) return 0;
  return lake.backend.locks.withLock(GC_LOCK, async () => {
    const others = (await liveLeases(lake)).filter((l) => l.id !== lease.id);
    if (others.length) return 0;
    const live = await liveSet(lake);
    let removed = 0;
    for (const hash of lease.written) {
      if (live.has(hash)) continue;
      await lake.chunks.delete(hash);
      removed++;
    }
    return removed;
  });
}

/**
 * The leases of live writers. Entries of dead or expired writers are removed on the way (with
 * the lock file a dead process left). Call it holding {@link GC_LOCK}.
 */
export async function liveLeases(lake: Lake, now = Date.now()): Promise<LeaseEntry[]> {
  const { refs, locks } = lake.backend;
  const live: LeaseEntry[] = [];
  for (const e of await refs.list<LeaseEntry>('lease/')) {
    if (now - e.value.heartbeat < LEASE_TTL_MS && (await locks.held(leaseLock(e.value.id)))) {
      live.push(e.value);
    } else await dropLease(lake, e);
  }
  return live;
}

async function dropLease(lake: Lake, e: Entry<LeaseEntry>): Promise<void> {
  await lake.backend.refs.cas(e.key, e.version, null);
  const lock = leaseLock(e.value.id);
  if (await lake.backend.locks.held(lock)) return; // expired but alive: its own to release
  // Taking a dead holder's lock removes what it left (a Node lock file); it is free at once.
  await lake.backend.locks.withLock(lock, () => Promise.resolve(), { timeoutMs: 1000 });
}

/** A line naming a writer, for messages. */
export function describeLease(l: LeaseEntry): string {
  return `${l.op}${l.dataset ? ` of ${l.dataset}` : ''} by ${l.who}, since ${l.startedAt}`;
}

/**
 * `fn` (a writer taking the lake and a dataset first) run under a lease as operation `op`: the
 * returned function is what callers use.
 */
export function leased<A extends unknown[], R>(
  op: string,
  fn: (lake: Lake, dataset: string, ...rest: A) => Promise<R>,
): (lake: Lake, dataset: string, ...rest: A) => Promise<R> {
  return (lake, dataset, ...rest) =>
    lake.writing({ op, dataset }, (leasedLake) => fn(leasedLake, dataset, ...rest));
}
