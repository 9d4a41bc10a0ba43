/**
 * The loader bench's figures, measured in the page (bench/loader/page.ts) over a dataset
 * ingested into a real browser lake (OPFS + IndexedDB), with real dedicated workers
 * (`spawnLoaderWorker`). Rounds alternate the order of the rows they compare.
 */
import { createLoader, type LoaderConfig } from '../../src/lib/pipeline/loader.ts';
import type { PipelineSpec } from '../../src/lib/pipeline/image.ts';
import { processItem, type ItemTask } from '../../src/lib/pipeline/loader-item.ts';
import { ObjectReader } from '../../src/lib/pipeline/loader-read.ts';
import { shuffle } from '../../src/lib/pipeline/rng.ts';
import type { ChunkReads } from '../../src/lib/store/types.ts';
import type { Lake } from '../../src/lib/versions/lake.ts';
import type { ObjectIndex } from '../../src/lib/versions/manifest.ts';
import { spawnLoaderWorker } from '../../workers/api/loader-client.ts';
import type { EpochStats, LoaderBenchSettings, Timing } from './types.ts';

export const DATASET = 'lesions';
export const RECORD_SET = 'images';
export const IMAGE = 'images/image';
export const LABEL = 'images/lesion';
const SEED = 1;

/** The typical augmentation of 64×64 grayscale input (the same as the Node `pipeline` group). */
export const AUGMENT: PipelineSpec = [
  { op: 'random-crop', width: 56, height: 56 },
  { op: 'flip', axis: 'horizontal', p: 0.5 },
  { op: 'brightness-contrast', brightness: 0.2, contrast: 0.2, random: true },
  { op: 'gaussian-noise', std: 4 },
  { op: 'normalize', mean: [128], std: [64] },
];

/** What every figure gets. */
export interface Ctx {
  lake: Lake;
  /** Reads through a lake worker over `lake` (as the app's loader reads). */
  chunks: ChunkReads;
  /** The items the loader selects (`rowIds`), when not the whole record set (`--quick`). */
  rowIds?: bigint[];
  s: LoaderBenchSettings;
  problems: string[];
  log: (msg: string) => void;
}

/** The dataset's images in storage order: sha256 and format of each. */
export interface Items {
  shas: string[];
  formats: (string | undefined)[];
  rowIds: bigint[];
  index: ObjectIndex;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function timing(name: string, items: number, ms: number[]): Timing {
  const m = median(ms);
  return { name, items, ms, medianMs: m, perSecond: (items * 1000) / m };
}

/** Items done; with `ms`, the time that counts (otherwise the whole call is timed). */
type Work = () => Promise<number | { items: number; ms: number }>;

/** Times `works`, rounds alternating their order; medians after the warm-up. */
async function rounds(c: Ctx, works: [string, Work][]): Promise<Timing[]> {
  const ms = works.map(() => [] as number[]);
  const items = works.map(() => 0);
  for (let r = 0; r < c.s.warmup + c.s.runs; r++) {
    const order = works.map((_, i) => i);
    if (r % 2) order.reverse();
    for (const i of order) {
      const t = performance.now();
      const done = await works[i]![1]();
      let took = performance.now() - t;
      if (typeof done === 'number') items[i] = done;
      else [items[i], took] = [done.items, done.ms];
      if (r >= c.s.warmup) ms[i]!.push(took);
      c.log(`${r < c.s.warmup ? 'warm-up ' : ''}${works[i]![0]}: ${(took / 1e3).toFixed(2)} s`);
    }
  }
  return works.map(([name], i) => timing(name, items[i]!, ms[i]!));
}

function config(c: Ctx, augment: PipelineSpec): LoaderConfig {
  return {
    dataset: DATASET,
    ref: 'main',
    recordSet: RECORD_SET,
    fields: { image: IMAGE, label: LABEL },
    batchSize: c.s.batchSize,
    shuffle: { seed: SEED },
    augment,
    workers: c.s.workers,
    prefetch: c.s.prefetch,
    ...(c.rowIds ? { rowIds: c.rowIds } : {}),
  };
}

/**
 * (a) One epoch of the loader with `workers` workers: decode only, then augmented. First the
 * first epoch of a new loader (workers started, their code not yet optimised by the JIT, packs
 * read), then a later epoch of one loader (its epoch 0 run untimed first: workers warm, packs
 * kept), as a training loop sees every epoch after the first. The item cache is off
 * (`itemCacheBytes: 0`): decode only draws nothing from the rng, so its later epochs would come
 * from memory while the augmented pipeline's cannot, and the rows would no longer compare the
 * same work.
 */
export async function augmentFigure(c: Ctx) {
  const stats: Record<string, EpochStats> = {};
  const run = async (name: string, augment: PipelineSpec, later: boolean) => {
    const loader = createLoader(config(c, augment), {
      lake: c.lake,
      spawn: spawnLoaderWorker,
      chunks: c.chunks,
      itemCacheBytes: 0,
    });
    let n = 0;
    let first = 0;
    let ms: number;
    try {
      if (later) for await (const b of loader.epoch(0)) void b;
      const t0 = performance.now();
      for await (const b of loader.epoch(later ? 1 : 0)) {
        if (!n) first = performance.now() - t0;
        n += b.shape[0];
      }
      ms = performance.now() - t0;
    } finally {
      loader.close();
    }
    const want = c.rowIds?.length ?? c.s.images;
    if (n !== want) c.problems.push(`${name}: ${n} items, not ${want}`);
    if (later) return { items: n, ms };
    const st = loader.stats();
    stats[name] = {
      firstBatchMs: first,
      ioMs: st.ms.io,
      verifyMs: st.ms.verify,
      decodeMs: st.ms.decode,
      augmentMs: st.ms.augment,
      waitMs: st.ms.wait,
      reads: st.reads,
      bytesRead: st.bytesRead,
      cacheHits: st.cacheHits,
      lanes: st.lanes,
      bottleneck: st.bottleneck,
    };
    return n;
  };
  const w = `${c.s.workers} workers`;
  const [decodeOnly, augmented] = await rounds(c, [
    [`loader, ${w}: decode only (baseline)`, () => run('decode only', [], false)],
    [`loader, ${w}: typical augmentation`, () => run('augmented', AUGMENT, false)],
  ]);
  const [laterDecode, laterAugmented] = await rounds(c, [
    [`later epoch, ${w}: decode only (baseline)`, () => run('decode only, later', [], true)],
    [`later epoch, ${w}: typical augmentation`, () => run('augmented, later', AUGMENT, true)],
  ]);
  return {
    decodeOnly: decodeOnly!,
    augmented: augmented!,
    laterDecode: laterDecode!,
    laterAugmented: laterAugmented!,
    stats,
  };
}

/** The dataset's items, in storage order. */
export async function itemsOf(lake: Lake): Promise<Items> {
  const loader = createLoader(
    {
      dataset: DATASET,
      ref: 'main',
      recordSet: RECORD_SET,
      fields: { image: IMAGE },
      batchSize: 1,
      shuffle: { seed: SEED },
      augment: [],
      workers: 0,
      prefetch: 0,
    },
    { lake },
  );
  await loader.info();
  const commit = await lake.readCommit(await lake.resolve(DATASET, 'main'));
  const index = await lake.readObjects(commit);
  const { readAllRows, recordSetOf } = await import('../../src/lib/versions/read.ts');
  const [, rs] = recordSetOf(commit, RECORD_SET);
  const rows = await readAllRows(lake.chunks, rs, 'bench');
  const cells = rows.map((r) => r.row[IMAGE] as { sha256: string; format?: string });
  return {
    shas: cells.map((x) => x.sha256),
    formats: cells.map((x) => x.format),
    rowIds: rows.map((r) => r.rowid),
    index,
  };
}

/** The first `n` items (storage order), for a quick run. */
export function firstItems(items: Items, n: number): Items {
  return {
    shas: items.shas.slice(0, n),
    formats: items.formats.slice(0, n),
    rowIds: items.rowIds.slice(0, n),
    index: items.index,
  };
}

/**
 * (b) The CPU ceiling: the same item work (verify where needed, decode, augment, lay out) on
 * this page's own thread, one item after another, the bytes already in memory: no loader, no
 * workers, no messages. `workers` threads can do at most `workers` times this many items a
 * second, whatever the loader does; against the loader's augmented epoch of (a).
 */
export async function ceilingFigure(c: Ctx, items: Items): Promise<Timing> {
  const reader = new ObjectReader(c.lake.chunks, items.index);
  reader.expect(items.shas);
  const got = await reader.read(items.shas);
  const tasks = got.map((r, i): ItemTask => {
    if (!r.ok) throw new Error(`image ${items.shas[i]}: ${r.message}`);
    const f = items.formats[i];
    return {
      job: { augment: AUGMENT, seed: SEED, epoch: 0 },
      rowId: items.rowIds[i]!,
      sha256: items.shas[i]!,
      bytes: r.bytes,
      verified: r.verified,
      ...(f ? { format: f } : {}),
    };
  });
  const oneThread: Work = async () => {
    let bad = 0;
    for (const t of tasks) if (!(await processItem(t)).ok) bad++;
    if (bad) c.problems.push(`ceiling: ${bad} items failed`);
    return tasks.length;
  };
  const [t] = await rounds(c, [['one thread, bytes in memory, no loader (baseline)', oneThread]]);
  return t!;
}

/**
 * (c) Reading an epoch's bytes in shuffled batches: one `getRange` per image (how the loader
 * read a shuffled batch of a large pack before; the first `readItems` items), against the
 * loader's reader (whole packs, read once), reading on the page through `getFile()` and
 * through the lake worker (sync access handles; the loader's path).
 */
export async function readFigure(c: Ctx, items: Items) {
  const n = items.shas.length;
  const order = shuffle(n, SEED, 0);
  const perImage: Work = async () => {
    const k = Math.min(n, c.s.readItems);
    for (let i = 0; i < k; i++) {
      const [chunk, offset, length] = items.index.objects[items.shas[order[i]!]!]!.parts[0]!;
      await c.lake.chunks.getRange(chunk, offset, length);
    }
    return k;
  };
  let stats = { reads: 0, bytes: 0 };
  const reader =
    (source: ChunkReads): Work =>
    async () => {
      const r = new ObjectReader(source, items.index);
      r.expect(items.shas);
      for (let at = 0; at < n; at += c.s.batchSize) {
        const batch = Array.from(order.subarray(at, at + c.s.batchSize), (p) => items.shas[p]!);
        const got = await r.read(batch);
        if (got.some((x) => !x.ok)) c.problems.push('reads: an image could not be read');
      }
      stats = { reads: r.stats.reads, bytes: r.stats.bytes };
      return n;
    };
  const [a, b, w] = await rounds(c, [
    ['one read per image, shuffled (baseline)', perImage],
    ["the loader's reader, shuffled batches: page, getFile()", reader(c.lake.chunks)],
    ["the loader's reader, shuffled batches: lake worker", reader(c.chunks)],
  ]);
  return { perImage: a!, reader: b!, worker: w!, readerStats: stats };
}
