/**
 * The `dicom_tags` record set's row of one DICOM file (docs/format.md, "DICOM tags"): the
 * acquisition tags a blind-spot analysis slices on (scanner, protocol, site, geometry), read
 * with the project's DICOM parser (src/lib/dicom/parse.ts). Columns are named by DICOM keyword.
 * A tag absent from the file is null; text is trimmed of padding, multi-valued text joined
 * with `\` as DICOM writes it.
 */
import { parseDicom, type DicomHeader } from '../dicom/parse.ts';
import type { LakeRow } from '../versions/columns.ts';
import type { ColumnDef } from '../versions/manifest.ts';

/** The record set DICOM tags are written to unless another name is given. */
export const DICOM_TAGS_RS = 'dicom_tags';

/** Text tags: keyword and dicom-parser tag. */
const TEXT: [string, string][] = [
  ['Modality', 'x00080060'],
  ['Manufacturer', 'x00080070'],
  ['ManufacturerModelName', 'x00081090'],
  ['InstitutionName', 'x00080080'],
  ['StationName', 'x00081010'],
  ['SoftwareVersions', 'x00181020'],
  ['ProtocolName', 'x00181030'],
  ['BodyPartExamined', 'x00180015'],
  ['ConvolutionKernel', 'x00181210'],
  ['PhotometricInterpretation', 'x00280004'],
];

/** Decimal (DS) and integer (IS) string tags read as numbers. */
const NUMBER: [string, string][] = [
  ['KVP', 'x00180060'],
  ['XRayTubeCurrent', 'x00181151'],
  ['ExposureTime', 'x00181150'],
  ['MagneticFieldStrength', 'x00180087'],
  ['SliceThickness', 'x00180050'],
];

/** The columns of a `dicom_tags` record set, in order (docs/format.md). */
export const DICOM_TAG_COLUMNS: readonly ColumnDef[] = [
  ...TEXT.map(([name]): ColumnDef => ({ name, type: 'utf8' })),
  ...NUMBER.map(([name]): ColumnDef => ({ name, type: 'float64' })),
  /** Row spacing in mm (PixelSpacing, else ImagerPixelSpacing; the first of its two values). */
  { name: 'PixelSpacing', type: 'float64' },
  { name: 'Rows', type: 'int64' },
  { name: 'Columns', type: 'int64' },
  { name: 'BitsStored', type: 'int64' },
  { name: 'TransferSyntaxUID', type: 'utf8' },
];

function text(h: DicomHeader, tag: string): string | null {
  const ds = h.dataSet;
  const el = ds.elements[tag];
  if (!el || el.length === 0) return null;
  const n = ds.numStringValues(tag) ?? 1;
  const v = Array.from({ length: n }, (_, i) => (ds.string(tag, i) ?? '').replace(/\0/g, '').trim())
    .join('\\')
    .trim();
  return v || null;
}

function number(h: DicomHeader, tag: string): number | null {
  const t = text(h, tag)?.split('\\')[0];
  const v = t === undefined ? NaN : Number(t);
  return Number.isFinite(v) ? v : null;
}

/** The row of a parsed DICOM header. */
export function dicomTagRow(h: DicomHeader): LakeRow {
  const row: LakeRow = {};
  for (const [name, tag] of TEXT) row[name] = text(h, tag);
  for (const [name, tag] of NUMBER) row[name] = number(h, tag);
  const img = h.image;
  row.PixelSpacing = img?.pixelSpacing?.[0] ?? null;
  row.Rows = img ? BigInt(img.rows) : null;
  row.Columns = img ? BigInt(img.columns) : null;
  row.BitsStored = img ? BigInt(img.bitsStored) : null;
  row.TransferSyntaxUID = h.syntax.uid || null;
  return row;
}

/** The row of a DICOM file's bytes. @throws DicomError when the file cannot be parsed. */
export function dicomTags(bytes: Uint8Array): LakeRow {
  return dicomTagRow(parseDicom(bytes));
}
