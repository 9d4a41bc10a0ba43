/** `--mapping id=path`, read by the lake's commands and by `records`. */
import { stat } from 'node:fs/promises';
import { CroissantError } from '../lib/croissant/errors.ts';
import { isUrl } from '../lib/io/source.ts';

/**
 * Parses `--mapping id=path` options. A local path that is a directory gets a trailing `/`,
 * which tells the reader to list it rather than read it as one file.
 */
export async function parseMapping(list: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const m of list) {
    const i = m.indexOf('=');
    if (i <= 0) throw new CroissantError('INVALID', `--mapping expects id=path, got "${m}"`);
    let path = m.slice(i + 1);
    if (!isUrl(path) && !path.endsWith('/')) {
      const isDir = await stat(path).then(
        (s) => s.isDirectory(),
        () => false,
      );
      if (isDir) path += '/';
    }
    out[m.slice(0, i)] = path;
  }
  return out;
}
