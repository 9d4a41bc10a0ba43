/**
 * Opened DICOM items → the series a viewer scrolls: single-frame images grouped by study and
 * series and sorted along the slice normal (src/lib/dicom/series.ts); a multi-frame file (or
 * an object with no image) is a series of its own. Pure, so it is unit-tested.
 */
import type { DicomSummary } from '../../workers/api/dicom.api.ts';
import { groupSeries, type SliceRef } from '../lib/dicom/series.ts';

/** One DICOM item of the result: its object and its row (column → value). */
export interface ViewerItem {
  sha256: string;
  row: Record<string, unknown>;
  /** The item as a subject of opinions (its record set and row id), when known. */
  subject?: { set: string; row: string };
}

/** One image of a series: a file and one of its frames. */
export interface Slice {
  item: ViewerItem;
  frame: number;
  summary: DicomSummary;
  /** Distance along the slice normal (mm), when the series is sorted by position. */
  position?: number;
}

/** A series as the viewer shows it. */
export interface ViewerSeries {
  key: string;
  description: string;
  slices: Slice[];
}

/** The summaries of opened items, by sha256 (not state: the series derived from it are). */
export function summaryMap(): Map<string, DicomSummary> {
  return new Map();
}

/** See the module comment; items not (yet) opened are left out. */
export function groupSlices(
  items: ViewerItem[],
  summaries: Map<string, DicomSummary>,
): ViewerSeries[] {
  const refs: (SliceRef & { item: ViewerItem; summary: DicomSummary })[] = [];
  const multi: ViewerSeries[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    const summary = summaries.get(item.sha256);
    if (!summary || seen.has(item.sha256)) continue;
    seen.add(item.sha256);
    const frames = summary.image?.frames ?? 1;
    if (frames > 1 || !summary.image) {
      multi.push({
        key: `${item.sha256}`,
        description: summary.nonImage ?? `${summary.modality} ${frames} frames`,
        slices: Array.from({ length: summary.image ? frames : 1 }, (_, frame) => ({
          item,
          frame,
          summary,
        })),
      });
      continue;
    }
    refs.push({
      key: item.sha256,
      item,
      summary,
      studyInstanceUid: summary.studyInstanceUid,
      seriesInstanceUid: summary.seriesInstanceUid,
      ...(summary.instanceNumber !== undefined ? { instanceNumber: summary.instanceNumber } : {}),
      ...(summary.image.imagePosition ? { imagePosition: summary.image.imagePosition } : {}),
      ...(summary.image.imageOrientation
        ? { imageOrientation: summary.image.imageOrientation }
        : {}),
    });
  }
  const grouped = groupSeries(refs).map((s) => ({
    key: `${s.studyInstanceUid}/${s.seriesInstanceUid}`,
    description:
      s.slices[0]!.summary.study.find((f) => f.label === 'Series')?.value ??
      `${s.slices[0]!.summary.modality} series`,
    slices: s.slices.map((r, i) => ({
      item: r.item,
      frame: 0,
      summary: r.summary,
      ...(s.positions ? { position: s.positions[i]! } : {}),
    })),
  }));
  return distinct([...grouped, ...multi]);
}

/**
 * Series that share a description (a study of 800 single-image series all called "CHEST LOW
 * DOSE") are told apart in the picker by their first image's row in the result, else its file's
 * sha256: never by the patient or the date, which the viewer may be hiding.
 */
function distinct(series: ViewerSeries[]): ViewerSeries[] {
  const count = new Map<string, number>();
  for (const s of series) count.set(s.description, (count.get(s.description) ?? 0) + 1);
  return series.map((s) => {
    if (count.get(s.description)! < 2) return s;
    const first = s.slices[0]!.item;
    const where = first.subject ? `row ${first.subject.row}` : first.sha256.slice(0, 8);
    return { ...s, description: `${s.description} · ${where}` };
  });
}

/**
 * Where the slice shown is in `series` (rebuilt as more headers open): the same file and frame
 * as `shown`, else frame 0 of the file `fallback` (the item clicked, before anything shows).
 * Matching the frame too keeps a multi-frame file on the frame scrolled to while the other
 * files' headers are still opening, instead of going back to its first frame.
 */
export function findShown(
  series: readonly ViewerSeries[],
  shown: { sha256: string; frame: number } | undefined,
  fallback: string | undefined,
): { series: number; slice: number } | null {
  const want = shown ?? (fallback !== undefined ? { sha256: fallback, frame: 0 } : undefined);
  if (!want) return null;
  for (let s = 0; s < series.length; s++) {
    const slice = series[s]!.slices.findIndex(
      (sl) => sl.item.sha256 === want.sha256 && sl.frame === want.frame,
    );
    if (slice >= 0) return { series: s, slice };
  }
  return null;
}
