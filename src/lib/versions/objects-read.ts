/**
 * Reading raw files and blobs back (./objects.ts writes them): an object's parts streamed and
 * verified, a whole part chunk against its own address, a slice of a pack against the object's
 * sha256; or the whole object at once, or many objects at once (the slices of a pack that lie
 * close together read as one range).
 */
import { concat } from '../io/source.ts';
import { sha256, sha256Stream } from '../store/hash.ts';
import { checkAborted, LakeError } from '../store/errors.ts';
import type { ChunkReads, ChunkStore } from '../store/types.ts';
import type { ObjectEntry, ObjectIndex } from './manifest.ts';
import { PACK_THRESHOLD } from './objects.ts';
import { rangeRuns } from './range-runs.ts';

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
  if (got !== sha) throw hashMismatch(what, got, sha);
}

function hashMismatch(what: string, got: string, sha: string): LakeError {
  return new LakeError(
    'CORRUPT_CHUNK',
    `${what}: stored bytes hash to ${got}, not ${sha}; the lake is damaged here (restore from a remote or ingest again)`,
  );
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

/** Slices of one chunk at most this far apart are read as one range (the bytes between dropped). */
export const RUN_GAP = 1024 * 1024;

/**
 * Reads many objects, each verified as {@link readObject} does, in the order of `shas`; `what`
 * names the i-th in errors. The slices of a pack (objects of one part under PACK_THRESHOLD)
 * that lie within RUN_GAP of each other are read as one range and cut from it: in OPFS every
 * read opens the chunk's file (a sync access handle), which cost about 10 ms an object in
 * Chromium, 50 s to export synthetic-lesions' 5,800 images where Node took 5 s. A range that
 * fails to read is read again object by object, so an error names the object as before. A range
 * lies within one chunk (a pack of ~8 MiB, a raw file's part of 16 MiB at most), and the objects
 * returned are views into it until the caller copies them (an export's Arrow column does).
 */
export async function readObjects(
  store: ChunkStore,
  index: ObjectIndex,
  shas: readonly string[],
  what: (i: number) => string,
  signal?: AbortSignal,
): Promise<Uint8Array[]> {
  const out = new Array<Uint8Array>(shas.length);
  const byChunk = new Map<string, { i: number; offset: number; length: number }[]>();
  for (const [i, sha] of shas.entries()) {
    const entry = index.objects[sha];
    const part = entry && entry.size < PACK_THRESHOLD && entry.parts.length === 1;
    if (!part) {
      checkAborted(signal);
      out[i] = await readObject(store, index, sha, what(i));
      continue;
    }
    const [chunk, offset, length] = entry.parts[0]!;
    const list = byChunk.get(chunk) ?? [];
    list.push({ i, offset, length });
    byChunk.set(chunk, list);
  }
  for (const [chunk, slices] of byChunk) {
    slices.sort((a, b) => a.offset - b.offset);
    for (const { start, end, run } of rangeRuns(slices, RUN_GAP)) {
      checkAborted(signal);
      let bytes: Uint8Array | null;
      try {
        bytes = await store.getRange(chunk, start, end - start);
      } catch {
        bytes = null;
      }
      for (const { i, offset, length } of run) {
        const view = bytes?.byteLength === end - start ? bytes.subarray(offset - start) : null;
        if (!view) {
          out[i] = await readObject(store, index, shas[i]!, what(i));
          continue;
        }
        const got = view.subarray(0, length);
        const hash = await sha256(got);
        if (hash !== shas[i]) throw hashMismatch(what(i), hash, shas[i]!);
        out[i] = got;
      }
    }
  }
  return out;
}
