/**
 * The Node backend (CLI, tests): a lake is a folder.
 *
 * ```
 * <dir>/chunks/<ab>/<sha256>      chunks, <ab> = the hash's first two hex digits
 * <dir>/entries/<key>.json        entries: {key, value, version}
 * <dir>/locks/<name>.lock         locks taken with withLock(name)
 * <dir>/entries.lock              taken by cas() only
 * <dir>/tmp/                      files being written (renamed into place when complete)
 * ```
 *
 * cas() takes its own lock file, not one of withLock's, so a cas inside withLock (how a ref
 * moves under the lake's lock) cannot deadlock: the two never share a lock.
 *
 * Entry file names are the key through encodeURIComponent, with upper-case letters and
 * `!'()*~` escaped as well, so that keys differing only in case stay apart on case-insensitive
 * filesystems (macOS, Windows) and names are valid everywhere. A name that would be too long
 * for a filesystem becomes `~<sha256 of the key>.json`; the key is always in the file too.
 *
 * Node only: browser code must never import this module.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  checkHash,
  checkRange,
  checkVersion,
  corruptChunk,
  formatBytes,
  missingChunk,
  quotaExceeded,
  rangePastEnd,
  sortEntries,
  toJsonValue,
} from './common.ts';
import { isQuotaError, LakeError } from './errors.ts';
import { isHash } from './hash.ts';
import { errorCode, withLockFile } from './node-lock-file.ts';
import type { ChunkInfo, ChunkStore, Entry, LakeBackend, Locks, RefStore } from './types.ts';

/** Longest encoded key used as a file name as is (most filesystems allow 255 bytes). */
const MAX_NAME = 200;

/**
 * Opens (creating it if needed) the lake in folder `dir`. Leftover temporary files are not
 * removed here: garbage collection calls `chunks.sweepTemporary()`.
 */
export async function openNodeBackend(dir: string): Promise<LakeBackend> {
  const root = resolve(dir);
  for (const sub of ['chunks', 'entries', 'locks', 'tmp']) {
    await mkdir(join(root, sub), { recursive: true });
  }
  return {
    chunks: new NodeChunkStore(root),
    refs: new NodeRefStore(root),
    locks: new NodeLocks(root),
  };
}

class NodeChunkStore implements ChunkStore {
  private readonly root: string;
  private readonly tmp: string;
  /** Shard folders known to exist, to save a mkdir per put. */
  private readonly shards = new Set<string>();

  constructor(root: string) {
    this.root = join(root, 'chunks');
    this.tmp = join(root, 'tmp');
  }

  async has(hash: string): Promise<boolean> {
    return (await statIfExists(this.#path(hash))) !== undefined;
  }

  async put(hash: string, bytes: Uint8Array): Promise<void> {
    const path = this.#path(hash);
    if (await statIfExists(path)) return;
    const shard = dirname(path);
    if (!this.shards.has(shard)) {
      await mkdir(shard, { recursive: true });
      this.shards.add(shard);
    }
    try {
      await writeAtomic(this.tmp, path, bytes);
    } catch (e) {
      if (isQuotaError(e)) throw quotaExceeded(hash, bytes.length, e);
      throw ioError(`Could not store chunk ${hash} (${formatBytes(bytes.length)})`, path, e);
    }
  }

  async get(hash: string): Promise<Uint8Array> {
    const path = this.#path(hash);
    let buf: Buffer;
    try {
      buf = await readFile(path);
    } catch (e) {
      if (errorCode(e) === 'ENOENT') throw missingChunk(hash, e);
      throw ioError(`Could not read chunk ${hash}`, path, e);
    }
    const actual = createHash('sha256').update(buf).digest('hex');
    if (actual !== hash) throw corruptChunk(hash, actual);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  async getRange(hash: string, offset: number, length: number): Promise<Uint8Array> {
    const path = this.#path(hash);
    checkRange(hash, offset, length);
    let fh;
    try {
      fh = await open(path, 'r');
    } catch (e) {
      if (errorCode(e) === 'ENOENT') throw missingChunk(hash, e);
      throw ioError(`Could not read chunk ${hash}`, path, e);
    }
    try {
      const { size } = await fh.stat();
      if (offset + length > size) throw rangePastEnd(hash, size, offset, length);
      const out = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await fh.read(out, done, length - done, offset + done);
        if (bytesRead === 0) throw rangePastEnd(hash, offset + done, offset, length);
        done += bytesRead;
      }
      return out;
    } finally {
      await fh.close();
    }
  }

  async delete(hash: string): Promise<void> {
    await rm(this.#path(hash), { force: true });
  }

  async *list(): AsyncIterable<ChunkInfo> {
    for (const shard of await readdirIfExists(this.root)) {
      if (!/^[0-9a-f]{2}$/.test(shard)) continue;
      for (const name of await readdirIfExists(join(this.root, shard))) {
        if (!isHash(name) || !name.startsWith(shard)) continue;
        // Deleted since the readdir (GC running elsewhere): not listed.
        const info = await statIfExists(join(this.root, shard, name));
        if (info) yield { hash: name, size: info.size, mtime: info.mtimeMs };
      }
    }
  }

  async sweepTemporary(): Promise<number> {
    let removed = 0;
    for (const name of await readdirIfExists(this.tmp)) {
      await rm(join(this.tmp, name), { force: true, recursive: true });
      removed++;
    }
    return removed;
  }

  #path(hash: string): string {
    checkHash(hash);
    return join(this.root, hash.slice(0, 2), hash);
  }
}

class NodeRefStore implements RefStore {
  private readonly dir: string;
  private readonly tmp: string;
  private readonly lockPath: string;

  constructor(root: string) {
    this.dir = join(root, 'entries');
    this.tmp = join(root, 'tmp');
    this.lockPath = join(root, 'entries.lock');
  }

  async get<T = unknown>(key: string): Promise<Entry<T> | undefined> {
    return this.#read<T>(join(this.dir, entryFileName(key)));
  }

  async list<T = unknown>(prefix: string): Promise<Entry<T>[]> {
    const out: Entry<T>[] = [];
    for (const name of await readdirIfExists(this.dir)) {
      if (!name.endsWith('.json')) continue;
      // Decoded names are filtered before reading; hashed (long) names must be read.
      if (!name.startsWith('~')) {
        const key = decodeEntryFileName(name);
        if (key === undefined || !key.startsWith(prefix)) continue;
      }
      const entry = await this.#read<T>(join(this.dir, name));
      if (entry?.key.startsWith(prefix)) out.push(entry);
    }
    return sortEntries(out);
  }

  async cas<T = unknown>(key: string, expected: number, value: T | null): Promise<boolean> {
    checkVersion(key, expected);
    const stored = value === null ? null : toJsonValue(key, value);
    const path = join(this.dir, entryFileName(key));
    // The lock makes read-check-write atomic across processes; the rename makes the write
    // itself atomic for readers, who take no lock.
    return withLockFile(this.lockPath, this.tmp, async () => {
      const current = (await this.#read(path))?.version ?? 0;
      if (current !== expected) return false;
      if (stored === null) {
        await rm(path, { force: true });
        return true;
      }
      const entry: Entry = { key, value: stored, version: current + 1 };
      try {
        await writeAtomic(this.tmp, path, new TextEncoder().encode(JSON.stringify(entry)));
      } catch (e) {
        if (isQuotaError(e)) {
          throw new LakeError(
            'QUOTA_EXCEEDED',
            `Storage is full: could not write entry "${key}"; it was left unchanged. Free ` +
              'space by deleting datasets you no longer need, then try again.',
            { cause: e },
          );
        }
        throw ioError(`Could not write entry "${key}"`, path, e);
      }
      return true;
    });
  }

  async #read<T>(path: string): Promise<Entry<T> | undefined> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if (errorCode(e) === 'ENOENT') return undefined;
      throw ioError('Could not read an entry', path, e);
    }
    try {
      return JSON.parse(text) as Entry<T>;
    } catch (e) {
      throw ioError('An entry file is not valid JSON (edited by hand?)', path, e);
    }
  }
}

class NodeLocks implements Locks {
  private readonly dir: string;
  private readonly tmp: string;

  constructor(root: string) {
    this.dir = join(root, 'locks');
    this.tmp = join(root, 'tmp');
  }

  withLock<T>(name: string, fn: () => Promise<T>, opts: { timeoutMs?: number } = {}): Promise<T> {
    const path = join(this.dir, `${encodeName(name)}.lock`);
    return withLockFile(path, this.tmp, fn, opts.timeoutMs);
  }
}

/**
 * Writes `bytes` to `path` atomically: a temporary file in `tmpDir`, flushed to disk, then
 * renamed. The flush matters: after a crash a rename can survive while unflushed data does
 * not, and an ingest resuming would then skip a chunk that exists but is not whole.
 */
async function writeAtomic(tmpDir: string, path: string, bytes: Uint8Array): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const tmp = join(tmpDir, randomUUID());
    try {
      const fh = await open(tmp, 'wx');
      try {
        await fh.writeFile(bytes);
        await fh.datasync();
      } finally {
        await fh.close();
      }
      await rename(tmp, path);
      return;
    } catch (e) {
      await rm(tmp, { force: true });
      // ENOENT: a concurrent sweepTemporary() took our file, or a folder was removed.
      if (errorCode(e) !== 'ENOENT' || attempt >= 2) throw e;
      await mkdir(tmpDir, { recursive: true });
      await mkdir(dirname(path), { recursive: true });
    }
  }
}

/** encodeURIComponent, plus escapes for upper case and the characters it leaves alone. */
function encodeName(name: string): string {
  return encodeURIComponent(name).replace(/%[0-9A-F]{2}|[A-Z!'()*~]/g, (m) =>
    m.length === 3 ? m : `%${m.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function entryFileName(key: string): string {
  const encoded = encodeName(key);
  if (encoded.length <= MAX_NAME) return `${encoded}.json`;
  return `~${createHash('sha256').update(key).digest('hex')}.json`;
}

function decodeEntryFileName(name: string): string | undefined {
  try {
    return decodeURIComponent(name.slice(0, -'.json'.length));
  } catch {
    return undefined; // not a name we wrote
  }
}

async function statIfExists(path: string) {
  try {
    return await stat(path);
  } catch (e) {
    if (errorCode(e) === 'ENOENT') return undefined;
    throw ioError('Could not read', path, e);
  }
}

async function readdirIfExists(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch (e) {
    if (errorCode(e) === 'ENOENT') return [];
    throw ioError('Could not list', path, e);
  }
}

function ioError(what: string, path: string, cause: unknown): LakeError {
  if (cause instanceof LakeError) return cause;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new LakeError('IO', `${what}: ${path}: ${reason}`, { cause, detail: { path } });
}
