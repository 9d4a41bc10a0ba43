/**
 * The lake worker's export operations: a `.tar` the page downloads, or a folder the user picked.
 * Both verify what they copy and leave nothing behind on failure (export.ts). Worker code only.
 */
import { exportTarFile, exportToDirectory } from '../../src/lib/versions/export-browser.ts';
import type { ExportResult } from '../../src/lib/versions/export.ts';
import { scopeOf } from '../../src/lib/versions/scope.ts';
import { commitOf, type Handlers } from './lake-handlers.ts';

/** What the page is told about an export. */
function exportInfo(r: ExportResult) {
  const rows = r.recordSets.reduce((n, rs) => n + rs.rows, 0);
  return { commit: r.commit, rows, files: r.files.length, bytes: r.bytes };
}

/** The handlers of `exportTar`, `exportFolder` and `exportScope`. */
export const exportHandlers: Handlers<'exportTar' | 'exportFolder' | 'exportScope'> = {
  async exportTar({ lake, signal, onProgress }, dataset, rev, opts) {
    const [hash] = await commitOf(lake, dataset, rev);
    const { file, result } = await exportTarFile(lake, dataset, hash, {
      ...opts,
      signal,
      onProgress,
    });
    return { ...exportInfo(result), file };
  },

  async exportFolder({ lake, signal, onProgress }, dataset, rev, parent, opts) {
    const [hash] = await commitOf(lake, dataset, rev);
    const { folder, result } = await exportToDirectory(lake, dataset, hash, parent, {
      ...opts,
      signal,
      onProgress,
    });
    return { ...exportInfo(result), folder };
  },

  async exportScope({ lake }, dataset, rev) {
    const [hash] = await commitOf(lake, dataset, rev);
    return scopeOf(lake, dataset, hash);
  },
};
