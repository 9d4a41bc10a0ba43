/**
 * Objects stored as slices of an object held in memory (object-slices.ts): an archive's members,
 * cut out of the archive ingest has just read, are indexed as ranges of the archive's own
 * chunks, written nowhere else, and read back verified against their own sha256. The expected
 * entries are worked out here from the offsets and PART_SIZE.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lendViews, viewsLent } from '../../src/lib/io/source.ts';
import { openNodeBackend } from '../../src/lib/store/node-fs.ts';
import { emptyObjectIndex } from '../../src/lib/versions/manifest.ts';
import { sliceEntry } from '../../src/lib/versions/object-slices.ts';
import { ObjectWriter, PART_SIZE } from '../../src/lib/versions/objects.ts';
import { readObject } from '../../src/lib/versions/objects-read.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const shaOf = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function pattern(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 7 + seed + (i >> 12)) & 0xff;
  return out;
}

async function writer(onStored: (shas: string[]) => void = () => {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'lake-slices-'));
  dirs.push(dir);
  const backend = await openNodeBackend(dir);
  const w = new ObjectWriter(backend.chunks, emptyObjectIndex(), onStored);
  const chunkFiles = () =>
    readdirSync(path.join(dir, 'chunks'), { recursive: true }).filter((f) =>
      /[0-9a-f]{64}$/.test(String(f)),
    ).length;
  return { w, chunkFiles };
}

describe('objects stored as slices of a lent object', () => {
  it('indexes views into a lent object as ranges of its part chunks, before and after it is stored', async () => {
    const stored: string[] = [];
    const { w, chunkFiles } = await writer((s) => stored.push(...s));
    const archive = pattern(PART_SIZE + 300_000, 3); // two part chunks
    const sha = await w.putBytes(archive);
    w.lendSlices(archive, sha);
    const cuts: [number, number][] = [
      [1024, 5000], // inside the first part
      [PART_SIZE - 1000, 3000], // across the two parts
      [PART_SIZE + 512, 100_000], // inside the second part
    ];
    const early = cuts.slice(0, 2);
    const shas: string[] = [];
    // With their sha256 given, nothing is awaited before they are taken: the object's write,
    // which needs the event loop, cannot have ended yet.
    for (const [o, n] of early) {
      const view = archive.subarray(o, o + n);
      shas.push(await w.putBytes(view, shaOf(view)));
    }
    // Not yet stored: served from memory, as any object waiting for its chunk.
    expect(w.pendingBytes(shas[0]!)).toEqual(archive.subarray(1024, 1024 + 5000));
    await w.flush();
    const [o3, n3] = cuts[2]!;
    shas.push(await w.putBytes(archive.subarray(o3, o3 + n3))); // its object stored already
    await w.flush();
    const parts = w.index.objects[sha]!.parts;
    const [p1, p2] = [parts[0]![0], parts[1]![0]];
    expect(w.index.objects[shas[0]!]).toEqual({ size: 5000, parts: [[p1, 1024, 5000]] });
    expect(w.index.objects[shas[1]!]).toEqual({
      size: 3000,
      parts: [
        [p1, PART_SIZE - 1000, 1000],
        [p2, 0, 2000],
      ],
    });
    expect(w.index.objects[shas[2]!]).toEqual({ size: 100_000, parts: [[p2, 512, 100_000]] });
    // Nothing but the object's two parts was written.
    expect(chunkFiles()).toBe(2);
    for (const [i, [o, n]] of cuts.entries()) {
      const got = await readObject(w.store, w.index, shas[i]!);
      expect(shaOf(got)).toBe(shaOf(archive.subarray(o, o + n)));
      expect(shas[i]).toBe(shaOf(archive.subarray(o, o + n)));
    }
    // Only the lent object is reported stored (a resume journal's entry): the slices have no
    // chunk of their own, and a resumed ingest cuts them again (lake-ingest-slices-resume).
    expect(stored).toEqual([sha]);
  });

  it('packs bytes that are not a view into a lent object, and copies made from one', async () => {
    const { w } = await writer();
    const archive = pattern(PART_SIZE + 10, 5);
    const sha = await w.putBytes(archive);
    w.lendSlices(archive, sha);
    const copy = archive.slice(2000, 6000);
    const other = pattern(4000, 9);
    const [a, b] = [await w.putBytes(copy), await w.putBytes(other)];
    await w.flush();
    const pack = w.index.objects[a]!.parts[0]![0];
    expect(w.index.objects[a]!.parts).toEqual([[pack, 0, 4000]]);
    expect(w.index.objects[b]!.parts).toEqual([[pack, 4000, 4000]]);
  });

  it('indexes a view into a lent object at once (putSliceNow), as putBytes does', async () => {
    const { w } = await writer();
    const archive = pattern(PART_SIZE + 300_000, 7);
    const sha = await w.putBytes(archive);
    w.lendSlices(archive, sha);
    const view = archive.subarray(PART_SIZE - 1000, PART_SIZE + 2000);
    // Not a promise: the caller goes on without a wait.
    const got = w.putSliceNow(view);
    expect(got).toBe(shaOf(view));
    expect(w.putSliceNow(archive.subarray(PART_SIZE - 1000, PART_SIZE + 2000))).toBe(got);
    // Bytes it does not take: not in a lent buffer, the whole lent object, too large.
    expect(w.putSliceNow(pattern(3000, 1))).toBeUndefined();
    expect(w.putSliceNow(archive)).toBeUndefined();
    expect(w.putSliceNow(archive.subarray(0, 4 * 1024 * 1024))).toBeUndefined();
    await w.flush();
    const parts = w.index.objects[sha]!.parts;
    expect(w.index.objects[got!]).toEqual({
      size: 3000,
      parts: [
        [parts[0]![0], PART_SIZE - 1000, 1000],
        [parts[1]![0], 0, 2000],
      ],
    });
    expect(shaOf(await readObject(w.store, w.index, got!))).toBe(got);
    // The index holds only the object and the slice: nothing else was taken.
    expect(Object.keys(w.index.objects).sort()).toEqual([sha, got!].sort());
  });

  it('lends views only into the buffers lent', () => {
    const lent = new Uint8Array(100);
    const other = new Uint8Array(100);
    lendViews(lent);
    expect(viewsLent(lent.subarray(10, 20))).toBe(true);
    expect(viewsLent(other.subarray(10, 20))).toBe(false);
  });

  it('cuts an entry at any offset and length (sliceEntry)', () => {
    const entry = {
      size: 30,
      parts: [
        ['a', 5, 10],
        ['b', 0, 10],
        ['c', 100, 10],
      ] as [string, number, number][],
    };
    expect(sliceEntry(entry, 0, 30)).toEqual(entry);
    expect(sliceEntry(entry, 8, 15)).toEqual({
      size: 15,
      parts: [
        ['a', 13, 2],
        ['b', 0, 10],
        ['c', 100, 3],
      ],
    });
    expect(sliceEntry(entry, 20, 10)).toEqual({ size: 10, parts: [['c', 100, 10]] });
  });
});
