/**
 * The in-memory backend, for unit tests and throwaway lakes. It behaves like the persistent
 * backends in everything the contract checks (hash verification, copies in and out, CAS,
 * lock timeouts), so code tested against it does not meet surprises on disk.
 */
import {
  checkHash,
  checkRange,
  checkVersion,
  corruptChunk,
  DEFAULT_LOCK_TIMEOUT_MS,
  LockQueue,
  missingChunk,
  rangePastEnd,
  sortEntries,
  toJsonValue,
} from './common.ts';
import { LakeError } from './errors.ts';
import { sha256 } from './hash.ts';
import type { ChunkInfo, ChunkStore, Entry, LakeBackend, Locks, RefStore } from './types.ts';

/** A stored chunk of the memory backend. */
export interface MemoryChunk {
  bytes: Uint8Array;
  mtime: number;
}

/**
 * Everything a memory lake holds. Passing the same state to {@link memoryBackend} twice gives
 * two views of one lake (like two tabs, or a reopen); tests may also reach in, e.g. to corrupt
 * a chunk, which the store interfaces deliberately do not allow.
 */
export interface MemoryLakeState {
  chunks: Map<string, MemoryChunk>;
  entries: Map<string, Entry>;
  /** Shared so that two backends over one state also exclude each other. */
  locks: LockQueue;
}

/** An empty memory lake. */
export function createMemoryState(): MemoryLakeState {
  return { chunks: new Map(), entries: new Map(), locks: new LockQueue() };
}

/** A backend over `state` (a fresh, empty lake by default). */
export function memoryBackend(state: MemoryLakeState = createMemoryState()): LakeBackend {
  return {
    chunks: new MemoryChunkStore(state.chunks),
    refs: new MemoryRefStore(state.entries),
    locks: new MemoryLocks(state.locks),
  };
}

class MemoryChunkStore implements ChunkStore {
  private readonly chunks: Map<string, MemoryChunk>;

  constructor(chunks: Map<string, MemoryChunk>) {
    this.chunks = chunks;
  }

  async has(hash: string): Promise<boolean> {
    checkHash(hash);
    return this.chunks.has(hash);
  }

  async put(hash: string, bytes: Uint8Array): Promise<void> {
    checkHash(hash);
    if (this.chunks.has(hash)) return;
    // Copy: the caller may reuse its buffer, and a disk backend would not see later changes.
    this.chunks.set(hash, { bytes: bytes.slice(), mtime: Date.now() });
  }

  async get(hash: string): Promise<Uint8Array> {
    const chunk = this.#chunk(hash);
    const actual = await sha256(chunk.bytes);
    if (actual !== hash) throw corruptChunk(hash, actual);
    return chunk.bytes.slice();
  }

  async getRange(hash: string, offset: number, length: number): Promise<Uint8Array> {
    checkRange(hash, offset, length);
    const chunk = this.#chunk(hash);
    if (offset + length > chunk.bytes.length) {
      throw rangePastEnd(hash, chunk.bytes.length, offset, length);
    }
    return chunk.bytes.slice(offset, offset + length);
  }

  async delete(hash: string): Promise<void> {
    checkHash(hash);
    this.chunks.delete(hash);
  }

  async *list(): AsyncIterable<ChunkInfo> {
    // Snapshot first so that deletes during iteration (GC) are safe.
    for (const [hash, chunk] of [...this.chunks]) {
      yield { hash, size: chunk.bytes.length, mtime: chunk.mtime };
    }
  }

  async sweepTemporary(): Promise<number> {
    // Puts are atomic here: there is never anything half-written.
    return 0;
  }

  #chunk(hash: string): MemoryChunk {
    checkHash(hash);
    const chunk = this.chunks.get(hash);
    if (!chunk) throw missingChunk(hash);
    return chunk;
  }
}

class MemoryRefStore implements RefStore {
  private readonly entries: Map<string, Entry>;

  constructor(entries: Map<string, Entry>) {
    this.entries = entries;
  }

  async get<T = unknown>(key: string): Promise<Entry<T> | undefined> {
    const entry = this.entries.get(key);
    return entry && (copyEntry(entry) as Entry<T>);
  }

  async list<T = unknown>(prefix: string): Promise<Entry<T>[]> {
    const out: Entry<T>[] = [];
    for (const [key, entry] of this.entries) {
      if (key.startsWith(prefix)) out.push(copyEntry(entry) as Entry<T>);
    }
    return sortEntries(out);
  }

  async cas<T = unknown>(key: string, expected: number, value: T | null): Promise<boolean> {
    checkVersion(key, expected);
    // Validate before comparing, so a bad value fails the same way whatever the version.
    const stored = value === null ? null : toJsonValue(key, value);
    // No await between the check and the write: that is what makes this atomic here.
    const current = this.entries.get(key)?.version ?? 0;
    if (current !== expected) return false;
    if (stored === null) this.entries.delete(key);
    else this.entries.set(key, { key, value: stored, version: current + 1 });
    return true;
  }
}

function copyEntry(entry: Entry): Entry {
  return { key: entry.key, value: structuredClone(entry.value), version: entry.version };
}

class MemoryLocks implements Locks {
  private readonly queue: LockQueue;

  constructor(queue: LockQueue) {
    this.queue = queue;
  }

  async withLock<T>(
    name: string,
    fn: () => Promise<T>,
    opts: { timeoutMs?: number } = {},
  ): Promise<T> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    const release = await this.queue.acquire(
      name,
      timeoutMs,
      () =>
        new LakeError(
          'LOCKED',
          `Lock "${name}" of the in-memory lake is still held after ${timeoutMs} ms: another ` +
            'operation on this lake is running. Wait for it to finish, then try again.',
        ),
    );
    try {
      return await fn();
    } finally {
      release();
    }
  }

  async held(name: string): Promise<boolean> {
    return this.queue.held(name);
  }
}
