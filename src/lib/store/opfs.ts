/**
 * Chunks in the Origin Private File System: `<lake>/chunks/<ab>/<sha256>`, written under
 * `<lake>/tmp/<random>` and moved into place when complete.
 *
 * Meant to run in a dedicated worker, where writes go through sync access handles (the fast
 * path, and the only one that reports a full disk promptly). On the main thread, where those
 * do not exist, writes fall back to `createWritable()`.
 *
 * Reads in a dedicated worker also go through a sync access handle, opened `read-only` (a
 * shared lock: other tabs and workers can read the same chunk at once) for the one read and
 * closed at once: a plain `read()` into the buffer returned, no Blob, no second copy. Where the
 * browser refuses that handle (one without the `read-only` mode, whose handles are exclusive,
 * while someone else holds one) and on the main thread, reads use `getFile()`. Those reads and
 * writes of one file are opfs-io.ts; this module is the layout and the store's protocol.
 */
import { checkHash, checkRange, corruptChunk, missingChunk, quotaExceeded } from './common.ts';
import { LakeError } from './errors.ts';
import { isHash, sha256 } from './hash.ts';
import { domName, isFull, readChunkFile, writeChunkFile, type OpfsWritePath } from './opfs-io.ts';
import type { ChunkInfo, ChunkStore } from './types.ts';

export type { OpfsWritePath } from './opfs-io.ts';

/** `move()` is in Chromium and Firefox but not yet in TypeScript's DOM types. */
type MovableHandle = FileSystemFileHandle & {
  move?: (parent: FileSystemDirectoryHandle, name: string) => Promise<void>;
};

/** Async iteration of a folder is not in the DOM types this project compiles against. */
type IterableDirectory = FileSystemDirectoryHandle & {
  entries(): AsyncIterable<[string, FileSystemHandle]>;
};

/** A {@link ChunkStore} over the Origin Private File System. */
export class OpfsChunkStore implements ChunkStore {
  readonly lakeName: string;
  /** Reads so far that went through a sync access handle (for diagnostics and tests). */
  syncReads = 0;
  private readonly chunks: FileSystemDirectoryHandle;
  private readonly tmp: FileSystemDirectoryHandle;

  private constructor(
    lakeName: string,
    chunks: FileSystemDirectoryHandle,
    tmp: FileSystemDirectoryHandle,
  ) {
    this.lakeName = lakeName;
    this.chunks = chunks;
    this.tmp = tmp;
  }

  /** Opens (creating it if needed) the chunk store of lake `lakeName`. */
  static async open(lakeName: string): Promise<OpfsChunkStore> {
    checkLakeName(lakeName);
    const root = await navigator.storage.getDirectory();
    const lake = await root.getDirectoryHandle(lakeName, { create: true });
    const chunks = await lake.getDirectoryHandle('chunks', { create: true });
    const tmp = await lake.getDirectoryHandle('tmp', { create: true });
    return new OpfsChunkStore(lakeName, chunks, tmp);
  }

  /** How writes happen here (for diagnostics and tests). */
  static writePath(): OpfsWritePath {
    const proto = globalThis.FileSystemFileHandle?.prototype as MovableHandle | undefined;
    return {
      write:
        typeof proto?.createSyncAccessHandle === 'function' ? 'sync-access-handle' : 'writable',
      move: typeof proto?.move === 'function',
    };
  }

  async has(hash: string): Promise<boolean> {
    const handle = await this.#handle(hash);
    if (!handle) return false;
    if (OpfsChunkStore.writePath().move || hash === EMPTY_SHA256) return true;
    // Without move() the final name exists, empty, from the start of its write until the
    // write commits (and forever after a crash mid-write): that is not a stored chunk.
    return (await handle.getFile()).size > 0;
  }

  async put(hash: string, bytes: Uint8Array): Promise<void> {
    if (await this.has(hash)) return;
    const shard = await this.chunks.getDirectoryHandle(hash.slice(0, 2), { create: true });
    if (!OpfsChunkStore.writePath().move) {
      // createWritable() writes a swap file and replaces the target only on close(), so the
      // final name never holds a partial chunk (only, briefly, an empty file: see has()).
      const final = await shard.getFileHandle(hash, { create: true });
      await writeChunkFile(hash, final, bytes, 'writable', () => shard.removeEntry(hash));
      return;
    }
    const mode = OpfsChunkStore.writePath().write;
    for (let attempt = 0; ; attempt++) {
      const name = crypto.randomUUID();
      const file = (await this.tmp.getFileHandle(name, { create: true })) as MovableHandle;
      const removeTmp = () => this.tmp.removeEntry(name);
      await writeChunkFile(hash, file, bytes, mode, removeTmp);
      try {
        await file.move!(shard, hash);
        return;
      } catch (e) {
        await removeTmp().catch(() => undefined);
        // Another tab stored the same chunk meanwhile: same bytes, so this put is done.
        if (await this.has(hash)) return;
        if (await isFull(e, bytes.length)) throw quotaExceeded(hash, bytes.length, e);
        // NotFoundError: a concurrent sweepTemporary() removed our file; write it again.
        if (domName(e) !== 'NotFoundError' || attempt >= 2) {
          throw new LakeError('IO', `Could not store chunk ${hash} in OPFS: ${String(e)}`, {
            cause: e,
          });
        }
      }
    }
  }

  async get(hash: string): Promise<Uint8Array> {
    const bytes = await this.#read(hash, 0, null);
    const actual = await sha256(bytes);
    if (actual !== hash) throw corruptChunk(hash, actual);
    return bytes;
  }

  async getRange(hash: string, offset: number, length: number): Promise<Uint8Array> {
    checkRange(hash, offset, length);
    return this.#read(hash, offset, length);
  }
  /** `length` bytes at `offset` (`null`: to the end); RANGE past the end is CORRUPT_CHUNK. */
  async #read(hash: string, offset: number, length: number | null): Promise<Uint8Array> {
    const handle = await this.#handle(hash);
    if (!handle) throw missingChunk(hash);
    const { bytes, sync } = await readChunkFile(hash, handle, offset, length);
    if (sync) this.syncReads++;
    return bytes;
  }

  async delete(hash: string): Promise<void> {
    checkHash(hash);
    try {
      const shard = await this.chunks.getDirectoryHandle(hash.slice(0, 2));
      await shard.removeEntry(hash);
    } catch (e) {
      if (domName(e) !== 'NotFoundError') throw e;
    }
  }

  async *list(): AsyncIterable<ChunkInfo> {
    for await (const [shardName, shard] of (this.chunks as IterableDirectory).entries()) {
      if (shard.kind !== 'directory' || !/^[0-9a-f]{2}$/.test(shardName)) continue;
      for await (const [name, handle] of (shard as IterableDirectory).entries()) {
        if (handle.kind !== 'file' || !isHash(name) || !name.startsWith(shardName)) continue;
        let file: File;
        try {
          file = await (handle as FileSystemFileHandle).getFile();
        } catch (e) {
          if (domName(e) === 'NotFoundError') continue; // deleted meanwhile
          throw e;
        }
        yield { hash: name, size: file.size, mtime: file.lastModified };
      }
    }
  }

  async sweepTemporary(): Promise<number> {
    let removed = 0;
    const names: string[] = [];
    for await (const [name] of (this.tmp as IterableDirectory).entries()) names.push(name);
    for (const name of names) {
      try {
        await this.tmp.removeEntry(name, { recursive: true });
        removed++;
      } catch (e) {
        // A file a worker is writing right now is locked by its sync handle: not a leftover.
        const n = domName(e);
        if (n !== 'NoModificationAllowedError' && n !== 'NotFoundError') throw e;
      }
    }
    return removed;
  }
  async #handle(hash: string): Promise<FileSystemFileHandle | undefined> {
    checkHash(hash);
    try {
      const shard = await this.chunks.getDirectoryHandle(hash.slice(0, 2));
      return await shard.getFileHandle(hash);
    } catch (e) {
      if (domName(e) === 'NotFoundError') return undefined;
      throw e;
    }
  }
}

/** sha256 of zero bytes: the one chunk that is legitimately empty. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Throws BAD_INPUT unless `name` can name a lake (it becomes an OPFS folder name). */
export function checkLakeName(name: string): void {
  if (!name || name === '.' || name === '..' || /[/\\\0]/.test(name)) {
    throw new LakeError(
      'BAD_INPUT',
      `Bad lake name ${JSON.stringify(name)}: it must be non-empty, not "." or "..", and ` +
        'contain no "/" or "\\".',
    );
  }
}
