/**
 * Raw files kept byte for byte: a Resolver that wraps the user's (fetch, dropped files, Node
 * filesystem) so that the first read of any file stores it in the lake, and every read is
 * then served from the lake. Records are therefore generated from exactly the stored bytes,
 * and a file is downloaded once even when the reader passes over it twice. `rawFiles` lists
 * every file a document names, so that ingest also keeps the ones no record set reads.
 */
import type { Metadata } from '../croissant/model.ts';
import { sourceOf, type FilesContext } from '../croissant/resources/files.ts';
import { selected } from '../croissant/resources/fnmatch.ts';
import { mappedDirectory } from '../croissant/resources/mapping.ts';
import type { ByteSource, ListedFile, Resolver } from '../io/source.ts';
import { LakeError, checkAborted } from '../store/errors.ts';
import type { FileEntry } from './manifest.ts';
import { PACK_THRESHOLD, PART_SIZE, type ObjectWriter } from './objects.ts';
import { readObject, streamObject } from './objects-read.ts';
import { ReadAhead, type PlannedFile } from './read-ahead.ts';

/** A file up to two parts is joined into one buffer by `putStream` (hashed once, whole). */
const WHOLE_BYTES = 2 * PART_SIZE;

export interface CaptureOptions {
  signal?: AbortSignal;
  /** Bytes read from sources (progress). */
  onBytes?: (n: number, file: string) => void;
  /** Files stored by an earlier, interrupted run, by name. */
  resumed?: ReadonlyMap<string, FileEntry>;
  /** Called when a file has been read whole (its object may still wait in the open pack). */
  onCaptured?: (entry: FileEntry) => Promise<void> | void;
}

/** Captures sources into an ObjectWriter; `files` lists what was captured, by source name. */
export class RawCapture {
  readonly files = new Map<string, FileEntry>();
  private inflight = new Map<string, Promise<FileEntry>>();
  /** What the document calls each file it names (id, encodingFormat), by source name. */
  private named = new Map<string, { id: string; encodingFormat: string | undefined }>();
  /**
   * Files held whole that were served lately, by sha256, up to WHOLE_BYTES in all: a reader's
   * second pass over a file (a CSV read again for a join) is served from memory, not read
   * back and hashed again. The oldest is dropped first. Only files of PACK_THRESHOLD or more:
   * a smaller one waits in its pack for a while anyway, and holding many small ones that are
   * read once (a folder of DICOM files) kept memory from being reused, which cost more.
   */
  private held = new Map<string, Uint8Array>();
  private heldBytes = 0;
  /** Small files read ahead of the reader (`readAhead`), once planned. */
  private ahead: ReadAhead | undefined;

  constructor(
    private readonly writer: ObjectWriter,
    private readonly opts: CaptureOptions = {},
  ) {}

  /**
   * Names a file before it is read: whenever it is captured (by ingest's listing, or by the
   * reader reading it first), its entry gets this id and encodingFormat. The first name given
   * to a source is kept.
   */
  name(src: ByteSource, id: string, encodingFormat?: string): void {
    if (!this.named.has(src.name)) this.named.set(src.name, { id, encodingFormat });
  }

  /**
   * Reads the small ones of `files` (in this order) ahead of their capture, a few at a time
   * (read-ahead.ts): the files are still stored in the order they are captured.
   */
  readAhead(files: readonly PlannedFile[]): void {
    this.ahead = new ReadAhead(
      files,
      (name) => this.files.has(name) || this.inflight.has(name) || !!this.storedEarlier(name),
      this.opts.signal,
    );
  }

  /** The file's entry when an earlier, interrupted run stored it (and its object is there). */
  private storedEarlier(name: string): FileEntry | undefined {
    const resumed = this.opts.resumed?.get(name);
    return resumed && this.writer.has(resumed.sha256) ? resumed : undefined;
  }

  /** Reads nothing more ahead, and waits for the reads still running (read-ahead.ts). */
  async stopReadingAhead(): Promise<void> {
    await this.ahead?.close();
  }

  /** Stores a source unless already stored (or stored by an earlier run); returns its entry. */
  capture(src: ByteSource, fallbackId: string): Promise<FileEntry> {
    const named = this.named.get(src.name);
    const { id, encodingFormat } = named ?? { id: fallbackId, encodingFormat: undefined };
    const known = this.files.get(src.name);
    if (known) return Promise.resolve(known);
    const resumed = this.storedEarlier(src.name);
    if (resumed) {
      void this.ahead?.take(src.name); // read ahead after all (its object went missing then)
      const entry: FileEntry = named ? withName(resumed, id, encodingFormat) : resumed;
      this.files.set(src.name, entry);
      this.opts.onBytes?.(resumed.size, src.name); // stored by an earlier run: done
      return Promise.resolve(entry);
    }
    let p = this.inflight.get(src.name);
    if (!p) {
      const early = this.ahead?.take(src.name);
      p = (async () => {
        const whole = early && (await early);
        const { sha256, size } = whole
          ? await this.storeWhole(whole, src.name)
          : await this.writer.putStream(src.stream(this.opts.signal, { whole: WHOLE_BYTES }), (n) =>
              this.opts.onBytes?.(n, src.name),
            );
        const entry = withName(
          { id, source: src.name, name: src.name, sha256, size },
          id,
          encodingFormat,
        );
        this.files.set(src.name, entry);
        await this.opts.onCaptured?.(entry);
        return entry;
      })();
      this.inflight.set(src.name, p);
      p.finally(() => this.inflight.delete(src.name)).catch(() => {});
      // The files after it are read while it is stored and its records made (its own read has
      // begun: a source is read in the order the reader asks for it).
      this.ahead?.after(src.name);
    }
    return p;
  }

  /** Stores a file read ahead, as `putStream` stores one read whole. */
  private async storeWhole(
    bytes: Uint8Array,
    name: string,
  ): Promise<{ sha256: string; size: number }> {
    checkAborted(this.opts.signal);
    this.opts.onBytes?.(bytes.byteLength, name);
    return { sha256: await this.writer.putBytes(bytes), size: bytes.byteLength };
  }

  /** A source that reads from the lake (capturing `inner` on first use). */
  wrap(inner: ByteSource, id = inner.name): ByteSource {
    return {
      name: inner.name,
      size: async () => this.files.get(inner.name)?.size ?? (await inner.size()),
      stream: (signal) => this.read(inner, id, signal),
      // Reads from the lake check the object's sha256 (streamObject), so a reader need not.
      verifiedSha256: () => this.files.get(inner.name)?.sha256,
    };
  }

  private async *read(inner: ByteSource, id: string, signal?: AbortSignal) {
    const entry = await this.capture(inner, id);
    const inMemory = this.writer.pendingBytes(entry.sha256) ?? this.held.get(entry.sha256);
    if (inMemory) {
      this.hold(entry.sha256, inMemory);
      this.writer.known.set(inMemory, entry.sha256);
      // What a reader cuts out of it (an archive's members) is stored as slices of it.
      this.writer.lendSlices(inMemory, entry.sha256);
      yield inMemory;
      return;
    }
    const obj = this.writer.index.objects[entry.sha256];
    if (!obj) throw new LakeError('MISSING_CHUNK', `raw file ${inner.name} was not stored`);
    if (obj.size < WHOLE_BYTES) {
      // Held whole, lent as when it was first stored (above): what a reader cuts out of it is
      // a slice of it whichever run stored it, and whether or not its write had ended, so a
      // resumed ingest stores what an uninterrupted one does.
      const bytes = await readObject(
        this.writer.store,
        this.writer.index,
        entry.sha256,
        `raw file ${inner.name}`,
      );
      checkAborted(signal);
      this.hold(entry.sha256, bytes);
      this.writer.known.set(bytes, entry.sha256);
      this.writer.lendSlices(bytes, entry.sha256);
      yield bytes;
      return;
    }
    const whole = obj.parts.length === 1;
    for await (const part of streamObject(
      this.writer.store,
      entry.sha256,
      obj,
      `raw file ${inner.name}`,
    )) {
      if (signal?.aborted) throw new LakeError('ABORTED', 'cancelled by the user');
      // A one-part object is read in one piece: a record holding it as a value reuses its hash.
      if (whole) this.writer.known.set(part, entry.sha256);
      yield part;
    }
  }

  private hold(sha: string, bytes: Uint8Array): void {
    const size = bytes.byteLength;
    if (this.held.has(sha) || size < PACK_THRESHOLD || size >= WHOLE_BYTES) return;
    this.held.set(sha, bytes);
    this.heldBytes += size;
    for (const [old, b] of this.held) {
      if (this.heldBytes <= WHOLE_BYTES) break;
      this.held.delete(old);
      this.heldBytes -= b.byteLength;
    }
  }

  /** The user's resolver, with every source it gives captured into the lake. */
  resolver(inner: Resolver): Resolver {
    const out: Resolver = { resolve: (ref, base) => this.wrap(inner.resolve(ref, base)) };
    if (inner.list) {
      const list = inner.list.bind(inner);
      out.list = async function* (base, signal): AsyncIterable<ListedFile> {
        for await (const f of list(base, signal)) yield { path: f.path, source: wrapOf(f.source) };
      };
    }
    const wrapOf = (s: ByteSource) => this.wrap(s);
    return out;
  }
}

function withName(entry: FileEntry, id: string, encodingFormat: string | undefined): FileEntry {
  const { encodingFormat: _, ...rest } = entry;
  return { ...rest, id, ...(encodingFormat ? { encodingFormat } : {}) };
}

/** A file the document names, as the user's resolver serves it. */
export interface RawFile {
  source: ByteSource;
  id: string;
  format: string | undefined;
}

/**
 * Every file the distribution names, including ones no record set reads, as the user's
 * resolver serves them (`ctx` carries it): top-level FileObjects and listed FileSets.
 */
export async function rawFiles(ctx: FilesContext): Promise<RawFile[]> {
  const md: Metadata = ctx.metadata;
  const files: RawFile[] = [];
  for (const r of md.distribution) {
    checkAborted(ctx.signal);
    if (r.kind === 'FileObject' && (!r.containedIn.length || ctx.mapping[r.uuid])) {
      if (!r.contentUrl && !ctx.mapping[r.uuid]) continue;
      // A directory (a checked-out repository): its files are stored as the reader reads them.
      if (mappedDirectory(ctx, r)) continue;
      files.push({ source: sourceOf(ctx, r), id: r.uuid, format: r.encodingFormat });
    } else if (r.kind === 'FileSet' && !r.containedIn.length && ctx.resolver.list) {
      for await (const f of ctx.resolver.list(md.baseUrl, ctx.signal)) {
        if (!selected(r.includes, r.excludes, f.path)) continue;
        files.push({ source: f.source, id: `${r.uuid}/${f.path}`, format: r.encodingFormat });
      }
    }
  }
  return files;
}
