/**
 * The DICOM decode worker's protocol, imported by both sides.
 *
 * - {@link DicomMethods} declares every operation once; `dicom-service.ts` implements them in
 *   the worker and `dicom-client.ts` calls them by name from the page.
 * - A viewer's canvas is an OffscreenCanvas handed to the worker (`attach`): decoding, the
 *   window and the overlay planes are drawn there, so the page never blocks on pixels.
 * - File bytes are transferred, not copied. Errors cross as plain data and are rebuilt as the
 *   DicomError (with its tag, byte offset and frame), LakeError or WorkerError they were.
 */
import { DicomError, type DicomErrorCode, type DicomLocation } from '../../src/lib/dicom/errors.ts';
import type { Region, RegionStats } from '../../src/lib/dicom/measure.ts';
import type { Window } from '../../src/lib/dicom/pixels.ts';
import type { DicomSummary } from '../../src/lib/dicom/summary.ts';
import type { TagRow } from '../../src/lib/dicom/tags.ts';
import type { LakeError } from '../../src/lib/store/errors.ts';
import type { CroissantError } from '../../src/lib/croissant/errors.ts';
import type { WorkerError } from './croissant.api.ts';
import { fromLakeWireError, toLakeWireError, type LakeWireError } from './lake.api.ts';

export type { DicomSummary, Region, RegionStats, TagRow, Window };

/** How a frame is drawn. */
export interface RenderRequest {
  /** Greyscale: the VOI window (modality units); absent = the file's first, else its range. */
  window?: Window;
  invert?: boolean;
  /** Draws the DICOM overlay planes (60xx) in yellow. */
  overlayPlanes?: boolean;
}

/** What a render drew. */
export interface RenderResult {
  rows: number;
  columns: number;
  window: Window;
  /** The frame's smallest and largest modality value (for "auto" and the W/L drag speed). */
  range: { min: number; max: number };
  /** Overlay planes of this frame (drawn when asked). */
  overlayPlanes: number;
}

/** A grid thumbnail: a PNG of the first frame under the file's window, or why there is none. */
export interface Thumbnail {
  png?: Blob;
  width: number;
  height: number;
  summary: DicomSummary;
}

/** Every operation of the DICOM worker. */
export interface DicomMethods {
  /** Parses a file (bytes transferred) and keeps it under `id` (its sha256, say). */
  open(id: string, bytes: Uint8Array): DicomSummary;
  /** Whether `id` is open (the worker may have let it go to stay within memory). */
  isOpen(id: string): boolean;
  /** Hands a viewer's canvas to the worker under the name `view`. */
  attach(view: string, canvas: OffscreenCanvas): void;
  detach(view: string): void;
  /** Decodes (or takes from the cache) frame `frame` of `id` and draws it into `view`. */
  render(view: string, id: string, frame: number, request: RenderRequest): RenderResult;
  /** A thumbnail of at most `size` pixels a side (bytes transferred, nothing kept). */
  thumbnail(bytes: Uint8Array, size: number): Thumbnail;
  /** Modality values at a pixel (null outside the image). */
  probe(id: string, frame: number, x: number, y: number): number[] | null;
  /** Mean, std and range of a rectangle or ellipse. */
  region(id: string, frame: number, region: Region): RegionStats;
  /** Every element, for the tag browser. */
  tags(id: string): TagRow[];
  /** Forgets a file and its decoded frames. */
  close(id: string): void;
}

export type DicomMethod = keyof DicomMethods;
export type DicomArgs<K extends DicomMethod> = Parameters<DicomMethods[K]>;
export type DicomValue<K extends DicomMethod> = ReturnType<DicomMethods[K]>;

/** An error as plain data; a DicomError's location is its `detail`. */
export type DicomWireError = LakeWireError;

/** A result or an error, as the worker sends it back. */
export type DicomReply<T> = { ok: true; value: T } | { ok: false; error: DicomWireError };

/** What the worker exposes. */
export interface DicomWorkerApi {
  call<K extends DicomMethod>(
    opId: number,
    method: K,
    args: DicomArgs<K>,
  ): Promise<DicomReply<DicomValue<K>>>;
  abort(opId: number): void;
}

/** Any thrown value → plain data. */
export function toDicomWireError(e: unknown): DicomWireError {
  if (e instanceof DicomError) return e.toJSON();
  return toLakeWireError(e);
}

/** Plain data → the error it was. */
export function fromDicomWireError(
  w: DicomWireError,
): DicomError | LakeError | CroissantError | WorkerError {
  if (w.name === 'DicomError') {
    return new DicomError(w.code as DicomErrorCode, w.message, (w.detail ?? {}) as DicomLocation);
  }
  return fromLakeWireError(w);
}
