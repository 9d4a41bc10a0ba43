/**
 * The browser file adapter: a dropped Croissant file, or a dropped folder (or picked directory)
 * whose files are addressed by their relative path. URLs still go through fetch.
 */
import { CroissantError } from '../croissant/errors.ts';
import { remoteReadsLocal, urlSource } from './fetch.ts';
import type { ByteSource, Resolver } from './source.ts';
import { failingSource, isUrl, resolveRef } from './source.ts';

/** A byte source over a File or Blob. */
export function blobSource(name: string, blob: Blob): ByteSource {
  return {
    name,
    size: () => Promise.resolve(blob.size),
    async *stream(signal) {
      const reader = blob.stream().getReader();
      try {
        for (;;) {
          if (signal?.aborted)
            throw new CroissantError('ABORTED', `cancelled while reading ${name}`);
          const { done, value } = await reader.read();
          if (done) break;
          yield value;
        }
      } finally {
        reader.releaseLock();
      }
    },
  };
}

/** Path of a file inside a dropped folder, without the folder's own name. */
function relPath(file: File, rootName?: string): string {
  const p = (file as File & { webkitRelativePath?: string }).webkitRelativePath || file.name;
  if (rootName && p.startsWith(rootName + '/')) return p.slice(rootName.length + 1);
  const i = p.indexOf('/');
  return (file as File & { webkitRelativePath?: string }).webkitRelativePath && i >= 0
    ? p.slice(i + 1)
    : p;
}

/**
 * Resolves paths against a set of files. Paths are relative to the folder root; the document
 * is addressed by its own relative path.
 */
export function filesResolver(
  files: Iterable<File | { path: string; file: Blob }>,
  rootName?: string,
): Resolver {
  const byPath = new Map<string, Blob>();
  for (const f of files) {
    if (f instanceof File) byPath.set(relPath(f, rootName), f);
    else byPath.set(f.path, f.file);
  }
  return {
    resolve(ref, base) {
      const target = resolveRef(ref, base);
      if (isUrl(target)) {
        // Dropped files are all a dropped document may read locally; other URLs are fetched.
        if (/^file:/i.test(target)) return failingSource(target, remoteReadsLocal(target, base));
        return urlSource(target);
      }
      if (target.startsWith('/') || target === '..' || target.startsWith('../')) {
        return failingSource(
          target,
          new CroissantError(
            'FORBIDDEN_PATH',
            `"${ref}" is outside the dropped folder; a dropped document reads only the files dropped with it`,
            { location: { file: ref } },
          ),
        );
      }
      const file = byPath.get(target.replace(/^\.\//, ''));
      if (!file) {
        return failingSource(
          target,
          new CroissantError(
            'NOT_FOUND',
            `"${target}" is not among the dropped files; drop the whole dataset folder`,
            { location: { file: target } },
          ),
        );
      }
      return blobSource(target, file);
    },
    async *list() {
      const paths = [...byPath.keys()].sort();
      for (const p of paths) yield { path: p, source: blobSource(p, byPath.get(p) as Blob) };
    },
  };
}
