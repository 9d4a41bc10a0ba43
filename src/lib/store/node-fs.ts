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
 * Entry file names are described in node-fs-refs.ts.
 *
 * Node only: browser code must never import this module.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  checkHash,
  checkRange,
  corruptChunk,
  formatBytes,
  missingChunk,
  quotaExceeded,
  rangePastEnd,
} from './common.ts';
import { isQuotaError } from './errors.ts';
import { isHash } from './hash.ts';
import { errorCode, ioError, readdirIfExists, statIfExists, writeAtomic } from './node-fs-io.ts';
import { encodeName, NodeRefStore } from './node-fs-refs.ts';
import { lockFileHeld, withLockFile } from './node-lock-file.ts';
import type { ChunkInfo, ChunkStore, LakeBackend, Locks } from './types.ts';

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

  held(name: string): Promise<boolean> {
    return lockFileHeld(join(this.dir, `${encodeName(name)}.lock`));
  }
}
