/**
 * The loader's item cache (issue 14 §6: the loader must not starve training): with a pipeline
 * that draws nothing from the rng, epochs after the first take processed items from memory,
 * reading and decoding nothing, and give the same bits as a loader without the cache; a random
 * pipeline, bad items and a full budget are processed again every epoch.
 */
import { encode } from 'fast-png';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/lib/pipeline/decode.ts';
import { ItemCache } from '../../src/lib/pipeline/loader-cache.ts';
import {
  createLoader,
  type LoaderConfig,
  type LoaderOptions,
} from '../../src/lib/pipeline/loader.ts';
import { inlineLane, processItem, type PoolLane } from '../../src/lib/pipeline/loader-item.ts';
import { rngFor } from '../../src/lib/pipeline/rng.ts';
import { applyPipeline, drawsRandom } from '../../src/lib/pipeline/transforms.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { DATASET, IMAGE, LABEL, buildImageDataset, epochHash } from './loader-fixture.ts';

/** resize + normalize: no rng draw, so every epoch gives an item the same tensor. */
const FIXED: LoaderConfig['augment'] = [
  { op: 'resize', width: 8, height: 8 },
  { op: 'normalize', mean: [0], std: [1] },
];

const config = (over: Partial<LoaderConfig> = {}): LoaderConfig => ({
  dataset: DATASET,
  ref: 'main',
  fields: { image: IMAGE, label: LABEL },
  batchSize: 6,
  shuffle: { seed: 3 },
  augment: FIXED,
  workers: 1,
  prefetch: 2,
  ...over,
});

/** Loader options whose one lane counts the items it processes. */
function counted(lake: Lake, over: Partial<LoaderOptions> = {}) {
  const seen = { items: 0 };
  const spawn = (): PoolLane => {
    const lane = inlineLane();
    return {
      process: (t) => {
        seen.items++;
        return lane.process(t);
      },
      close: () => lane.close(),
    };
  };
  return { seen, options: { lake, spawn, ...over } };
}

describe('loader item cache', () => {
  let lake: Lake;
  beforeAll(async () => {
    lake = await Lake.open(memoryBackend());
    await buildImageDataset(lake, { n: 20 });
  });

  it('processes each item once over several epochs, with the same batches as without it', async () => {
    const { seen, options } = counted(lake);
    const loader = createLoader(config(), options);
    const plain = createLoader(config({ workers: 0 }), { lake, itemCacheBytes: 0 });
    const e0 = await epochHash(loader, 0);
    expect(seen.items).toBe(20);
    const reads = loader.stats().reads;
    for (const e of [1, 2]) {
      const got = await epochHash(loader, e);
      expect(got.hash).toBe((await epochHash(plain, e)).hash);
      // Another order every epoch (the shuffle), the same items.
      expect(got.batches.flatMap((b) => [...b.rowIds])).not.toEqual(
        e0.batches.flatMap((b) => [...b.rowIds]),
      );
    }
    expect(e0.hash).toBe((await epochHash(plain, 0)).hash);
    expect(seen.items).toBe(20); // epochs 1 and 2: nothing processed…
    expect(loader.stats()).toMatchObject({ reads, itemCacheHits: 40, items: 60 }); // …or read
    expect(plain.stats().itemCacheHits).toBe(0);
  });

  it('keeps the first items that fit when the budget is smaller than the selection', async () => {
    // 3×8×8 float32 = 768 bytes an item: a budget of 5 items.
    const { seen, options } = counted(lake, { itemCacheBytes: 5 * 768 + 100 });
    const loader = createLoader(config(), options);
    const plain = createLoader(config({ workers: 0 }), { lake, itemCacheBytes: 0 });
    for (const e of [0, 1, 2]) {
      expect((await epochHash(loader, e)).hash).toBe((await epochHash(plain, e)).hash);
    }
    expect(seen.items).toBe(20 + 15 + 15);
    expect(loader.stats().itemCacheHits).toBe(10);
  });

  it('processes every item every epoch when the pipeline draws from the rng', async () => {
    const random: LoaderConfig['augment'] = [
      { op: 'random-crop', width: 8, height: 8 },
      { op: 'normalize', mean: [0], std: [1] },
    ];
    const { seen, options } = counted(lake);
    const loader = createLoader(config({ augment: random }), options);
    const e0 = await epochHash(loader, 0);
    const e1 = await epochHash(loader, 1);
    expect(e1.hash).not.toBe(e0.hash);
    expect(seen.items).toBe(40);
    expect(loader.stats().itemCacheHits).toBe(0);
    expect(FIXED.some(drawsRandom)).toBe(false);
    for (const t of [
      { op: 'flip', axis: 'vertical', p: 0 },
      { op: 'gaussian-noise', std: 0.1 },
      { op: 'rotate', degrees: 10, random: true },
      { op: 'brightness-contrast', brightness: 0.1, contrast: 0.1, random: true },
    ] as const) {
      expect(drawsRandom(t)).toBe(true);
    }
    expect(drawsRandom({ op: 'rotate', degrees: 90 })).toBe(false);
  });

  it('tries bad items again every epoch', async () => {
    const bad = await Lake.open(memoryBackend());
    await buildImageDataset(bad, { n: 12, corrupt: [4] });
    const { seen, options } = counted(bad);
    const loader = createLoader(config({ onError: 'skip' }), options);
    await epochHash(loader, 0);
    await epochHash(loader, 1);
    expect(seen.items).toBe(12 + 1); // the corrupt PNG, again
    expect(loader.stats()).toMatchObject({ skipped: 2, itemCacheHits: 11, items: 22 });
  });

  it('counts the whole buffer of an item whose tensor is a view of its decoded image', async () => {
    // One channel, cropped: the augmentation writes over the decoded image's own samples and
    // the tensor is a view of their start (8×8 of a 16×16 buffer); the cache keeps the buffer.
    const gray = new Uint8Array(
      encode({
        width: 16,
        height: 16,
        channels: 1,
        depth: 8,
        data: Uint8Array.from({ length: 256 }, (_, i) => (i * 7) & 255),
      }),
    );
    const fixed: LoaderConfig['augment'] = [
      { op: 'center-crop', width: 8, height: 8 },
      { op: 'normalize', mean: [0.5], std: [0.25] },
    ];
    const job = { augment: fixed, seed: 1, epoch: 0 };
    const sha = 'a'.repeat(64);
    const res = await processItem({ job, rowId: 3n, sha256: sha, bytes: gray, verified: true });
    if (!res.ok) throw new Error(res.message);
    const want = applyPipeline(fixed, await decodeImage(gray), rngFor(1, 0, 3n));
    expect(Array.from(res.data)).toEqual(Array.from(want.data));
    expect([res.data.byteLength, res.data.buffer.byteLength]).toEqual([8 * 8 * 4, 16 * 16 * 4]);
    const cache = new ItemCache(fixed, 1 << 20);
    cache.put(0, res);
    expect(cache.bytes).toBe(16 * 16 * 4);
  });
});
