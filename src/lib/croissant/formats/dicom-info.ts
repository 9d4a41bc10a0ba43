/**
 * Describes a DICOM file (Part 10) through dicom-parser: image size and a PIL-like mode from
 * Rows, Columns, BitsAllocated, SamplesPerPixel and PhotometricInterpretation. Pixel data is
 * not decoded here.
 */
import dicomParser from 'dicom-parser';
import type { ImageInfo } from './image-info.ts';

/** Reads the header of a DICOM file; null when it cannot be parsed. */
export function dicomInfo(bytes: Uint8Array): ImageInfo | null {
  try {
    const ds = dicomParser.parseDicom(bytes, { untilTag: 'x7fe00010' });
    const rows = ds.uint16('x00280010') ?? 0;
    const cols = ds.uint16('x00280011') ?? 0;
    const bits = ds.uint16('x00280100') ?? 8;
    const samples = ds.uint16('x00280002') ?? 1;
    const photometric = (ds.string('x00280004') ?? '').trim();
    const mode =
      samples >= 3 || photometric.startsWith('RGB') || photometric.startsWith('YBR')
        ? 'RGB'
        : bits > 8
          ? 'I;16'
          : 'L';
    return { format: 'DICOM', mode, width: cols, height: rows };
  } catch {
    return null;
  }
}
