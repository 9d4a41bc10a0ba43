/**
 * One item of a derived record set (image statistics, DICOM tags): from an image's stored bytes
 * to its row. Verifies the bytes against their sha256 (unless the reader already did), then
 * decodes the image with the pipeline's decoders (PNG, JPEG, DICOM) and measures it, or parses
 * the DICOM header. A pure function of its task, so a worker, the page and Node give the same
 * row; errors come back as plain data, never thrown. Lanes and their pool are the pipeline's
 * (src/lib/pipeline/pool.ts).
 */
import { isDicom } from '../dicom/parse.ts';
import { decodeImage } from '../pipeline/decode.ts';
import { LanePool, type Lane } from '../pipeline/pool.ts';
import { LakeError } from '../store/errors.ts';
import { sha256 } from '../store/hash.ts';
import type { LakeRow } from '../versions/columns.ts';
import type { ColumnDef } from '../versions/manifest.ts';
import { dicomTags } from './dicom-tags.ts';
import { imageStats } from './image-stats.ts';

/** What is derived from an item. */
export type DeriveKind = 'image-stats' | 'dicom-tags';

/** One item. `bytes` is transferred to the worker that takes it. */
export interface DeriveTask {
  kind: DeriveKind;
  sha256: string;
  /** The stored format (`PNG`, `JPEG`…), a hint for the decoder. */
  format?: string;
  bytes: Uint8Array<ArrayBuffer>;
  verified?: boolean;
}

/**
 * An item's row (`row`), `row: null` when the item has none of this kind (a DICOM tags run
 * over a PNG), or why it failed (`code` a LakeError or DicomError code where one applies).
 */
export type DeriveResult =
  { ok: true; row: LakeRow | null } | { ok: false; code: string; message: string };

/** A lane of a derive pool: a worker (workers/api/derive-client.ts) or {@link inlineDeriveLane}. */
export type DeriveLane = Lane<DeriveTask, DeriveResult>;

/** The derive pool's lanes; each task goes to the lane with the least pending work. */
export class DerivePool extends LanePool<DeriveTask, DeriveResult> {}

/** The columns of an `image_stats` record set, in order (docs/format.md, "Image statistics"). */
export const IMAGE_STATS_COLUMNS: readonly ColumnDef[] = [
  { name: 'mean', type: 'float64' },
  { name: 'contrast', type: 'float64' },
  { name: 'noise', type: 'float64' },
  { name: 'sharpness', type: 'float64' },
  { name: 'width', type: 'int64' },
  { name: 'height', type: 'int64' },
  { name: 'bit_depth', type: 'int64' },
  { name: 'saturated', type: 'float64' },
];

function failure(stage: string, e: unknown): DeriveResult {
  const err = e as { code?: unknown; message?: unknown } | null;
  const code = typeof err?.code === 'string' ? err.code : 'BAD_INPUT';
  const text = typeof err?.message === 'string' && err.message ? err.message : String(e);
  return { ok: false, code, message: `${stage}: ${text}` };
}

async function rowOf(task: DeriveTask): Promise<LakeRow | null> {
  if (task.kind === 'dicom-tags') return isDicom(task.bytes) ? dicomTags(task.bytes) : null;
  const s = imageStats(await decodeImage(task.bytes, task.format));
  return {
    mean: s.mean,
    contrast: s.contrast,
    noise: s.noise,
    sharpness: s.sharpness,
    width: BigInt(s.width),
    height: BigInt(s.height),
    bit_depth: BigInt(s.bitDepth),
    saturated: s.saturated,
  };
}

/** Derives one item's row; never throws. */
export async function deriveItem(task: DeriveTask): Promise<DeriveResult> {
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
  try {
    return { ok: true, row: await rowOf(task) };
  } catch (e) {
    return failure(`cannot read image ${task.sha256}`, e);
  }
}

/** A lane that derives items in this thread (Node, tests, no workers). */
export function inlineDeriveLane(): DeriveLane {
  let closed = false;
  return {
    async process(task) {
      if (closed) throw new LakeError('ABORTED', 'the derive pool was closed');
      return deriveItem(task);
    },
    close() {
      closed = true;
    },
  };
}
