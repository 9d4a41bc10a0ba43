/**
 * An archive member indexed at once (ObjectWriter.putSliceNow), in Node and in the browser
 * (hash-wasm's hasher there, made by the first sha256 call, even one of a buffer that
 * WebCrypto hashes): the same sha256 and the same slice entry as putBytes gives, worked out
 * here from where the member lies in the pack.
 */
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../src/lib/store/hash.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { emptyObjectIndex } from '../../src/lib/versions/manifest.ts';
import { ObjectWriter } from '../../src/lib/versions/objects.ts';

function pattern(n: number, seed: number): Uint8Array {
  return new Uint8Array(n).map((_, i) => (i * 31 + seed + (i >> 9)) & 0xff);
}

describe('putSliceNow', () => {
  it('indexes a view into a lent object without a wait, as putBytes would', async () => {
    const w = new ObjectWriter(memoryBackend().chunks, emptyObjectIndex());
    // Large enough for WebCrypto in a browser: the first hash still makes hash-wasm's hasher.
    const archive = pattern(200_000, 5);
    const sha = await w.putBytes(archive);
    w.lendSlices(archive, sha);
    const view = archive.subarray(70_000, 71_400);
    const got = w.putSliceNow(view);
    expect(got).toBe(await sha256(view.slice()));
    // A copy is not a view into the lent object: left to putBytes.
    expect(w.putSliceNow(view.slice())).toBeUndefined();
    await w.flush();
    const [pack] = w.index.objects[sha]!.parts[0]!;
    expect(w.index.objects[got!]).toEqual({ parts: [[pack, 70_000, 1_400]], size: 1_400 });
  });
});
