/**
 * I/O adapters: the only way the core reads bytes. One interface, three implementations
 * (fetch/URL, browser File or directory, Node filesystem), so the same reader runs everywhere.
 */

/** Something whose bytes can be read, possibly more than once. */
export interface ByteSource {
  /** What to call it in messages: a URL, a path, or a file name. */
  readonly name: string;
  /** Size in bytes when known up front. */
  size(signal?: AbortSignal): Promise<number | undefined>;
  /** Streams the bytes. Each call starts from the beginning. */
  stream(signal?: AbortSignal, hint?: StreamHint): AsyncIterable<Uint8Array>;
  /**
   * The sha256 (lowercase hex) that `stream()` checks its bytes against, failing at the end of
   * the stream when they differ, as the lake does for the objects it stores. A reader whose
   * declared checksum is this one need not hash the bytes a second time.
   */
  verifiedSha256?(): string | undefined;
  /**
   * How the bytes of the last `stream()` were encoded for transit, when they were: the server
   * sent the file compressed (`Content-Encoding`) and the platform decoded it, so the bytes read
   * may not be the file as published. Known once the stream has ended.
   */
  transitEncoding?(): TransitEncoding | undefined;
}

/** What a consumer of `stream()` will do with the bytes, so a source can read to suit. */
export interface StreamHint {
  /**
   * The consumer joins a file of up to this many bytes into one buffer (ingest storing it): a
   * source that knows the size may give such a file in one piece, sparing the copy.
   */
  whole?: number;
}

/** A response's encoding for transit (see {@link ByteSource.transitEncoding}). */
export interface TransitEncoding {
  /**
   * The `Content-Encoding` header (e.g. `gzip`), or null when the browser hides it (another
   * origin that does not expose it) and only the byte counts show the decoding.
   */
  contentEncoding: string | null;
  /** Bytes the server sent (`Content-Length`), when it said. */
  sentBytes?: number;
  /** Bytes read after decoding. */
  readBytes: number;
}

/** A file found while listing a directory (FileSets without `containedIn`). */
export interface ListedFile {
  /** Path relative to the listed directory, with `/` separators. */
  path: string;
  source: ByteSource;
}

/**
 * Turns references in a document into byte sources. `ref` is an absolute URL or a path; `base`
 * is the location of the document that names it, against which relative paths resolve, and
 * which decides what it may read: a local document only its own folder, a remote one only
 * URLs. An empty `base` means the user named `ref` (the document itself, a mapping).
 */
export interface Resolver {
  resolve(ref: string, base: string): ByteSource;
  /** Lists every file under the directory that `base` lives in (for local FileSets). */
  list?(base: string, signal?: AbortSignal): AsyncIterable<ListedFile>;
}

/** Concatenates byte chunks (no copy for a single chunk). */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1 && parts[0]) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

/**
 * Buffers whose views a reader may hand out instead of copies. A reader copies what it cuts out
 * of a larger buffer (a tar member out of its archive), so that a small value does not keep the
 * whole buffer alive; ingest lends the raw files it holds in memory, so that the values cut
 * from them can be stored as slices of those files (versions/object-slices.ts).
 */
const lent = new WeakSet<ArrayBufferLike>();

/** Lets readers hand out views into `bytes`' buffer. */
export function lendViews(bytes: Uint8Array): void {
  lent.add(bytes.buffer);
}

/** Whether `bytes` is a view into a lent buffer (see lendViews). */
export function viewsLent(bytes: Uint8Array): boolean {
  return lent.has(bytes.buffer);
}

/** Reads a whole stream into one buffer. Only for things that must be whole (JSON, members). */
export async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of chunks) parts.push(c);
  return concat(parts);
}

/** Reads a whole source into one buffer. */
export function readAll(source: ByteSource, signal?: AbortSignal): Promise<Uint8Array> {
  return collect(source.stream(signal));
}

/** A source over bytes already in memory (inline data, archive members, tests). */
export function bytesSource(name: string, bytes: Uint8Array): ByteSource {
  return {
    name,
    size: () => Promise.resolve(bytes.byteLength),
    async *stream() {
      yield bytes;
    },
  };
}

/**
 * Stands for a FileObject's `@id` in a resolver's refusal (a resolver does not know which
 * FileObject names a path); the reader puts the real one in its place.
 */
export const MAPPING_ID = '<@id>';

/** A source that fails with `error` when read (a reference refused before any I/O). */
export function failingSource(name: string, error: Error): ByteSource {
  return {
    name,
    size: () => Promise.resolve(undefined),
    // eslint-disable-next-line require-yield
    async *stream() {
      throw error;
    },
  };
}

/** True for http(s) URLs and other absolute URLs with a scheme. */
export function isUrl(ref: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(ref);
}

/** Resolves `ref` against `base` (a URL or a path), keeping paths as paths. */
export function resolveRef(ref: string, base: string): string {
  if (isUrl(ref)) return ref;
  if (isUrl(base)) return new URL(ref, base).href;
  if (ref.startsWith('/')) return ref;
  const dir = base.includes('/') ? base.slice(0, base.lastIndexOf('/') + 1) : '';
  const parts = (dir + ref).split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '..' && out.length && out[out.length - 1] !== '..') out.pop();
    else if (p !== '.') out.push(p);
  }
  return out.join('/');
}
