/**
 * Entries in IndexedDB through Dexie: database `croissant-lake-<lake>`, table `entries` keyed
 * by `key`. IndexedDB serialises read-write transactions on one table across every tab and
 * worker of the origin, which is what makes cas() atomic without any lock.
 */
import Dexie from 'dexie';
import type { Table } from 'dexie';
import { checkVersion, toJsonValue } from './common.ts';
import { refChanges, refGeneration, refWriteBegins, refWriteEnds } from './ref-generation.ts';
import type { Entry, RefStore } from './types.ts';

/** The IndexedDB database name of lake `lakeName`. */
export function refDatabaseName(lakeName: string): string {
  return `croissant-lake-${lakeName}`;
}

class LakeDatabase extends Dexie {
  entries!: Table<Entry, string>;

  constructor(name: string) {
    super(name);
    this.version(1).stores({ entries: 'key' });
  }
}

/** The entries kept between reads: branches and tags (what every query at a branch reads). */
const KEPT_PREFIX = 'ref/';
/** At most this many entries are kept (misses included): more, and all are dropped. */
const MAX_KEPT = 1024;

/**
 * A {@link RefStore} over IndexedDB; works in workers and on the main thread. Where the agent
 * shares the tab's count of ref changes (ref-generation.ts), a branch or tag read is kept, and
 * given again (a copy) until a branch or tag write begins.
 */
export class DexieRefStore implements RefStore {
  private readonly db: LakeDatabase;
  /** The count the kept entries were read at, and the entries (undefined: no such key). */
  private keptAt: number | null = null;
  private readonly kept = new Map<string, Entry | undefined>();
  private closed = false;

  /** Opens (lazily, on first use) the entries of lake `lakeName`. */
  constructor(lakeName: string) {
    this.db = new LakeDatabase(refDatabaseName(lakeName));
    // Writes to this lake by other tabs move this tab's count from now on.
    refChanges(this.db.name);
  }

  async get<T = unknown>(key: string): Promise<Entry<T> | undefined> {
    const at = key.startsWith(KEPT_PREFIX) && !this.closed ? refGeneration() : null;
    if (at === null) return (await this.db.entries.get(key)) as Entry<T> | undefined;
    if (at !== this.keptAt || this.kept.size >= MAX_KEPT) {
      this.kept.clear();
      this.keptAt = at;
    }
    if (this.kept.has(key)) return structuredClone(this.kept.get(key)) as Entry<T> | undefined;
    const entry = await this.db.entries.get(key);
    // Kept only if no write of a branch or tag began while it was read (ref-generation.ts).
    if (this.keptAt === at && refGeneration() === at) this.kept.set(key, structuredClone(entry));
    return entry as Entry<T> | undefined;
  }

  async list<T = unknown>(prefix: string): Promise<Entry<T>[]> {
    // A primary-key range scan: already in key order, and only the prefix is read.
    const rows =
      prefix === ''
        ? await this.db.entries.toArray()
        : await this.db.entries.where('key').startsWith(prefix).toArray();
    return rows as Entry<T>[];
  }

  async cas<T = unknown>(key: string, expected: number, value: T | null): Promise<boolean> {
    checkVersion(key, expected);
    const stored = value === null ? null : toJsonValue(key, value);
    // Only a branch or tag can be kept (get), so only their writes count (ref-generation.ts).
    const begun = key.startsWith(KEPT_PREFIX) ? refWriteBegins() : undefined;
    let done = false;
    try {
      done = await this.db.transaction('rw', this.db.entries, async () => {
        const current = (await this.db.entries.get(key))?.version ?? 0;
        if (current !== expected) return false;
        if (stored === null) await this.db.entries.delete(key);
        else await this.db.entries.put({ key, value: stored, version: current + 1 });
        return true;
      });
    } finally {
      // Dexie resolves once the transaction has committed (or rejects once it failed).
      if (begun !== undefined) refWriteEnds(begun, done, this.db.name);
    }
    return done;
  }

  /** Closes the database connection (a pending `Dexie.delete` waits for this). */
  close(): void {
    this.closed = true;
    this.kept.clear();
    this.db.close();
  }
}
