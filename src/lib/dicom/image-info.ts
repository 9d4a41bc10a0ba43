/**
 * The image part of a DICOM header: geometry and pixel format, refused when this app cannot
 * decode it or the header is absurd, and what a viewer needs (rescale, windows, spacing,
 * position).
 */
import type { DataSet } from 'dicom-parser';
import { DicomError } from './errors.ts';
import { numbers, text, us } from './values.ts';

/** Largest decoded image accepted, in samples per frame (guards against absurd headers). */
const MAX_FRAME_SAMPLES = 1 << 28;

/** The image part of a header: geometry, pixel format, and what a viewer needs. */
export interface DicomImageInfo {
  rows: number;
  columns: number;
  frames: number;
  samplesPerPixel: number;
  photometric: string;
  planarConfiguration: number;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  /** 0 unsigned, 1 two's complement. */
  pixelRepresentation: number;
  rescaleSlope: number;
  rescaleIntercept: number;
  /** `HU` for CT, `GY` for an RT dose, else from (0028,1054) RescaleType. */
  rescaleType: string;
  /** The file's own windows (WindowCenter/Width pairs), in rescaled units. */
  windows: { center: number; width: number; explanation: string }[];
  /** Row and column spacing in mm (PixelSpacing, else ImagerPixelSpacing). */
  pixelSpacing?: [number, number];
  imagePosition?: [number, number, number];
  imageOrientation?: [number, number, number, number, number, number];
}

/** The image header of data set `ds` (of `modality` and SOP class `sopClass`). */
export function imageInfo(ds: DataSet, modality: string, sopClass: string): DicomImageInfo {
  const rows = us(ds, 'x00280010', 'Rows');
  const columns = us(ds, 'x00280011', 'Columns');
  const bitsAllocated = us(ds, 'x00280100', 'BitsAllocated');
  const bitsStored = us(ds, 'x00280101', 'BitsStored', bitsAllocated);
  const samplesPerPixel = us(ds, 'x00280002', 'SamplesPerPixel', 1);
  const frames = Math.max(1, Math.trunc(numbers(ds, 'x00280008')[0] ?? 1));
  const photometric = text(ds, 'x00280004') || (samplesPerPixel === 3 ? 'RGB' : 'MONOCHROME2');
  if (rows === 0 || columns === 0) {
    throw new DicomError(
      'CORRUPT',
      `corrupt DICOM: the image is ${columns}×${rows} (Columns×Rows)`,
      {
        tag: '(0028,0010) Rows',
      },
    );
  }
  if (![1, 8, 16, 32].includes(bitsAllocated)) {
    throw new DicomError(
      'UNSUPPORTED_PIXELS',
      `unsupported DICOM pixel format: (0028,0100) BitsAllocated = ${bitsAllocated}; 1, 8, 16 and 32 are decoded`,
      { tag: '(0028,0100) BitsAllocated', offset: ds.elements.x00280100?.dataOffset },
    );
  }
  if (samplesPerPixel !== 1 && samplesPerPixel !== 3) {
    throw new DicomError(
      'UNSUPPORTED_PIXELS',
      `unsupported DICOM pixel format: (0028,0002) SamplesPerPixel = ${samplesPerPixel}; 1 and 3 are decoded`,
      { tag: '(0028,0002) SamplesPerPixel' },
    );
  }
  if (rows * columns * samplesPerPixel > MAX_FRAME_SAMPLES) {
    throw new DicomError(
      'CORRUPT',
      `DICOM too large: ${columns}×${rows}×${samplesPerPixel} samples a frame`,
      {
        tag: '(0028,0010) Rows',
      },
    );
  }
  const dose = sopClass === '1.2.840.10008.5.1.4.1.1.481.2';
  const slope = dose ? (numbers(ds, 'x3004000e')[0] ?? 1) : (numbers(ds, 'x00281053')[0] ?? 1);
  const centers = numbers(ds, 'x00281050');
  const widths = numbers(ds, 'x00281051');
  const windows = centers.flatMap((center, i) => {
    const width = widths[i] ?? widths[0];
    if (width === undefined || width <= 0) return [];
    return [{ center, width, explanation: ds.string('x00281055', i)?.trim() ?? '' }];
  });
  const spacing = numbers(ds, 'x00280030');
  const imager = numbers(ds, 'x00181164');
  const px = spacing.length === 2 ? spacing : imager.length === 2 ? imager : undefined;
  const position = numbers(ds, 'x00200032');
  const orientation = numbers(ds, 'x00200037');
  return {
    rows,
    columns,
    frames,
    samplesPerPixel,
    photometric,
    planarConfiguration: samplesPerPixel > 1 ? us(ds, 'x00280006', 'PlanarConfiguration', 0) : 0,
    bitsAllocated,
    bitsStored: Math.min(bitsStored || bitsAllocated, bitsAllocated),
    highBit: us(ds, 'x00280102', 'HighBit', bitsStored - 1),
    pixelRepresentation: us(ds, 'x00280103', 'PixelRepresentation', 0),
    rescaleSlope: slope === 0 ? 1 : slope,
    rescaleIntercept: dose ? 0 : (numbers(ds, 'x00281052')[0] ?? 0),
    rescaleType: dose ? 'GY' : modality === 'CT' ? 'HU' : text(ds, 'x00281054'),
    windows,
    ...(px ? { pixelSpacing: [px[0]!, px[1]!] as [number, number] } : {}),
    ...(position.length === 3 ? { imagePosition: position as [number, number, number] } : {}),
    ...(orientation.length === 6
      ? { imageOrientation: orientation as DicomImageInfo['imageOrientation'] & object }
      : {}),
  };
}
