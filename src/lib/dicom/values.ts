/**
 * Typed reads of element values from a parsed data set. A value a header cannot do without
 * (an image's US attributes) is refused with its tag and byte offset when it is missing, of
 * the wrong VR or shorter than its type; text and number strings read leniently (an
 * unparsable number is skipped), as viewers do.
 */
import type { DataSet } from 'dicom-parser';
import { DicomError, tagText } from './errors.ts';

/** The text of an element, NUL padding and surrounding spaces removed ('' when absent). */
export const text = (ds: DataSet, tag: string) => (ds.string(tag) ?? '').replace(/\0/g, '').trim();

/** The numbers of a decimal string (DS) or integer string (IS) element. */
export function numbers(ds: DataSet, tag: string): number[] {
  const el = ds.elements[tag];
  if (!el || el.length === 0) return [];
  const n = ds.numStringValues(tag) ?? 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = Number(ds.string(tag, i));
    if (Number.isFinite(v)) out.push(v);
  }
  return out;
}

/** Reads a US element, refusing a wrong VR or a value past the end of the file. */
export function us(ds: DataSet, tag: string, name: string, fallback?: number): number {
  const el = ds.elements[tag];
  if (!el) {
    if (fallback !== undefined) return fallback;
    throw new DicomError('CORRUPT', `corrupt DICOM: ${tagText(tag)} ${name} is missing`, {
      tag: `${tagText(tag)} ${name}`,
    });
  }
  const where = { tag: `${tagText(tag)} ${name}`, offset: el.dataOffset };
  if (el.vr && el.vr !== 'US' && el.vr !== 'SS' && el.vr !== 'UN') {
    throw new DicomError(
      'CORRUPT',
      `corrupt DICOM: ${tagText(tag)} ${name} at byte ${el.dataOffset} has VR ${el.vr}, expected US`,
      where,
    );
  }
  if (el.length < 2 || el.dataOffset + 2 > ds.byteArray.length) {
    throw new DicomError(
      'CORRUPT',
      `corrupt DICOM: ${tagText(tag)} ${name} at byte ${el.dataOffset} holds ${el.length} bytes, expected 2`,
      where,
    );
  }
  return ds.uint16(tag) as number;
}
