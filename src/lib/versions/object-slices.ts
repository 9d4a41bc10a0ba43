/**
 * Objects stored as slices of another object. A value that ingest cuts out of a raw file it
 * holds in memory (an image out of a tar archive it has just read) is indexed as the range of
 * that file's own chunks it occupies (`parts` slices, docs/format.md "Objects"), not written a
 * second time: the archive is stored byte for byte anyway, and reading the image reads that
 * range and checks it against the image's sha256, as for any object packed with others.
 *
 * The reader hands out views into the file only where ingest lends it (`lendViews`): elsewhere
 * it copies what it cuts, so that a small value does not keep a large buffer alive.
 */
import { lendViews } from '../io/source.ts';
import { objectEntry, type ObjectEntry } from './manifest.ts';

/** Where an object lies in another: `length` bytes from `offset` of the object `base`. */
export interface Slice {
  sha: string;
  offset: number;
  length: number;
}

/** The entry of the bytes `offset … offset + length` of the object `entry` indexes. */
export function sliceEntry(entry: ObjectEntry, offset: number, length: number): ObjectEntry {
  const parts: [string, number, number][] = [];
  let at = 0; // where the current part starts in the object
  for (const [chunk, start, n] of entry.parts) {
    const from = Math.max(offset, at);
    const to = Math.min(offset + length, at + n);
    if (from < to) parts.push([chunk, start + from - at, to - from]);
    at += n;
  }
  return objectEntry(parts, length);
}

/** The objects lent (by their buffer) and the slices waiting for their object to be stored. */
export class ObjectSlices {
  private readonly bases = new WeakMap<
    ArrayBufferLike,
    { sha: string; start: number; size: number }
  >();
  private readonly waiting = new Map<string, Slice[]>();

  /** `bytes` are the whole object `sha`: views into them may be stored as its slices. */
  lend(bytes: Uint8Array, sha: string): void {
    this.bases.set(bytes.buffer, { sha, start: bytes.byteOffset, size: bytes.byteLength });
    lendViews(bytes);
  }

  /**
   * The lent object `bytes` are a view into, and where in it; undefined when none, or when
   * they are the whole of it (a range of the same length at the same place holds its bytes).
   */
  baseOf(bytes: Uint8Array): { base: string; offset: number } | undefined {
    const b = this.bases.get(bytes.buffer);
    if (!b) return undefined;
    const offset = bytes.byteOffset - b.start;
    if (offset < 0 || offset + bytes.byteLength > b.size) return undefined;
    if (offset === 0 && bytes.byteLength === b.size) return undefined;
    return { base: b.sha, offset };
  }

  /** Keeps `slice` until `base` is stored. */
  wait(base: string, slice: Slice): void {
    const list = this.waiting.get(base);
    if (list) list.push(slice);
    else this.waiting.set(base, [slice]);
  }

  /** The slices waiting for `base`. */
  of(base: string): readonly Slice[] {
    return this.waiting.get(base) ?? [];
  }

  /** The slices waiting for `base`, which is now stored: they no longer wait. */
  take(base: string): Slice[] {
    const list = this.waiting.get(base) ?? [];
    this.waiting.delete(base);
    return list;
  }
}
