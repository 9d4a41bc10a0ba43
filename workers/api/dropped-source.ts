/**
 * What the user asked to read (a URL, or files dropped or picked in the page) → the path of the
 * Croissant document and a Resolver for it and its data. Shared by the Croissant worker (open)
 * and the lake worker (ingest), so that a dropped folder is read the same way by both.
 */
import { CroissantError } from '../../src/lib/croissant/errors.ts';
import type { Resolver } from '../../src/lib/io/source.ts';

/** A file the user dropped or picked, with its path inside what was dropped. */
export interface DroppedFile {
  file: File;
  /** Relative path with `/` separators, e.g. `titanic/data/titanic.csv`. */
  path: string;
}

/** What to read: a URL, or files handed over from the page. */
export type OpenSource =
  { kind: 'url'; url: string } | { kind: 'files'; files: DroppedFile[]; rootName?: string };

/** The resolvers a worker provides (injected, so that this module stays small). */
export interface ResolverFactories {
  fetchResolver(opts?: { timeoutMs?: number }): Resolver;
  filesResolver(files: Iterable<File | { path: string; file: Blob }>, rootName?: string): Resolver;
}

const FETCH_TIMEOUT_MS = 30_000;
const LOOSE_ROOT = 'dropped';

/**
 * Finds the Croissant document among dropped files: the shallowest `.json`/`.jsonld` whose first
 * bytes mention the Croissant vocabulary, preferring `metadata.json`.
 */
async function findDocument(files: DroppedFile[]): Promise<DroppedFile> {
  const depth = (p: string) => p.split('/').length;
  const rank = (p: string) =>
    /(^|\/)(metadata|croissant)\.json(ld)?$/i.test(p) ? 0 : p.endsWith('.jsonld') ? 1 : 2;
  const candidates = files
    .filter((f) => /\.json(ld)?$/i.test(f.path))
    .sort(
      (a, b) =>
        depth(a.path) - depth(b.path) ||
        rank(a.path) - rank(b.path) ||
        a.path.localeCompare(b.path),
    );
  for (const c of candidates) {
    const head = await c.file.slice(0, 65_536).text();
    if (/mlcommons\.org\/(croissant|schema)/.test(head)) return c;
  }
  const first = candidates[0];
  if (first) return first;
  throw new CroissantError(
    'NOT_A_DATASET',
    `none of the ${files.length} dropped files is a .json or .jsonld document`,
  );
}

/** The document's path (a URL, or a path inside the dropped files) and its resolver. */
export async function resolveSource(
  source: OpenSource,
  lib: ResolverFactories,
): Promise<{ path: string; resolver: Resolver }> {
  if (source.kind === 'url') {
    return { path: source.url, resolver: lib.fetchResolver({ timeoutMs: FETCH_TIMEOUT_MS }) };
  }
  // The files resolver addresses files relative to one root folder; loose files (dropped side
  // by side) get a synthetic root so that their own folders are kept.
  const root = source.rootName ?? LOOSE_ROOT;
  const files = source.rootName
    ? source.files
    : source.files.map((f) => ({ ...f, path: `${root}/${f.path}` }));
  // Paths travel beside the files, not inside them: a File may arrive as a plain Blob (cloned
  // across a worker boundary), and its own name says nothing of its folder.
  const prefix = `${root}/`;
  const resolver = lib.filesResolver(
    files.map((f) => ({
      path: f.path.startsWith(prefix) ? f.path.slice(prefix.length) : f.path,
      file: f.file,
    })),
    root,
  );
  const path = (await findDocument(files)).path.slice(root.length + 1);
  return { path, resolver };
}
