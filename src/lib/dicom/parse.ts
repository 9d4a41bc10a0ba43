/**
 * Reads a DICOM Part 10 file's header with dicom-parser: the transfer syntax, the image's
 * geometry and pixel format, the values a viewer needs (rescale, windows, spacing, position),
 * or what kind of non-image object it is. Every refusal names the element and byte offset.
 */
import dicomParser, { type DataSet, type Element } from 'dicom-parser';
import { Inflate } from 'fflate';
import { DicomError, tagText } from './errors.ts';
import { TRANSFER_SYNTAXES, syntaxName, type TransferSyntax } from './syntax.ts';
import { nonImageKind } from './sop-classes.ts';

/** Largest decoded image accepted, in samples per frame (guards against absurd headers). */
const MAX_FRAME_SAMPLES = 1 << 28;
/** Largest inflated data set accepted for the deflated transfer syntax, in bytes. */
const MAX_INFLATED = 1 << 30;

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

/** A parsed file: its syntax, identity and, for images, the image header. */
export interface DicomHeader {
  syntax: TransferSyntax;
  sopClassUid: string;
  modality: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  instanceNumber?: number;
  /** Set for objects that hold no image (a structured report…): what it is, in words. */
  nonImage?: string;
  image?: DicomImageInfo;
  /** The data set (inflated for the deflated syntax), for pixel data and the tag browser. */
  dataSet: DataSet;
}

/** True when the Part 10 marker `DICM` sits at byte 128 (after the preamble). */
export function isDicom(bytes: Uint8Array): boolean {
  return bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
}

/** Inflates a deflated data set (raw DEFLATE after the meta header), refusing inflation bombs. */
function inflateDataSet(bytes: Uint8Array, position: number): Uint8Array {
  const parts: Uint8Array[] = [bytes.subarray(0, position)];
  let size = position;
  const inflate = new Inflate((chunk) => {
    size += chunk.length;
    if (size > MAX_INFLATED) {
      throw new DicomError('CORRUPT', `deflated data set inflates past ${size} bytes`, {
        offset: position,
      });
    }
    parts.push(chunk);
  });
  try {
    const step = 1 << 16;
    for (let at = position; at < bytes.length; at += step) {
      inflate.push(bytes.subarray(at, at + step), at + step >= bytes.length);
    }
  } catch (e) {
    if (e instanceof DicomError) throw e;
    const why = e instanceof Error ? e.message : String(e);
    throw new DicomError(
      'CORRUPT',
      `corrupt DICOM: the deflated data set from byte ${position} does not inflate: ${why}`,
      { offset: position },
      { cause: e },
    );
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** dicom-parser's meta header reader: exported at runtime but missing from its typings. */
const { readPart10Header } = dicomParser as unknown as {
  readPart10Header(bytes: Uint8Array): DataSet;
};

/** Runs a dicom-parser call, turning its throws (strings, `{exception, dataSet}`) into located errors. */
function guarded(part: string, size: number, parse: () => DataSet): DataSet {
  try {
    return parse();
  } catch (e) {
    if (e instanceof DicomError) throw e;
    const wrapped = e as { exception?: unknown; dataSet?: DataSet } | null;
    const cause =
      wrapped && typeof wrapped === 'object' && 'exception' in wrapped ? wrapped.exception : e;
    if (cause instanceof DicomError) throw cause;
    const why = cause instanceof Error ? cause.message : String(cause);
    const last = Object.values(wrapped?.dataSet?.elements ?? {}).reduce<Element | null>(
      (a, el) => (a === null || el.dataOffset > a.dataOffset ? el : a),
      null,
    );
    const undefinedLength = last?.length === 0xffffffff || last?.hadUndefinedLength;
    const inside = last && (undefinedLength || last.dataOffset + last.length > size);
    const truncated = inside || /end of buffer|past the end|buffer overrun|eof/i.test(why);
    let where = '';
    if (last && inside) {
      where = undefinedLength
        ? `: ${tagText(last.tag)} at byte ${last.dataOffset} has undefined length and the file ends inside it`
        : `: ${tagText(last.tag)} at byte ${last.dataOffset} declares ${last.length} bytes, past the end`;
    } else if (last) {
      where = ` after element ${tagText(last.tag)}, whose value starts at byte ${last.dataOffset}`;
    }
    throw new DicomError(
      truncated ? 'TRUNCATED' : 'CORRUPT',
      truncated
        ? `truncated DICOM at byte ${size}: the ${part} cannot be read${where} (${why})`
        : `corrupt DICOM: the ${part} cannot be read${where}: ${why}`,
      last ? { tag: tagText(last.tag), offset: last.dataOffset } : {},
      { cause },
    );
  }
}

/** Refuses an element whose declared value runs past the end of the bytes. */
function checkBounds(ds: DataSet, part: string): void {
  const size = ds.byteArray.length;
  for (const el of Object.values(ds.elements)) {
    if (el.length !== 0xffffffff && !el.hadUndefinedLength && el.dataOffset + el.length > size) {
      throw new DicomError(
        'TRUNCATED',
        `truncated DICOM at byte ${size}: ${tagText(el.tag)} at byte ${el.dataOffset} in the ${part} declares ${el.length} bytes, past the end`,
        { tag: tagText(el.tag), offset: el.dataOffset },
      );
    }
  }
}

const text = (ds: DataSet, tag: string) => (ds.string(tag) ?? '').replace(/\0/g, '').trim();

/** The numbers of a decimal string (DS) or integer string (IS) element. */
function numbers(ds: DataSet, tag: string): number[] {
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
function us(ds: DataSet, tag: string, name: string, fallback?: number): number {
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

function imageInfo(ds: DataSet, modality: string, sopClass: string): DicomImageInfo {
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

/**
 * Parses a Part 10 file. Images get `image`; objects with no pixel data (reports, plans,
 * waveforms…) get `nonImage`, a description in words.
 * @throws DicomError NOT_DICOM (no DICM marker), TRUNCATED/CORRUPT (with tag and byte offset),
 *   UNSUPPORTED_SYNTAX (named), UNSUPPORTED_PIXELS.
 */
export function parseDicom(bytes: Uint8Array): DicomHeader {
  try {
    return parseChecked(bytes);
  } catch (e) {
    if (e instanceof DicomError) throw e;
    // dicom-parser reads values lazily and throws strings; anything left is a broken value.
    const why = e instanceof Error ? e.message : String(e);
    throw new DicomError('CORRUPT', `corrupt DICOM: ${why}`, {}, { cause: e });
  }
}

function parseChecked(bytes: Uint8Array): DicomHeader {
  if (!isDicom(bytes)) {
    throw new DicomError(
      'NOT_DICOM',
      bytes.length < 132
        ? `not a DICOM file: ${bytes.length} bytes, too short for the 128-byte preamble and DICM marker`
        : 'not a DICOM Part 10 file: no DICM marker at byte 128 (the file meta header is missing)',
      { offset: 128 },
    );
  }
  const meta = guarded('file meta header', bytes.length, () => readPart10Header(bytes));
  checkBounds(meta, 'file meta header');
  const uid = text(meta, 'x00020010');
  if (!uid) {
    throw new DicomError(
      'CORRUPT',
      'corrupt DICOM: the file meta header has no (0002,0010) TransferSyntaxUID',
      { tag: '(0002,0010) TransferSyntaxUID', offset: 132 },
    );
  }
  const syntax = TRANSFER_SYNTAXES[uid];
  if (!syntax) {
    throw new DicomError(
      'UNSUPPORTED_SYNTAX',
      `DICOM transfer syntax ${uid} (${syntaxName(uid)}) is not supported`,
      { tag: '(0002,0010) TransferSyntaxUID', offset: meta.elements.x00020010?.dataOffset },
    );
  }
  const ds = guarded('data set', bytes.length, () =>
    dicomParser.parseDicom(bytes, { inflater: inflateDataSet }),
  );
  checkBounds(ds, 'data set');
  const sopClassUid = text(ds, 'x00080016') || text(meta, 'x00020002');
  const modality = text(ds, 'x00080060');
  const header: DicomHeader = {
    syntax,
    sopClassUid,
    modality,
    studyInstanceUid: text(ds, 'x0020000d'),
    seriesInstanceUid: text(ds, 'x0020000e'),
    dataSet: ds,
  };
  const instance = numbers(ds, 'x00200013')[0];
  if (instance !== undefined) header.instanceNumber = instance;
  const pixel = ds.elements.x7fe00010;
  if (!pixel) {
    if (ds.elements.x7fe00008 || ds.elements.x7fe00009) {
      throw new DicomError(
        'UNSUPPORTED_PIXELS',
        'unsupported DICOM pixel format: float pixel data (7FE0,0008/0009)',
        { tag: '(7FE0,0008) FloatPixelData' },
      );
    }
    header.nonImage = nonImageKind(sopClassUid, modality);
    return header;
  }
  header.image = imageInfo(ds, modality, sopClassUid);
  return header;
}
