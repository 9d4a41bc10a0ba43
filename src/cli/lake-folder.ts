/**
 * What `--lake DIR` may be for a command: opening a lake creates its folders, so a mistyped
 * path made an empty lake that a read said nothing about ("total in lake: 0 B"), and a folder
 * of something else (`.git`) got `chunks/ entries/ locks/ tmp/` written into it. Only the
 * commands that bring data in (ingest, clone, remote) start a lake, in a new or empty folder;
 * every other command needs one that is there.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LakeError } from '../lib/store/errors.ts';

/** Commands that may start a lake in a new or empty folder. */
const STARTS_A_LAKE = new Set(['ingest', 'clone', 'remote']);

/** The folders every lake has (store/node-fs.ts). */
const LAKE_FOLDERS = ['chunks', 'entries'];

async function kindOf(path: string): Promise<'missing' | 'file' | 'folder'> {
  try {
    return (await stat(path)).isDirectory() ? 'folder' : 'file';
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw e;
  }
}

/** BAD_INPUT unless `dir` holds a lake, or is new or empty and `command` starts one. */
export async function checkLakeFolder(dir: string, command: string): Promise<void> {
  const root = resolve(dir);
  const starts = STARTS_A_LAKE.has(command);
  const kind = await kindOf(root);
  if (kind === 'file') {
    throw new LakeError('BAD_INPUT', `--lake ${dir} is a file, not a lake's folder`);
  }
  if (kind === 'missing') {
    if (starts) return;
    throw new LakeError(
      'BAD_INPUT',
      `no lake at ${root}: the folder does not exist. Give --lake the folder of a lake, or ingest or clone a dataset to start one there`,
    );
  }
  const held = await readdir(root);
  const lake = (await Promise.all(LAKE_FOLDERS.map((f) => kindOf(join(root, f))))).every(
    (k) => k === 'folder',
  );
  if (lake) return;
  if (!held.length) {
    if (starts) return;
    throw new LakeError(
      'BAD_INPUT',
      `no lake at ${root}: the folder is empty. Ingest or clone a dataset to start one there`,
    );
  }
  throw new LakeError(
    'BAD_INPUT',
    `${root} holds other files and no lake (no chunks/ and entries/ folders): give --lake the folder of a lake, or a new or empty one to start a lake in`,
  );
}
