/**
 * The Node filesystem adapter, used by the CLI, tests and benchmarks. URLs still go through
 * fetch, so one resolver serves both local paths and remote files.
 */
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { join, relative, resolve as resolvePath, sep } from 'node:path';
import { CroissantError } from '../croissant/errors.ts';
import { urlSource } from './fetch.ts';
import type { ByteSource, ListedFile, Resolver } from './source.ts';
import { isUrl, resolveRef } from './source.ts';

/** Bytes per read: whole for most files, bounded for large ones. */
const CHUNK = 4 * 1024 * 1024;

function readError(path: string, e: unknown): CroissantError {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ENOENT') {
    return new CroissantError('NOT_FOUND', `file not found: ${path}`, { location: { file: path } });
  }
  return new CroissantError('FETCH_FAILED', `cannot read ${path}: ${err.message}`, {
    cause: e,
    location: { file: path },
  });
}

/**
 * A byte source over a local file. Each read fills a buffer of exactly the bytes left (up to
 * 4 MiB), which is then handed on as is: no stream buffers copied into smaller ones, no copy
 * into a Uint8Array, so reading many files does not churn the garbage collector.
 */
export function fileSource(path: string): ByteSource {
  return {
    name: path,
    async size() {
      try {
        return (await stat(path)).size;
      } catch {
        return undefined;
      }
    },
    async *stream(signal) {
      const aborted = () => new CroissantError('ABORTED', `cancelled while reading ${path}`);
      if (signal?.aborted) throw aborted();
      let fh: FileHandle;
      try {
        fh = await open(path, 'r');
      } catch (e) {
        throw readError(path, e);
      }
      try {
        // The size at open: a file that changes while read is caught by its checksum.
        let left = (await fh.stat()).size;
        while (left > 0) {
          const buf = new Uint8Array(Math.min(left, CHUNK));
          let n = 0;
          while (n < buf.byteLength) {
            const { bytesRead } = await fh.read(buf, n, buf.byteLength - n, null);
            if (!bytesRead) break;
            n += bytesRead;
          }
          if (signal?.aborted) throw aborted();
          if (n) yield n === buf.byteLength ? buf : buf.subarray(0, n);
          if (n < buf.byteLength) return; // it shrank
          left -= n;
        }
      } catch (e) {
        if (e instanceof CroissantError) throw e;
        throw readError(path, e);
      } finally {
        await fh.close();
      }
    },
  };
}

async function* walk(dir: string, root: string): AsyncGenerator<ListedFile> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) yield* walk(full, root);
    else if (e.isFile())
      yield { path: relative(root, full).split(sep).join('/'), source: fileSource(full) };
  }
}

/** Resolves paths on the local filesystem and URLs through fetch. */
export function nodeResolver(): Resolver {
  return {
    resolve(ref, base) {
      const target = resolveRef(ref, base);
      if (isUrl(target)) {
        if (target.startsWith('file://')) return fileSource(new URL(target).pathname);
        return urlSource(target);
      }
      return fileSource(resolvePath(target));
    },
    async *list(base) {
      if (isUrl(base)) return;
      const dir = resolvePath(base.includes('/') ? base.slice(0, base.lastIndexOf('/')) : '.');
      yield* walk(dir, dir);
    },
  };
}
