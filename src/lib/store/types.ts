/**
 * The lake's two storage interfaces. Every backend (memory, Node filesystem, browser OPFS +
 * IndexedDB) implements them and passes the one contract suite in `test/contract/`.
 * See docs/format.md for what is stored under them.
 */

/** A chunk as listed by the store. */
export interface ChunkInfo {
  /** Lowercase hex sha256 of the content. */
  hash: string;
  size: number;
  /** Last modification time (ms since epoch), for garbage collection's grace period. */
  mtime: number;
}

/**
 * Write-once, content-addressed bytes. Implementations write under a temporary name and rename
 * to the hash when complete, so a chunk under its final name is always whole.
 */
export interface ChunkStore {
  /** True when the chunk is stored. */
  has(hash: string): Promise<boolean>;
  /**
   * Stores `bytes` under `hash` (the caller computed it). A no-op when it exists already.
   * Throws LakeError QUOTA_EXCEEDED when storage is full, leaving nothing under `hash`.
   */
  put(hash: string, bytes: Uint8Array): Promise<void>;
  /** Reads a whole chunk and verifies its sha256 (CORRUPT_CHUNK / MISSING_CHUNK otherwise). */
  get(hash: string): Promise<Uint8Array>;
  /** Reads `length` bytes at `offset` without verification (the caller verifies the slice). */
  getRange(hash: string, offset: number, length: number): Promise<Uint8Array>;
  /** Removes a chunk; a no-op when it is absent. */
  delete(hash: string): Promise<void>;
  /** Every stored chunk. Temporary files of unfinished writes are not listed. */
  list(): AsyncIterable<ChunkInfo>;
  /** Removes leftovers of interrupted writes (temporary files). Returns how many. */
  sweepTemporary(): Promise<number>;
}

/**
 * The reading half of a {@link ChunkStore}: what readers of stored objects need. The browser
 * dataloader gets one that reads through the lake worker (workers/api/lake-chunks.ts).
 */
export type ChunkReads = Pick<ChunkStore, 'get' | 'getRange'>;

/** A small JSON value under a key, with a version the store bumps on each write. */
export interface Entry<T = unknown> {
  key: string;
  value: T;
  /** 1 on creation, +1 on each write. */
  version: number;
}

/**
 * Small JSON entries: refs, the catalog, settings, resume journals. Writes are
 * compare-and-set, atomic per key, and visible to every tab or process at once.
 */
export interface RefStore {
  get<T = unknown>(key: string): Promise<Entry<T> | undefined>;
  /** Entries whose key starts with `prefix`, sorted by key. */
  list<T = unknown>(prefix: string): Promise<Entry<T>[]>;
  /**
   * Writes `value` (or deletes when `value` is null) only if the entry's current version is
   * `expected` (0 = the key must not exist). Returns false, changing nothing, otherwise.
   */
  cas<T = unknown>(key: string, expected: number, value: T | null): Promise<boolean>;
}

/** Exclusive locks across tabs (Web Locks) or processes (lock file). */
export interface Locks {
  /** Runs `fn` holding the named lock; waits for it, up to `timeoutMs` (then LOCKED). */
  withLock<T>(name: string, fn: () => Promise<T>, opts?: { timeoutMs?: number }): Promise<T>;
  /**
   * True while some live holder (this or another tab or process) holds the named lock. A lock
   * of a process or tab that died is not held: this is how a writer's lease is told alive.
   */
  held(name: string): Promise<boolean>;
}

/** One lake's storage. */
export interface LakeBackend {
  chunks: ChunkStore;
  refs: RefStore;
  locks: Locks;
  /** Closes handles (IndexedDB, OPFS); the backend is unusable afterwards. */
  close?(): Promise<void>;
}
