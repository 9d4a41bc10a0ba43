/**
 * The dataloader's reader: objects come back in the order asked whatever the read order,
 * neighbouring slices of a pack are one read, the range kept serves the next batch, objects
 * of several parts are read whole and verified, and what cannot be read is a per-object error.
 */
import { describe, expect, it } from 'vitest';
import { ObjectReader } from '../../src/lib/pipeline/loader-read.ts';
import { sha256 } from '../../src/lib/store/hash.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { putChunk } from '../../src/lib/versions/chunks.ts';
import { emptyObjectIndex } from '../../src/lib/versions/manifest.ts';
import { ObjectWriter } from '../../src/lib/versions/objects.ts';

const blob = (i: number, size = 300) =>
  Uint8Array.from({ length: size }, (_, k) => (i * 31 + k) & 255);

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
});
