/**
 * The dataloader in the browser: a real browser lake (OPFS + IndexedDB) and real dedicated
 * workers. Batches are bit-identical for 0 (inline), 1, 2 and 4 workers, for prefetch 1 and 4,
 * across runs, and when the bytes are read through a lake worker (the app's path: sync access
 * handles in the worker that owns the lake); they differ for another seed or epoch. Bad items (a corrupt PNG, a missing
 * blob) are per-item errors with their row ids; a dying worker rejects, never hangs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLoader, type LoaderConfig } from '../../src/lib/pipeline/loader.ts';
import { LakeError } from '../../src/lib/store/errors.ts';
import { lakeWorkerChunks } from '../../workers/api/lake-chunks.ts';
import { spawnLakeWorker } from '../../workers/api/lake-client.ts';
import { LoaderWorkerClient, spawnLoaderWorker } from '../../workers/api/loader-client.ts';
import { DATASET, IMAGE, LABEL, buildImageDataset, epochHash } from '../unit/loader-fixture.ts';
import { openTestLake } from './browser-lake.ts';

const config = (over: Partial<LoaderConfig> = {}): LoaderConfig => ({
  dataset: DATASET,
  ref: 'main',
  fields: { image: IMAGE, label: LABEL },
  batchSize: 8,
  shuffle: { seed: 42 },
  augment: [
    { op: 'random-crop', width: 8, height: 8 },
    { op: 'flip', axis: 'horizontal', p: 0.5 },
    { op: 'rotate', degrees: 15, random: true },
    { op: 'gaussian-noise', std: 2 },
    { op: 'normalize', mean: [120, 120, 120], std: [60, 60, 60] },
  ],
  workers: 2,
  prefetch: 2,
  ...over,
});

/** Rejects when `p` takes longer than `ms` (a hang is a failure, not a test timeout). */
function within<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    p,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms),
    ),
  ]);
}

const openLake = (tag: string) => openTestLake('loader', tag);

describe('loader in workers', () => {
  let env: Awaited<ReturnType<typeof openLake>>;
  beforeAll(async () => {
    env = await openLake('good');
    await buildImageDataset(env.lake, { n: 64 });
  });
  afterAll(() => env.cleanup());

  const run = async (
    over: Partial<LoaderConfig>,
    epoch = 0,
    chunks?: ReturnType<typeof lakeWorkerChunks>,
  ) => {
    const loader = createLoader(config(over), {
      lake: env.lake,
      spawn: spawnLoaderWorker,
      ...(chunks ? { chunks } : {}),
    });
    try {
      const out = await within(epochHash(loader, epoch), 30_000);
      return { ...out, stats: loader.stats() };
    } finally {
      loader.close();
    }
  };

  it('gives bit-identical batches whatever the workers, prefetch or run', async () => {
    const base = await run({ workers: 1, prefetch: 1 });
    expect(base.batches.length).toBe(8);
    expect(base.batches.every((b) => b.shape.join() === '8,3,8,8')).toBe(true);
    expect(new Set(base.batches.flatMap((b) => [...b.rowIds])).size).toBe(64);
    const hashes = {
      w2: (await run({ workers: 2, prefetch: 1 })).hash,
      w4: (await run({ workers: 4, prefetch: 1 })).hash,
      w4p4: (await run({ workers: 4, prefetch: 4 })).hash,
      w1p4: (await run({ workers: 1, prefetch: 4 })).hash,
      inline: (await run({ workers: 0, prefetch: 3 })).hash,
      again: (await run({ workers: 1, prefetch: 1 })).hash,
    };
    for (const h of Object.values(hashes)) expect(h).toBe(base.hash);
    // Read through a lake worker over the same lake (OPFS sync access handles there).
    const lakeWorker = spawnLakeWorker(env.name);
    try {
      let reads = 0;
      const chunks = lakeWorkerChunks((m, a, o) => (reads++, lakeWorker.call(m, a, o)));
      const viaWorker = await run({ workers: 2, prefetch: 2 }, 0, chunks);
      expect(viaWorker.hash).toBe(base.hash);
      expect(reads).toBe(viaWorker.stats.reads);
      expect(reads).toBeGreaterThan(0);
    } finally {
      lakeWorker.terminate();
    }
    expect((await run({ shuffle: { seed: 43 } })).hash).not.toBe(base.hash);
    expect((await run({}, 2)).hash).not.toBe(base.hash);
  });

  it('reports statistics with a verdict', async () => {
    const { stats } = await run({ workers: 4, prefetch: 4 });
    expect(stats).toMatchObject({ items: 64, batches: 8, lanes: 4, skipped: 0 });
    expect(['io', 'decode', 'augment', 'consumer']).toContain(stats.bottleneck);
    expect(stats.itemsPerSecond).toBeGreaterThan(0);
    expect(stats.ms.decode + stats.ms.augment).toBeGreaterThan(0);
    expect(stats.reads).toBeLessThan(8); // one pack, read in ranges, not item by item
  });

  it('rejects, never hangs, when a worker dies', async () => {
    const crashing = () =>
      new LoaderWorkerClient(
        new Worker(
          URL.createObjectURL(
            new Blob(['throw new Error("no luck")'], { type: 'text/javascript' }),
          ),
        ),
      );
    const loader = createLoader(config({ workers: 2 }), { lake: env.lake, spawn: crashing });
    const e = await within(
      epochHash(loader, 0).then(
        () => null,
        (err: unknown) => err as { code?: string },
      ),
      10_000,
    );
    expect(e?.code).toBe('WORKER_DIED');
    loader.close();
  });

  it('ends a running epoch when closed', async () => {
    const loader = createLoader(config({ workers: 2 }), {
      lake: env.lake,
      spawn: spawnLoaderWorker,
    });
    const it = loader.epoch(0)[Symbol.asyncIterator]();
    expect((await within(it.next(), 10_000)).done).toBe(false);
    loader.close();
    const e = await within(
      it.next().then(
        () => null,
        (err: unknown) => err,
      ),
      10_000,
    );
    expect(e).toBeInstanceOf(LakeError);
    expect((e as LakeError).code).toBe('ABORTED');
  });
});

describe('loader in workers: bad items', () => {
  let env: Awaited<ReturnType<typeof openLake>>;
  beforeAll(async () => {
    env = await openLake('bad');
    await buildImageDataset(env.lake, { n: 32, corrupt: [6], missing: [20] });
  });
  afterAll(() => env.cleanup());

  it('skips and counts them, the same with any number of workers', async () => {
    const hashes: string[] = [];
    for (const workers of [1, 3]) {
      const loader = createLoader(config({ workers, onError: 'skip' }), {
        lake: env.lake,
        spawn: spawnLoaderWorker,
      });
      const { hash, batches } = await within(epochHash(loader, 0), 30_000);
      loader.close();
      hashes.push(hash);
      const ids = batches.flatMap((b) => [...b.rowIds]);
      expect(ids.length).toBe(30);
      const s = loader.stats();
      expect(s.skipped).toBe(2);
      expect(s.skippedItems.map((x) => x.rowId).sort()).toEqual([20n, 6n].sort());
      const bad = Object.fromEntries(s.skippedItems.map((x) => [String(x.rowId), x]));
      expect(bad['6']!.code).toBe('BAD_INPUT');
      expect(bad['6']!.message).toMatch(/PNG/);
      expect(bad['20']!.code).toBe('MISSING_CHUNK');
    }
    expect(hashes[1]).toBe(hashes[0]);
  });

  it('stops with a LakeError naming the row', async () => {
    const loader = createLoader(config({ workers: 2, onError: 'stop' }), {
      lake: env.lake,
      spawn: spawnLoaderWorker,
    });
    const e = await within(
      epochHash(loader, 0).then(
        () => null,
        (err: unknown) => err,
      ),
      30_000,
    );
    loader.close();
    expect(e).toBeInstanceOf(LakeError);
    expect((e as LakeError).message).toMatch(/^row (6|20) of record set pics of pics/);
  });
});
