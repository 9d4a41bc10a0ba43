/**
 * The Node filesystem adapter, used by the CLI, tests and benchmarks. URLs still go through
 * fetch, so one resolver serves both local paths and remote files.
 *
 * What a document may read is confined: a local document reads only inside its own folder
 * (links followed, so a link pointing out is refused), a remote document reads only URLs, and
 * anything else needs the user's word (`allow`, or a path the user names: the document itself
 * or a mapping). Devices, FIFOs, sockets and anything under /proc, /sys or /dev are never read.
 */
import { constants, type Stats } from 'node:fs';
import { open, readdir, realpath, stat, type FileHandle } from 'node:fs/promises';
import { dirname, join, relative, resolve as resolvePath, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CroissantError } from '../croissant/errors.ts';
import { urlSource } from './fetch.ts';
import type { ByteSource, ListedFile, Resolver } from './source.ts';
import { MAPPING_ID, failingSource, isUrl, resolveRef } from './source.ts';

/** Bytes per read: whole for most files, bounded for large ones. */
const CHUNK = 4 * 1024 * 1024;

/** Pseudo-filesystems whose "files" are the machine's state, never a dataset. */
const SPECIAL_ROOTS = ['/proc', '/sys', '/dev'];

/**
 * Where a path named by a document may be: inside `folder` (the document's own, absent for a
 * document read from a URL) or one of the folders the user allowed.
 */
export interface Confinement {
  /** The document that names the path (for messages). */
  document: string;
  folder?: string;
  allow: readonly string[];
}

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

const inside = (path: string, root: string) =>
  path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);

function refuseSpecial(path: string, why: string): CroissantError {
  return new CroissantError('SPECIAL_FILE', `${path} ${why}; croissant-lake never reads it`, {
    location: { file: path },
  });
}

async function realRoot(dir: string): Promise<string> {
  try {
    return await realpath(dir);
  } catch {
    return resolvePath(dir);
  }
}

/** Refuses a path outside its confinement (after following links). */
async function checkConfined(path: string, real: string, c: Confinement): Promise<void> {
  const roots = await Promise.all([...(c.folder ? [c.folder] : []), ...c.allow].map(realRoot));
  if (roots.some((r) => inside(real, r))) return;
  const link = real !== resolvePath(path) ? ` (a link to ${real})` : '';
  const allowed = c.allow.length ? ` or the allowed folders (${c.allow.join(', ')})` : '';
  const where = c.folder
    ? `outside the folder of its document (${c.folder})${allowed}`
    : `a local path, and its document was read from a URL (${c.document}), which may read only URLs${c.allow.length ? ` or paths in the allowed folders (${c.allow.join(', ')})` : ''}`;
  const folder = dirname(real);
  throw new CroissantError(
    'FORBIDDEN_PATH',
    `${path}${link} is ${where}. To read it anyway, map the FileObject to it (--mapping ${MAPPING_ID}=${path}) or allow its folder (--allow-path ${folder})`,
    { location: { file: path } },
  );
}

/**
 * Checks that `path` may be read: it exists, is a regular file (links followed), lives outside
 * /proc, /sys and /dev, and inside its confinement when it has one. Returns the real path.
 */
async function checkReadable(path: string, within?: Confinement): Promise<string> {
  const absolute = resolvePath(path);
  if (SPECIAL_ROOTS.some((r) => inside(absolute, r))) {
    throw refuseSpecial(path, 'is a special file (under /proc, /sys or /dev)');
  }
  let real: string;
  let st: Stats;
  try {
    real = await realpath(path);
    st = await stat(real);
  } catch (e) {
    // Outside its confinement, a missing file is refused like any other: no probing.
    if (within) await checkConfined(path, absolute, within);
    throw readError(path, e);
  }
  if (SPECIAL_ROOTS.some((r) => inside(real, r))) {
    throw refuseSpecial(path, `is a link to ${real}, a special file`);
  }
  if (within) await checkConfined(path, real, within);
  if (st.isDirectory()) {
    throw new CroissantError('FETCH_FAILED', `cannot read ${path}: it is a directory`, {
      location: { file: path },
    });
  }
  if (!st.isFile()) throw refuseSpecial(path, 'is not a regular file (a device, FIFO or socket)');
  return real;
}

/**
 * A byte source over a local file. Each read fills a buffer of exactly the bytes left (up to
 * 4 MiB), which is then handed on as is: no stream buffers copied into smaller ones, no copy
 * into a Uint8Array, so reading many files does not churn the garbage collector. `within`
 * confines it (see `Confinement`); without it the path is the user's own choice, and only
 * special files are refused.
 */
export function fileSource(path: string, within?: Confinement): ByteSource {
  return {
    name: path,
    async size() {
      try {
        return (await stat(await checkReadable(path, within))).size;
      } catch {
        return undefined;
      }
    },
    async *stream(signal, hint) {
      const aborted = () => new CroissantError('ABORTED', `cancelled while reading ${path}`);
      if (signal?.aborted) throw aborted();
      const real = await checkReadable(path, within);
      let fh: FileHandle;
      try {
        // Non-blocking: a FIFO swapped in after the check must not block the open.
        fh = await open(real, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
      } catch (e) {
        throw readError(path, e);
      }
      try {
        const st = await fh.stat();
        if (!st.isFile()) throw refuseSpecial(path, 'is not a regular file');
        // The size at open: a file that changes while read is caught by its checksum.
        let left = st.size;
        // A consumer that joins the file into one buffer anyway gets it in one read: its 4 MiB
        // pieces would be copied into memory never touched before (a page fault per 4 KiB).
        const piece = hint?.whole !== undefined && st.size <= hint.whole ? st.size : CHUNK;
        while (left > 0) {
          const buf = new Uint8Array(Math.min(left, piece));
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
    // Links are not followed (neither files nor folders): a listing stays inside its folder.
    if (e.isDirectory()) yield* walk(full, root);
    else if (e.isFile())
      yield { path: relative(root, full).split(sep).join('/'), source: fileSource(full) };
  }
}

export interface NodeResolverOptions {
  /**
   * Folders a document may read from besides its own (the CLI's `--allow-path`). Paths the
   * user names directly (the document, a mapping) need no permission.
   */
  allow?: readonly string[];
}

/** A local path from a `file:` URL, or undefined when it names no local file. */
function localPath(url: string): string | undefined {
  try {
    return fileURLToPath(url);
  } catch {
    return undefined;
  }
}

/**
 * Resolves paths on the local filesystem and URLs through fetch. A reference with an empty
 * `base` is the user's own (the document, a mapping); one with a base is named by the document
 * at `base` and confined as described at the top of this file.
 */
export function nodeResolver(opts: NodeResolverOptions = {}): Resolver {
  const allow = (opts.allow ?? []).map((d) => resolvePath(d));
  return {
    resolve(ref, base) {
      const docPath = base.startsWith('file:') ? localPath(base) : base;
      const target = resolveRef(ref, docPath ?? base);
      let path = target;
      if (isUrl(target)) {
        if (!/^file:/i.test(target)) return urlSource(target);
        const local = localPath(target);
        if (local === undefined) {
          return failingSource(
            target,
            new CroissantError('NOT_FOUND', `${target} names no local file`, {
              location: { file: target },
            }),
          );
        }
        path = local;
      }
      if (!base) return fileSource(resolvePath(path));
      const remote = isUrl(docPath ?? base);
      return fileSource(resolvePath(path), {
        document: base,
        ...(remote ? {} : { folder: dirname(resolvePath(docPath ?? base)) }),
        allow,
      });
    },
    async *list(base) {
      if (isUrl(base)) return;
      const dir = resolvePath(base.includes('/') ? base.slice(0, base.lastIndexOf('/')) : '.');
      yield* walk(dir, dir);
    },
  };
}
