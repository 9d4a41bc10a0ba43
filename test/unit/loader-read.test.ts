/**
 * The dataloader's reader: objects come back in the order asked whatever the read order,
 * neighbouring slices of a pack are one read, a pack read whole serves the next batches,
 * objects of several parts are read whole and verified, and what cannot be read is a
 * per-object error. A selection whose packs fit in the budget is read pack by pack, each once
 * and checked against its address (objects then need no hash of their own); a damaged pack is
 * served unverified so that each object's own check finds the damage; whole packs past the
 * budget are dropped, least recently used first; ranges are read several at once. Of a large
 * pack a small selection wants only a part: that part is read (once, kept), unverified.
 */
import { describe, expect, it } from 'vitest';
import { ObjectReader } from '../../src/lib/pipeline/loader-read.ts';
import { sha256 } from '../../src/lib/store/hash.ts';
import { createMemoryState, memoryBackend } from '../../src/lib/store/memory.ts';
import type { ChunkStore } from '../../src/lib/store/types.ts';
import { putChunk } from '../../src/lib/versions/chunks.ts';
import { emptyObjectIndex } from '../../src/lib/versions/manifest.ts';
import { ObjectWriter } from '../../src/lib/versions/objects.ts';

function blob(i: number, size = 300): Uint8Array {
  const b = new Uint8Array(size);
  for (let k = 0; k < size; k++) b[k] = (i * 31 + k) & 255;
  return b;
}

/** `n` objects of `size` bytes in packs of `packSize`; their shas, in order written. */
async function packed(chunks: ChunkStore, n: number, size: number, packSize: number) {
  const index = emptyObjectIndex();
  const writer = new ObjectWriter(chunks, index);
  writer.packSize = packSize;
  const shas: string[] = [];
  for (let i = 0; i < n; i++) shas.push(await writer.putBytes(blob(i, size)));
  await writer.flush();
  return { index, shas };
}

/** A store that counts the calls made to it and the most reads in flight at once. */
function counting(inner: ChunkStore) {
  const seen = { get: 0, getRange: 0, inFlight: 0, maxInFlight: 0 };
  const track = async <T>(p: () => Promise<T>): Promise<T> => {
    seen.inFlight++;
    seen.maxInFlight = Math.max(seen.maxInFlight, seen.inFlight);
    // Every read takes a turn of the event loop, as a disk read would.
    await new Promise((r) => setTimeout(r, 0));
    try {
      return await p();
    } finally {
      seen.inFlight--;
    }
  };
  const store: ChunkStore = {
    ...inner,
    has: (h) => inner.has(h),
    put: (h, b) => inner.put(h, b),
    delete: (h) => inner.delete(h),
    list: () => inner.list(),
    sweepTemporary: () => inner.sweepTemporary(),
    get: (h) => (seen.get++, track(() => inner.get(h))),
    getRange: (h, o, l) => (seen.getRange++, track(() => inner.getRange(h, o, l))),
  };
  return { store, seen };
}

describe('ObjectReader', () => {
  it('reads small packs whole, keeps the current one, and answers in the order asked', async () => {
    const { chunks } = memoryBackend();
    const index = emptyObjectIndex();
    const writer = new ObjectWriter(chunks, index);
    writer.packSize = 3000; // ten objects a pack
    const shas: string[] = [];
    for (let i = 0; i < 40; i++) shas.push(await writer.putBytes(blob(i)));
    await writer.flush();
    expect(new Set(Object.values(index.objects).map((o) => o.parts[0]![0])).size).toBe(4);
    const reader = new ObjectReader(chunks, index);
    const wanted = [shas[33]!, shas[2]!, shas[15]!, shas[4]!, shas[31]!];
    const got = await reader.read(wanted);
    got.forEach((r, i) => {
      expect(r.ok).toBe(true);
      if (r.ok) expect(r.bytes).toEqual(blob(shas.indexOf(wanted[i]!)));
    });
    expect(reader.stats).toMatchObject({ reads: 3, bytes: 9000, cacheHits: 0 }); // three packs
    const fresh = new ObjectReader(chunks, index);
    await fresh.read([shas[31]!]);
    const next = await fresh.read([shas[38]!, shas[30]!]);
    expect(fresh.stats).toMatchObject({ reads: 1, cacheHits: 2 });
    // Copies: changing one leaves the kept pack alone.
    if (next[0]!.ok) next[0]!.bytes.fill(0);
    const again = await fresh.read([shas[38]!]);
    expect(again[0]!.ok && again[0]!.bytes).toEqual(blob(38));
  });

  it('reads neighbours of a large pack as one range', async () => {
    const { chunks } = memoryBackend();
    const index = emptyObjectIndex();
    const writer = new ObjectWriter(chunks, index);
    writer.packSize = 4_000_000;
    const shas: string[] = [];
    for (let i = 0; i < 20; i++) shas.push(await writer.putBytes(blob(i, 200_000)));
    await writer.flush();
    const reader = new ObjectReader(chunks, index);
    const got = await reader.read([shas[5]!, shas[1]!, shas[4]!]);
    expect(got.map((r) => r.ok && r.bytes.length)).toEqual([200_000, 200_000, 200_000]);
    expect(got[2]!.ok && got[2]!.bytes).toEqual(blob(4, 200_000));
    // 4 and 5 are adjacent: one range; 1 is far: another. Not the whole 4 MB pack.
    expect(reader.stats).toMatchObject({ reads: 2, bytes: 600_000 });
  });

  it('reads multi-part objects whole and verified; reports what cannot be read', async () => {
    const { chunks } = memoryBackend();
    const index = emptyObjectIndex();
    const a = blob(1, 1000);
    const b = blob(2, 700);
    const whole = new Uint8Array([...a, ...b]);
    const sha = await sha256(whole);
    index.objects[sha] = {
      size: whole.length,
      parts: [
        [await putChunk(chunks, a), 0, a.length],
        [await putChunk(chunks, b), 0, b.length],
      ],
    };
    const lying = 'e'.repeat(64);
    index.objects[lying] = { size: a.length, parts: index.objects[sha]!.parts };
    const gone = 'd'.repeat(64);
    index.objects[gone] = { size: 10, parts: [['c'.repeat(64), 0, 10]] };
    const reader = new ObjectReader(chunks, index);
    const [ok, bad, missingChunk, notIndexed] = await reader.read([
      sha,
      lying,
      gone,
      'a'.repeat(64),
    ]);
    expect(ok).toMatchObject({ ok: true, verified: true });
    expect(ok!.ok && ok!.bytes).toEqual(whole);
    expect(bad).toMatchObject({ ok: false, code: 'CORRUPT_CHUNK' });
    expect(missingChunk).toMatchObject({ ok: false, code: 'MISSING_CHUNK' });
    expect(notIndexed).toMatchObject({ ok: false, code: 'MISSING_CHUNK' });
    expect(!notIndexed!.ok && notIndexed!.message).toMatch(/not in this commit's object index/);
  });

  it('reads a selection that fits pack by pack, once, verified, and serves later reads from memory', async () => {
    const { chunks } = memoryBackend();
    // 40 objects of 150 kB in packs of 1.5 MB: four packs over WHOLE_READ each.
    const { index, shas } = await packed(chunks, 40, 150_000, 1_500_000);
    const { store, seen } = counting(chunks);
    const reader = new ObjectReader(store, index);
    reader.expect([...shas, null]);
    // Two far-apart objects of one pack: without the selection this is two ranges.
    const first = await reader.read([shas[0]!, shas[8]!]);
    expect(first.map((r) => r.ok && r.verified)).toEqual([true, true]);
    expect(first[1]!.ok && first[1]!.bytes).toEqual(blob(8, 150_000));
    expect(seen).toMatchObject({ get: 1, getRange: 0 });
    const rest = await reader.read(shas.slice(1));
    expect(rest.every((r) => r.ok && r.verified)).toBe(true);
    expect(rest.map((r) => r.ok && r.bytes[0])).toEqual(
      shas.slice(1).map((_, i) => blob(i + 1)[0]),
    );
    expect(seen).toMatchObject({ get: 4, getRange: 0 }); // each pack once
    expect(reader.stats).toMatchObject({ reads: 4, cacheHits: 9 }); // objects 1–9, of the first pack

    // The same selection with a budget below its packs: ranges, left for workers to verify.
    const small = counting(chunks);
    const ranged = new ObjectReader(small.store, index, { cacheBytes: 3_000_000 });
    ranged.expect(shas);
    const got = await ranged.read([shas[0]!, shas[8]!]);
    expect(got.map((r) => r.ok && r.verified)).toEqual([false, false]);
    expect(got[1]!.ok && got[1]!.bytes).toEqual(blob(8, 150_000));
    expect(small.seen).toMatchObject({ get: 0, getRange: 2 });
  });

  it('reads the part of a large pack a small selection wants, once, and leaves its objects to be verified one by one', async () => {
    const state = createMemoryState();
    const { chunks } = memoryBackend(state);
    // 20 objects of 100 kB in one 2 MB pack (over WHOLE_READ); the selection wants objects 3–7:
    // bytes [300 kB, 800 kB), a quarter of the pack.
    const { index, shas } = await packed(chunks, 20, 100_000, 2_000_000);
    const pack = index.objects[shas[0]!]!.parts[0]![0];
    expect(shas.every((sha) => index.objects[sha]!.parts[0]![0] === pack)).toBe(true);
    // A selection wanting more than half of the pack reads it whole, checked against its address.
    const whole = counting(chunks);
    const wide = new ObjectReader(whole.store, index);
    wide.expect(shas.slice(0, 11));
    const far = await wide.read([shas[0]!, shas[10]!]);
    expect(whole.seen).toMatchObject({ get: 1, getRange: 0 });
    expect(far.map((r) => r.ok && r.verified)).toEqual([true, true]);

    const [, offset6] = index.objects[shas[6]!]!.parts[0]!;
    state.chunks.get(pack)!.bytes[offset6 + 7]! ^= 0xff; // one byte of object 6
    const ranges: [number, number][] = [];
    const { store, seen } = counting(chunks);
    const logged: ChunkStore = {
      ...store,
      getRange: (h, o, l) => (ranges.push([o, l]), store.getRange(h, o, l)),
    };
    const reader = new ObjectReader(logged, index);
    const selection = shas.slice(3, 8);
    reader.expect(selection);
    reader.prefetch();
    const got = await reader.read([shas[7]!, shas[3]!, shas[6]!]);
    expect(seen).toMatchObject({ get: 0, getRange: 1 });
    expect(ranges).toEqual([[300_000, 500_000]]); // the part, not the whole pack
    expect(got.every((r) => r.ok && !r.verified)).toBe(true);
    expect(got[1]!.ok && got[1]!.bytes).toEqual(blob(3, 100_000));
    // Each object's own hash: the damaged one fails it, the others pass.
    const hashes = await Promise.all(got.map((r) => (r.ok ? sha256(r.bytes) : '')));
    expect(hashes.map((h, i) => h === [shas[7], shas[3], shas[6]][i])).toEqual([true, true, false]);
    // The rest of the selection comes from the part kept; an object outside it is a range.
    const rest = await reader.read([shas[4]!, shas[5]!, shas[15]!]);
    expect(rest.map((r) => r.ok && r.bytes[1])).toEqual([4, 5, 15].map((i) => blob(i, 100_000)[1]));
    expect(ranges).toEqual([
      [300_000, 500_000],
      [1_500_000, 100_000],
    ]);
    expect(reader.stats).toMatchObject({ reads: 2, bytes: 600_000, cacheHits: 5 });
  });

  it('serves a damaged pack unverified, so that only the damaged object fails its own check', async () => {
    const state = createMemoryState();
    const { chunks } = memoryBackend(state);
    const { index, shas } = await packed(chunks, 10, 300, 1_000_000);
    const pack = index.objects[shas[0]!]!.parts[0]![0];
    const [, offset] = index.objects[shas[6]!]!.parts[0]!;
    state.chunks.get(pack)!.bytes[offset + 5]! ^= 0xff; // one byte of object 6
    const reader = new ObjectReader(chunks, index);
    reader.expect(shas);
    const got = await reader.read(shas);
    expect(got.every((r) => r.ok && !r.verified)).toBe(true);
    const hashes = await Promise.all(got.map((r) => (r.ok ? sha256(r.bytes) : '')));
    expect(hashes.map((h, i) => h === shas[i])).toEqual(shas.map((_, i) => i !== 6));
  });

  it('drops whole packs past the budget, least recently used first', async () => {
    const { chunks } = memoryBackend();
    // Three packs of ~300 kB (under WHOLE_READ: always read whole); room for two.
    const { index, shas } = await packed(chunks, 9, 100_000, 300_000);
    const packOf = (i: number) => index.objects[shas[i]!]!.parts[0]![0];
    expect(new Set(shas.map((_, i) => packOf(i))).size).toBe(3);
    const { store, seen } = counting(chunks);
    const reader = new ObjectReader(store, index, { cacheBytes: 650_000 });
    await reader.read([shas[0]!]); // pack A
    await reader.read([shas[3]!]); // pack B
    await reader.read([shas[1]!]); // A again: kept, and now the most recent
    expect(seen.get).toBe(2);
    await reader.read([shas[6]!]); // pack C: B goes
    await reader.read([shas[2]!]); // A: kept
    expect(seen.get).toBe(3);
    await reader.read([shas[4]!]); // B: read again
    expect(seen.get).toBe(4);
  });

  it('reads the ranges of a batch several at once', async () => {
    const { chunks } = memoryBackend();
    const { index, shas } = await packed(chunks, 40, 200_000, 8_000_000);
    const { store, seen } = counting(chunks);
    const reader = new ObjectReader(store, index, { cacheBytes: 0, concurrency: 4 });
    // Every fifth object: no two within READ_GAP, and a fifth of the pack (not read whole).
    const wanted = shas.filter((_, i) => i % 5 === 0);
    const got = await reader.read(wanted);
    expect(got.every((r) => r.ok)).toBe(true);
    expect(seen.getRange).toBe(8);
    expect(seen.maxInFlight).toBe(4);
  });

  it('prefetches the packs of a selection that fits, one after another, before any batch asks', async () => {
    const { chunks } = memoryBackend();
    const { index, shas } = await packed(chunks, 30, 150_000, 1_600_000); // three packs
    const packs = [...new Set(shas.map((sha) => index.objects[sha]!.parts[0]![0]))];
    expect(packs.length).toBe(3);
    const asked: string[] = [];
    const gates = new Map<string, () => void>();
    const gated: ChunkStore = {
      ...chunks,
      get: async (h) => {
        asked.push(h);
        await new Promise<void>((r) => gates.set(h, r));
        return chunks.get(h);
      },
      getRange: () => Promise.reject(new Error('no ranges when the selection fits')),
    };
    const reader = new ObjectReader(gated, index);
    reader.expect(shas);
    reader.prefetch();
    const firstPack = packs[0]!;
    await new Promise<void>((r) => queueMicrotask(r));
    await Promise.resolve();
    // One read at a time, in storage order: the first pack alone is being read.
    expect(asked).toEqual([firstPack]);
    const batch = reader.read([shas[25]!, shas[3]!, shas[14]!]);
    expect(asked).toEqual([firstPack]); // the batch waits on the prefetch, it reads nothing itself
    for (let p = 0; p < 3; p++) {
      while (!gates.has(asked[p] ?? '')) await new Promise<void>((r) => setTimeout(r, 0));
      gates.get(asked[p]!)!();
    }
    const got = await batch;
    expect(asked).toEqual(packs);
    expect(got.map((r) => r.ok && r.verified && r.bytes[0])).toEqual(
      [25, 3, 14].map((i) => blob(i, 150_000)[0]),
    );
    expect(reader.stats).toMatchObject({ reads: 3, cacheHits: 3 });
  });
});
