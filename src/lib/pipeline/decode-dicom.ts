/**
 * DICOM (Part 10) decoding for the pipeline, through the DICOM module (src/lib/dicom): every
 * transfer syntax it decodes (uncompressed, deflated, big endian, RLE, JPEG, JPEG-LS, JPEG 2000,
 * HTJ2K), frame 0, as an `Image` of stored values. Its errors become the pipeline's LakeErrors
 * (BAD_INPUT, or UNSUPPORTED_FORMAT for what is not decoded), with their located messages.
 */
import { decodeFrame, type DecodedFrame } from '../dicom/decode.ts';
import { DicomError } from '../dicom/errors.ts';
import { parseDicom, type DicomImageInfo } from '../dicom/parse.ts';
import { LakeError } from '../store/errors.ts';
import type { Image } from './image.ts';

export { isDicom } from '../dicom/parse.ts';

/** Largest decoded image accepted, in samples (the same guard as decode.ts). */
const MAX_SAMPLES = 1 << 28;

function asLakeError(e: unknown): unknown {
  if (!(e instanceof DicomError)) return e;
  const unsupported = e.code === 'UNSUPPORTED_SYNTAX' || e.code === 'UNSUPPORTED_PIXELS';
  return new LakeError(unsupported ? 'UNSUPPORTED_FORMAT' : 'BAD_INPUT', e.message, {
    cause: e,
    detail: e.location,
  });
}

/** The pixel formats an `Image` can hold (8 or 16 bits; grey, RGB or YBR_FULL). */
function checkFormat(info: DicomImageInfo, photometric: string): void {
  const grey = info.samplesPerPixel === 1 && /^MONOCHROME[12]$/.test(photometric);
  const colour =
    info.samplesPerPixel === 3 && (photometric === 'RGB' || photometric === 'YBR_FULL');
  if (!grey && !colour) {
    throw new LakeError(
      'UNSUPPORTED_FORMAT',
      `unsupported DICOM pixel format: (0028,0002) SamplesPerPixel = ${info.samplesPerPixel}, ` +
        `(0028,0004) PhotometricInterpretation = ${photometric}` +
        (info.samplesPerPixel > 1
          ? `, (0028,0006) PlanarConfiguration = ${info.planarConfiguration}`
          : '') +
        '; MONOCHROME1/MONOCHROME2, RGB and YBR_FULL are decoded',
    );
  }
  if (info.bitsAllocated === 32) {
    throw new LakeError(
      'UNSUPPORTED_FORMAT',
      'unsupported DICOM pixel format for the pipeline: (0028,0100) BitsAllocated = 32; images ' +
        'are 8 or 16 bits (the DICOM viewer shows 32-bit data)',
    );
  }
}

/** YBR_FULL → RGB (PS3.3 C.7.6.3.1.2), rounded and clamped to 0..255. */
function ybrToRgb(v: Float32Array): void {
  const c = (x: number) => Math.max(0, Math.min(255, Math.round(x)));
  for (let i = 0; i < v.length; i += 3) {
    const [y, cb, cr] = [v[i]!, v[i + 1]! - 128, v[i + 2]! - 128];
    v[i] = c(y + 1.402 * cr);
    v[i + 1] = c(y - 0.344136 * cb - 0.714136 * cr);
    v[i + 2] = c(y + 1.772 * cb);
  }
}

function toImage(frame: DecodedFrame, info: DicomImageInfo): Image {
  const bitDepth = info.bitsAllocated === 16 ? 16 : 8;
  const signed = frame.sampleType === 'int8' || frame.sampleType === 'int16';
  const offset = signed ? (bitDepth === 16 ? 32768 : 128) : 0;
  const data = Float32Array.from(frame.values, (v) => v + offset);
  if (frame.photometric === 'YBR_FULL') ybrToRgb(data);
  return {
    width: frame.columns,
    height: frame.rows,
    channels: frame.samples === 3 ? 3 : 1,
    bitDepth,
    data,
  };
}

/**
 * Decodes frame 0 of a DICOM Part 10 file (recognised by `DICM` at byte 128) into an `Image`.
 *
 * - Every transfer syntax of the DICOM module; compressed ones need the codecs' wasm
 *   (`useNodeWasm()` in Node, `useAppWasm()` in the app's workers).
 * - BitsAllocated 8 → bitDepth 8, 16 → bitDepth 16, 1 → bitDepth 8 with values 0/1; stored
 *   values are kept (masked to BitsStored, never scaled to 8 bits). 32-bit data is refused.
 * - MONOCHROME1 is left as stored (not inverted: low values are white). YBR_FULL becomes RGB;
 *   JPEG and JPEG 2000 colour arrives as RGB from their codecs.
 * - PixelRepresentation 1 (signed): each value is shifted into the unsigned range by adding
 *   32768 (16-bit) or 128 (8-bit), so -1024 becomes 31744; a window-level centre in stored
 *   units then needs + 32768 too.
 * - RescaleSlope/RescaleIntercept are not applied: samples are stored values, not Hounsfield
 *   units (HU = stored × slope + intercept).
 * - Multi-frame (NumberOfFrames > 1): frame 0 only.
 * @throws LakeError BAD_INPUT for corrupt or truncated input (naming the tag and byte offset),
 *   UNSUPPORTED_FORMAT for what is not decoded (naming the transfer syntax or tag values).
 */
export async function decodeDicomImage(bytes: Uint8Array): Promise<Image> {
  try {
    const header = parseDicom(bytes);
    const info = header.image;
    if (!info) {
      throw new LakeError(
        'BAD_INPUT',
        `not an image: ${header.nonImage} (the file has no (7FE0,0010) PixelData element)`,
      );
    }
    if (info.rows * info.columns * info.samplesPerPixel > MAX_SAMPLES) {
      throw new LakeError(
        'BAD_INPUT',
        `DICOM too large: ${info.columns}×${info.rows}×${info.samplesPerPixel} samples`,
      );
    }
    checkFormat(info, info.photometric.replace(/^YBR_(FULL_422|ICT|RCT)$/, 'RGB'));
    const frame = await decodeFrame(header, 0);
    checkFormat(info, frame.photometric);
    return toImage(frame, info);
  } catch (e) {
    throw asLakeError(e);
  }
}
