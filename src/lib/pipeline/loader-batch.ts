/**
 * The dataloader's batches: turning a batch's bytes into item tasks for the pool's lanes, and
 * putting the processed items back together in shuffle order (by position, whatever order the
 * lanes finished in), so that a batch is the same whatever the workers or timing; and settling
 * a batch's bad items (skipped and counted, or the epoch's error).
 */
import { LakeError, type LakeErrorCode } from '../store/errors.ts';
import type { LoaderConfig } from './loader-config.ts';
import type { ItemJob, ItemResult, ItemTask } from './loader-item.ts';
import type { LoaderItems } from './loader-items.ts';
import type { ReadResult } from './loader-read.ts';
import type { StatsRecorder } from './loader-stats.ts';
import { LanePool as Pool } from './pool.ts';

/** One batch. `x` is `[B, C, H, W]` (see `shape`); `y` holds class indices (-1: no label). */
export interface Batch {
  x: Float32Array<ArrayBuffer>;
  shape: [number, number, number, number];
  y: Int32Array;
  rowIds: BigInt64Array;
  epoch: number;
  /** Position of the batch in its epoch. */
  index: number;
}

/** A bad item of a batch. */
export interface ItemError {
  rowId: bigint;
  code: string;
  message: string;
}

/** A batch (null when every item was bad) and its bad items, in shuffle order. */
export interface Built {
  batch: Batch | null;
  errors: ItemError[];
}

/** The loader's lanes; each task goes to the lane with the least pending work. */
export class LanePool extends Pool<ItemTask, ItemResult> {}

function fail(code: string, message: string): ItemResult {
  return { ok: false, code, message, verifyMs: 0, decodeMs: 0, augmentMs: 0 };
}

/**
 * The result (or its promise) of each item at `positions`: `cached[i]`, when there is one, is the
 * item at `positions[i]` processed earlier; `got` holds the read results of the other items that
 * have an image, in order; items without one fail here.
 */
export function taskResults(
  items: LoaderItems,
  job: ItemJob,
  positions: Uint32Array,
  cached: readonly (ItemResult | undefined)[],
  got: ReadResult[],
  column: string,
  run: (task: ItemTask) => Promise<ItemResult>,
): (ItemResult | Promise<ItemResult>)[] {
  let r = 0;
  return Array.from(positions, (p, i) => {
    const hit = cached[i];
    if (hit) return hit;
    const sha = items.images[p];
    if (!sha) return fail('BAD_INPUT', `the row has no image in column ${column}`);
    const bytes = got[r++]!;
    if (!bytes.ok) return fail(bytes.code, bytes.message);
    const format = items.formats[p];
    return run({
      job,
      rowId: items.rowIds[p]!,
      sha256: sha,
      bytes: bytes.bytes,
      verified: bytes.verified,
      ...(format ? { format } : {}),
    });
  });
}

/**
 * Puts a batch together in shuffle order, adding the items' times to `stats`. An item whose
 * C×H×W differs from the batch's first good item is a bad item (the pipeline lacks a resize).
 */
export function assembleBatch(
  items: LoaderItems,
  epoch: number,
  k: number,
  positions: Uint32Array,
  results: ItemResult[],
  stats: StatsRecorder,
): Built {
  const errors: ItemError[] = [];
  const keep: { at: number; data: Float32Array }[] = [];
  let dims: [number, number, number] | null = null;
  for (let i = 0; i < results.length; i++) {
    const res = results[i]!;
    const rowId = items.rowIds[positions[i]!]!;
    stats.ms.verify += res.verifyMs;
    stats.ms.decode += res.decodeMs;
    stats.ms.augment += res.augmentMs;
    if (!res.ok) {
      errors.push({ rowId, code: res.code, message: res.message });
      continue;
    }
    const d: [number, number, number] = [res.channels, res.height, res.width];
    const first: [number, number, number] = (dims ??= d);
    if (d.some((v, j) => v !== first[j])) {
      const message = `after augment the image is ${d.join('×')} (C×H×W) but the batch's first is ${first.join('×')}; add a resize or crop to augment`;
      errors.push({ rowId, code: 'BAD_INPUT', message });
      continue;
    }
    keep.push({ at: positions[i]!, data: res.data });
  }
  if (!dims || !keep.length) return { batch: null, errors };
  const [c, h, w] = dims;
  const plane = c * h * w;
  const x = new Float32Array(keep.length * plane);
  keep.forEach((item, b) => x.set(item.data, b * plane));
  const batch: Batch = {
    x,
    shape: [keep.length, c, h, w],
    y: Int32Array.from(keep, (item) => items.labels[item.at]!),
    rowIds: BigInt64Array.from(keep, (item) => items.rowIds[item.at]!),
    epoch,
    index: k,
  };
  return { batch, errors };
}

/** Item error codes that are lake error codes; any other becomes BAD_INPUT. */
const LAKE_CODES = new Set<string>([
  'CORRUPT_CHUNK',
  'MISSING_CHUNK',
  'BAD_INPUT',
  'IO',
  'ABORTED',
  'UNSUPPORTED_FORMAT',
]);

/**
 * Settles a batch's bad items. `skip`: counts them. `stop` (the default): throws for the first,
 * naming its row, record set, dataset and commit, with the item's own code when it is a lake
 * error code.
 */
export function settleErrors(
  items: LoaderItems,
  built: Built,
  onError: LoaderConfig['onError'],
  stats: StatsRecorder,
): void {
  if (!built.errors.length) return;
  if (onError === 'skip') {
    for (const e of built.errors) stats.skip(e);
    return;
  }
  const first = built.errors[0]!;
  const code = (LAKE_CODES.has(first.code) ? first.code : 'BAD_INPUT') as LakeErrorCode;
  throw new LakeError(
    code,
    `row ${first.rowId} of record set ${items.recordSet} of ${items.dataset} at commit ${items.commit.slice(0, 12)}: ${first.message} (onError: 'skip' skips such rows)`,
    { detail: { rowId: String(first.rowId), code: first.code } },
  );
}
