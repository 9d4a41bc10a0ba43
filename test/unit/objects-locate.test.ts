/**
 * ObjectWriter.locate(): the last pack's objects are located (their pack hashed) before the
 * pack is stored, so that ingest writes the object index meanwhile; the index and the resume
 * journal name them only once the pack is stored.
 */
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../src/lib/store/hash.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { emptyObjectIndex } from '../../src/lib/versions/manifest.ts';
import { ObjectWriter } from '../../src/lib/versions/objects.ts';
import { readObject } from '../../src/lib/versions/objects-read.ts';
import { wrapChunks } from './chunk-store-wrap.ts';

describe('ObjectWriter.locate', () => {
  it('locates the open pack before it is stored; index and journal name it once stored', async () => {
    const inner = memoryBackend().chunks;
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    const puts: string[] = [];
    const store = wrapChunks(inner, {
      put: async (h, b) => {
        puts.push(h);
        await held;
        await inner.put(h, b);
      },
    });
    const index = emptyObjectIndex();
    const journaled: string[][] = [];
    const w = new ObjectWriter(store, index, (shas) => void journaled.push([...shas]));
    const a = new TextEncoder().encode('first object');
    const b = new TextEncoder().encode('second, longer object');
    const [sa, sb] = [await sha256(a), await sha256(b)];
    await w.putBytes(a);
    await w.putBytes(b);

    const located = await w.locate();
    // The pack: a then b, concatenated, under its own sha256 (worked out here).
    const pack = new Uint8Array([...a, ...b]);
    const chunk = await sha256(pack);
    expect(Object.fromEntries(located)).toEqual({
      [sa]: { size: a.byteLength, parts: [[chunk, 0, a.byteLength]] },
      [sb]: { size: b.byteLength, parts: [[chunk, a.byteLength, b.byteLength]] },
    });
    // Not stored yet: its write has begun, and nothing names its objects.
    expect(puts).toEqual([chunk]);
    expect(await inner.has(chunk)).toBe(false);
    expect(index.objects).toEqual({});
    expect(journaled).toEqual([]);

    release();
    await w.flush();
    expect(index.objects).toEqual(Object.fromEntries(located));
    expect(journaled).toEqual([[sa, sb]]);
    expect(await readObject(store, index, sb)).toEqual(b);
  });

  it('locates a pack whose write then fails; flush() throws the failure', async () => {
    const inner = memoryBackend().chunks;
    const store = wrapChunks(inner, {
      put: async () => {
        throw new Error('disk full');
      },
    });
    const w = new ObjectWriter(store, emptyObjectIndex());
    await w.putBytes(new TextEncoder().encode('x'));
    const located = await w.locate();
    // The pack is hashed (located) before its write fails; flush() reports the failure.
    expect(located.size).toBe(1);
    await expect(w.flush()).rejects.toThrow('disk full');
  });
});
