/**
 * One chunk file in the Origin Private File System, written and read through the fastest
 * handle the context has: a sync access handle in a dedicated worker (the fast path, and the
 * only write that reports a full disk promptly), else `createWritable()` / `getFile()`. Every
 * way the browser says "storage is full" becomes QUOTA_EXCEEDED; anything else that fails is
 * IO, and a failed write leaves nothing half-written.
 */
import { missingChunk, quotaExceeded, rangePastEnd } from './common.ts';
import { isQuotaError, LakeError } from './errors.ts';

/** How chunk files are written in the current context (`OpfsChunkStore.writePath()`). */
export interface OpfsWritePath {
  /** `sync-access-handle` in a dedicated worker, otherwise `writable`. */
  write: 'sync-access-handle' | 'writable';
  /** True when finished files are moved into place (`FileSystemFileHandle.move`). */
  move: boolean;
}

/**
 * Writes `bytes` (chunk `hash`) to `file` in `mode`; on any failure calls `remove` so nothing
 * half-written stays.
 */
export async function writeChunkFile(
  hash: string,
  file: FileSystemFileHandle,
  bytes: Uint8Array,
  mode: OpfsWritePath['write'],
  remove: () => Promise<void>,
): Promise<void> {
  try {
    if (mode === 'sync-access-handle') {
      const handle = await file.createSyncAccessHandle();
      try {
        const written = handle.write(bytes, { at: 0 });
        // A full disk should throw QuotaExceededError, but Chromium 156 returns its internal
        // error code as an unsigned byte count instead (2^32 - 8 = -8, FILE_ERROR_NO_SPACE).
        // Running out of space is the one way a sync write comes up short, so say so.
        if (written !== bytes.length) {
          throw new DOMException(
            `short write of chunk ${hash}: ${written} of ${bytes.length} bytes`,
            'QuotaExceededError',
          );
        }
        handle.flush();
      } finally {
        handle.close();
      }
    } else {
      const writable = await file.createWritable({ keepExistingData: false });
      try {
        await writable.write(bytes as Uint8Array<ArrayBuffer>);
        await writable.close();
      } catch (e) {
        await writable.abort().catch(() => undefined);
        // Chromium reports a write refused by the quota on this path as an AbortError
        // ("Failed to write data to data pipe"); nothing else here aborts the stream.
        if (domName(e) === 'AbortError' && /data pipe/i.test(String((e as Error).message))) {
          throw new DOMException(
            `the browser refused the write: ${String(e)}`,
            'QuotaExceededError',
          );
        }
        throw e;
      }
    }
  } catch (e) {
    await remove().catch(() => undefined);
    if (await isFull(e, bytes.length)) throw quotaExceeded(hash, bytes.length, e);
    if (e instanceof LakeError) throw e;
    throw new LakeError('IO', `Could not write chunk ${hash} to OPFS: ${String(e)}`, {
      cause: e,
    });
  }
}

/**
 * `length` bytes at `offset` (`null`: to the end) of chunk `hash`'s file; RANGE past the end is
 * CORRUPT_CHUNK. `sync` says whether a sync access handle read them.
 */
export async function readChunkFile(
  hash: string,
  handle: FileSystemFileHandle,
  offset: number,
  length: number | null,
): Promise<{ bytes: Uint8Array; sync: boolean }> {
  const sync = await openForReading(handle);
  if (sync) {
    try {
      const size = sync.getSize();
      const n = length ?? size - offset;
      if (offset + n > size) throw rangePastEnd(hash, size, offset, n);
      const bytes = new Uint8Array(n);
      const got = sync.read(bytes, { at: offset });
      if (got !== n) throw rangePastEnd(hash, offset + got, offset, n);
      return { bytes, sync: true };
    } finally {
      sync.close();
    }
  }
  let file: File;
  try {
    file = await handle.getFile();
  } catch (e) {
    if (domName(e) === 'NotFoundError') throw missingChunk(hash, e);
    throw e;
  }
  const n = length ?? file.size - offset;
  if (offset + n > file.size) throw rangePastEnd(hash, file.size, offset, n);
  const blob = offset === 0 && n === file.size ? file : file.slice(offset, offset + n);
  return { bytes: new Uint8Array(await blob.arrayBuffer()), sync: false };
}

/** `createSyncAccessHandle` options: `mode` is in Chromium 121+, not yet in the DOM types. */
type ReadOnlyOpen = (opts: { mode: 'read-only' }) => Promise<FileSystemSyncAccessHandle>;

/**
 * A `read-only` sync access handle on `file`, or null where there is none: not a dedicated
 * worker, or the browser refused it (NoModificationAllowedError: an exclusive handle elsewhere,
 * as a browser without the `read-only` mode gives; the caller then reads through getFile()).
 */
async function openForReading(
  file: FileSystemFileHandle,
): Promise<FileSystemSyncAccessHandle | null> {
  if (typeof file.createSyncAccessHandle !== 'function') return null;
  try {
    return await (file.createSyncAccessHandle as unknown as ReadOnlyOpen).call(file, {
      mode: 'read-only',
    });
  } catch (e) {
    const n = domName(e);
    if (n === 'NoModificationAllowedError' || n === 'InvalidStateError') return null;
    if (n === 'NotFoundError') return null; // getFile() then reports the chunk missing
    throw e;
  }
}

/**
 * True when `e` means storage is full. Besides QuotaExceededError, asks the quota manager:
 * Chromium does not always say so by name (see the short write in writeChunkFile), and telling
 * the user "storage is full" beats an opaque IO error.
 */
export async function isFull(e: unknown, bytes: number): Promise<boolean> {
  if (isQuotaError(e)) return true;
  try {
    const { usage, quota } = await navigator.storage.estimate();
    return usage !== undefined && quota !== undefined && usage + bytes > quota;
  } catch {
    return false;
  }
}

/** The DOMException name of `e` (NotFoundError…), if any. */
export function domName(e: unknown): string | undefined {
  const name = (e as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : undefined;
}
