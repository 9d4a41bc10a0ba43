/**
 * Where a frame's bytes are: a slice of native pixel data (checked against the file's length,
 * so a short frame is reported with its byte offsets), or the fragments of encapsulated pixel
 * data that make up one compressed frame.
 */
import dicomParser, { type Element } from 'dicom-parser';
import { DicomError } from './errors.ts';
import type { DicomHeader, DicomImageInfo } from './parse.ts';

const PIXEL_DATA = '(7FE0,0010) PixelData';

/** Bits one frame takes in native pixel data. */
export function frameBits(info: DicomImageInfo): number {
  return info.rows * info.columns * info.samplesPerPixel * info.bitsAllocated;
}

function pixelElement(header: DicomHeader): Element {
  const el = header.dataSet.elements.x7fe00010;
  if (!el) throw new DicomError('NO_PIXEL_DATA', 'the file has no (7FE0,0010) PixelData', {});
  return el;
}

/** Checks the frame index against NumberOfFrames. */
export function checkFrame(info: DicomImageInfo, index: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= info.frames) {
    throw new DicomError(
      'FRAME_OUT_OF_RANGE',
      `frame ${index} does not exist: the file has ${info.frames} frame${info.frames === 1 ? '' : 's'} (0–${info.frames - 1})`,
      { tag: '(0028,0008) NumberOfFrames', frame: index },
    );
  }
}

/**
 * The bytes of native frame `index` (for 1-bit data: the bytes holding its bits, with the
 * frame's first bit at `bitOffset` of the first byte).
 */
export function nativeFrame(
  header: DicomHeader,
  index: number,
): { bytes: Uint8Array; bitOffset: number } {
  const info = header.image!;
  const el = pixelElement(header);
  const data = header.dataSet.byteArray;
  if (el.encapsulatedPixelData || el.length === 0xffffffff) {
    throw new DicomError(
      'CORRUPT',
      `corrupt DICOM: ${PIXEL_DATA} at byte ${el.dataOffset} is encapsulated, which transfer syntax ${header.syntax.uid} (${header.syntax.name}) does not allow`,
      { tag: PIXEL_DATA, offset: el.dataOffset },
    );
  }
  const bits = frameBits(info);
  const startBit = bits * index;
  const start = el.dataOffset + Math.floor(startBit / 8);
  const end = el.dataOffset + Math.ceil((startBit + bits) / 8);
  const declaredEnd = el.dataOffset + el.length;
  const where = { tag: PIXEL_DATA, offset: el.dataOffset, frame: index };
  const shape = `${info.columns}×${info.rows}×${info.samplesPerPixel} samples of ${info.bitsAllocated} bits`;
  if (end > declaredEnd) {
    throw new DicomError(
      'CORRUPT',
      `corrupt DICOM: ${PIXEL_DATA} at byte ${el.dataOffset} holds ${el.length} bytes, but frame ${index} (${shape}) ends at byte ${end - el.dataOffset} of it: the frame is shorter than declared`,
      where,
    );
  }
  if (end > data.length) {
    throw new DicomError(
      'TRUNCATED',
      `truncated DICOM at byte ${data.length}: frame ${index} of ${PIXEL_DATA} (value at byte ${el.dataOffset}) needs bytes ${start}–${end}`,
      where,
    );
  }
  return { bytes: data.subarray(start, end), bitOffset: startBit % 8 };
}

/** The compressed bytes of frame `index` of encapsulated pixel data. */
export function encapsulatedFrame(header: DicomHeader, index: number): Uint8Array {
  const info = header.image!;
  const el = pixelElement(header);
  const ds = header.dataSet;
  const where = { tag: PIXEL_DATA, offset: el.dataOffset, frame: index };
  const fragments = el.fragments ?? [];
  if (!el.encapsulatedPixelData || fragments.length === 0) {
    throw new DicomError(
      'CORRUPT',
      `corrupt DICOM: ${PIXEL_DATA} at byte ${el.dataOffset} is not encapsulated (no fragments), which transfer syntax ${header.syntax.uid} (${header.syntax.name}) requires`,
      where,
    );
  }
  for (const f of fragments) {
    if (f.position + f.length > ds.byteArray.length) {
      throw new DicomError(
        'TRUNCATED',
        `truncated DICOM at byte ${ds.byteArray.length}: a fragment of ${PIXEL_DATA} at byte ${f.position} declares ${f.length} bytes`,
        { ...where, offset: f.position },
      );
    }
  }
  try {
    if (info.frames === 1) {
      return dicomParser.readEncapsulatedPixelDataFromFragments(ds, el, 0, fragments.length);
    }
    const table = el.basicOffsetTable ?? [];
    if (table.length) return dicomParser.readEncapsulatedImageFrame(ds, el, index, table);
    if (fragments.length === info.frames) {
      return dicomParser.readEncapsulatedPixelDataFromFragments(ds, el, index, 1);
    }
    const jpeg = dicomParser.createJPEGBasicOffsetTable(ds, el);
    return dicomParser.readEncapsulatedImageFrame(ds, el, index, jpeg);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new DicomError(
      'CORRUPT',
      `corrupt DICOM: frame ${index} of ${PIXEL_DATA} (value at byte ${el.dataOffset}, ${fragments.length} fragments) cannot be located: ${why}`,
      where,
      { cause: e },
    );
  }
}
