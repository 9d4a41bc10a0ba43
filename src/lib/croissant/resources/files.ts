/**
 * Turns FileObjects and FileSets into concrete files: downloads (checksum-verified, with
 * progress), archive members, and directory listings filtered with Python fnmatch.
 */
import { createSHA256 } from 'hash-wasm';
import type { Progress } from '../api.ts';
import { CroissantError, throwIfAborted } from '../errors.ts';
import type { FileObject, FileSet, Metadata, Resource } from '../model.ts';
import type { ByteSource, Resolver } from '../../io/source.ts';
import { isUrl } from '../../io/source.ts';
import { TaskYield } from '../../io/next-task.ts';
import { readArchive } from './archive.ts';
import { createVerifier } from './checksum.ts';
import { selected } from './fnmatch.ts';
import { mappedDirectory, mappingOf, namedFor, type MappingContext } from './mapping.ts';

/** One file a record set reads. */
export interface FileRef {
  /** Where it lives: a URL/path, or `archive/member`. */
  filepath: string;
  /** Path relative to its directory or archive (what `includes` matched). */
  fullpath: string;
  /** Base name. */
  filename: string;
  /** Streams the bytes from the start (may be called more than once). */
  open(): AsyncIterable<Uint8Array>;
  encodingFormat?: string;
}

/** What resolving needs: where to read, overrides, cancellation and progress. */
export interface FilesContext extends MappingContext {
  metadata: Metadata;
  resolver: Resolver;
  signal?: AbortSignal;
  verifyChecksums: boolean;
  progress: (p: Partial<Progress>) => void;
  /** Reports a non-fatal finding. */
  warn: (message: string) => void;
}

const basename = (p: string) => p.slice(p.lastIndexOf('/') + 1);

/** Finds a distribution node by uuid (or, for robustness, by name). */
export function findResource(md: Metadata, uuid: string): Resource {
  const r =
    md.distribution.find((d) => d.uuid === uuid) ?? md.distribution.find((d) => d.name === uuid);
  if (!r)
    throw new CroissantError('INVALID', `no FileObject or FileSet "${uuid}" in the distribution`);
  return r;
}

/** The byte source of a top-level FileObject, honouring `mapping` and refusing git+ URLs. */
export function sourceOf(ctx: FilesContext, fo: FileObject): ByteSource {
  const url = fo.contentUrl;
  const mapped = mappingOf(ctx, fo);
  if (mapped && mappedDirectory(ctx, fo)) {
    throw new CroissantError(
      'UNSUPPORTED',
      `FileObject "${fo.uuid}" is mapped to the directory ${mapped}: only the FileSets and FileObjects contained in it can be read`,
      { location: { file: mapped } },
    );
  }
  if (mapped) return namedFor(fo, ctx.resolver.resolve(mapped, isUrl(mapped) ? mapped : ''));
  if (!url) {
    throw new CroissantError('INVALID', `FileObject "${fo.uuid}" has no contentUrl`, {
      location: { file: fo.uuid },
    });
  }
  if (url.startsWith('git+')) {
    throw new CroissantError(
      'OFFLINE_SOURCE',
      `FileObject "${fo.uuid}" lives in a git repository (${url}), which needs git over the network; download it and pass --mapping ${fo.uuid}=<local path>`,
      { location: { file: url } },
    );
  }
  return namedFor(fo, ctx.resolver.resolve(url, ctx.metadata.baseUrl));
}

/** Files already verified in one generation: a file read twice (CSV passes) is hashed once. */
const verifiedBy = new WeakMap<FilesContext, Set<string>>();

/** True when the source itself checks the declared sha256 while it streams (a lake object). */
function verifiedAlready(fo: FileObject, src: ByteSource): boolean {
  const declared = fo.sha256?.trim().toLowerCase();
  return !!declared && declared === src.verifiedSha256?.();
}

/** Streams a top-level FileObject, verifying its checksum and reporting bytes. */
function download(ctx: FilesContext, fo: FileObject): () => AsyncIterable<Uint8Array> {
  const src = sourceOf(ctx, fo);
  return async function* () {
    const done = verifiedBy.get(ctx) ?? new Set<string>();
    verifiedBy.set(ctx, done);
    const verify = ctx.verifyChecksums && !done.has(src.name);
    let verifier: Awaited<ReturnType<typeof createVerifier>> = null;
    let first = true;
    ctx.progress({ phase: 'download', file: src.name });
    for await (const chunk of src.stream(ctx.signal)) {
      throwIfAborted(ctx.signal);
      if (first) {
        // Asked once the stream has started: a source may only know then what it checks.
        first = false;
        if (verify && !verifiedAlready(fo, src))
          verifier = await createVerifier(fo, src.name, () => src.transitEncoding?.());
      }
      verifier?.update(chunk);
      ctx.progress({ phase: 'download', bytes: chunk.byteLength, file: src.name });
      yield chunk;
    }
    // An empty file is checked too.
    if (first && verify && !verifiedAlready(fo, src))
      verifier = await createVerifier(fo, src.name, () => src.transitEncoding?.());
    try {
      verifier?.finish();
      done.add(src.name);
    } catch (e) {
      // The reference verifies only what it downloads; a local file that does not match is
      // reported but still read, so records stay identical to the reference's.
      if (isUrl(src.name) && !src.name.startsWith('file:')) throw e;
      done.add(src.name);
      ctx.warn(
        `${(e as Error).message}. It is a local file, which the reference implementation does not verify either, so its records were still generated`,
      );
    }
  };
}

/** Members of the archives `containers`, in the reference's order: containers by sha256 of their URL. */
async function* archiveMembers(ctx: FilesContext, containers: readonly string[]) {
  const keyed: { key: string; fo: FileObject }[] = [];
  for (const uuid of containers) {
    const r = findResource(ctx.metadata, uuid);
    if (r.kind !== 'FileObject') {
      throw new CroissantError(
        'UNSUPPORTED',
        `"${uuid}" is a FileSet; only FileObject archives can contain files`,
      );
    }
    const h = await createSHA256();
    h.update(r.contentUrl ?? r.uuid);
    keyed.push({ key: h.digest('hex'), fo: r });
  }
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  // An archive already in memory (ingest stores it as it reads it) is unpacked in microtasks
  // alone: the event loop is let turn now and then, so that I/O started meanwhile proceeds.
  const clock = new TaskYield();
  for (const { fo } of keyed) {
    const open = download(ctx, fo);
    const name = fo.contentUrl ?? fo.uuid;
    for await (const entry of readArchive(open(), name)) {
      if (clock.due()) await clock.turn();
      yield { archive: name, ...entry };
    }
  }
}

/** Every file of a resource, in the order the reference produces them. */
export async function* filesOf(ctx: FilesContext, r: Resource): AsyncGenerator<FileRef> {
  if (r.kind === 'FileObject') yield* fileObjectFiles(ctx, r);
  else yield* fileSetFiles(ctx, r);
}

async function* fileObjectFiles(ctx: FilesContext, fo: FileObject): AsyncGenerator<FileRef> {
  if (!fo.containedIn.length || ctx.mapping[fo.uuid]) {
    const open = download(ctx, fo);
    const path = fo.contentUrl ?? fo.uuid;
    yield {
      filepath: path,
      fullpath: path,
      filename: basename(path),
      open,
      encodingFormat: fo.encodingFormat,
    };
    return;
  }
  const want = (fo.contentUrl ?? '').replace(/^\.\//, '');
  const { dirs, archives } = containers(ctx, fo.containedIn);
  // Named as if by a document inside the directory, so that it cannot read outside it. With
  // several directories, the first that has it; with none, the first says why it failed.
  const inDirs = dirs.map((dir) => namedFor(fo, ctx.resolver.resolve(want, dir + INSIDE_MAPPED)));
  for (const [i, src] of inDirs.entries()) {
    if (i < inDirs.length - 1 && (await src.size(ctx.signal)) === undefined) continue;
    yield {
      filepath: src.name,
      fullpath: want,
      filename: basename(want),
      open: () => src.stream(ctx.signal),
      encodingFormat: fo.encodingFormat,
    };
    return;
  }
  for await (const m of archiveMembers(ctx, archives)) {
    if (m.path !== want) continue;
    const bytes = m.bytes;
    yield {
      filepath: `${m.archive}/${m.path}`,
      fullpath: m.path,
      filename: basename(m.path),
      open: async function* () {
        yield bytes;
      },
      encodingFormat: fo.encodingFormat,
    };
    return;
  }
  throw new CroissantError('NOT_FOUND', `"${want}" is not inside ${fo.containedIn.join(', ')}`, {
    location: { file: fo.containedIn.join(', ') },
  });
}

/** A file name under a mapped directory, standing for a document that lives there. */
const INSIDE_MAPPED = '.croissant-mapping';

/** Splits containers into directories the user mapped them to and archives to read. */
function containers(
  ctx: FilesContext,
  uuids: readonly string[],
): { dirs: string[]; archives: string[] } {
  const dirs: string[] = [];
  const archives: string[] = [];
  for (const uuid of uuids) {
    const r = findResource(ctx.metadata, uuid);
    const dir = r.kind === 'FileObject' ? mappedDirectory(ctx, r) : undefined;
    if (dir) dirs.push(dir);
    else archives.push(uuid);
  }
  return { dirs, archives };
}

/** The files of a mapped directory that a FileSet selects. */
async function* directoryFiles(ctx: FilesContext, fs: FileSet, dir: string) {
  if (!ctx.resolver.list) {
    throw new CroissantError('UNSUPPORTED', `cannot list the directory ${dir} here`, {
      location: { file: dir },
    });
  }
  for await (const f of ctx.resolver.list(dir, ctx.signal)) {
    if (!selected(fs.includes, fs.excludes, f.path)) continue;
    const src = f.source;
    yield {
      filepath: src.name,
      fullpath: f.path,
      filename: basename(f.path),
      open: () => src.stream(ctx.signal),
      encodingFormat: fs.encodingFormat,
    };
  }
}

async function* fileSetFiles(ctx: FilesContext, fs: FileSet): AsyncGenerator<FileRef> {
  const enc = fs.encodingFormat;
  if (fs.containedIn.length) {
    // The reference sorts members by path within each archive; members arrive in archive order.
    const matched: FileRef[] = [];
    const { dirs, archives } = containers(ctx, fs.containedIn);
    for (const dir of dirs) for await (const f of directoryFiles(ctx, fs, dir)) matched.push(f);
    for await (const m of archiveMembers(ctx, archives)) {
      throwIfAborted(ctx.signal);
      if (!selected(fs.includes, fs.excludes, m.path)) continue;
      const bytes = m.bytes;
      matched.push({
        filepath: `${m.archive}/${m.path}`,
        fullpath: m.path,
        filename: basename(m.path),
        open: async function* () {
          yield bytes;
        },
        encodingFormat: enc,
      });
    }
    matched.sort((a, b) => (a.filepath < b.filepath ? -1 : a.filepath > b.filepath ? 1 : 0));
    yield* matched;
    return;
  }
  if (!ctx.resolver.list) {
    throw new CroissantError(
      'UNSUPPORTED',
      `FileSet "${fs.uuid}" lists local files (${fs.includes.join(', ')}), which needs a local folder: open the dataset from a folder or a path`,
      { location: { file: fs.uuid } },
    );
  }
  const found: FileRef[] = [];
  for await (const f of ctx.resolver.list(ctx.metadata.baseUrl, ctx.signal)) {
    if (!selected(fs.includes, fs.excludes, f.path)) continue;
    const src = f.source;
    found.push({
      filepath: src.name,
      fullpath: f.path,
      filename: basename(f.path),
      open: () => src.stream(ctx.signal),
      encodingFormat: enc,
    });
  }
  found.sort((a, b) => (a.filepath < b.filepath ? -1 : a.filepath > b.filepath ? 1 : 0));
  yield* found;
}
