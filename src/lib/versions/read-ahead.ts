/**
 * Small raw files read ahead of the reader during an ingest (raw-capture.ts). A folder of DICOM
 * slices is hundreds of files of half a megabyte: read one after the other, each costs an open,
 * a stat, a read and a close (or an HTTP request) that the reader waits for, and under Node its
 * sha256 on the thread that makes the records. Here the files after the one being captured, in
 * the order the document lists them, are read while the records of that one are made.
 * (Hashing them on the Parquet thread as well was tried: no faster on two cores, where that
 * thread already hashes the packs and encodes the fragments.)
 *
 * Only reading is done ahead: the files are still handed to the object writer in the order the
 * reader asks for them, so packs hold the same files at the same places as without it. At most
 * READ_AHEAD_FILES files and READ_AHEAD_BYTES bytes are held; files of PACK_THRESHOLD or more,
 * and files of unknown size, are streamed as before, and so is one that turns out larger than
 * its size said (a file that grew, a server's compressed Content-Length): its read ahead stops
 * there. A failed read is thrown when its file is captured, as a direct read's would be.
 * `close()` stops what is still being read and waits for it: nothing is read once an ingest
 * has returned. Files are read ahead in the document's order from the one captured last: where
 * the reader goes another way, the files it skips hold their places until they are captured
 * (the files no record set reads, at the end), and less is read ahead meanwhile; only the speed
 * changes.
 */
import { concat, type ByteSource } from '../io/source.ts';
import { checkAborted } from '../store/errors.ts';
import { PACK_THRESHOLD } from './objects.ts';

export const READ_AHEAD_FILES = 8;
export const READ_AHEAD_BYTES = 16 * 1024 * 1024;

/** A file the ingest will capture, in the document's order. */
export interface PlannedFile {
  source: ByteSource;
  /** Its size as the source told it before reading; undefined when it could not tell. */
  size: number | undefined;
}

interface Held {
  read: Promise<Uint8Array | undefined>;
  size: number;
}

export class ReadAhead {
  private readonly planned: PlannedFile[] = [];
  private readonly at = new Map<string, number>();
  private readonly held = new Map<string, Held>();
  private heldBytes = 0;
  /** Planned files before this index have been considered for reading ahead. */
  private cursor = 0;
  private readonly running = new Set<Promise<unknown>>();
  /** Aborted by the ingest's signal or by `close()`: stops the reads still running. */
  private readonly stop = new AbortController();
  private readonly unlink: () => void;

  /**
   * `skip(name)`: true for a file that needs no reading (captured already, being captured, or
   * stored by an earlier run).
   */
  constructor(
    files: readonly PlannedFile[],
    private readonly skip: (name: string) => boolean,
    signal?: AbortSignal,
  ) {
    const abort = () => this.stop.abort(signal?.reason);
    if (signal?.aborted) abort();
    signal?.addEventListener('abort', abort, { once: true });
    this.unlink = () => signal?.removeEventListener('abort', abort);
    for (const f of files) {
      if (this.at.has(f.source.name)) continue;
      this.at.set(f.source.name, this.planned.length);
      this.planned.push(f);
    }
  }

  /**
   * The file's bytes if they were read ahead (handed over: they are no longer held); resolves
   * to undefined when the file was larger than its size said (read it as usual).
   */
  take(name: string): Promise<Uint8Array | undefined> | undefined {
    const h = this.held.get(name);
    if (!h) return undefined;
    this.held.delete(name);
    this.heldBytes -= h.size;
    return h.read;
  }

  /** Starts reading the files listed after `name`, as far as the limits allow. */
  after(name: string): void {
    const i = this.at.get(name);
    if (i === undefined || this.stop.signal.aborted) return;
    this.cursor = Math.max(this.cursor, i + 1);
    while (this.cursor < this.planned.length && this.held.size < READ_AHEAD_FILES) {
      const f = this.planned[this.cursor]!;
      const size = f.size;
      const small = size !== undefined && size < PACK_THRESHOLD;
      if (small && this.heldBytes + size > READ_AHEAD_BYTES) return; // the window is full
      this.cursor++;
      if (!small || this.skip(f.source.name)) continue; // (each name is planned once)
      const read = readWhole(f.source, size, this.stop.signal);
      // Thrown to whoever takes it; a file never taken belongs to an ingest that failed.
      const done = read.then(
        () => {},
        () => {},
      );
      this.running.add(done);
      void done.then(() => this.running.delete(done));
      this.held.set(f.source.name, { read, size });
      this.heldBytes += size;
    }
  }

  /**
   * Reads nothing more: stops the reads still running (their files, if captured after all, are
   * read as usual) and waits for them to end. An ingest calls it before it returns.
   */
  async close(): Promise<void> {
    this.stop.abort();
    this.unlink();
    this.held.clear();
    this.heldBytes = 0;
    await Promise.all(this.running);
  }
}

/** The whole file, or undefined once it is found larger than `size` (and PACK_THRESHOLD). */
async function readWhole(
  source: ByteSource,
  size: number,
  signal: AbortSignal,
): Promise<Uint8Array | undefined> {
  checkAborted(signal);
  const most = Math.max(size, PACK_THRESHOLD);
  const chunks: Uint8Array[] = [];
  let n = 0;
  for await (const c of source.stream(signal, { whole: PACK_THRESHOLD })) {
    n += c.byteLength;
    if (n > most) return undefined; // the source is closed as the loop is left
    chunks.push(c);
  }
  return concat(chunks);
}
