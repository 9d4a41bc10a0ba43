/**
 * Re-hashing what an {@link Inventory} lists: every chunk once, checked against its address,
 * and every object: a file packed with others from its slice of the pack (so a damaged pack
 * names the files it damages), a large file from its parts in order.
 */
import { checkAborted } from '../store/errors.ts';
import { sha256, sha256Stream } from '../store/hash.ts';
import type { ObjectEntry } from './manifest.ts';
import { PACK_THRESHOLD } from './objects.ts';
import type { Inventory, ObjectUse, Use } from './verify-inventory.ts';

/** Whether `entry` is made of whole part chunks (objects-read.ts reads it so). */
function isWholeParts(entry: ObjectEntry): boolean {
  return entry.size >= PACK_THRESHOLD && entry.parts.every(([, offset]) => offset === 0);
}

/** Re-hashes every chunk and object `inv` lists, adding what is wrong to its problems. */
export async function rehash(inv: Inventory): Promise<{ chunks: number; bytes: number }> {
  const r = new Rehash(inv);
  const chunks = await r.check();
  return { chunks, bytes: r.bytes };
}

class Rehash {
  bytes = 0;

  constructor(private readonly inv: Inventory) {}

  /** Re-hashes every chunk once, and every object; the number of chunks. */
  async check(): Promise<number> {
    // Objects sliced from packs, by pack chunk; objects made of whole parts are read part by
    // part, which also checks those parts.
    // Objects sliced from two chunks (an archive's member across its parts) are checked
    // from ranges, after the chunks: a damaged chunk does not make them damaged.
    const slices = new Map<string, [string, number, number][]>();
    const wholeParts: string[] = [];
    const spanning: string[] = [];
    for (const [sha, o] of this.inv.objects) {
      const single = o.entry.parts.length === 1 ? o.entry.parts[0]! : undefined;
      if (single && !(single[0] === sha && single[1] === 0)) {
        const list = slices.get(single[0]) ?? [];
        list.push([sha, single[1], single[2]]);
        slices.set(single[0], list);
      } else if (single || isWholeParts(o.entry)) wholeParts.push(sha);
      else spanning.push(sha);
    }
    this.slices = slices;
    const packs = new Set(slices.keys());
    const chunks = new Set([...this.inv.chunkUses.keys(), ...packs]);
    for (const sha of [...wholeParts, ...spanning])
      for (const [c] of this.inv.objects.get(sha)!.entry.parts) chunks.add(c);
    const total = chunks.size + wholeParts.length + spanning.length;
    let done = 0;
    const tick = () =>
      this.inv.opts.onProgress?.({ phase: 'chunks', done: ++done, total, bytes: this.bytes });
    const checked = new Set<string>();
    for (const sha of wholeParts) {
      await this.objectFromParts(sha, this.inv.objects.get(sha)!, checked);
      tick();
    }
    for (const chunk of chunks) {
      if (checked.has(chunk)) {
        tick();
        continue;
      }
      checkAborted(this.inv.opts.signal);
      const u: Use = this.inv.chunkUses.get(chunk) ?? this.packUse(chunk, slices.get(chunk) ?? []);
      let bytes: Uint8Array | undefined;
      try {
        bytes = await this.inv.lake.chunks.get(chunk);
        this.bytes += bytes.byteLength;
      } catch (e) {
        this.inv.caught(e, u, { chunk });
      }
      for (const [sha, offset, length] of slices.get(chunk) ?? []) {
        await this.slice(sha, chunk, offset, length, bytes);
      }
      tick();
    }
    for (const sha of spanning) {
      checkAborted(this.inv.opts.signal);
      await this.spanning(sha, this.inv.objects.get(sha)!);
      tick();
    }
    return chunks.size;
  }

  /** Objects sliced from each pack or part chunk, by chunk. */
  private slices = new Map<string, [string, number, number][]>();

  /** Checks an object sliced from several chunks from its ranges, against its sha256. */
  private async spanning(sha: string, o: ObjectUse): Promise<void> {
    const u = this.inv.objectUse(sha, o);
    const hasher = await sha256Stream();
    for (const [chunk, offset, length] of o.entry.parts) {
      const extra = { chunk, object: sha, ...(o.files.size ? { files: [...o.files] } : {}) };
      try {
        const part = await this.inv.lake.chunks.getRange(chunk, offset, length);
        if (part.byteLength !== length) {
          const got = `${part.byteLength} bytes`;
          this.inv.problem(
            'CORRUPT_CHUNK',
            u,
            `${u.what}: chunk ${chunk} holds ${got} at offset ${offset}, not ${length}`,
            extra,
          );
          return;
        }
        hasher.update(part);
      } catch (e) {
        this.inv.caught(e, u, extra);
        return;
      }
    }
    const got = hasher.digest('hex');
    if (got !== sha) {
      this.inv.problem('CORRUPT_CHUNK', u, `${u.what}: its slices hash to ${got}, not ${sha}`, {
        object: sha,
      });
    }
  }

  private packUse(chunk: string, members: [string, number, number][]): Use {
    const commits = new Set<string>();
    let dataset = '';
    for (const [sha] of members) {
      const o = this.inv.objects.get(sha)!;
      dataset ||= o.dataset;
      for (const c of o.commits) commits.add(c);
    }
    return { dataset, commits, what: `a pack of ${members.length} raw files and blobs` };
  }

  /** Checks one object sliced from `chunk` (from `bytes` when the chunk read whole). */
  private async slice(
    sha: string,
    chunk: string,
    offset: number,
    length: number,
    bytes: Uint8Array | undefined,
  ): Promise<void> {
    const o = this.inv.objects.get(sha)!;
    const u = this.inv.objectUse(sha, o);
    const extra = { chunk, object: sha, ...(o.files.size ? { files: [...o.files] } : {}) };
    let part = bytes?.subarray(offset, offset + length);
    if (!part) {
      // The pack is damaged or gone: read this object's own range to tell whether it is hit.
      try {
        part = await this.inv.lake.chunks.getRange(chunk, offset, length);
      } catch (e) {
        this.inv.caught(e, u, extra);
        return;
      }
    }
    const got = part.byteLength === length ? await sha256(part) : `(${part.byteLength} bytes)`;
    if (got !== sha) {
      this.inv.problem(
        'CORRUPT_CHUNK',
        u,
        `${u.what}: its bytes at offset ${offset} of chunk ${chunk} hash to ${got}, not ${sha}`,
        extra,
      );
    }
  }

  /** Re-hashes an object made of whole part chunks, reading (and checking) each part once. */
  private async objectFromParts(sha: string, o: ObjectUse, checked: Set<string>): Promise<void> {
    const u = this.inv.objectUse(sha, o);
    const hasher = await sha256Stream();
    let whole = true;
    for (const [chunk, offset, length] of o.entry.parts) {
      checkAborted(this.inv.opts.signal);
      const extra = { chunk, object: sha, ...(o.files.size ? { files: [...o.files] } : {}) };
      let bytes: Uint8Array | undefined;
      try {
        bytes = await this.inv.lake.chunks.get(chunk);
        // A part two objects share (two versions of an archive) is counted once.
        if (!checked.has(chunk)) this.bytes += bytes.byteLength;
        hasher.update(bytes.subarray(offset, offset + length));
      } catch (e) {
        this.inv.caught(e, u, extra);
        whole = false;
      }
      // The objects sliced from this part (an archive's members), checked from it here, or
      // from their own ranges where it is damaged: the chunk is not read again.
      if (!checked.has(chunk)) {
        for (const [s, at, n] of this.slices.get(chunk) ?? []) {
          await this.slice(s, chunk, at, n, bytes);
        }
      }
      checked.add(chunk);
    }
    const got = hasher.digest('hex');
    if (whole && got !== sha) {
      this.inv.problem('CORRUPT_CHUNK', u, `${u.what}: its parts hash to ${got}, not ${sha}`, {
        object: sha,
      });
    }
  }
}
