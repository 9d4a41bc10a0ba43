/**
 * DICOM (Part 10) decoding for the pipeline: the header is read with dicom-parser up to the
 * pixel data, whose samples are then read here. Uncompressed transfer syntaxes only (implicit
 * and explicit VR little endian, and deflated explicit VR little endian, inflated with fflate);
 * compressed pixel data (JPEG, JPEG-LS, JPEG 2000, RLE…) and big endian are refused.
 */
import dicomParser, { type DataSet, type Element } from 'dicom-parser';
import { Inflate } from 'fflate';
import { LakeError } from '../store/errors.ts';
import type { Image } from './image.ts';

/** Largest decoded image accepted, in samples (the same guard as decode.ts). */
const MAX_SAMPLES = 1 << 28;
/** Largest inflated data set accepted for the deflated transfer syntax, in bytes. */
const MAX_INFLATED = MAX_SAMPLES * 2 + (1 << 24);

const IMPLICIT_LE = '1.2.840.10008.1.2';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const DEFLATED_LE = '1.2.840.10008.1.2.1.99';

/** Transfer syntaxes that are refused, by UID, for the error message. */
const REFUSED: Record<string, string> = {
  '1.2.840.10008.1.2.2': 'Explicit VR Big Endian',
  '1.2.840.10008.1.2.1.98': 'Encapsulated Uncompressed Explicit VR Little Endian',
  '1.2.840.10008.1.2.4.50': 'JPEG Baseline (Process 1)',
  '1.2.840.10008.1.2.4.51': 'JPEG Extended (Process 2 & 4)',
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless, Non-Hierarchical (Process 14)',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless, First-Order Prediction (Process 14 SV1)',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS Near-Lossless',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 (Lossless Only)',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
  '1.2.840.10008.1.2.4.92': 'JPEG 2000 Part 2 Multi-component (Lossless Only)',
  '1.2.840.10008.1.2.4.93': 'JPEG 2000 Part 2 Multi-component',
  '1.2.840.10008.1.2.4.201': 'High-Throughput JPEG 2000 (Lossless Only)',
  '1.2.840.10008.1.2.4.202': 'High-Throughput JPEG 2000 with RPCL (Lossless Only)',
  '1.2.840.10008.1.2.4.203': 'High-Throughput JPEG 2000',
  '1.2.840.10008.1.2.5': 'RLE Lossless',
};

const TAG = {
  transferSyntax: ['x00020010', '(0002,0010) TransferSyntaxUID'],
  samples: ['x00280002', '(0028,0002) SamplesPerPixel'],
  photometric: ['x00280004', '(0028,0004) PhotometricInterpretation'],
  planar: ['x00280006', '(0028,0006) PlanarConfiguration'],
  rows: ['x00280010', '(0028,0010) Rows'],
  columns: ['x00280011', '(0028,0011) Columns'],
  bitsAllocated: ['x00280100', '(0028,0100) BitsAllocated'],
  bitsStored: ['x00280101', '(0028,0101) BitsStored'],
  pixelRepresentation: ['x00280103', '(0028,0103) PixelRepresentation'],
  pixelData: ['x7fe00010', '(7FE0,0010) PixelData'],
} as const;

const bad = (message: string, cause?: unknown): LakeError =>
  new LakeError('BAD_INPUT', message, { cause });
const unsupported = (message: string): LakeError => new LakeError('UNSUPPORTED_FORMAT', message);

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
    if (size > MAX_INFLATED)
      throw bad(`DICOM too large: deflated data set inflates past ${size} bytes`);
    parts.push(chunk);
  });
  const step = 1 << 16;
  try {
    for (let at = position; at < bytes.length; at += step) {
      inflate.push(bytes.subarray(at, at + step), at + step >= bytes.length);
    }
  } catch (e) {
    if (e instanceof LakeError) throw e;
    const why = e instanceof Error ? e.message : String(e);
    throw bad(
      `corrupt DICOM: the deflated data set from byte ${position} does not inflate: ${why}`,
      e,
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

/** Runs a dicom-parser call, turning its throws (strings, `{exception, dataSet}`) into BAD_INPUT. */
function guarded(part: string, parse: () => DataSet): DataSet {
  try {
    return parse();
  } catch (e) {
    if (e instanceof LakeError) throw e;
    const wrapped = e as { exception?: unknown; dataSet?: DataSet } | null;
    const cause =
      wrapped && typeof wrapped === 'object' && 'exception' in wrapped ? wrapped.exception : e;
    if (cause instanceof LakeError) throw cause;
    const why = cause instanceof Error ? cause.message : String(cause);
    let where = '';
    const last = Object.values(wrapped?.dataSet?.elements ?? {}).reduce<Element | null>(
      (a, el) => (a === null || el.dataOffset > a.dataOffset ? el : a),
      null,
    );
    if (last) {
      where = ` (after element ${tagName(last.tag)} whose value starts at byte ${last.dataOffset})`;
    }
    throw bad(`corrupt DICOM ${part}: ${why}${where}`, cause);
  }
}

/**
 * Reads the meta header, refuses unsupported transfer syntaxes, then parses the data set up to
 * (not into) the pixel data.
 */
function parseHeader(bytes: Uint8Array): { ds: DataSet; syntax: string } {
  const meta = guarded('meta header', () => readPart10Header(bytes));
  const syntax = textOf(meta, TAG.transferSyntax);
  if (syntax !== IMPLICIT_LE && syntax !== EXPLICIT_LE && syntax !== DEFLATED_LE) {
    if (!syntax) throw bad(`corrupt DICOM: the meta header has no ${TAG.transferSyntax[1]}`);
    throw unsupported(
      `DICOM transfer syntax ${syntax} (${REFUSED[syntax] ?? 'unknown'}) is not supported: ` +
        'only uncompressed DICOM (implicit or explicit VR little endian, or deflated) is decoded',
    );
  }
  const options = { untilTag: TAG.pixelData[0], inflater: inflateDataSet };
  return { ds: guarded('data set', () => dicomParser.parseDicom(bytes, options)), syntax };
}

/** `x00280010` → `(0028,0010)`. */
function tagName(tag: string): string {
  return `(${tag.slice(1, 5)},${tag.slice(5)})`.toUpperCase();
}

/** The element for `tag` when present, after checking its value lies inside the bytes. */
function inBounds(ds: DataSet, [tag, name]: readonly [string, string]): Element | undefined {
  const el = ds.elements[tag];
  if (el && el.dataOffset + el.length > ds.byteArray.length) {
    throw bad(
      `truncated DICOM at byte ${ds.byteArray.length}: ${name} at byte ${el.dataOffset} ` +
        `declares ${el.length} bytes`,
    );
  }
  return el;
}

function uint16(ds: DataSet, tag: readonly [string, string], fallback?: number): number {
  const v = inBounds(ds, tag) ? ds.uint16(tag[0]) : undefined;
  if (v !== undefined) return v;
  if (fallback !== undefined) return fallback;
  throw bad(`corrupt DICOM: ${tag[1]} is missing`);
}

function textOf(ds: DataSet, tag: readonly [string, string]): string {
  return ((inBounds(ds, tag) ? ds.string(tag[0]) : undefined) ?? '').replace(/\0/g, '').trim();
}

/**
 * Decodes a DICOM Part 10 file (recognised by `DICM` at byte 128) into an `Image`.
 *
 * - Transfer syntaxes: implicit VR little endian, explicit VR little endian and deflated
 *   explicit VR little endian. Any other (JPEG, JPEG-LS, JPEG 2000, RLE, big endian…) is
 *   UNSUPPORTED_FORMAT naming it.
 * - BitsAllocated 8 → bitDepth 8, 16 → bitDepth 16; stored values are kept exactly (never
 *   scaled to 8 bits; bits above BitsStored are not masked for unsigned data).
 * - SamplesPerPixel 1 (MONOCHROME1 or MONOCHROME2) → 1 channel; 3 with RGB (PlanarConfiguration
 *   0 or 1) → 3 interleaved channels. MONOCHROME1 is left as stored (not inverted: low values
 *   are white), so a window-level or an inversion must come from the pipeline.
 * - PixelRepresentation 1 (signed): each value is sign-extended from BitsStored and shifted into
 *   the unsigned range by adding 32768 (16-bit) or 128 (8-bit), so -1024 becomes 31744; a
 *   window-level centre in stored units then needs + 32768 too.
 * - RescaleSlope/RescaleIntercept are not applied: samples are stored values, not Hounsfield
 *   units (HU = stored × slope + intercept).
 * - Multi-frame (NumberOfFrames > 1): frame 0 only.
 * @throws LakeError BAD_INPUT for corrupt or truncated input (naming the tag and byte offset),
 *   UNSUPPORTED_FORMAT for compressed transfer syntaxes and other pixel formats.
 */
export function decodeDicomImage(bytes: Uint8Array): Image {
  const { ds, syntax } = parseHeader(bytes);
  const inflated = syntax === DEFLATED_LE ? ' of the inflated data set' : '';
  const rows = uint16(ds, TAG.rows);
  const cols = uint16(ds, TAG.columns);
  const allocated = uint16(ds, TAG.bitsAllocated);
  const spp = uint16(ds, TAG.samples, 1);
  const signed = uint16(ds, TAG.pixelRepresentation, 0) === 1;
  const stored = uint16(ds, TAG.bitsStored, allocated);
  const photometric = textOf(ds, TAG.photometric);
  const planar = spp > 1 ? uint16(ds, TAG.planar, 0) : 0;
  if (rows === 0 || cols === 0) throw bad(`corrupt DICOM: image is ${cols}×${rows} (Columns×Rows)`);
  if (allocated !== 8 && allocated !== 16) {
    throw unsupported(
      `unsupported DICOM pixel format: ${TAG.bitsAllocated[1]} = ${allocated}; ` +
        'only 8 and 16 are decoded',
    );
  }
  const mono = spp === 1 && (photometric === 'MONOCHROME1' || photometric === 'MONOCHROME2');
  const rgb = spp === 3 && photometric === 'RGB' && (planar === 0 || planar === 1);
  if (!mono && !rgb) {
    throw unsupported(
      `unsupported DICOM pixel format: ${TAG.samples[1]} = ${spp}, ${TAG.photometric[1]} = ` +
        `${photometric || '(missing)'}${spp > 1 ? `, ${TAG.planar[1]} = ${planar}` : ''}; only ` +
        'MONOCHROME1/MONOCHROME2 with 1 sample or RGB with 3 samples (planar 0 or 1) are decoded',
    );
  }
  const n = rows * cols;
  if (n * spp > MAX_SAMPLES) throw bad(`DICOM too large: ${cols}×${rows}×${spp} samples`);

  const pixel = ds.elements[TAG.pixelData[0]];
  if (!pixel) {
    if (ds.elements.x7fe00008 || ds.elements.x7fe00009) {
      throw unsupported('unsupported DICOM pixel format: float pixel data (7FE0,0008/0009)');
    }
    throw bad(`corrupt DICOM: no ${TAG.pixelData[1]} element (the file has no image)`);
  }
  const bytesPer = allocated / 8;
  const need = n * spp * bytesPer;
  const at = pixel.dataOffset;
  const shape = `${cols}×${rows}×${spp} samples of ${allocated} bits = ${need} bytes`;
  if (pixel.length === 0xffffffff) {
    throw bad(
      `corrupt DICOM: ${TAG.pixelData[1]} at byte ${at}${inflated} has undefined length ` +
        `(encapsulated), which transfer syntax ${syntax} does not allow`,
    );
  }
  if (pixel.length < need) {
    throw bad(
      `corrupt DICOM: ${TAG.pixelData[1]} at byte ${at}${inflated} holds ${pixel.length} bytes, ` +
        `expected at least ${shape}`,
    );
  }
  const data = ds.byteArray;
  const present = Math.max(0, data.length - at);
  if (present < pixel.length) {
    throw bad(
      `truncated DICOM at byte ${data.length}${inflated}: ${TAG.pixelData[1]} at byte ${at} ` +
        `declares ${pixel.length} bytes (expected ${shape}), only ${present} are present`,
    );
  }

  const view = new DataView(data.buffer, data.byteOffset + at, need);
  const bitDepth = allocated === 16 ? 16 : 8;
  const offset = signed ? (bitDepth === 16 ? 32768 : 128) : 0;
  const shift = 32 - Math.min(stored > 0 ? stored : allocated, allocated);
  const read = (k: number): number => {
    const raw = bitDepth === 16 ? view.getUint16(k * 2, true) : view.getUint8(k);
    return signed ? ((raw << shift) >> shift) + offset : raw;
  };
  const out = new Float32Array(n * spp);
  if (spp === 1 || planar === 0) {
    for (let k = 0; k < n * spp; k++) out[k] = read(k);
  } else {
    for (let c = 0; c < spp; c++) for (let i = 0; i < n; i++) out[i * spp + c] = read(c * n + i);
  }
  return { width: cols, height: rows, channels: spp === 3 ? 3 : 1, bitDepth, data: out };
}
