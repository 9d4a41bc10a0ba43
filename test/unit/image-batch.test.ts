/**
 * Thumbnails' image bytes asked of the lake worker together (src/app/image-batch.ts), against a
 * stand-in lake that records its calls: the asks of one task for one dataset and revision are
 * one `images` call, an image asked twice is read once (each caller gets its own buffer), a
 * failed batch is asked again image by image so only the damaged image fails, and batches hold
 * at most 64 images.
 */
import { describe, expect, it } from 'vitest';
import { batchedImage, type ImageLake } from '../../src/app/image-batch.ts';

const sha = (i: number) => i.toString(16).padStart(64, '0');
/** The bytes the stand-in holds for an image: its number, three times. */
const bytesOf = (s: string) => new Uint8Array([0, 1, 2].map(() => parseInt(s.slice(-4), 16)));

function standIn(damaged = new Set<string>()) {
  const calls: [string, ...unknown[]][] = [];
  const read = (s: string) => {
    if (damaged.has(s)) throw new Error(`image ${s} is damaged`);
    return bytesOf(s);
  };
  const lake = {
    call(method: 'image' | 'images', args: [string, string, string | string[]]) {
      calls.push([method, ...args]);
      const [, , what] = args;
      return Promise.resolve().then(() => (typeof what === 'string' ? read(what) : what.map(read)));
    },
  } as ImageLake;
  return { lake, calls };
}

describe('image bytes for a grid, asked together', () => {
  it('sends the asks of one task as one call, and reads an image asked twice once', async () => {
    const { lake, calls } = standIn();
    const asks = [1, 2, 3, 2].map((i) => batchedImage(lake, 'ds', 'main', sha(i)));
    const got = await Promise.all(asks);
    expect(calls).toEqual([['images', 'ds', 'main', [sha(1), sha(2), sha(3)]]]);
    expect(got).toEqual([1, 2, 3, 2].map((i) => bytesOf(sha(i))));
    expect(got[1]!.buffer).not.toBe(got[3]!.buffer);
  });

  it('keeps datasets and revisions apart, and asks a lone image alone', async () => {
    const { lake, calls } = standIn();
    await Promise.all([
      batchedImage(lake, 'ds', 'main', sha(1)),
      batchedImage(lake, 'ds', 'dev', sha(2)),
      batchedImage(lake, 'other', 'main', sha(3)),
      batchedImage(lake, 'ds', 'main', sha(4)),
    ]);
    expect(calls).toEqual([
      ['images', 'ds', 'main', [sha(1), sha(4)]],
      ['image', 'ds', 'dev', sha(2)],
      ['image', 'other', 'main', sha(3)],
    ]);
  });

  it('asks again image by image when a batch fails, so only the damaged image fails', async () => {
    const { lake, calls } = standIn(new Set([sha(2)]));
    const settled = await Promise.allSettled(
      [1, 2, 3].map((i) => batchedImage(lake, 'ds', 'main', sha(i))),
    );
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason).toEqual(
      new Error(`image ${sha(2)} is damaged`),
    );
    expect(calls.map((c) => c[0])).toEqual(['images', 'image', 'image', 'image']);
  });

  it('rejects an ask whose signal fires, before or after it is made', async () => {
    const { lake, calls } = standIn();
    const before = new AbortController();
    before.abort(new Error('closed before'));
    await expect(batchedImage(lake, 'ds', 'main', sha(1), before.signal)).rejects.toThrow(
      'closed before',
    );
    expect(calls).toEqual([]);
    const later = new AbortController();
    const asked = batchedImage(lake, 'ds', 'main', sha(2), later.signal);
    const other = batchedImage(lake, 'ds', 'main', sha(3));
    later.abort(new Error('viewer closed'));
    await expect(asked).rejects.toThrow('viewer closed');
    expect(await other).toEqual(bytesOf(sha(3)));
  });

  it('holds at most 64 images a call', async () => {
    const { lake, calls } = standIn();
    const all = Array.from({ length: 70 }, (_, i) => batchedImage(lake, 'ds', 'main', sha(i)));
    expect((await Promise.all(all)).map((b) => b[0])).toEqual(
      Array.from({ length: 70 }, (_, i) => i),
    );
    expect(calls.map((c) => [c[0], (c[3] as string[]).length])).toEqual([
      ['images', 64],
      ['images', 6],
    ]);
  });
});
