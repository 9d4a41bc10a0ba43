/**
 * The uncompressed sources of the DICOM corpus: what each image is (its tags and pixels). The
 * compressed files are made from these by the reference tools (make.ts).
 */
import { baseTags, packLE, phantom, seeded } from './write.ts';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const MR = '1.2.840.10008.5.1.4.1.1.4';
const CR = '1.2.840.10008.5.1.4.1.1.1';
const SC = '1.2.840.10008.5.1.4.1.1.7';
const MF_SC = '1.2.840.10008.5.1.4.1.1.7.3';
const SEG = '1.2.840.10008.5.1.4.1.1.66.4';
const RTDOSE = '1.2.840.10008.5.1.4.1.1.481.2';

const geometry = (spacing: number) => ({
  ImagePositionPatient: [-100, -120, 35.5],
  ImageOrientationPatient: [1, 0, 0, 0, 1, 0],
  PixelSpacing: [spacing, spacing],
  SliceThickness: 2,
});

const mono = (cols: number, rows: number, bits: 8 | 16, stored: number, signed: boolean) => ({
  Rows: rows,
  Columns: cols,
  SamplesPerPixel: 1,
  PhotometricInterpretation: 'MONOCHROME2',
  BitsAllocated: bits,
  BitsStored: stored,
  HighBit: stored - 1,
  PixelRepresentation: signed ? 1 : 0,
});

/** CT, 64×64, signed 16-bit stored values in [-2000, 3000], HU = stored − 1024. */
export function ct16s(): Record<string, unknown> {
  const v = phantom(64, 64, -2000, 3000, 11);
  return {
    ...baseTags('ct16s', CT, 'CT'),
    ...geometry(0.7),
    ...mono(64, 64, 16, 16, true),
    RescaleIntercept: -1024,
    RescaleSlope: 1,
    RescaleType: 'HU',
    WindowCenter: [40, -600],
    WindowWidth: [400, 1500],
    PixelData: [packLE(v, 16)],
    _vrMap: { PixelData: 'OW' },
  };
}

/** MR, 64×48, unsigned 12-bit stored values in 16-bit words. */
export function mr12u(): Record<string, unknown> {
  return {
    ...baseTags('mr12u', MR, 'MR'),
    ...geometry(0.9),
    ...mono(64, 48, 16, 12, false),
    WindowCenter: 2000,
    WindowWidth: 3000,
    PixelData: [packLE(phantom(64, 48, 0, 4095, 12), 16)],
    _vrMap: { PixelData: 'OW' },
  };
}

/** CR, 48×40, 8-bit MONOCHROME1 (low values are white). */
export function cr8m1(): Record<string, unknown> {
  return {
    ...baseTags('cr8m1', CR, 'CR'),
    ...mono(48, 40, 8, 8, false),
    PhotometricInterpretation: 'MONOCHROME1',
    ImagerPixelSpacing: [0.2, 0.2],
    WindowCenter: 128,
    WindowWidth: 200,
    PixelData: [packLE(phantom(48, 40, 0, 255, 13), 8)],
    _vrMap: { PixelData: 'OB' },
  };
}

/** The RGB values of the colour source: three phantoms, one per channel, interleaved. */
export function rgbValues(cols: number, rows: number): Uint8Array {
  const ch = [phantom(cols, rows, 0, 255, 21), phantom(rows, cols, 0, 255, 22)];
  const out = new Uint8Array(cols * rows * 3);
  for (let i = 0; i < cols * rows; i++) {
    out[i * 3] = Math.round(ch[0]![i]!);
    out[i * 3 + 1] = Math.round(ch[1]![i]!);
    out[i * 3 + 2] = (i * 7) & 0xff;
  }
  return out;
}

/** Secondary capture, 48×32 RGB, colour-by-pixel (PlanarConfiguration 0). */
export function rgb8(): Record<string, unknown> {
  return {
    ...baseTags('rgb8', SC, 'OT'),
    Rows: 32,
    Columns: 48,
    SamplesPerPixel: 3,
    PhotometricInterpretation: 'RGB',
    PlanarConfiguration: 0,
    BitsAllocated: 8,
    BitsStored: 8,
    HighBit: 7,
    PixelRepresentation: 0,
    PixelData: [rgbValues(48, 32).buffer],
    _vrMap: { PixelData: 'OB' },
  };
}

/**
 * The same picture stored as YBR_FULL: the values of PS3.3 C.7.6.3.1.2 (Y, Cb, Cr from R, G, B,
 * rounded and clamped to 0..255). What a viewer shows is checked against DCMTK's rendering.
 */
export function ybrFull(): Record<string, unknown> {
  const rgb = rgbValues(48, 32);
  const ybr = new Uint8Array(rgb.length);
  const c = (v: number) => Math.max(0, Math.min(255, Math.round(v)));
  for (let i = 0; i < rgb.length; i += 3) {
    const [r, g, b] = [rgb[i]!, rgb[i + 1]!, rgb[i + 2]!];
    ybr[i] = c(0.299 * r + 0.587 * g + 0.114 * b);
    ybr[i + 1] = c(-0.1687 * r - 0.3313 * g + 0.5 * b + 128);
    ybr[i + 2] = c(0.5 * r - 0.4187 * g - 0.0813 * b + 128);
  }
  return {
    ...rgb8(),
    ...baseTags('ybr-full', SC, 'OT'),
    PhotometricInterpretation: 'YBR_FULL',
    PixelData: [ybr.buffer],
  };
}

/** Multi-frame secondary capture: 3 frames of 32×32 unsigned 16-bit. */
export function mf16u(): Record<string, unknown> {
  const frames = [0, 1, 2].map((k) => phantom(32, 32, 100 * k, 30000 + 10000 * k, 31 + k));
  const all = new Float64Array(32 * 32 * 3);
  frames.forEach((f, k) => all.set(f, k * 32 * 32));
  return {
    ...baseTags('mf16u', MF_SC, 'OT'),
    ...mono(32, 32, 16, 16, false),
    NumberOfFrames: 3,
    PixelData: [packLE(all, 16)],
    _vrMap: { PixelData: 'OW' },
  };
}

/** A segmentation-like bit map: 2 frames of 13×7 pixels, BitsAllocated 1, packed LSB first. */
export function bits1(): Record<string, unknown> {
  const rnd = seeded(41);
  const n = 13 * 7 * 2;
  const packed = new Uint8Array(Math.ceil(n / 8) + (Math.ceil(n / 8) % 2));
  for (let i = 0; i < n; i++) if (rnd() < 0.4) packed[i >> 3]! |= 1 << (i & 7);
  return {
    ...baseTags('bits1', SEG, 'SEG'),
    Rows: 7,
    Columns: 13,
    NumberOfFrames: 2,
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    BitsAllocated: 1,
    BitsStored: 1,
    HighBit: 0,
    PixelRepresentation: 0,
    PixelData: [packed.buffer],
    _vrMap: { PixelData: 'OB' },
  };
}

/** RT dose grid: 24×16, unsigned 32-bit, dose = stored × DoseGridScaling. */
export function dose32u(): Record<string, unknown> {
  return {
    ...baseTags('dose32u', RTDOSE, 'RTDOSE'),
    ...mono(24, 16, 16, 16, false),
    BitsAllocated: 32,
    BitsStored: 32,
    HighBit: 31,
    DoseGridScaling: 0.0001,
    DoseUnits: 'GY',
    PixelData: [packLE(phantom(24, 16, 0, 4e9, 51), 32)],
    _vrMap: { PixelData: 'OW' },
  };
}

/** 24×16 signed 32-bit (a parametric map stored as integers). */
export function s32(): Record<string, unknown> {
  return {
    ...baseTags('s32', SC, 'OT'),
    ...mono(24, 16, 16, 16, true),
    BitsAllocated: 32,
    BitsStored: 32,
    HighBit: 31,
    PixelData: [packLE(phantom(24, 16, -2e9, 2e9, 52), 32)],
    _vrMap: { PixelData: 'OW' },
  };
}

/** Objects with no pixel data: a structured report, an RT plan and a 12-lead ECG. */
export const nonImages: Record<string, () => Record<string, unknown>> = {
  'sr-basic': () => ({
    ...baseTags('sr-basic', '1.2.840.10008.5.1.4.1.1.88.11', 'SR'),
    ValueType: 'CONTAINER',
    CompletionFlag: 'COMPLETE',
    VerificationFlag: 'UNVERIFIED',
  }),
  'rt-plan': () => ({
    ...baseTags('rt-plan', '1.2.840.10008.5.1.4.1.1.481.5', 'RTPLAN'),
    RTPlanLabel: 'Corpus plan',
  }),
  'ecg-12lead': () => ({
    ...baseTags('ecg-12lead', '1.2.840.10008.5.1.4.1.1.9.1.1', 'ECG'),
  }),
};
