/**
 * A stream stored as one object (ObjectWriter.putStream), holding at most two parts in memory:
 * a file of up to two parts is joined and handed to the writer whole, hashed once when it ends
 * (fast native hashing; its part chunks' addresses come out of the same pass), so that what a
 * reader cuts out of it can be stored as slices of it; a larger one is hashed as it streams and
 * its 16 MiB parts are written as they fill.
 */
import { concat } from '../io/source.ts';
import { checkAborted } from '../store/errors.ts';
import { sha256Parts, sha256Stream } from '../store/hash.ts';
import type { IHasher } from 'hash-wasm';
import type { ChunkStore } from '../store/types.ts';
import { putChunk } from './chunks.ts';
import { objectEntry, type ObjectEntry } from './manifest.ts';
import { PART_SIZE } from './objects.ts';

/** What storing a stream needs of the writer. */
export interface StreamSink {
  store: ChunkStore;
  signal?: AbortSignal;
  has(sha: string): boolean;
  /** Stores bytes held whole (`known`: their sha256; `partHashes`: their parts' sha256s). */
  putBytes(bytes: Uint8Array, known?: string, partHashes?: string[]): Promise<string>;
  /** Indexes an object whose part chunks are all written. */
  stored(sha: string, entry: ObjectEntry): Promise<void>;
}

/** Stores `chunks` as one object; returns its sha256 and size (`onBytes`: progress). */
export async function storeStream(
  w: StreamSink,
  chunks: AsyncIterable<Uint8Array>,
  onBytes: (n: number) => void,
): Promise<{ sha256: string; size: number }> {
  let hasher: IHasher | null = null;
  const parts: [string, number, number][] = [];
  let buf: Uint8Array[] = [];
  let bufBytes = 0;
  let size = 0;
  const emit = async (final: boolean) => {
    const all = concat(buf);
    let o = 0;
    for (; all.byteLength - o >= PART_SIZE || (final && o < all.byteLength); o += PART_SIZE) {
      const part = all.subarray(o, Math.min(o + PART_SIZE, all.byteLength));
      parts.push([await putChunk(w.store, part), 0, part.byteLength]);
    }
    buf = o < all.byteLength ? [all.subarray(o)] : [];
    bufBytes = all.byteLength - o;
  };
  for await (const c of chunks) {
    checkAborted(w.signal);
    size += c.byteLength;
    onBytes(c.byteLength);
    buf.push(c);
    bufBytes += c.byteLength;
    hasher?.update(c);
    if (bufBytes >= PART_SIZE * 2) {
      if (!hasher) {
        hasher = await sha256Stream();
        for (const b of buf) hasher.update(b);
      }
      await emit(false);
    }
  }
  if (!hasher) {
    const all = concat(buf);
    if (all.byteLength <= PART_SIZE) return { sha256: await w.putBytes(all), size };
    // Two parts: their chunks' addresses come out of the same pass (sha256Parts).
    const hashes = await sha256Parts(all, PART_SIZE);
    return { sha256: await w.putBytes(all, hashes.sha256, hashes.parts), size };
  }
  const sha = hasher.digest('hex');
  if (w.has(sha)) return { sha256: sha, size };
  await emit(true);
  await w.stored(sha, objectEntry(parts, size));
  return { sha256: sha, size };
}
