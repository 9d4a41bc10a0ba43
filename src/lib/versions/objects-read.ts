/**
 * Reading raw files and blobs back (./objects.ts writes them): an object's parts streamed and
 * verified, a whole part chunk against its own address, a slice of a pack against the object's
 * sha256; or the whole object at once.
 */
import { concat } from '../io/source.ts';
import { LakeError } from '../store/errors.ts';
import { sha256, sha256Stream } from '../store/hash.ts';
import type { ChunkReads, ChunkStore } from '../store/types.ts';
import type { ObjectEntry, ObjectIndex } from './manifest.ts';
import { PACK_THRESHOLD } from './objects.ts';

/**
 * Streams an object's parts, verified (CORRUPT_CHUNK names the object). An object of
 * PACK_THRESHOLD bytes or more is made of whole part chunks: each is read with `get`, which
 * checks it against its own address at native speed, so the object's hash is not computed
 * again. A smaller object is a slice of a pack, checked against the object's sha256.
 */
export async function* streamObject(
  store: ChunkReads,
  sha: string,
  entry: ObjectEntry,
  what = `object ${sha}`,
): AsyncGenerator<Uint8Array> {
  const whole = entry.size >= PACK_THRESHOLD && entry.parts.every(([, offset]) => offset === 0);
  // One slice is hashed in one call (native for all but tiny ones), several incrementally.
  const single = !whole && entry.parts.length === 1;
  const hasher = whole || single ? null : await sha256Stream();
  let got = whole ? sha : '';
  for (const [chunk, offset, length] of entry.parts) {
    let bytes: Uint8Array;
    try {
      // A part may be a slice of a pack: read the range; the object's hash verifies it.
      bytes = whole ? await store.get(chunk) : await store.getRange(chunk, offset, length);
    } catch (e) {
      if (e instanceof LakeError)
        throw new LakeError(e.code, `${what}: ${e.message}`, { cause: e });
      throw e;
    }
    if (bytes.byteLength !== length) {
      throw new LakeError(
        'CORRUPT_CHUNK',
        `${what}: chunk ${chunk} holds ${bytes.byteLength} bytes where its index says ${length} (at offset ${offset})`,
      );
    }
    if (single) got = await sha256(bytes);
    hasher?.update(bytes);
    yield bytes;
  }
  if (hasher) got = hasher.digest('hex');
  if (got !== sha) {
    throw new LakeError(
      'CORRUPT_CHUNK',
      `${what}: stored bytes hash to ${got}, not ${sha}; the lake is damaged here (restore from a remote or ingest again)`,
    );
  }
}

/** Reads a whole object, verified. */
export async function readObject(
  store: ChunkStore,
  index: ObjectIndex,
  sha: string,
  what = `object ${sha}`,
): Promise<Uint8Array> {
  const entry = index.objects[sha];
  if (!entry) throw new LakeError('MISSING_CHUNK', `${what} is not in this commit's object index`);
  const parts: Uint8Array[] = [];
  for await (const p of streamObject(store, sha, entry, what)) parts.push(p);
  return concat(parts);
}
