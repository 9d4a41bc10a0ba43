/**
 * Node-only export sink: a folder on disk (CLI, tests). Kept apart from export.ts so the
 * browser bundle never sees node:fs.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { LakeError } from '../store/errors.ts';
import { exportCommit, type ExportOptions, type ExportResult, type ExportSink } from './export.ts';
import type { Lake } from './lake.ts';

/** Writes each exported file under `dir`, creating folders as needed. */
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
      await writeFile(full, bytes);
    },
  };
}

/** Exports a commit into a folder (see exportCommit); read it back from `<dir>/metadata.json`. */
export function exportToFolder(
  lake: Lake,
  dataset: string,
  rev: string,
  dir: string,
  opts: ExportOptions = {},
): Promise<ExportResult> {
  return exportCommit(lake, dataset, rev, folderSink(dir), opts);
}
