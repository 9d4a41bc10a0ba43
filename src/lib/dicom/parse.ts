/**
 * Reads a DICOM Part 10 file's header with dicom-parser: the transfer syntax, the image's
 * geometry and pixel format, the values a viewer needs (rescale, windows, spacing, position),
 * or what kind of non-image object it is. Every refusal names the element and byte offset.
 */
import type { DataSet } from 'dicom-parser';
import { DicomError } from './errors.ts';
import { imageInfo, type DicomImageInfo } from './image-info.ts';
import { readDataSet, readMetaHeader } from './read-data-set.ts';
import { nonImageKind } from './sop-classes.ts';
import { TRANSFER_SYNTAXES, syntaxName, type TransferSyntax } from './syntax.ts';
import { numbers, text } from './values.ts';

export type { DicomImageInfo } from './image-info.ts';

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
  const meta = readMetaHeader(bytes);
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
  const ds = readDataSet(bytes);
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
