/**
 * Node-only export targets (CLI, tests): a folder, or a .tar file streamed to disk. Kept apart
 * from export.ts so the browser bundle never sees node:fs.
 *
 * Neither leaves a partial export behind. A folder is written under a staging name next to the
 * target and renamed into place once metadata.json is written; a tar is written to a temporary
 * file renamed at the end. On any failure (a corrupt chunk, Ctrl-C) the staging folder or the
 * temporary file is removed.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { LakeError } from '../store/errors.ts';
import { chunksOf, tarSink } from './export-tar.ts';
import { exportCommit, type ExportOptions, type ExportResult, type ExportSink } from './export.ts';
import type { Lake } from './lake.ts';

/** Writes each exported file under `dir`, creating folders as needed; discards by removing `dir`. */
export function folderSink(dir: string): ExportSink {
  return {
    async write(path, bytes) {
      const parts = path.split('/');
      // Paths come from the export itself, but a sink must never write outside its folder.
      if (parts.some((p) => p === '' || p === '.' || p === '..')) {
        throw new LakeError('BAD_INPUT', `refusing to write "${path}" outside the export folder`);
      }
      const full = join(dir, ...parts);
      await mkdir(dirname(full), { recursive: true });
      const fh = await open(full, 'wx');
      try {
        await fh.writeFile(bytes);
      } finally {
        await fh.close();
      }
    },
    discard: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A sibling of `path` no one else uses: `.<name>.partial-<random>`. */
function stagingPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.partial-${randomBytes(6).toString('hex')}`);
}

/** Refuses a target folder that holds anything: an export never mixes with other files. */
async function checkEmptyTarget(dir: string): Promise<boolean> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT') return false;
    if (code === 'ENOTDIR') {
      throw new LakeError(
        'BAD_INPUT',
        `${dir} is a file; export into a new or empty folder, or to a new file ending in .tar`,
      );
    }
    throw e;
  }
  if (names.length) {
    throw new LakeError(
      'BAD_INPUT',
      `${dir} already exists and is not empty; export into a new or empty folder`,
    );
  }
  return true;
}

/**
 * Exports a commit into the folder `dir` (see exportCommit), which must not exist or be empty;
 * read it back from `<dir>/metadata.json`. The folder appears whole or not at all.
 */
export async function exportToFolder(
  lake: Lake,
  dataset: string,
  rev: string,
  dir: string,
  opts: ExportOptions = {},
): Promise<ExportResult> {
  const existed = await checkEmptyTarget(dir);
  await mkdir(dirname(dir), { recursive: true });
  const staging = stagingPath(dir);
  const result = await exportCommit(lake, dataset, rev, folderSink(staging), opts);
  try {
    if (existed) await rmdir(dir);
    await rename(staging, dir);
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    throw new LakeError('IO', `could not move the finished export into ${dir}: ${String(e)}`, {
      cause: e,
    });
  }
  return result;
}

/**
 * Exports a commit as a .tar file (members dated with the commit's time, so the same commit
 * gives the same bytes), streamed to disk: memory holds one part at a time, not the archive.
 */
export async function exportTarToFile(
  lake: Lake,
  dataset: string,
  rev: string,
  file: string,
  opts: ExportOptions & { prefix?: string } = {},
): Promise<ExportResult> {
  const commit = await lake.readCommit(await lake.resolve(dataset, rev));
  // As a folder export refuses a folder that holds anything, a .tar export never replaces a
  // file (an earlier export, someone's archive): the rename below would, silently.
  if (
    await stat(file).then(
      () => true,
      (e: { code?: string }) => (e.code === 'ENOENT' ? false : Promise.reject(e)),
    )
  ) {
    throw new LakeError(
      'BAD_INPUT',
      `${file} already exists; export to a new file, or remove that one first`,
    );
  }
  await mkdir(dirname(file), { recursive: true });
  const tmp = stagingPath(file);
  const fh = await open(tmp, 'wx');
  const sink = tarSink({
    mtime: new Date(commit.time),
    ...(opts.prefix ? { prefix: opts.prefix } : {}),
  });
  // The packer waits for its reader, so the file is written while the export runs; a failed
  // write stops the packer, which fails the export's next write.
  const pump = (async () => {
    try {
      for await (const chunk of chunksOf(sink.readable)) await fh.write(chunk);
    } catch (e) {
      sink.abort(e);
      throw e;
    }
  })();
  // Awaited below; until then its failure must not count as unhandled.
  pump.catch(() => {});
  try {
    const result = await exportCommit(lake, dataset, rev, sink, opts);
    sink.close();
    await pump;
    await fh.sync();
    await fh.close();
    await rename(tmp, file);
    return result;
  } catch (e) {
    sink.abort(e);
    await pump.catch(() => {});
    await fh.close().catch(() => {});
    await rm(tmp, { force: true });
    throw e;
  }
}
