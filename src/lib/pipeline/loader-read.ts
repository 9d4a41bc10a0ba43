/**
 * The dataloader's I/O: the bytes of a batch's images, read from the lake in (chunk, offset)
 * order rather than shuffle order. A small pack, or one a batch wants much of, is read whole;
 * otherwise neighbouring slices are read as one range. The last range read (the current pack)
 * is kept, so the next batches over the same pack read nothing. Bytes of packed objects are
 * verified later, by whoever processes them (a worker, in parallel).
 */
import { LakeError } from '../store/errors.ts';
import type { ChunkStore } from '../store/types.ts';
import type { ObjectEntry, ObjectIndex } from '../versions/manifest.ts';
import { streamObject } from '../versions/objects.ts';

/** Slices closer than this are read together (the gap is read and dropped). */
export const READ_GAP = 64 * 1024;
/**
 * A pack whose indexed slices end within this is read whole (and kept) on first use; so is one
 * of which a batch wants a quarter or more.
 */
export const WHOLE_READ = 1024 * 1024;
/** Longest range read at once. */
export const MAX_READ = 16 * 1024 * 1024;

/** The bytes of one object (a copy it owns, safe to transfer), or why they could not be read. */
export type ReadResult =
  | { ok: true; bytes: Uint8Array<ArrayBuffer>; verified: boolean }
  | { ok: false; code: string; message: string };

/** Counters of the reader. */
export interface ReadStats {
  /** Ranges read from the store, and their bytes. */
  reads: number;
  bytes: number;
  /** Objects served from the range kept from an earlier read. */
  cacheHits: number;
}

interface Slice {
  at: number;
  sha: string;
  chunk: string;
  offset: number;
  length: number;
}

function problem(e: unknown): { code: string; message: string } {
  if (e instanceof LakeError) return { code: e.code, message: e.message };
  return { code: 'IO', message: e instanceof Error ? e.message : String(e) };
}

/** Reads objects of one commit's object index. */
export class ObjectReader {
  readonly stats: ReadStats = { reads: 0, bytes: 0, cacheHits: 0 };
  #kept: { chunk: string; start: number; bytes: Uint8Array } | null = null;

  /** End of the last indexed slice of each pack: reading `[0, span)` reads all of them. */
  readonly #spans = new Map<string, number>();

  constructor(
    readonly store: ChunkStore,
    readonly index: ObjectIndex,
  ) {
    for (const { parts } of Object.values(index.objects)) {
      if (parts.length !== 1) continue;
      const [chunk, offset, length] = parts[0]!;
      this.#spans.set(chunk, Math.max(this.#spans.get(chunk) ?? 0, offset + length));
    }
  }

  /** Reads the objects `shas` (in any order); results in the same order as `shas`. */
  async read(shas: readonly string[]): Promise<ReadResult[]> {
    const out: ReadResult[] = new Array<ReadResult>(shas.length);
    const slices: Slice[] = [];
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
        out[at] = await this.#readParts(sha, entry);
      }
    }
    slices.sort((a, b) => (a.chunk < b.chunk ? -1 : a.chunk > b.chunk ? 1 : a.offset - b.offset));
    for (let i = 0; i < slices.length;) {
      const chunk = slices[i]!.chunk;
      let j = i;
      let want = 0;
      while (j < slices.length && slices[j]!.chunk === chunk) want += slices[j++]!.length;
      const group = slices.slice(i, j);
      i = j;
      const span = this.#spans.get(chunk) ?? 0;
      if (span <= MAX_READ && (span <= WHOLE_READ || span <= 4 * want)) {
        await this.#serve(chunk, 0, span, group, out);
        continue;
      }
      // Runs: slices close enough to read as one range.
      for (let r = 0; r < group.length;) {
        const start = group[r]!.offset;
        let end = start + group[r]!.length;
        let k = r + 1;
        for (; k < group.length; k++) {
          const s = group[k]!;
          const next = Math.max(end, s.offset + s.length);
          if (s.offset - end > READ_GAP || next - start > MAX_READ) break;
          end = next;
        }
        await this.#serve(chunk, start, end, group.slice(r, k), out);
        r = k;
      }
    }
    return out;
  }

  /** Serves `run` (sorted slices of `chunk`) from the kept range, or reads `[start, end)`. */
  async #serve(chunk: string, start: number, end: number, run: Slice[], out: ReadResult[]) {
    const from = run[0]!.offset;
    const to = Math.max(...run.map((s) => s.offset + s.length));
    let kept = this.#kept;
    if (
      kept &&
      kept.chunk === chunk &&
      kept.start <= from &&
      to <= kept.start + kept.bytes.length
    ) {
      this.stats.cacheHits += run.length;
    } else {
      try {
        kept = { chunk, start, bytes: await this.store.getRange(chunk, start, end - start) };
      } catch (e) {
        const p = problem(e);
        for (const s of run) {
          out[s.at] = { ok: false, code: p.code, message: `image ${s.sha}: ${p.message}` };
        }
        return;
      }
      this.#kept = kept;
      this.stats.reads++;
      this.stats.bytes += kept.bytes.byteLength;
    }
    for (const s of run) {
      const at = s.offset - kept.start;
      out[s.at] =
        at + s.length > kept.bytes.byteLength
          ? {
              ok: false,
              code: 'CORRUPT_CHUNK',
              message: `image ${s.sha}: chunk ${s.chunk} is shorter than its index says (${s.length} bytes at offset ${s.offset})`,
            }
          : { ok: true, bytes: kept.bytes.slice(at, at + s.length), verified: false };
    }
  }

  async #readParts(sha: string, entry: ObjectEntry): Promise<ReadResult> {
    try {
      const parts: Uint8Array[] = [];
      let size = 0;
      for await (const p of streamObject(this.store, sha, entry, `image ${sha}`)) {
        parts.push(p);
        size += p.byteLength;
        this.stats.reads++;
        this.stats.bytes += p.byteLength;
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
}
