/**
 * One item of the dataloader, from stored bytes to a tensor slice: verify the bytes against
 * their sha256, decode, run the augmentation pipeline with the item's own random stream
 * (seed, epoch, row id), lay it out channel-first. A pure function of its task, so a worker, the
 * page and Node give the same floats bit for bit. Errors come back as plain data, never thrown.
 */
import { LakeError } from '../store/errors.ts';
import { sha256 } from '../store/hash.ts';
import { decodeImage } from './decode.ts';
import type { Image, PipelineSpec, Rng } from './image.ts';
import type { Lane } from './pool.ts';
import { rngFor } from './rng.ts';
import { applyPipeline, drawsRandom, toTensor } from './transforms.ts';

/** What an item's processing depends on besides its bytes: the same for every item of an epoch. */
export interface ItemJob {
  augment: PipelineSpec;
  /** Channels of the output tensor; absent: the decoded image's own. */
  channels?: 1 | 3 | 4;
  seed: number;
  epoch: number;
}

/** One item to process. `bytes` is transferred to the worker that takes it. */
export interface ItemTask {
  job: ItemJob;
  rowId: bigint;
  sha256: string;
  /** The stored format (`PNG`, `JPEG`…), a hint for the decoder. */
  format?: string;
  bytes: Uint8Array<ArrayBuffer>;
  /** True when the reader verified the bytes already (multi-part objects are, as they stream). */
  verified?: boolean;
}

/** Milliseconds an item spent in each step, measured where it ran. */
export interface ItemTimes {
  verifyMs: number;
  decodeMs: number;
  augmentMs: number;
}

/** A processed item: `data` is `[C, H, W]` float32, transferred back. */
export interface ItemOk extends ItemTimes {
  ok: true;
  data: Float32Array<ArrayBuffer>;
  channels: number;
  height: number;
  width: number;
}

/** An item that could not be processed; `code` is a LakeError code where one applies. */
export interface ItemFailure extends ItemTimes {
  ok: false;
  code: string;
  message: string;
}

/** The outcome of one item. */
export type ItemResult = ItemOk | ItemFailure;

/**
 * One lane of the loader's pool: a dedicated worker (workers/api/loader-client.ts) or the
 * in-process {@link inlineLane}. `process` resolves with the item's result (errors as data) and
 * rejects only when the lane itself fails (a worker died or was closed).
 */
export type PoolLane = Lane<ItemTask, ItemResult>;

const now = () => performance.now();

/**
 * The stream given to a pipeline that draws nothing from the rng (no step for which
 * `drawsRandom` holds): making the item's own stream (`rngFor`, ~1 KiB of garbage an item) would
 * be wasted. Drawing from it is a bug (`drawsRandom` would be wrong, and so would the loader's
 * item cache, which relies on it), reported as the item's failure.
 */
const NO_DRAWS: Rng = {
  next: () => {
    throw new Error('a step drew from the rng of a pipeline that draws nothing');
  },
};

/** The item's random stream, or {@link NO_DRAWS} when its pipeline draws nothing. */
export function itemRng(task: Pick<ItemTask, 'job' | 'rowId'>): Rng {
  const { augment, seed, epoch } = task.job;
  return augment.some(drawsRandom) ? rngFor(seed, epoch, task.rowId) : NO_DRAWS;
}

function failure(e: unknown, stage: string, times: ItemTimes): ItemFailure {
  const err = e as { code?: unknown; message?: unknown } | null;
  const code = typeof err?.code === 'string' ? err.code : 'BAD_INPUT';
  const text = typeof err?.message === 'string' && err.message ? err.message : String(e);
  return { ok: false, code, message: `${stage}: ${text}`, ...times };
}

/** The items of this thread, in turn. */
let queue: Promise<unknown> = Promise.resolve();

/**
 * Processes one item; never throws. Items given to the same thread run one after another: their awaits
 * would otherwise interleave, and each item's timers would count the others' work (an epoch
 * of 0.8 s showed 9.5 s of decode per lane). The work is CPU-bound in this thread anyway, so
 * running them in turn costs nothing.
 */
export function processItem(task: ItemTask): Promise<ItemResult> {
  const run = queue.then(() => processItemNow(task));
  queue = run.catch(() => undefined);
  return run;
}

/**
 * The item's `[C, H, W]` tensor. One channel kept as one channel is already laid out so: its
 * samples are used as they are (the image is this item's own, made by decode or augment, and
 * its buffer is transferred), saving a copy and an allocation per item. `decoded` is the
 * decoded image's buffer, this item's own too: the augmentation writes its result over the
 * start of it (`applyPipeline`'s `consume`), and the tensor is then a view of it.
 */
function tensorOf(
  img: Image,
  channels: 1 | 3 | 4 | undefined,
  decoded: ArrayBufferLike,
): Float32Array<ArrayBuffer> {
  const d = img.data;
  if (
    img.channels === 1 &&
    (channels ?? 1) === 1 &&
    d.buffer instanceof ArrayBuffer &&
    d.byteOffset === 0 &&
    (d.byteLength === d.buffer.byteLength || d.buffer === decoded)
  ) {
    return d as Float32Array<ArrayBuffer>;
  }
  return toTensor([img], channels) as Float32Array<ArrayBuffer>;
}

async function processItemNow(task: ItemTask): Promise<ItemResult> {
  const times: ItemTimes = { verifyMs: 0, decodeMs: 0, augmentMs: 0 };
  let t = now();
  if (!task.verified) {
    const got = await sha256(task.bytes);
    times.verifyMs = now() - t;
    if (got !== task.sha256) {
      return {
        ok: false,
        code: 'CORRUPT_CHUNK',
        message: `object ${task.sha256}: stored bytes hash to ${got}; the lake is damaged here (restore from a remote or ingest again)`,
        ...times,
      };
    }
  }
  t = now();
  let img;
  try {
    img = await decodeImage(task.bytes, task.format);
  } catch (e) {
    times.decodeMs = now() - t;
    return failure(e, `cannot decode image ${task.sha256}`, times);
  }
  times.decodeMs = now() - t;
  t = now();
  try {
    const decoded = img.data.buffer;
    // The decoded image is this item's own: the augmentation may write over it.
    const out = applyPipeline(task.job.augment, img, itemRng(task), { consume: true });
    const data = tensorOf(out, task.job.channels, decoded);
    times.augmentMs = now() - t;
    const plane = out.width * out.height;
    return {
      ok: true,
      data,
      channels: plane ? data.length / plane : 0,
      height: out.height,
      width: out.width,
      ...times,
    };
  } catch (e) {
    times.augmentMs = now() - t;
    return failure(e, `augmenting image ${task.sha256}`, times);
  }
}

/** A lane that processes items in this thread (Node, tests, `workers: 0`). */
export function inlineLane(): PoolLane {
  let closed = false;
  return {
    async process(task) {
      if (closed) throw new LakeError('ABORTED', 'the loader was closed');
      return processItem(task);
    },
    close() {
      closed = true;
    },
  };
}
