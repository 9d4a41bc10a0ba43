/**
 * The user's mappings of FileObjects onto local paths or URLs (the CLI's `--mapping`), and
 * refusals of what a document may not read, named after the FileObject that asked for it.
 */
import { CroissantError, formatLocation } from '../errors.ts';
import type { FileObject, Metadata } from '../model.ts';
import type { ByteSource } from '../../io/source.ts';
import { MAPPING_ID, isUrl } from '../../io/source.ts';

/** What mapping needs to know. */
export interface MappingContext {
  /** FileObject `@id`, name or URL → a local path or URL; a path ending in `/` is a directory. */
  mapping: Record<string, string>;
}

/** The user's mapping of a FileObject (by `@id`, name or URL), if any. */
export function mappingOf(ctx: MappingContext, fo: FileObject): string | undefined {
  const url = fo.contentUrl;
  return ctx.mapping[fo.uuid] ?? ctx.mapping[fo.name] ?? (url ? ctx.mapping[url] : undefined);
}

/**
 * INVALID when a mapping names no FileObject of `md` (by `@id`, name or contentUrl): such a
 * mapping does nothing, and the document's own file was read in silence where the user meant
 * theirs (a typo in `--mapping nosuch.csv=…`).
 */
export function checkMappingKeys(md: Metadata, mapping: Record<string, string>): void {
  const files = md.distribution.filter((r): r is FileObject => r.kind === 'FileObject');
  const known = new Set(
    files.flatMap((f) => [f.uuid, f.name, ...(f.contentUrl ? [f.contentUrl] : [])]),
  );
  const unknown = Object.keys(mapping).filter((k) => !known.has(k));
  if (!unknown.length) return;
  throw new CroissantError(
    'INVALID',
    `--mapping names ${unknown.map((k) => `"${k}"`).join(', ')}, which no FileObject of the document is (by @id, name or contentUrl); its FileObjects are: ${files.map((f) => f.uuid).join(', ') || 'none'}`,
  );
}

/**
 * The local directory a FileObject is mapped to (a mapping ending in `/`, e.g. a git
 * repository checked out by the user), whose files the FileSets contained in it list.
 */
export function mappedDirectory(ctx: MappingContext, fo: FileObject): string | undefined {
  const mapped = mappingOf(ctx, fo);
  return mapped && !isUrl(mapped) && mapped.endsWith('/') ? mapped : undefined;
}

/** A refusal to read a path, saying which FileObject named it. */
function refusal(fo: FileObject, e: unknown): unknown {
  if (!(e instanceof CroissantError) || (e.code !== 'FORBIDDEN_PATH' && e.code !== 'SPECIAL_FILE'))
    return e;
  // Named already: the source was wrapped twice (an ingest's read ahead, then the reader's).
  if (e.message.startsWith(`FileObject "${fo.uuid}"`)) return e;
  const reason = e.message.replace(formatLocation(e.location), '').replaceAll(MAPPING_ID, fo.uuid);
  const path = e.location?.file;
  const named = fo.contentUrl && fo.contentUrl !== path ? ` (contentUrl ${fo.contentUrl})` : '';
  return new CroissantError(e.code, `FileObject "${fo.uuid}"${named}: ${reason}`, {
    cause: e,
    ...(e.location ? { location: e.location } : {}),
  });
}

/** `src`, with a refusal of the path it reads naming the FileObject `fo` (what it checks and how it arrived are kept). */
export function namedFor(fo: FileObject, src: ByteSource): ByteSource {
  const out: ByteSource = {
    name: src.name,
    size: (signal) => src.size(signal),
    async *stream(signal, hint) {
      try {
        yield* src.stream(signal, hint);
      } catch (e) {
        throw refusal(fo, e);
      }
    },
  };
  if (src.verifiedSha256) out.verifiedSha256 = () => src.verifiedSha256?.();
  if (src.transitEncoding) out.transitEncoding = () => src.transitEncoding?.();
  return out;
}
