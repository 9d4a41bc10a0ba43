/**
 * The stateless parts of the dataloader's reader (`ObjectReader` in loader-read.ts): what
 * a read returns, the slices, packs and parts it keeps track of, each pack's indexed span
 * (worked out once per object index), how one pack's slices are grouped into ranges, how the
 * objects are copied out of the bytes read (or failed with why), and the read of an object of
 * several parts.
 */
import { LakeError } from '../store/errors.ts';
import type { ChunkReads } from '../store/types.ts';
import type { ObjectEntry, ObjectIndex } from '../versions/manifest.ts';
import { streamObject } from '../versions/objects-read.ts';

/** The bytes of one object (a copy it owns, safe to transfer), or why they could not be read. */
export type ReadResult =
  | { ok: true; bytes: Uint8Array<ArrayBuffer>; verified: boolean }
  | { ok: false; code: string; message: string };

/** One object of a read: its place in the results, and where it lies in its pack. */
export interface Slice {
  at: number;
  sha: string;
  chunk: string;
  offset: number;
  length: number;
}

/**
 * A pack read whole, or the part of it a selection wants: its bytes, where they start in the
 * pack, and whether they matched its address (a part never does: its objects are verified one
 * by one).
 */
export interface Pack {
  bytes: Uint8Array;
  start: number;
  verified: boolean;
}

/** The bytes `[start, end)` of a pack that hold every object a selection wants of it. */
export interface Extent {
  start: number;
  end: number;
}

/**
 * A pack kept, or being read; `size` is set once it is read (and counted in the budget). `part`:
 * only that part of it is (being) read.
 */
export interface Kept {
  pack: Promise<Pack>;
  size?: number;
  part?: Extent;
}

/** The code and message of a failed read. */
export function problem(e: unknown): { code: string; message: string } {
  if (e instanceof LakeError) return { code: e.code, message: e.message };
  return { code: 'IO', message: e instanceof Error ? e.message : String(e) };
}

/** Runs `tasks` with at most `limit` in flight. */
export async function runLimited(tasks: (() => Promise<void>)[], limit: number): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < tasks.length) await tasks[next++]!();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, lane));
}

/** {@link spansOf} by index: a commit's index is read once per lake (`Lake.readObjects`). */
const SPANS = new WeakMap<ObjectIndex, ReadonlyMap<string, number>>();

/**
 * The end of the last indexed slice of each pack of `index`, worked out once per index: every
 * loader of a training run (training, validation, each run of a study) reads the same commit's
 * index, and the walk over its objects (5,806 for the demo study) made ~0.6 MB of garbage a
 * loader, in the first epoch. An index is not changed once read.
 */
export function spansOf(index: ObjectIndex): ReadonlyMap<string, number> {
  let spans = SPANS.get(index);
  if (spans) return spans;
  const m = new Map<string, number>();
  for (const { parts } of Object.values(index.objects)) {
    if (parts.length !== 1) continue;
    const [chunk, offset, length] = parts[0]!;
    m.set(chunk, Math.max(m.get(chunk) ?? 0, offset + length));
  }
  SPANS.set(index, (spans = m));
  return spans;
}

/** Copies each slice of `run` out of `bytes` (which starts at `start` of the chunk). */
export function serve(
  run: Slice[],
  start: number,
  bytes: Uint8Array,
  verified: boolean,
  out: ReadResult[],
): void {
  for (const s of run) {
    const at = s.offset - start;
    out[s.at] =
      at + s.length > bytes.byteLength
        ? {
            ok: false,
            code: 'CORRUPT_CHUNK',
            message: `image ${s.sha}: chunk ${s.chunk} is shorter than its index says (${s.length} bytes at offset ${s.offset})`,
          }
        : { ok: true, bytes: bytes.slice(at, at + s.length), verified };
  }
}

/** Fails each slice of `run` with `p`, naming its object. */
export function fail(run: Slice[], p: { code: string; message: string }, out: ReadResult[]): void {
  for (const s of run)
    out[s.at] = { ok: false, code: p.code, message: `image ${s.sha}: ${p.message}` };
}

/**
 * Reads an object of several parts whole (each part checked by `streamObject`), counting its
 * reads in `stats`.
 */
export async function readParts(
  store: ChunkReads,
  sha: string,
  entry: ObjectEntry,
  stats: { reads: number; bytes: number },
): Promise<ReadResult> {
  try {
    const parts: Uint8Array[] = [];
    let size = 0;
    for await (const p of streamObject(store, sha, entry, `image ${sha}`)) {
      parts.push(p);
      size += p.byteLength;
      stats.reads++;
      stats.bytes += p.byteLength;
    }
    const bytes = new Uint8Array(size);
    let o = 0;
    for (const p of parts) {
      bytes.set(p, o);
      o += p.byteLength;
    }
    return { ok: true, bytes, verified: true };
  } catch (e) {
    return { ok: false, ...problem(e) };
  }
}
