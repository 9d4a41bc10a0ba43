/**
 * Overlay sources: where the shapes drawn over a DICOM image come from. A source is anything
 * with `annotationsFor(item)`; the viewer shows each with its own toggle. The built-in one reads
 * the dataset's own annotations: the record sets of the same commit that hold coordinates
 * (`x`/`y`, `*_x`/`*_y` with an optional `*_sigma_px` or `*_radius`, or a `bbox` of
 * [x, y, width, height], or a segmentation `mask` as COCO run-length JSON) and a key column
 * whose value the image's row shares (`image_id`…). Opinions (labels, predictions,
 * corrections, saved measurements) are another source (dicom-opinions.ts).
 */
import { decodeRle, type Mask } from '../lib/dicom/masks.ts';
import type { LakeCatalog } from './lake-catalog.svelte.ts';

/** One shape in image pixel coordinates; `frame` limits it to one frame of a multi-frame file. */
export type Annotation = (
  | { kind: 'point'; x: number; y: number; radius?: number; label: string }
  | { kind: 'box'; x: number; y: number; width: number; height: number; label: string }
  | { kind: 'mask'; mask: Mask; label: string }
  /** About the whole image (a class), or a note that a shape could not be drawn. */
  | { kind: 'label'; label: string; problem?: boolean }
) & { frame?: number; source?: string };

/** The item an overlay is asked about: its row of the result (column name → value). */
export interface AnnotatedItem {
  sha256: string;
  row: Record<string, unknown>;
  /** The item as a subject of opinions (its record set and row id), when known. */
  subject?: { set: string; row: string };
}

/** Anything that can put shapes over an image. */
export interface OverlaySource {
  id: string;
  label: string;
  annotationsFor(item: AnnotatedItem): Promise<Annotation[]>;
}

/** Largest record set read for annotations (rows). */
const MAX_ROWS = 200_000;

const short = (column: string) => column.slice(column.lastIndexOf('/') + 1);
const num = (v: unknown): number | null => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
};

/** How one record set's rows become shapes. */
interface Reader {
  recordSet: string;
  key: string;
  shapes(row: Record<string, unknown>): Annotation[];
}

/** The readers a record set's columns allow (none when it holds no coordinates). */
export function readersFor(recordSet: string, columns: string[], keys: string[]): Reader[] {
  const names = new Map(columns.map((c) => [short(c), c]));
  const key = keys.find((k) => names.has(k));
  if (!key) return [];
  const col = (n: string) => names.get(n);
  const out: Reader[] = [];
  for (const [name, full] of names) {
    const m = /^(.*?)(_?)x$/.exec(name);
    if (!m) continue;
    const prefix = m[1] ?? '';
    const yCol = col(`${prefix}${m[2]}y`);
    if (!yCol || yCol === full) continue;
    const rCol =
      col(`${prefix}${m[2]}sigma_px`) ?? col(`${prefix}${m[2]}radius`) ?? col(`${prefix}${m[2]}r`);
    const label = prefix || recordSet;
    out.push({
      recordSet,
      key: col(key)!,
      shapes: (row) => {
        const x = num(row[full]);
        const y = num(row[yCol]);
        if (x === null || y === null) return [];
        const r = rCol ? num(row[rCol]) : null;
        return [{ kind: 'point', x, y, ...(r !== null ? { radius: r * 2 } : {}), label }];
      },
    });
  }
  const mask = col('mask') ?? col('segmentation');
  if (mask) {
    out.push({
      recordSet,
      key: col(key)!,
      shapes: (row) => {
        const v = row[mask];
        if (v === null || v === undefined || v === '') return [];
        try {
          return [{ kind: 'mask', mask: decodeRle(v), label: recordSet }];
        } catch (e) {
          // Shown, not dropped: the user sees which mask is unreadable and why.
          const why = e instanceof Error ? e.message : String(e);
          return [{ kind: 'label', label: `${recordSet}: ${why}`, problem: true }];
        }
      },
    });
  }
  const bbox = col('bbox') ?? col('box') ?? col('bounding_box');
  if (bbox) {
    out.push({
      recordSet,
      key: col(key)!,
      shapes: (row) => {
        const v = row[bbox];
        const list =
          typeof v === 'string'
            ? (JSON.parse(v.replace(/\(/g, '[').replace(/\)/g, ']')) as unknown)
            : v;
        if (!Array.isArray(list) || list.length !== 4) return [];
        const [x, y, w, h] = list.map(num);
        if (x == null || y == null || w == null || h == null) return [];
        return [{ kind: 'box', x, y, width: w, height: h, label: recordSet }];
      },
    });
  }
  return out;
}

/**
 * The dataset's own annotations: record sets of `dataset@rev` with coordinates, joined to the
 * image's row by a shared key column. Each record set is read once (up to 200,000 rows).
 */
export function datasetAnnotations(lake: LakeCatalog, dataset: string, rev: string): OverlaySource {
  let index: Promise<{
    readers: Reader[];
    byKey: Map<string, Record<string, unknown>[]>[];
  }> | null = null;
  let keysSeen: string[] = [];
  async function build(keys: string[]) {
    const commit = await lake.call('commit', [dataset, rev]);
    const readers: Reader[] = [];
    const byKey: Map<string, Record<string, unknown>[]>[] = [];
    for (const rs of commit.recordSets) {
      if (rs.rows > MAX_ROWS) continue;
      const found = readersFor(
        rs.name,
        rs.columns.map((c) => c.name),
        keys,
      );
      if (!found.length) continue;
      const page = await lake.call('rows', [dataset, rev, rs.id, 0, MAX_ROWS]);
      for (const reader of found) {
        const map = new Map<string, Record<string, unknown>[]>();
        for (const { row } of page.rows) {
          const k = String((row as Record<string, unknown>)[reader.key]);
          map.set(k, [...(map.get(k) ?? []), row as Record<string, unknown>]);
        }
        readers.push(reader);
        byKey.push(map);
      }
    }
    return { readers, byKey };
  }
  return {
    id: 'dataset',
    label: 'Dataset annotations',
    async annotationsFor(item) {
      const keys = Object.keys(item.row).filter((k) => !/^_/.test(k));
      if (!index || keys.some((k) => !keysSeen.includes(k))) {
        keysSeen = keys;
        index = build(keys);
      }
      const { readers, byKey } = await index;
      return readers.flatMap((r, i) => {
        const value = item.row[short(r.key)];
        if (value === undefined || value === null) return [];
        return (byKey[i]!.get(String(value)) ?? []).flatMap((row) => r.shapes(row));
      });
    },
  };
}

/**
 * The shapes of every source for one frame of an item, each tagged with its source. A source
 * that fails, or a mask whose size is not the image's, is listed as a problem saying why:
 * never silently left out, never drawn stretched over the wrong pixels.
 */
export async function annotationsOf(
  sources: readonly OverlaySource[],
  item: AnnotatedItem,
  frame: number,
  image: { columns: number; rows: number } | undefined,
): Promise<Annotation[]> {
  const all = await Promise.all(
    sources.map((src) =>
      src.annotationsFor(item).then(
        (shapes) =>
          shapes.map((a): Annotation => {
            if (a.kind !== 'mask' || !image) return { ...a, source: src.id };
            if (a.mask.width === image.columns && a.mask.height === image.rows)
              return { ...a, source: src.id };
            return {
              kind: 'label',
              label: `${a.label}: the mask is ${a.mask.width}×${a.mask.height}, the image ${image.columns}×${image.rows}`,
              problem: true,
              source: src.id,
            };
          }),
        (e: unknown): Annotation[] => [
          {
            kind: 'label',
            label: `${src.label}: ${e instanceof Error ? e.message : String(e)}`,
            problem: true,
            source: src.id,
          },
        ],
      ),
    ),
  );
  return all.flat().filter((a) => a.frame === undefined || a.frame === frame);
}
