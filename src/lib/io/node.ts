/**
 * The Node filesystem adapter, used by the CLI, tests and benchmarks. URLs still go through
 * fetch, so one resolver serves both local paths and remote files.
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, resolve as resolvePath, sep } from 'node:path';
import { CroissantError } from '../croissant/errors.ts';
import { urlSource } from './fetch.ts';
import type { ByteSource, ListedFile, Resolver } from './source.ts';
import { isUrl, resolveRef } from './source.ts';

/** A byte source over a local file, read in 1 MiB chunks. */
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
      const stream = createReadStream(path, { highWaterMark: 1 << 20, signal });
      try {
        for await (const chunk of stream) yield new Uint8Array(chunk as Buffer);
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        if (err.code === 'ENOENT') {
          throw new CroissantError('NOT_FOUND', `file not found: ${path}`, {
            location: { file: path },
          });
        }
        if (err.name === 'AbortError')
          throw new CroissantError('ABORTED', `cancelled while reading ${path}`);
        throw new CroissantError('FETCH_FAILED', `cannot read ${path}: ${err.message}`, {
          cause: e,
          location: { file: path },
        });
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
