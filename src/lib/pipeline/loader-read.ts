/**
 * The dataloader's I/O: the bytes of a batch's images, read from the lake in (chunk, offset)
 * order rather than shuffle order, in few large reads.
 *
 * - **Whole packs.** A pack is read whole, once, and kept (up to `cacheBytes`, least recently
 *   used first out) when every pack the loader will read fits in that budget
 *   ({@link ObjectReader.expect}), when it is small, or when a batch wants a quarter of it. A
 *   whole pack is read with `get`, which checks it against its address in one native hash, so
 *   its objects need no hash of their own: workers skip that step (`verified`). A pack that
 *   fails its check is still served, unverified, so that each object's own check names exactly
 *   the damaged ones.
 * - **Part of a pack.** Of a pack larger than {@link WHOLE_READ} a selection may want a small
 *   part (256 rows of a record set of 5,000: 0.5 of 8.4 MB); when that part is at most half of
 *   the pack, it alone is read, as one range, and kept like a pack. It cannot be checked
 *   against the pack's address, so its objects are verified one by one by whoever processes
 *   them (a few µs each). Less to read and hash before the first batch of an epoch.
 * - **Ranges.** Otherwise (a dataset larger than the budget, read in shuffled order) the slices
 *   a batch wants are read as ranges, neighbours closer than {@link READ_GAP} merged, several
 *   ranges at once; their objects are verified by whoever processes them.
 *
 * One read of a shuffled batch used to cost one store round trip per image (in the browser an
 * OPFS handle lookup, a `getFile()` and a Blob read each: ~7 ms, 48 s of a 53 s epoch of the
 * demo study); whole packs make that one read per pack per loader.
 */
import { LakeError } from '../store/errors.ts';
import type { ChunkReads } from '../store/types.ts';
import type { ObjectIndex } from '../versions/manifest.ts';
import { rangeRuns } from '../versions/range-runs.ts';
import {
  fail,
  problem,
  readParts,
  runLimited,
  serve,
  spansOf,
  type Extent,
  type Kept,
  type Pack,
  type ReadResult,
  type Slice,
} from './loader-read-slices.ts';

export type { ReadResult } from './loader-read-slices.ts';

/** Slices closer than this are read together (the gap is read and dropped). */
export const READ_GAP = 64 * 1024;
/** A pack whose indexed slices end within this is always read whole. */
export const WHOLE_READ = 1024 * 1024;
/** Longest range read at once, and the largest pack read whole. */
export const MAX_READ = 16 * 1024 * 1024;
/** Default bytes of whole packs kept in memory. */
export const DEFAULT_CACHE_BYTES = 256 * 1024 * 1024;
/** Default ranges read at once. */
export const DEFAULT_CONCURRENCY = 8;

/** Counters of the reader. */
export interface ReadStats {
  /** Reads from the store (whole packs and ranges), and their bytes. */
  reads: number;
  bytes: number;
  /** Objects served from a pack read earlier. */
  cacheHits: number;
}

/** How an {@link ObjectReader} reads. */
export interface ReaderOptions {
  /** Bytes of whole packs kept in memory (default {@link DEFAULT_CACHE_BYTES}). */
  cacheBytes?: number;
  /** Ranges read at once (default {@link DEFAULT_CONCURRENCY}). */
  concurrency?: number;
}

/** Reads objects of one commit's object index. */
export class ObjectReader {
  readonly stats: ReadStats = { reads: 0, bytes: 0, cacheHits: 0 };
  readonly #cacheBytes: number;
  readonly #concurrency: number;
  /** End of the last indexed slice of each pack: reading `[0, span)` reads all of them. */
  readonly #spans: ReadonlyMap<string, number>;
  /** Whole packs, read or being read; Map order is use order (least recent first). */
  readonly #packs = new Map<string, Kept>();
  #kept = 0;
  /** Packs to read whole on first use: every pack expected fits in the budget. */
  #resident = new Set<string>();
  /**
   * Packs of {@link #resident} of which the selection wants a small part: that part is read
   * (see {@link ObjectReader.expect}).
   */
  #extents = new Map<string, Extent>();

  constructor(
    readonly store: ChunkReads,
    readonly index: ObjectIndex,
    opts: ReaderOptions = {},
  ) {
    this.#cacheBytes = Math.max(0, opts.cacheBytes ?? DEFAULT_CACHE_BYTES);
    this.#concurrency = Math.max(1, opts.concurrency ?? DEFAULT_CONCURRENCY);
    this.#spans = spansOf(index);
  }

  /**
   * Tells the reader every object it will be asked for (a loader's selection). When all their
   * packs together fit in `cacheBytes`, each is read whole on first use and kept: an epoch
   * then reads each pack once, and later epochs read nothing.
   */
  expect(shas: Iterable<string | null>): void {
    const wanted = new Map<string, Extent>();
    for (const sha of shas) {
      const parts = sha ? this.index.objects[sha]?.parts : undefined;
      if (parts?.length !== 1) continue;
      const [chunk, offset, length] = parts[0]!;
      const e = wanted.get(chunk);
      if (!e) wanted.set(chunk, { start: offset, end: offset + length });
      else [e.start, e.end] = [Math.min(e.start, offset), Math.max(e.end, offset + length)];
    }
    // A pack larger than WHOLE_READ of which the selection wants no more than half (a few rows
    // of a large record set: 256 of 5,000 rows want 0.5 of 8.4 MB) is read in that part alone,
    // as one range kept like a pack: less to read and hash before the first batch (the read
    // is in the way of the first batch, the per-object hashes are spread over the items and,
    // with workers, run there).
    const extents = new Map<string, Extent>();
    let total = 0;
    for (const [chunk, e] of wanted) {
      const span = this.#spans.get(chunk) ?? 0;
      const part = span > WHOLE_READ && 2 * (e.end - e.start) <= span;
      if (part) extents.set(chunk, e);
      total += part ? e.end - e.start : span;
    }
    const fits = total <= this.#cacheBytes && [...wanted.keys()].every((p) => this.#whole(p));
    this.#resident = fits ? new Set(wanted.keys()) : new Set();
    this.#extents = fits ? extents : new Map();
  }

  /**
   * Starts reading, one after another, the packs {@link expect} found to fit in the budget and
   * not yet kept (a loader's epoch calls it before its first batch): the reads then run ahead
   * of decoding and of the workers' start, and `read` waits on them instead of starting its
   * own. Nothing to do when the selection does not fit (it is read batch by batch, in ranges).
   */
  prefetch(): void {
    let prev: Promise<unknown> = Promise.resolve();
    for (const chunk of this.#resident) {
      if (this.#packs.has(chunk)) continue;
      const after = prev;
      const part = this.#extents.get(chunk);
      // A failed read is served, as errors, to the batches that need the pack.
      prev = this.#startPack(chunk, part, () =>
        after.then(() => this.#readPack(chunk, part)),
      ).pack.catch(() => undefined);
    }
  }

  /** Reads the objects `shas` (in any order); results in the same order as `shas`. */
  async read(shas: readonly string[]): Promise<ReadResult[]> {
    const out: ReadResult[] = new Array<ReadResult>(shas.length);
    const slices: Slice[] = [];
    const multi: Promise<void>[] = [];
    for (let at = 0; at < shas.length; at++) {
      const sha = shas[at]!;
      const entry = this.index.objects[sha];
      if (!entry) {
        out[at] = {
          ok: false,
          code: 'MISSING_CHUNK',
          message: `image ${sha} is not in this commit's object index`,
        };
      } else if (entry.parts.length === 1) {
        const [chunk, offset, length] = entry.parts[0]!;
        slices.push({ at, sha, chunk, offset, length });
      } else {
        multi.push(readParts(this.store, sha, entry, this.stats).then((r) => void (out[at] = r)));
      }
    }
    slices.sort((a, b) => (a.chunk < b.chunk ? -1 : a.chunk > b.chunk ? 1 : a.offset - b.offset));
    const tasks: (() => Promise<void>)[] = [];
    for (let i = 0; i < slices.length;) {
      const chunk = slices[i]!.chunk;
      let j = i;
      let want = 0;
      while (j < slices.length && slices[j]!.chunk === chunk) want += slices[j++]!.length;
      let group = slices.slice(i, j);
      i = j;
      const span = this.#spans.get(chunk) ?? 0;
      const kept = this.#packs.get(chunk);
      const part = kept ? kept.part : this.#extents.get(chunk);
      if (part) {
        // The part kept serves the slices within it; any other goes to the ranges below.
        const inside = (s: Slice) => s.offset >= part.start && s.offset + s.length <= part.end;
        const within = group.filter(inside);
        if (within.length) tasks.push(() => this.#servePack(chunk, within, out));
        group = group.filter((s) => !inside(s));
      } else if (
        this.#packs.has(chunk) ||
        this.#resident.has(chunk) ||
        (this.#whole(chunk) && (span <= WHOLE_READ || span <= 4 * want))
      ) {
        tasks.push(() => this.#servePack(chunk, group, out));
        continue;
      }
      // Runs: slices close enough to read as one range.
      for (const { start, end, run } of rangeRuns(group, READ_GAP, MAX_READ))
        tasks.push(() => this.#serveRange(chunk, start, end, run, out));
    }
    await Promise.all([runLimited(tasks, this.#concurrency), ...multi]);
    return out;
  }

  /** True when the pack can be read whole (its indexed span is within one read). */
  #whole(chunk: string): boolean {
    return (this.#spans.get(chunk) ?? Infinity) <= MAX_READ;
  }

  /** Serves `run` from the whole pack, reading it first when it is not kept. */
  async #servePack(chunk: string, run: Slice[], out: ReadResult[]): Promise<void> {
    let kept = this.#packs.get(chunk);
    if (kept) {
      this.stats.cacheHits += run.length;
      this.#packs.delete(chunk); // most recently used: to the end
      this.#packs.set(chunk, kept);
    } else {
      const part = this.#extents.get(chunk);
      kept = this.#startPack(chunk, part, () => this.#readPack(chunk, part));
    }
    let got: Pack;
    try {
      got = await kept.pack;
    } catch (e) {
      fail(run, problem(e), out);
      return;
    }
    serve(run, got.start, got.bytes, got.verified, out);
  }

  /** Keeps `chunk` (or its `part`) as being read by `read()`. */
  #startPack(chunk: string, part: Extent | undefined, read: () => Promise<Pack>): Kept {
    const entry: Kept = { pack: read(), ...(part ? { part } : {}) };
    this.#packs.set(chunk, entry);
    entry.pack.then(
      (p) => this.#keep(chunk, entry, p.bytes.byteLength),
      () => this.#packs.get(chunk) === entry && this.#packs.delete(chunk), // read again later
    );
    return entry;
  }

  /**
   * Reads a pack whole and checks it against its address. A pack that fails the check is read
   * again as a plain range and served unverified: each object's own hash then tells the
   * damaged objects from the intact ones. With `part`, that part alone, unverified.
   */
  async #readPack(chunk: string, part?: Extent): Promise<Pack> {
    let pack: Pack;
    try {
      pack = part
        ? {
            bytes: await this.store.getRange(chunk, part.start, part.end - part.start),
            start: part.start,
            verified: false,
          }
        : { bytes: await this.store.get(chunk), start: 0, verified: true };
    } catch (e) {
      if (part || !(e instanceof LakeError) || e.code !== 'CORRUPT_CHUNK') throw e;
      const span = this.#spans.get(chunk) ?? 0;
      pack = { bytes: await this.store.getRange(chunk, 0, span), start: 0, verified: false };
    }
    this.stats.reads++;
    this.stats.bytes += pack.bytes.byteLength;
    return pack;
  }

  /** Counts a pack read as kept, dropping the least recently used ones past the budget. */
  #keep(chunk: string, entry: Kept, size: number): void {
    if (this.#packs.get(chunk) !== entry) return;
    entry.size = size;
    this.#kept += size;
    for (const [old, e] of this.#packs) {
      if (this.#kept <= this.#cacheBytes) break;
      if (e.size === undefined) continue; // still being read: not counted yet
      this.#packs.delete(old);
      this.#kept -= e.size;
    }
  }

  /** Reads `[start, end)` of `chunk` and serves `run` (sorted slices within it) from it. */
  async #serveRange(
    chunk: string,
    start: number,
    end: number,
    run: Slice[],
    out: ReadResult[],
  ): Promise<void> {
    let bytes: Uint8Array;
    try {
      bytes = await this.store.getRange(chunk, start, end - start);
    } catch (e) {
      fail(run, problem(e), out);
      return;
    }
    this.stats.reads++;
    this.stats.bytes += bytes.byteLength;
    serve(run, start, bytes, false, out);
  }
}
