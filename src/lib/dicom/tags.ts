/**
 * A DICOM file's elements as rows for the tag browser (nested sequences, private tags marked,
 * values as text) and the main tags the CLI prints. Keywords and VRs come from the data
 * dictionary (dictionary.json, PS3.6 through dcmjs), loaded when first needed.
 */
import type { DataSet, Element } from 'dicom-parser';
import { tagText } from './errors.ts';
import type { DicomHeader } from './parse.ts';

/** One element: tag, keyword (or "Private" / "Unknown"), VR, value text, nested items. */
export interface TagRow {
  tag: string;
  keyword: string;
  vr: string;
  value: string;
  private: boolean;
  /** For sequences: each item's rows. */
  items?: TagRow[][];
}

/** tag (8 lowercase hex) → "Keyword|VR". */
export type Dictionary = Record<string, string>;

let dictionary: Promise<Dictionary> | null = null;

/** The data dictionary (about 200 KB), loaded once. */
export function loadDictionary(): Promise<Dictionary> {
  dictionary ??= import('./dictionary.json').then((m) => (m as { default: Dictionary }).default);
  return dictionary;
}

const NUMERIC: Record<string, (ds: DataSet, tag: string, i: number) => number | undefined> = {
  US: (ds, t, i) => ds.uint16(t, i),
  SS: (ds, t, i) => ds.int16(t, i),
  UL: (ds, t, i) => ds.uint32(t, i),
  SL: (ds, t, i) => ds.int32(t, i),
  FL: (ds, t, i) => ds.float(t, i),
  FD: (ds, t, i) => ds.double(t, i),
};
const SIZE: Record<string, number> = { US: 2, SS: 2, UL: 4, SL: 4, FL: 4, FD: 8 };
const BINARY = new Set(['OB', 'OW', 'OF', 'OD', 'OL', 'OV', 'UN']);
/** Longest value text shown; the rest is cut with its length said. */
const MAX_TEXT = 200;

function valueText(ds: DataSet, el: Element, vr: string): string {
  if (el.tag === 'x7fe00010') {
    return el.encapsulatedPixelData
      ? `(${el.fragments?.length ?? 0} fragments, encapsulated)`
      : `(${el.length} bytes)`;
  }
  if (el.dataOffset + el.length > ds.byteArray.length) return '(past the end of the file)';
  const read = NUMERIC[vr];
  if (read) {
    const n = Math.min(16, Math.floor(el.length / (SIZE[vr] ?? 1)));
    const values = Array.from({ length: n }, (_, i) => read(ds, el.tag, i));
    const more = el.length / (SIZE[vr] ?? 1) > n ? ' …' : '';
    return values.join('\\') + more;
  }
  if (BINARY.has(vr) || vr === 'AT') return `(${el.length} bytes)`;
  const s = (ds.string(el.tag) ?? '').replace(/\0/g, '');
  const all = ds.numStringValues(el.tag) ?? 1;
  const text =
    all > 1 ? Array.from({ length: all }, (_, i) => ds.string(el.tag, i) ?? '').join('\\') : s;
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}… (${text.length} characters)` : text;
}

/** Rows for every element of `ds`, sequences nested, in tag order. */
export function listTags(ds: DataSet, dict: Dictionary): TagRow[] {
  return Object.values(ds.elements)
    .sort((a, b) => a.tag.localeCompare(b.tag))
    .map((el) => {
      const hex = el.tag.slice(1).toLowerCase();
      const group = parseInt(hex.slice(0, 4), 16);
      const isPrivate = group % 2 === 1;
      const known = dict[hex]?.split('|');
      const creator =
        isPrivate && parseInt(hex.slice(4), 16) < 0x100 && parseInt(hex.slice(4), 16) >= 0x10;
      const keyword =
        known?.[0] ?? (isPrivate ? (creator ? 'PrivateCreator' : 'Private') : 'Unknown');
      const vr = el.vr ?? (el.items ? 'SQ' : (known?.[1] ?? (creator ? 'LO' : 'UN')));
      const row: TagRow = { tag: tagText(el.tag), keyword, vr, value: '', private: isPrivate };
      if (el.items) {
        row.items = el.items.map((item) => (item.dataSet ? listTags(item.dataSet, dict) : []));
        row.value = `${el.items.length} item${el.items.length === 1 ? '' : 's'}`;
      } else {
        row.value = valueText(ds, el, vr.split('/')[0] ?? vr);
      }
      return row;
    });
}

/** The tags `croissant-lake dicom` prints, by keyword, when present. */
const MAIN: [string, string][] = [
  ['x00080016', 'SOPClassUID'],
  ['x00080018', 'SOPInstanceUID'],
  ['x0020000d', 'StudyInstanceUID'],
  ['x0020000e', 'SeriesInstanceUID'],
  ['x00080060', 'Modality'],
  ['x00080070', 'Manufacturer'],
  ['x00081090', 'ManufacturerModelName'],
  ['x00080020', 'StudyDate'],
  ['x00081030', 'StudyDescription'],
  ['x0008103e', 'SeriesDescription'],
  ['x00180015', 'BodyPartExamined'],
  ['x00200011', 'SeriesNumber'],
  ['x00200013', 'InstanceNumber'],
  ['x00200032', 'ImagePositionPatient'],
  ['x00200037', 'ImageOrientationPatient'],
  ['x00280030', 'PixelSpacing'],
  ['x00180050', 'SliceThickness'],
  ['x00281050', 'WindowCenter'],
  ['x00281051', 'WindowWidth'],
  ['x00281052', 'RescaleIntercept'],
  ['x00281053', 'RescaleSlope'],
];

/** The main tags present in a file, as text (multi-valued ones joined with `\`). */
export function mainTags(header: DicomHeader): Record<string, string> {
  const ds = header.dataSet;
  const out: Record<string, string> = {};
  for (const [tag, name] of MAIN) {
    const el = ds.elements[tag];
    if (!el || el.length === 0) continue;
    const n = ds.numStringValues(tag) ?? 1;
    out[name] = Array.from({ length: n }, (_, i) => ds.string(tag, i) ?? '').join('\\');
  }
  return out;
}
