/**
 * Filesystem helpers of the Node backend (node-fs.ts, node-fs-refs.ts, node-lock-file.ts).
 * Node only.
 */
import { randomUUID } from 'node:crypto';
import type { Stats } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { LakeError } from './errors.ts';

/** The `code` of a Node system error (ENOENT, EEXIST…), if any. */
export function errorCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Writes `bytes` to `path` atomically: a temporary file in `tmpDir`, flushed to disk, then
 * renamed. The flush matters: after a crash a rename can survive while unflushed data does
 * not, and an ingest resuming would then skip a chunk that exists but is not whole.
 */
export async function writeAtomic(tmpDir: string, path: string, bytes: Uint8Array): Promise<void> {
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

/** `stat`, or undefined when `path` does not exist. */
export async function statIfExists(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (e) {
    if (errorCode(e) === 'ENOENT') return undefined;
    throw ioError('Could not read', path, e);
  }
}

/** The names in folder `path` (none when it does not exist). */
export async function readdirIfExists(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch (e) {
    if (errorCode(e) === 'ENOENT') return [];
    throw ioError('Could not list', path, e);
  }
}

/** An IO LakeError naming `path` (a LakeError `cause` is passed on as is). */
export function ioError(what: string, path: string, cause: unknown): LakeError {
  if (cause instanceof LakeError) return cause;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new LakeError('IO', `${what}: ${path}: ${reason}`, { cause, detail: { path } });
}
