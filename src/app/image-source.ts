/**
 * Images of query results, read from the lake's raw blobs (the bytes stored at ingest, never
 * re-encoded): an object URL for formats a browser shows; for DICOM a thumbnail drawn by the
 * decode worker under the file's own window, and its header tags.
 */
import { dicomTags, type DicomTag } from '../lib/croissant/formats/dicom-tags.ts';
import { dicomClient } from './dicom-worker.ts';
import { batchedImage } from './image-batch.ts';
import type { ImageRef } from '../lib/versions/columns.ts';
import type { LakeCatalog } from './lake-catalog.svelte.ts';

/** PIL format → MIME type, for the formats a browser can show. */
const MIME: Record<string, string> = {
  JPEG: 'image/jpeg',
  PNG: 'image/png',
  GIF: 'image/gif',
  BMP: 'image/bmp',
  WEBP: 'image/webp',
  ICO: 'image/x-icon',
};

/** The MIME type of a PIL format (any case) the browser can show, or undefined. */
export function imageMime(format: string): string | undefined {
  return MIME[format.toUpperCase()];
}

/** What an image cell shows: its picture, and (DICOM) its tags. Revoke `url` when done. */
export interface LoadedImage {
  url?: string;
  tags?: DicomTag[];
  /** DICOM without an image: what it is ("DICOM structured report, no pixel data"). */
  note?: string;
}

/** Longest side of a DICOM thumbnail, in pixels. */
const THUMB_SIZE = 256;

/** True when a result column of this SQL type holds lake images (a struct with sha256). */
export function isImageType(type: string): boolean {
  return /^STRUCT\(.*\bsha256\b.*\)$/is.test(type) && /\bwidth\b/i.test(type);
}

/** A result cell as an image reference, or null when it is not one. */
export function asImage(cell: unknown): ImageRef | null {
  const v =
    cell && typeof cell === 'object' && 'toJSON' in cell && typeof cell.toJSON === 'function'
      ? (cell.toJSON() as unknown)
      : cell;
  if (!v || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  if (typeof o.sha256 !== 'string') return null;
  return {
    sha256: o.sha256,
    format: String(o.format ?? ''),
    mode: String(o.mode ?? ''),
    width: Number(o.width ?? 0),
    height: Number(o.height ?? 0),
  };
}

/** An image cell in words, for a list of fields: `DICOM 64×64 I;16S · sha256 1a2b3c4d5e6f…`. */
export function describeImage(image: ImageRef): string {
  const size = image.width && image.height ? ` ${image.width}×${image.height}` : '';
  const mode = image.mode ? ` ${image.mode}` : '';
  return `${image.format || 'image'}${size}${mode} · sha256 ${image.sha256.slice(0, 12)}…`;
}

/**
 * A result cell of an image column in words (`PNG 64×64 L · sha256 1a2b3c4d5e6f…`) for the rows
 * grid, rather than its struct as JSON; null when the column or cell is not an image.
 */
export function imageCellText(cell: unknown, type: string): string | null {
  if (!isImageType(type)) return null;
  const image = asImage(cell);
  return image ? describeImage(image) : null;
}

/** Whether the browser can show this format itself. */
export function isViewable(image: ImageRef): boolean {
  return imageMime(image.format) !== undefined;
}

/** Reads an image's bytes from the lake (dataset at `rev`): a URL to show, or DICOM tags. */
export async function loadImage(
  lake: LakeCatalog,
  dataset: string,
  rev: string,
  image: ImageRef,
): Promise<LoadedImage> {
  const format = image.format.toUpperCase();
  const type = imageMime(format);
  if (!type && format !== 'DICOM') return {};
  const bytes = await batchedImage(lake, dataset, rev, image.sha256);
  if (format === 'DICOM') {
    const tags = dicomTags(bytes);
    const thumb = await dicomClient().call('thumbnail', [bytes, THUMB_SIZE], {
      transfer: [bytes.buffer],
    });
    if (!thumb.png) return { tags, note: thumb.summary.nonImage ?? 'no image' };
    return { tags, url: URL.createObjectURL(thumb.png) };
  }
  return { url: URL.createObjectURL(new Blob([bytes], { type })) };
}
