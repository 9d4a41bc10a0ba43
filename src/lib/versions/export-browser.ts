/**
 * Browser export targets, used by the lake worker: a .tar as a `File` (a Blob the page can
 * download without copying it again), and a new folder inside a directory the user picked
 * (File System Access API). Neither leaves a partial export: a failed or cancelled tar is
 * dropped, and a failed folder export removes the folder it created.
 */
import { LakeError } from '../store/errors.ts';
import { chunksOf, tarSink } from './export-tar.ts';
import { exportCommit, type ExportOptions, type ExportResult, type ExportSink } from './export.ts';
import type { Lake } from './lake.ts';

/** Blob pieces are merged once this many bytes wait in memory, so the archive can spill to disk. */
const PIECE_BYTES = 32 * 1024 * 1024;

/** `<dataset>-<label>-<commit prefix>`, safe as a file or folder name. */
export function exportName(dataset: string, commit: string, label?: string): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[.]+/, '_');
  const parts = [dataset, ...(label && label !== commit ? [label] : []), commit.slice(0, 12)];
  return parts.map(safe).join('-');
}

/**
 * Exports a commit as a tar `File` named `<name>.tar` whose members sit under `<name>/`. The
 * archive streams into Blob pieces (the browser keeps large Blobs on disk), so memory holds a
 * few parts, not the archive.
 */
export async function exportTarFile(
  lake: Lake,
  dataset: string,
  rev: string,
  opts: ExportOptions & { label?: string } = {},
): Promise<{ file: File; result: ExportResult }> {
  const hash = await lake.resolve(dataset, rev);
  const commit = await lake.readCommit(hash);
  const name = exportName(dataset, hash, opts.label);
  const sink = tarSink({ mtime: new Date(commit.time), prefix: `${name}/` });
  const pieces: Blob[] = [];
  let waiting: Uint8Array<ArrayBuffer>[] = [];
  let waitingBytes = 0;
  const settle = () => {
    if (waiting.length) pieces.push(new Blob(waiting));
    waiting = [];
    waitingBytes = 0;
  };
  const pump = (async () => {
    for await (const chunk of chunksOf(sink.readable)) {
      waiting.push(chunk as Uint8Array<ArrayBuffer>);
      waitingBytes += chunk.byteLength;
      if (waitingBytes >= PIECE_BYTES) settle();
    }
    settle();
  })();
  // Awaited below; until then its failure must not count as unhandled.
  pump.catch(() => {});
  try {
    // The commit resolved above, even if the branch moves meanwhile: the name says which.
    const result = await exportCommit(lake, dataset, hash, sink, opts);
    sink.close();
    await pump;
    return { file: new File(pieces, `${name}.tar`, { type: 'application/x-tar' }), result };
  } catch (e) {
    sink.abort(e);
    await pump.catch(() => {});
    throw e;
  }
}

/** A folder name not used yet in `parent`: `name`, else `name-2`, `name-3`… */
async function freshFolder(parent: FileSystemDirectoryHandle, name: string): Promise<string> {
  for (let i = 1; ; i++) {
    const candidate = i === 1 ? name : `${name}-${i}`;
    try {
      await parent.getDirectoryHandle(candidate);
    } catch (e) {
      if ((e as { name?: string }).name === 'NotFoundError') return candidate;
      throw e;
    }
  }
}

/** Writes the export's files into the folder `name` of `parent`, which it creates. */
function directorySink(parent: FileSystemDirectoryHandle, name: string): ExportSink {
  // Created by the first write, so an export that fails before writing creates nothing.
  let root: Promise<FileSystemDirectoryHandle> | null = null;
  const dirs = new Map<string, Promise<FileSystemDirectoryHandle>>();
  const dirOf = (path: string): Promise<FileSystemDirectoryHandle> => {
    if (!path) return (root ??= parent.getDirectoryHandle(name, { create: true }));
    let d = dirs.get(path);
    if (!d) {
      const cut = path.lastIndexOf('/');
      const [up, leaf] = cut < 0 ? ['', path] : [path.slice(0, cut), path.slice(cut + 1)];
      d = dirOf(up).then((h) => h.getDirectoryHandle(leaf, { create: true }));
      dirs.set(path, d);
    }
    return d;
  };
  return {
    async write(path, bytes) {
      const parts = path.split('/');
      if (parts.some((p) => p === '' || p === '.' || p === '..')) {
        throw new LakeError('BAD_INPUT', `refusing to write "${path}" outside the export folder`);
      }
      const dir = await dirOf(parts.slice(0, -1).join('/'));
      const file = await dir.getFileHandle(parts.at(-1)!, { create: true });
      // A writable writes to a swap file that replaces the file only on close.
      const w = await file.createWritable();
      try {
        await w.write(bytes as Uint8Array<ArrayBuffer>);
        await w.close();
      } catch (e) {
        await w.abort().catch(() => {});
        throw e;
      }
    },
    async discard() {
      if (!root) return;
      await root.catch(() => {});
      await parent.removeEntry(name, { recursive: true }).catch((e: unknown) => {
        if ((e as { name?: string }).name !== 'NotFoundError') throw e;
      });
    },
  };
}

/**
 * Exports a commit into a new folder `<dataset>-<label>-<commit>` of `parent` (a directory the
 * user picked); returns the folder's name with the result.
 */
export async function exportToDirectory(
  lake: Lake,
  dataset: string,
  rev: string,
  parent: FileSystemDirectoryHandle,
  opts: ExportOptions & { label?: string } = {},
): Promise<{ folder: string; result: ExportResult }> {
  const hash = await lake.resolve(dataset, rev);
  const folder = await freshFolder(parent, exportName(dataset, hash, opts.label));
  const result = await exportCommit(lake, dataset, hash, directorySink(parent, folder), opts);
  return { folder, result };
}
