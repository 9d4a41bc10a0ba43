/**
 * Raw files and blobs, byte for byte: small ones packed together into ~8 MiB pack chunks, large
 * ones split into 16 MiB part chunks, every one indexed by the sha256 of its whole content.
 * They are read back by ./objects-read.ts.
 */
import { concat } from '../io/source.ts';
import { checkAborted } from '../store/errors.ts';
import { sha256, sha256Now } from '../store/hash.ts';
import type { ChunkStore } from '../store/types.ts';
import { putChunk } from './chunks.ts';
import { ObjectSlices, sliceEntry, type Slice } from './object-slices.ts';
import { storeStream } from './object-stream.ts';
import { hashOnThread } from './parquet-thread.ts';
import { objectEntry, type ObjectEntry, type ObjectIndex } from './manifest.ts';

export const PACK_SIZE = 8 * 1024 * 1024;
/** Files under this size are packed; larger ones get part chunks of their own. */
export const PACK_THRESHOLD = 4 * 1024 * 1024;
export const PART_SIZE = 16 * 1024 * 1024;
/**
 * Pack or part writes in flight at once. Two, so that a write waiting on its fsync (or a
 * large object's parts) does not hold up the next full pack, while memory still holds at most
 * two written packs besides the open one.
 */
const MAX_WRITES = 2;
/** Packs of this many bytes or more are hashed on the Parquet thread, where there is one. */
export const HASH_ON_THREAD_FROM = 1024 * 1024;

interface Pending {
  sha: string;
  offset: number;
  length: number;
}

/**
 * Writes objects into an object index. An object is stored only after `flush()` (or once the
 * pack it was added to fills, or its own parts are written, in the background), which
 * `onStored` reports, so a resume journal never names an object that is not on disk. Slices
 * (object-slices.ts) are indexed but not reported: they have no chunk of their own, and a
 * resumed ingest cuts them again from their object, which it reads back whole and lends
 * (raw-capture.ts), at no cost in writes; journaling thousands of them cost more.
 *
 * A full pack, or a large object's parts, is written in the background while the next one
 * fills (at most MAX_WRITES writes in flight), so hashing and writing overlap with reading and
 * record generation. Until its write ends, its objects are served from memory; a failed write
 * surfaces at the next call (and every one after it).
 */
export class ObjectWriter {
  private pack: Uint8Array[] = [];
  private packBytes = 0;
  private pending: Pending[] = [];
  /** Objects not yet stored, open pack and pack being written: sha → bytes. */
  private waiting = new Map<string, Uint8Array>();
  /** Objects whose pack is hashed but not yet stored: sha → their entry to be. */
  private located = new Map<string, ObjectEntry>();
  /** One promise per pack write, settled once its objects are located (or it failed). */
  private locating = new Set<Promise<void>>();
  /** Writes in flight (each settles without throwing; a failure is kept in `failure`). */
  private writes = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;
  /**
   * Buffers whose sha256 is already known: whole objects read back from this writer (a file a
   * record holds as its value is then not hashed again).
   */
  readonly known = new WeakMap<Uint8Array, string>();
  /** The part chunks' sha256s of objects hashed with them (putStream), by their bytes. */
  private readonly partHashes = new WeakMap<Uint8Array, string[]>();
  /** Objects lent as whole buffers, and the slices of them waiting for them to be stored. */
  private readonly slices = new ObjectSlices();
  /** Bytes at which the open pack is written. Smaller packs resume at a finer grain. */
  packSize = PACK_SIZE;

  constructor(
    readonly store: ChunkStore,
    readonly index: ObjectIndex,
    private readonly onStored: (shas: string[]) => Promise<void> | void = () => {},
    private readonly signal?: AbortSignal,
  ) {}

  /** True when the object is stored, or waiting in the open pack or the one being written. */
  has(sha: string): boolean {
    return sha in this.index.objects || this.waiting.has(sha);
  }

  /** The bytes of an object not yet readable from the store (its pack is not written yet). */
  pendingBytes(sha: string): Uint8Array | undefined {
    return this.waiting.get(sha);
  }

  /**
   * `putBytes` without a wait where none is needed: bytes cut out of a lent object (an image
   * out of an archive) whose sha256 can be had at once (`sha256Now`: Node, or hash-wasm once
   * loaded), stored already or indexed as a slice. Undefined otherwise, before any hashing:
   * call `putBytes`.
   */
  putSliceNow(bytes: Uint8Array): string | undefined {
    const cut = bytes.byteLength < PACK_THRESHOLD ? this.slices.baseOf(bytes) : undefined;
    if (!cut) return undefined;
    const sha = this.known.get(bytes) ?? sha256Now(bytes);
    if (sha === undefined) return undefined;
    if (this.has(sha)) return sha;
    return this.putSlice({ sha, offset: cut.offset, length: bytes.byteLength }, cut.base, bytes);
  }

  /** Stores bytes already in memory; returns their sha256 (`known`: already computed). */
  async putBytes(bytes: Uint8Array, known?: string): Promise<string> {
    const sha = known ?? this.known.get(bytes) ?? (await sha256(bytes));
    if (this.has(sha)) return sha;
    const cut = bytes.byteLength < PACK_THRESHOLD ? this.slices.baseOf(bytes) : undefined;
    if (cut)
      return this.putSlice({ sha, offset: cut.offset, length: bytes.byteLength }, cut.base, bytes);
    if (bytes.byteLength >= PACK_THRESHOLD) {
      // Its parts are written in the background like a full pack (once a write in flight
      // has ended, if MAX_WRITES are; a failed one is thrown here), and served from memory
      // until then: an archive a reader is about to read is not waited for.
      await this.room(MAX_WRITES - 1);
      this.waiting.set(sha, bytes);
      this.track(this.writeParts(sha, bytes));
      return sha;
    }
    this.pending.push({ sha, offset: this.packBytes, length: bytes.byteLength });
    this.waiting.set(sha, bytes);
    this.pack.push(bytes);
    this.packBytes += bytes.byteLength;
    if (this.packBytes >= this.packSize) await this.startWrite();
    return sha;
  }

  /**
   * Stores a stream, holding at most two parts in memory. A file of up to two parts is hashed
   * once, whole, when it ends (fast native hashing); a larger one is hashed as it streams.
   * `onBytes` sees each chunk as it arrives (progress). Returns the object's sha256 and size
   * (object-stream.ts).
   */
  async putStream(
    chunks: AsyncIterable<Uint8Array>,
    onBytes: (n: number) => void = () => {},
  ): Promise<{ sha256: string; size: number }> {
    return storeStream(
      {
        store: this.store,
        ...(this.signal ? { signal: this.signal } : {}),
        has: (sha) => this.has(sha),
        putBytes: (bytes, known, partHashes) => {
          if (partHashes) this.partHashes.set(bytes, partHashes);
          return this.putBytes(bytes, known);
        },
        stored: async (sha, entry) => {
          this.index.objects[sha] = entry;
          await this.onStored([sha]);
        },
      },
      chunks,
      onBytes,
    );
  }

  /**
   * Lends `bytes`, the whole object `sha`, held in memory until stored: what readers cut out of
   * them (an archive's members) is stored as slices of it rather than copied (object-slices.ts).
   */
  lendSlices(bytes: Uint8Array, sha: string): void {
    this.slices.lend(bytes, sha);
  }

  /**
   * Indexes `slice` of the object `base`: at once when `base` is stored, else once it is (its
   * bytes served from memory meanwhile, and located as soon as `base` is).
   */
  private putSlice(slice: Slice, base: string, bytes: Uint8Array): string {
    const stored = this.index.objects[base];
    if (stored) {
      this.index.objects[slice.sha] = sliceEntry(stored, slice.offset, slice.length);
      return slice.sha;
    }
    this.waiting.set(slice.sha, bytes);
    this.slices.wait(base, slice);
    const located = this.located.get(base);
    if (located) this.located.set(slice.sha, sliceEntry(located, slice.offset, slice.length));
    return slice.sha;
  }

  /** Indexes the slices waiting for `bases`, now stored. */
  private storeSlices(bases: readonly string[]): void {
    for (const base of bases) {
      for (const s of this.slices.take(base)) {
        this.index.objects[s.sha] = sliceEntry(this.index.objects[base]!, s.offset, s.length);
        this.located.delete(s.sha);
        this.waiting.delete(s.sha);
      }
    }
  }

  /** Writes a large object's part chunks, then indexes it. */
  private async writeParts(sha: string, bytes: Uint8Array): Promise<void> {
    const parts: [string, number, number][] = [];
    const single = bytes.byteLength <= PART_SIZE;
    const known = this.partHashes.get(bytes);
    for (let o = 0; o < bytes.byteLength; o += PART_SIZE) {
      checkAborted(this.signal);
      const part = bytes.subarray(o, Math.min(o + PART_SIZE, bytes.byteLength));
      // A one-part object's part is the object itself: its hash is known; so are the parts of
      // one hashed with them. (Hashing a part on the Parquet thread needs a copy, which cost
      // this thread more than hashing.)
      const hash = single ? sha : known?.[o / PART_SIZE];
      parts.push([await putChunk(this.store, part, hash), 0, part.byteLength]);
    }
    this.index.objects[sha] = objectEntry(parts, bytes.byteLength);
    this.waiting.delete(sha);
    this.storeSlices([sha]);
    await this.onStored([sha]);
  }

  /** Writes the open pack, if any, and waits for every write to end. */
  async flush(): Promise<void> {
    await this.startWrite();
    await this.room(0);
  }

  /** Waits for the writes in flight, ignoring their failure (ingest is failing). */
  async settle(): Promise<void> {
    await Promise.all(this.writes);
  }

  /**
   * Where every object added so far will be: writes the open pack, waits until every pack
   * being written is hashed (not stored: `flush()` waits for that), and returns the entries of
   * the objects not yet stored (the index holds the others). The index's text can then be
   * written while the last packs are (chunks both, stored before a commit names them). A large
   * object's parts are located once written. A failed write is thrown here.
   */
  async locate(): Promise<Map<string, ObjectEntry>> {
    await this.startWrite();
    await Promise.all(this.locating);
    if (this.failure) throw this.failure.error;
    // A large object's parts are located once written.
    if ([...this.waiting.keys()].some((sha) => !this.located.has(sha))) await this.room(0);
    return new Map(this.located);
  }

  /**
   * Runs `write` in the background; its failure is thrown by the next `room()`. `located`
   * ends a pending locate() when the write ends before locating its objects (it failed).
   */
  private track(write: Promise<void>, located = () => {}): void {
    const settled: Promise<void> = write.then(
      () => void this.writes.delete(settled),
      (error: unknown) => {
        this.writes.delete(settled);
        this.failure ??= { error };
      },
    );
    void settled.then(located);
    this.writes.add(settled);
  }

  /** Waits until at most `max` writes are in flight; throws the failure of any write. */
  private async room(max: number): Promise<void> {
    while (this.writes.size > max) await Promise.race(this.writes);
    if (this.failure) throw this.failure.error;
  }

  /**
   * Hands the open pack to the background writer once fewer than MAX_WRITES writes are in
   * flight (a failed write is thrown here).
   */
  private async startWrite(): Promise<void> {
    await this.room(MAX_WRITES - 1);
    if (!this.pending.length) return;
    const [pack, pending] = [this.pack, this.pending];
    this.pack = [];
    this.packBytes = 0;
    this.pending = [];
    let located = () => {};
    const locating = new Promise<void>((resolve) => (located = resolve));
    this.locating.add(locating);
    void locating.then(() => this.locating.delete(locating));
    const write = async () => {
      // The pack's hash is computed on the Parquet thread where there is one (hashOnThread),
      // while this thread makes the records: a pack of several objects is a new buffer, lent;
      // a single object is still served from memory until stored, so it is copied. A small
      // pack is hashed here in microseconds (a small ingest does not start the thread).
      const bytes = concat(pack);
      const how = pack.length > 1 ? 'lend' : 'copy';
      const lent = bytes.byteLength >= HASH_ON_THREAD_FROM ? await hashOnThread(bytes, how) : null;
      const hash = lent?.sha256 ?? (await sha256(bytes));
      // Located: the index's text can be written while the pack is (locate()).
      const entries = pending.map((p) => objectEntry([[hash, p.offset, p.length]], p.length));
      pending.forEach((p, i) => {
        this.located.set(p.sha, entries[i]!);
        for (const s of this.slices.of(p.sha)) {
          this.located.set(s.sha, sliceEntry(entries[i]!, s.offset, s.length));
        }
      });
      located();
      await putChunk(this.store, lent?.bytes ?? bytes, hash);
      pending.forEach((p, i) => {
        this.index.objects[p.sha] = entries[i]!;
        this.located.delete(p.sha);
        this.waiting.delete(p.sha);
      });
      const shas = pending.map((p) => p.sha);
      this.storeSlices(shas);
      await this.onStored(shas);
    };
    this.track(write(), located);
  }
}
