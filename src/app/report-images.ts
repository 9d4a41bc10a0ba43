/**
 * The images of a blind-spot report's rows: their image cells, read through the page's query
 * engine from the report's record set at the analysed commit, and small thumbnails of them as
 * `data:` URLs for the self-contained HTML export.
 */
import type { BlindspotReport } from '../lib/analysis/blindspots-types.ts';
import type { ImageRef } from '../lib/versions/columns.ts';
import { imageRowsSql } from './blindspots-query.ts';
import { asImage, loadImage } from './image-source.ts';
import type { LakeCatalog } from './lake-catalog.svelte.ts';
import type { QueryHost } from './query-host.svelte.ts';

/** Longest side of an exported thumbnail, in pixels (a report stays a few hundred kB). */
const EXPORT_SIZE = 96;

/** The image of each of `rowIds` that has one, by `_rowid`. */
export async function rowImages(
  host: QueryHost,
  report: BlindspotReport,
  rowIds: readonly string[],
  signal?: AbortSignal,
): Promise<Map<string, ImageRef>> {
  const sql = imageRowsSql(report, rowIds);
  const out = new Map<string, ImageRef>();
  if (!sql) return out;
  for (const row of await host.rows(sql, signal)) {
    const image = asImage(row.image);
    if (image) out.set(String(row._rowid), image);
  }
  return out;
}

/** Per report, the one lookup of all its rows' images (a report is never changed once made). */
const shown = new WeakMap<BlindspotReport, Promise<Map<string, ImageRef>>>();

/**
 * The images of every row the report shows, read in ONE query the first time any grid asks
 * (the query worker runs queries one at a time; a query per card would queue dozens). A failed
 * lookup is forgotten, so the next grid tries again.
 */
export function reportImages(
  host: QueryHost,
  report: BlindspotReport,
): Promise<Map<string, ImageRef>> {
  let p = shown.get(report);
  if (!p) {
    p = rowImages(host, report, reportRowIds(report));
    p.catch(() => shown.delete(report));
    shown.set(report, p);
  }
  return p;
}

/** Every row id a report shows an image of: sample errors of slices and clusters, suspects. */
export function reportRowIds(report: BlindspotReport): string[] {
  const ids = new Set<string>();
  for (const s of report.slices) s.sampleErrors.forEach((id) => ids.add(id));
  for (const c of report.clusters.items) c.sampleErrors.forEach((id) => ids.add(id));
  for (const s of report.suspects.items) ids.add(s.rowId);
  return [...ids];
}

/** One image as a small JPEG `data:` URL, or null when the browser cannot show it. */
async function thumbnail(
  lake: LakeCatalog,
  report: BlindspotReport,
  image: ImageRef,
): Promise<string | null> {
  const loaded = await loadImage(lake, report.dataset, report.commit, image);
  if (!loaded.url) return null;
  try {
    const img = new Image();
    img.src = loaded.url;
    await img.decode();
    const scale = Math.min(1, EXPORT_SIZE / Math.max(img.naturalWidth, img.naturalHeight, 1));
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(img.naturalWidth * scale));
    canvas.height = Math.max(1, Math.round(img.naturalHeight * scale));
    canvas.getContext('2d')?.drawImage(img, 0, 0, canvas.width, canvas.height);
    return canvas.toDataURL('image/jpeg', 0.85);
  } finally {
    URL.revokeObjectURL(loaded.url);
  }
}

/**
 * Thumbnails of every row the report shows, for the HTML export. A row whose image cannot be
 * read or shown is left out (the export shows its id); the first such failure is returned so
 * the tab can say what was left out and why.
 */
export async function reportThumbnails(
  lake: LakeCatalog,
  host: QueryHost,
  report: BlindspotReport,
): Promise<{ images: Map<string, string>; missing: number; firstError: unknown }> {
  const ids = reportRowIds(report);
  const refs = await reportImages(host, report);
  const images = new Map<string, string>();
  let firstError: unknown = null;
  let missing = 0;
  // Asked for all at once, so that the lake reads their bytes together (image-batch.ts); the
  // first failure is still the first in the report's order.
  const made = await Promise.allSettled(
    ids.map((id) => {
      const ref = refs.get(id);
      return ref ? thumbnail(lake, report, ref) : Promise.resolve(null);
    }),
  );
  made.forEach((m, i) => {
    if (m.status === 'rejected') firstError ??= m.reason;
    const url = m.status === 'fulfilled' ? m.value : null;
    if (url) images.set(ids[i]!, url);
    else missing++;
  });
  return { images, missing, firstError };
}
