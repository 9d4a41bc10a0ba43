/**
 * The dataloader with the inline pool (in-process, as in Node and the CLI): deterministic
 * batches (same hash across loaders and prefetch depths, different for another seed or epoch),
 * batch order and shape, per-item errors in skip and stop mode, statistics, reading in pack
 * order, when an epoch's first batch is underway (handed to the lanes, or its reads started),
 * and the permalink.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createLoader, type LoaderConfig } from '../../src/lib/pipeline/loader.ts';
import { decodeLinkData, encodeLinkData } from '../../src/lib/io/link-data.ts';
import { loaderPermalink, parseLoaderPermalink } from '../../src/lib/pipeline/loader-config.ts';
import { inlineLane, type ItemTask } from '../../src/lib/pipeline/loader-item.ts';
import { resolveItems } from '../../src/lib/pipeline/loader-items.ts';
import { StatsRecorder, bottleneck } from '../../src/lib/pipeline/loader-stats.ts';
import { LakeError } from '../../src/lib/store/errors.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import type { ChunkReads } from '../../src/lib/store/types.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { canonicalJson } from '../../src/lib/versions/manifest.ts';
import { DATASET, IMAGE, LABEL, buildImageDataset, epochHash } from './loader-fixture.ts';

const config = (over: Partial<LoaderConfig> = {}): LoaderConfig => ({
  dataset: DATASET,
  ref: 'main',
  fields: { image: IMAGE, label: LABEL },
  batchSize: 10,
  shuffle: { seed: 7 },
  augment: [
    { op: 'random-crop', width: 8, height: 8 },
    { op: 'flip', axis: 'horizontal', p: 0.5 },
    { op: 'brightness-contrast', brightness: 0.2, contrast: 0.2, random: true },
  ],
  workers: 0,
  prefetch: 2,
  ...over,
});

async function errorOf(p: Promise<unknown>): Promise<LakeError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(LakeError);
  return e as LakeError;
}

describe('loader (inline pool)', () => {
  let lake: Lake;
  let commit: string;
  beforeAll(async () => {
    lake = await Lake.open(memoryBackend());
    commit = (await buildImageDataset(lake, { n: 45 })).commit;
  });

  it('starts its workers while the items resolve, and stops them when they cannot', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const events: string[] = [];
    const slow = Object.create(lake) as Lake;
    slow.resolve = async (dataset, ref) => {
      events.push('resolve');
      await gate;
      return lake.resolve(dataset, ref);
    };
    const spawn = () => {
      events.push('spawn');
      const lane = inlineLane();
      return { process: lane.process, close: () => (events.push('close'), lane.close()) };
    };
    const loader = createLoader(config({ workers: 2 }), { lake: slow, spawn });
    const first = loader.epoch(0)[Symbol.asyncIterator]().next();
    while (!events.includes('resolve')) await Promise.resolve();
    // Both lanes were spawned before the items were resolved, not after.
    expect(events).toEqual(['spawn', 'spawn', 'resolve']);
    release();
    expect((await first).done).toBe(false);
    loader.close();

    const missing = createLoader(config({ workers: 2, ref: 'nope' }), { lake, spawn });
    events.length = 0;
    await errorOf(missing.epoch(0)[Symbol.asyncIterator]().next());
    expect(events).toEqual(['spawn', 'spawn', 'close', 'close']);
  });

  it('says when its first batch no longer needs this thread: handed to the workers, or (inline) its reads started', async () => {
    // Worker lanes that hold their items until told: the hand-off is seen before any result.
    let hold = true;
    const held: (() => void)[] = [];
    const given: bigint[] = [];
    const spawn = () => {
      const lane = inlineLane();
      return {
        process: async (task: ItemTask) => {
          given.push(task.rowId);
          if (hold) await new Promise<void>((r) => held.push(r));
          return lane.process(task);
        },
        close: () => lane.close(),
      };
    };
    const loader = createLoader(config({ workers: 2 }), { lake, spawn });
    let underway!: (n: number) => void;
    const handed = new Promise<number>((r) => (underway = r));
    const epoch = loader.epoch(0, () => underway(given.length));
    const first = epoch.next();
    expect(await handed).toBe(10); // the first batch's items, all given, none done
    expect(held.length).toBe(10);
    hold = false;
    for (const r of held) r();
    const batch = await first;
    expect(batch.done).toBe(false);
    expect(batch.value!.x).toEqual(
      (await epochHash(createLoader(config(), { lake }), 0)).batches[0]!.x,
    );
    await epoch.return();
    loader.close();

    // Inline: as soon as the reads are started, before they are done.
    let readsDone = false;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const gated: ChunkReads = {
      get: async (h) => {
        await gate;
        readsDone = true;
        return lake.chunks.get(h);
      },
      getRange: async (h, o, l) => {
        await gate;
        readsDone = true;
        return lake.chunks.getRange(h, o, l);
      },
    };
    const inline = createLoader(config(), { lake, chunks: gated });
    let started!: () => void;
    const reading = new Promise<void>((r) => (started = r));
    const it = inline.epoch(0, started);
    const next = it.next();
    await reading;
    expect(readsDone).toBe(false);
    release();
    expect((await next).done).toBe(false);
    await it.return();

    // An epoch that cannot start says so too (a caller waiting on it is not left waiting).
    let failed = false;
    const missing = createLoader(config({ ref: 'nope' }), { lake });
    await errorOf(missing.epoch(0, () => (failed = true)).next());
    expect(failed).toBe(true);
  });

  it('gives the same batches every time, in order and shape', async () => {
    const a = await epochHash(createLoader(config(), { lake }), 0);
    const b = await epochHash(createLoader(config({ prefetch: 0 }), { lake }), 0);
    const c = await epochHash(createLoader(config({ prefetch: 5, workers: 3 }), { lake }), 0);
    expect(b.hash).toBe(a.hash);
    expect(c.hash).toBe(a.hash);
    expect(a.batches.map((x) => x.shape)).toEqual([
      ...Array.from({ length: 4 }, () => [10, 3, 8, 8]),
      [5, 3, 8, 8],
    ]);
    expect(a.batches.map((x) => x.index)).toEqual([0, 1, 2, 3, 4]);
    const ids = a.batches.flatMap((x) => [...x.rowIds]);
    expect(new Set(ids).size).toBe(45);
    expect(ids).not.toEqual([...ids].sort((p, q) => Number(p - q))); // shuffled
    for (const x of a.batches) {
      expect(x.x.length).toBe(x.shape.reduce((p, q) => p * q, 1));
      x.rowIds.forEach((id, i) => expect(x.y[i]).toBe(Number(id) % 4));
    }
  });

  it('takes items the caller resolved instead of scanning; refuses items that do not fit', async () => {
    const pinned = config({ ref: commit });
    const items = await resolveItems(lake, pinned);
    // A lake that cannot read a commit: the loader given its items must not resolve them.
    const blind = Object.create(lake) as Lake;
    blind.readCommit = () => Promise.reject(new Error('the loader scanned'));
    const given = createLoader(pinned, { lake: blind, items: async () => items });
    const a = await epochHash(given, 1);
    expect(a.hash).toBe((await epochHash(createLoader(pinned, { lake }), 1)).hash);
    const other = { ...items, commit: 'f'.repeat(64) };
    const e = await errorOf(createLoader(pinned, { lake, items: async () => other }).info());
    expect(e.code).toBe('BAD_INPUT');
    expect(e.message).toMatch(/do not fit its configuration: commit ffffffffffff/);
    const short = { ...items, images: items.images.slice(1) };
    const f = await errorOf(createLoader(pinned, { lake, items: async () => short }).info());
    expect(f.message).toMatch(/columns of different lengths/);
  });

  it('changes with the seed and the epoch; storage order and dropLast', async () => {
    const loader = createLoader(config(), { lake });
    const e0 = await epochHash(loader, 0);
    expect((await epochHash(loader, 0)).hash).toBe(e0.hash);
    expect((await epochHash(loader, 1)).hash).not.toBe(e0.hash);
    const other = await epochHash(createLoader(config({ shuffle: { seed: 8 } }), { lake }), 0);
    expect(other.hash).not.toBe(e0.hash);
    const plain = createLoader(
      config({ shuffle: { seed: 7, order: 'storage' }, augment: [], dropLast: true }),
      { lake },
    );
    const { batches } = await epochHash(plain, 3);
    expect(batches.length).toBe(4);
    expect(batches.flatMap((x) => [...x.rowIds])).toEqual(
      Array.from({ length: 40 }, (_, i) => BigInt(i)),
    );
    expect(batches[0]!.shape).toEqual([10, 3, 10, 12]);
    expect(await plain.info()).toMatchObject({ commit, items: 45, batchesPerEpoch: 4 });
    expect((await plain.info()).classes).toEqual(['class-0', 'class-1', 'class-2', 'class-3']);
    // Iterating the loader itself runs epochs 0, 1, …
    const seen: number[] = [];
    for await (const b of loader) seen.push(b.epoch);
    for await (const b of loader) seen.push(b.epoch);
    expect(new Set(seen)).toEqual(new Set([0, 1]));
  });

  it('selects rows by id or predicate, and reads packs in order', async () => {
    const ids = [3n, 9n, 12n, 40n, 41n];
    const byIds = createLoader(config({ rowIds: ids, batchSize: 2 }), { lake });
    const got = (await epochHash(byIds, 0)).batches.flatMap((b) => [...b.rowIds]);
    expect(got.sort((a, b) => Number(a - b))).toEqual(ids);
    const even = createLoader(config({ where: (_row, id) => id % 2n === 0n, batchSize: 50 }), {
      lake,
    });
    const [only] = (await epochHash(even, 0)).batches;
    expect(only!.rowIds.every((id) => id % 2n === 0n)).toBe(true);
    expect(only!.shape[0]).toBe(23);
    // 23 small PNGs of one pack: one ranged read, not 23.
    expect(even.stats().reads).toBe(1);
    const missing = createLoader(config({ rowIds: [1n, 999n] }), { lake });
    expect((await errorOf(missing.info())).message).toMatch(/999/);
  });

  it('reports live statistics with a bottleneck verdict', async () => {
    const loader = createLoader(config(), { lake });
    expect(loader.stats().bottleneck).toBeNull();
    for await (const b of loader.epoch(0)) expect(b.shape[0]).toBeGreaterThan(0);
    const s = loader.stats();
    expect(s).toMatchObject({ items: 45, batches: 5, lanes: 1, skipped: 0 });
    expect(s.itemsPerSecond).toBeGreaterThan(0);
    expect(s.ms.decode).toBeGreaterThan(0);
    // Which stage wins depends on this machine's timing; the rule is checked on fixed times
    // below.
    expect(['io', 'decode', 'augment', 'consumer']).toContain(s.bottleneck);
    const ctl = new AbortController();
    const stopped = createLoader(config(), { lake, signal: ctl.signal });
    const it = stopped.epoch(0)[Symbol.asyncIterator]();
    await it.next();
    ctl.abort();
    expect((await errorOf(it.next())).code).toBe('ABORTED');
  });

  it('names the bottleneck its stage times call for', () => {
    const ms = { io: 10, verify: 1, decode: 40, augment: 30, wait: 100, consumer: 10 };
    // consumer 10 < wait 100, so a pipeline stage: io 10 against (1 + 40) / lanes and 30 / lanes.
    expect(bottleneck(ms, 1)).toBe('decode');
    expect(bottleneck(ms, 8)).toBe('io'); // 41 / 8 = 5.1 and 30 / 8 = 3.75 < 10
    expect(bottleneck({ ...ms, augment: 90 }, 1)).toBe('augment');
    expect(bottleneck({ ...ms, consumer: 100 }, 1)).toBe('consumer'); // consumer >= wait
    // A snapshot applies the same rule to its own times, and rates items over wait + consumer.
    const rec = new StatsRecorder();
    const io = { reads: 2, bytes: 300, cacheHits: 1 };
    expect(rec.snapshot(io).bottleneck).toBeNull();
    rec.items = 44;
    rec.batches = 5;
    Object.assign(rec.ms, ms);
    expect(rec.snapshot(io)).toMatchObject({
      items: 44,
      batches: 5,
      lanes: 1,
      bottleneck: 'decode',
      itemsPerSecond: 400, // 44 items in 100 + 10 ms
      reads: 2,
      bytesRead: 300,
      cacheHits: 1,
    });
    rec.lanes = 8;
    expect(rec.snapshot(io).bottleneck).toBe('io');
  });
});

describe('loader: bad items', () => {
  let lake: Lake;
  beforeAll(async () => {
    lake = await Lake.open(memoryBackend());
    await buildImageDataset(lake, { n: 20, corrupt: [5], missing: [11] });
  });

  it('skips and counts them with their row ids', async () => {
    const loader = createLoader(config({ onError: 'skip', batchSize: 4 }), { lake });
    const { batches } = await epochHash(loader, 0);
    const ids = batches.flatMap((b) => [...b.rowIds]);
    expect(ids.length).toBe(18);
    expect(ids).not.toContain(5n);
    expect(ids).not.toContain(11n);
    const s = loader.stats();
    expect(s.skipped).toBe(2);
    const bad = Object.fromEntries(s.skippedItems.map((e) => [String(e.rowId), e]));
    expect(bad['5']!.message).toMatch(/decode|PNG/i);
    expect(bad['11']).toMatchObject({ code: 'MISSING_CHUNK' });
    // Skipping is deterministic too.
    const again = createLoader(config({ onError: 'skip', batchSize: 4, prefetch: 0 }), { lake });
    expect((await epochHash(again, 0)).hash).toBe((await epochHash(loader, 0)).hash);
  });

  it('stops with a LakeError naming the row', async () => {
    const e = await errorOf(epochHash(createLoader(config({ batchSize: 4 }), { lake }), 0));
    expect(e.message).toMatch(/^row (5|11) of record set pics/);
    expect(['BAD_INPUT', 'MISSING_CHUNK']).toContain(e.code);
    expect(e.detail).toMatchObject({ rowId: expect.stringMatching(/^(5|11)$/) });
  });
});

describe('loader permalink', () => {
  const commit = 'ab'.repeat(32);

  it('round-trips the configuration, pinned to the commit', () => {
    const c = config({ rowIds: [10n, 2n, 9007199254740993n], channels: 1, onError: 'skip' });
    const link = loaderPermalink(c, commit);
    expect(link).toMatch(/^croissant-lake-loader:v1:[A-Za-z0-9_-]+$/);
    const back = parseLoaderPermalink(link);
    expect(back.commit).toBe(commit);
    expect(back.ref).toBe('main');
    const { rowIds, ...rest } = back.config;
    expect(rest).toEqual({ ...config({ channels: 1, onError: 'skip' }), ref: commit });
    expect(rowIds).toEqual([2n, 10n, 9007199254740993n]);
    expect(parseLoaderPermalink(`  ${link}\n`).commit).toBe(commit);
    const set = loaderPermalink(config({ where: new Set([4n, 1n]) }), commit);
    expect(parseLoaderPermalink(set).config.rowIds).toEqual([1n, 4n]);
  });

  it('gives the same batches from the link', async () => {
    const lake = await Lake.open(memoryBackend());
    const made = await buildImageDataset(lake, { n: 12 });
    const first = createLoader(config({ rowIds: [1n, 2n, 3n, 7n, 8n] }), { lake });
    const link = await first.permalink();
    const { config: c } = parseLoaderPermalink(link);
    expect(c.ref).toBe(made.commit);
    const a = await epochHash(first, 2);
    expect((await epochHash(createLoader(c, { lake }), 2)).hash).toBe(a.hash);
  });

  it("carries the dataset's source only when it may be shared", async () => {
    const from = async (source: string) => {
      const lake = await Lake.open(memoryBackend());
      await buildImageDataset(lake, { n: 2, source });
      return createLoader(config(), { lake }).permalink();
    };
    const url = 'https://data.example.org/pics/metadata.json';
    expect(parseLoaderPermalink(await from(url)).source).toBe(url);
    expect(parseLoaderPermalink(loaderPermalink(config(), commit, url)).source).toBe(url);
    // A local path, and a signed URL: left out, the secret nowhere in the link's data.
    expect(parseLoaderPermalink(await from('/home/me/pics/metadata.json')).source).toBeNull();
    const signed = `${url}?X-Amz-Signature=0123456789abcdef`;
    const link = await from(signed);
    expect(parseLoaderPermalink(link).source).toBeNull();
    const data = link.slice('croissant-lake-loader:v1:'.length);
    const json = new TextDecoder().decode(
      decodeLinkData(data, 1 << 20, 'test', (p) => new Error(p)),
    );
    expect(json).not.toContain('0123456789abcdef');
    // A link made before links carried their source still reads, with none.
    expect(parseLoaderPermalink(loaderPermalink(config(), commit)).source).toBeNull();
  });

  it('refuses a link whose source is not an http(s) URL without credentials', async () => {
    for (const [source, why] of [
      ['javascript:alert(1)', /"source" uses the scheme "javascript:"/],
      ['file:///etc/passwd', /"source" is a file: URL/],
      ['https://me:pw@example.org/m.json', /"source" /],
      [42, /"source" is empty/],
    ] as const) {
      const json = canonicalJson({ ...config(), source, commit });
      const link = `croissant-lake-loader:v1:${encodeLinkData(json)}`;
      const e = await errorOf(Promise.resolve().then(() => parseLoaderPermalink(link)));
      expect(e.code).toBe('BAD_INPUT');
      expect(e.message).toMatch(why);
    }
  });

  it('refuses malformed links with clear errors', async () => {
    const link = loaderPermalink(config(), commit);
    const data = link.slice('croissant-lake-loader:v1:'.length);
    const cases: [string, RegExp][] = [
      ['https://example.org/#share=abc', /not a loader permalink/],
      ['croissant-lake-loader:v1:', /empty; the link is cut off/],
      ['croissant-lake-loader:x1:abc', /not a version/],
      [`croissant-lake-loader:v1:${data.slice(0, 5)}$${data.slice(5)}`, /"\$" at position 6/],
      [
        `croissant-lake-loader:v1:${data.slice(0, data.length >> 1)}`,
        /cut off|damaged|impossible length/,
      ],
      ['croissant-lake-loader:v1:bm9wZQ', /not a deflated configuration|cut off/],
    ];
    for (const [bad, why] of cases) {
      const e = await errorOf(Promise.resolve().then(() => parseLoaderPermalink(bad)));
      expect(e.code).toBe('BAD_INPUT');
      expect(e.message).toMatch(why);
    }
    const newer = await errorOf(
      Promise.resolve().then(() => parseLoaderPermalink('croissant-lake-loader:v2:abc')),
    );
    expect(newer.code).toBe('UNSUPPORTED_FORMAT');
    const pred = await errorOf(
      Promise.resolve().then(() => loaderPermalink(config({ where: () => true }), commit)),
    );
    expect(pred.message).toMatch(/predicate cannot be saved/);
    const zero = await errorOf(
      Promise.resolve().then(() => loaderPermalink(config({ batchSize: 0 }), commit)),
    );
    expect(zero.message).toMatch(/batchSize must be an integer from 1/);
    const short = await errorOf(Promise.resolve().then(() => loaderPermalink(config(), 'abc')));
    expect(short.message).toMatch(/not a full commit hash/);
  });
});
