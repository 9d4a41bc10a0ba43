/**
 * One item of the batch pipeline (issue 5 §3), from stored bytes to a new PNG: verify the bytes
 * against their sha256, decode, apply the spec with the row's own random stream
 * (`rngFor(seed, 0, rowId)`), encode as PNG at the result's bit depth (16-bit stays 16-bit) and
 * hash the PNG. A pure function of its task, so a worker, the page and Node give the same bytes.
 * Errors come back as plain data, never thrown. Lanes and their pool mirror the loader's
 * (./loader-item.ts, ./loader-batch.ts) with PNG bytes instead of tensors.
 */
import { LakeError } from '../store/errors.ts';
import { sha256 } from '../store/hash.ts';
import { decodeImage, encodePng } from './decode.ts';
import type { Image, PipelineSpec } from './image.ts';
import { LanePool, type Lane } from './pool.ts';
import { rngFor } from './rng.ts';
import { applyPipeline, validateSpec } from './transforms.ts';

/** One image to transform. `bytes` is transferred to the worker that takes it. */
export interface BatchTask {
  spec: PipelineSpec;
  seed: number;
  rowId: bigint;
  /** The source object (its bytes are checked against it unless `verified`). */
  sha256: string;
  /** The stored format (`PNG`, `JPEG`…), a hint for the decoder. */
  format?: string;
  bytes: Uint8Array<ArrayBuffer>;
  verified?: boolean;
}

/** A transformed image: its PNG bytes (transferred back), their sha256, and what they hold. */
export interface BatchOk {
  ok: true;
  png: Uint8Array<ArrayBuffer>;
  sha256: string;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  bitDepth: 8 | 16;
}

/** An image that could not be transformed; `code` is a LakeError code where one applies. */
export interface BatchFailure {
  ok: false;
  code: string;
  message: string;
}

/** The outcome of one item. */
export type BatchResult = BatchOk | BatchFailure;

/**
 * One lane of the batch pipeline's pool: a dedicated worker (workers/api/pipeline-client.ts)
 * or the in-process {@link inlineBatchLane}. `process` resolves with the item's result (errors
 * as data) and rejects only when the lane itself fails (a worker died or was closed).
 */
export type BatchLane = Lane<BatchTask, BatchResult>;

/** PIL-style mode of an encoded result (what ingest records for such a PNG). */
export function modeOf(channels: number, bitDepth: number): string {
  if (channels === 1) return bitDepth === 16 ? 'I;16' : 'L';
  return channels === 4 ? 'RGBA' : 'RGB';
}

/**
 * Validates a spec for the batch pipeline: {@link validateSpec}, and no `normalize` (its
 * output is centred floats, which a PNG's integer samples cannot hold; normalise in the loader).
 * @throws LakeError BAD_INPUT naming the problem.
 */
export function checkBatchSpec(spec: unknown): PipelineSpec {
  const valid = validateSpec(spec);
  const at = valid.findIndex((t) => t.op === 'normalize');
  if (at >= 0) {
    throw new LakeError(
      'BAD_INPUT',
      `spec[${at}]: normalize cannot be stored as a PNG (its values are centred floats); keep it for the loader's augment`,
    );
  }
  return valid;
}

function failure(stage: string, e: unknown): BatchFailure {
  const err = e as { code?: unknown; message?: unknown } | null;
  const code = typeof err?.code === 'string' ? err.code : 'BAD_INPUT';
  const text = typeof err?.message === 'string' && err.message ? err.message : String(e);
  return { ok: false, code, message: `${stage}: ${text}` };
}

/** Transforms one image; never throws. */
export async function processBatchItem(task: BatchTask): Promise<BatchResult> {
  if (!task.verified) {
    const got = await sha256(task.bytes);
    if (got !== task.sha256) {
      return {
        ok: false,
        code: 'CORRUPT_CHUNK',
        message: `object ${task.sha256}: stored bytes hash to ${got}; the lake is damaged here (restore from a remote or ingest again)`,
      };
    }
  }
  let img: Image;
  try {
    img = await decodeImage(task.bytes, task.format);
  } catch (e) {
    return failure(`cannot decode image ${task.sha256}`, e);
  }
  try {
    const out = applyPipeline(task.spec, img, rngFor(task.seed, 0, task.rowId));
    const png = encodePng(out) as Uint8Array<ArrayBuffer>;
    return {
      ok: true,
      png,
      sha256: await sha256(png),
      width: out.width,
      height: out.height,
      channels: out.channels,
      bitDepth: out.bitDepth,
    };
  } catch (e) {
    return failure(`transforming image ${task.sha256}`, e);
  }
}

/** A lane that transforms items in this thread (Node, tests, `workers: 0`). */
export function inlineBatchLane(): BatchLane {
  let closed = false;
  return {
    async process(task) {
      if (closed) throw new LakeError('ABORTED', 'the pipeline was closed');
      return processBatchItem(task);
    },
    close() {
      closed = true;
    },
  };
}

/** The batch pipeline's lanes; each task goes to the lane with the least pending work. */
export class BatchPool extends LanePool<BatchTask, BatchResult> {}
