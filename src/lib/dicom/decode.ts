/**
 * Decodes one frame of a parsed DICOM file into its stored values: the transfer syntax picks
 * the codec (codecs.ts, rle.ts) and the result is put in one layout whatever the syntax:
 * interleaved samples, row-major, in the file's own sample type, masked to BitsStored and
 * sign-extended for signed native and RLE data; 1-bit data unpacked to one 0/1 byte per pixel. No rescale,
 * windowing or inversion here (pixels.ts does that for display).
 */
import { decodeJpeg12, decodeJpegLossless, decodeWasm, type CodecOutput } from './codecs.ts';
import { DicomError } from './errors.ts';
import { checkFrame, encapsulatedFrame, nativeFrame } from './frames.ts';
import type { DicomHeader, DicomImageInfo } from './parse.ts';
import { decodeRle } from './rle.ts';

/** The typed arrays stored values come in. */
export type SampleArray =
  Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;
export type SampleType = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32';

/** One decoded frame. */
export interface DecodedFrame {
  index: number;
  rows: number;
  columns: number;
  samples: number;
  /**
   * The photometric interpretation of `values`: the file's, except where the codec converts
   * colour itself (JPEG YBR_FULL_422, JPEG 2000/HTJ2K YBR_ICT/YBR_RCT decode to RGB).
   */
  photometric: string;
  sampleType: SampleType;
  values: SampleArray;
}

/** The sample type stored values are given in. */
export function sampleTypeOf(info: DicomImageInfo): SampleType {
  const signed = info.pixelRepresentation === 1;
  if (info.bitsAllocated <= 8) return signed && info.bitsAllocated === 8 ? 'int8' : 'uint8';
  if (info.bitsAllocated === 16) return signed ? 'int16' : 'uint16';
  return signed ? 'int32' : 'uint32';
}

const ARRAYS = {
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
} as const;

/** Little-endian bytes as `type` (copied, so the result is aligned and owns its buffer). */
function fromBytes(bytes: Uint8Array, type: SampleType, bigEndian = false): SampleArray {
  const Ctor = ARRAYS[type];
  const size = Ctor.BYTES_PER_ELEMENT;
  const copy = new Uint8Array(Math.floor(bytes.length / size) * size);
  copy.set(bytes.subarray(0, copy.length));
  // Swapped in place byte by byte: a subarray per sample made big endian 10× slower than DCMTK.
  if (bigEndian && size === 2) {
    for (let i = 0; i < copy.length; i += 2) {
      const a = copy[i]!;
      copy[i] = copy[i + 1]!;
      copy[i + 1] = a;
    }
  } else if (bigEndian && size === 4) {
    for (let i = 0; i < copy.length; i += 4) {
      const [a, b] = [copy[i]!, copy[i + 1]!];
      copy[i] = copy[i + 3]!;
      copy[i + 1] = copy[i + 2]!;
      copy[i + 2] = b;
      copy[i + 3] = a;
    }
  }
  return new Ctor(copy.buffer);
}

/**
 * Masks to BitsStored and sign-extends signed values, in place: bits above BitsStored of native
 * or RLE data may hold anything (old files put overlays there).
 */
function normalise(values: SampleArray, info: DicomImageInfo): void {
  const stored = info.bitsStored;
  if (stored >= info.bitsAllocated || info.bitsAllocated === 1) return;
  const mask = stored >= 32 ? 0xffffffff : (1 << stored) - 1;
  const shift = 32 - stored;
  const signed = info.pixelRepresentation === 1;
  for (let i = 0; i < values.length; i++) {
    const v = (values[i]! & mask) >>> 0;
    values[i] = signed ? (v << shift) >> shift : v;
  }
}

/** Colour-by-plane (PlanarConfiguration 1) → colour-by-pixel. */
function interleave(values: SampleArray, pixels: number): SampleArray {
  const out = new (values.constructor as new (n: number) => SampleArray)(values.length);
  for (let c = 0; c < 3; c++)
    for (let i = 0; i < pixels; i++) out[i * 3 + c] = values[c * pixels + i]!;
  return out;
}

function unpackBits(bytes: Uint8Array, bitOffset: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const bit = bitOffset + i;
    out[i] = (bytes[bit >> 3]! >> (bit & 7)) & 1;
  }
  return out;
}

/** The precision byte of a JPEG stream's SOF marker (8, 12 or 16), or 0 when none is found. */
function jpegPrecision(data: Uint8Array): number {
  for (let i = 2; i + 4 < data.length;) {
    if (data[i] !== 0xff) return 0;
    const marker = data[i + 1]!;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return data[i + 4]!;
    }
    i += 2 + ((data[i + 2]! << 8) | data[i + 3]!);
  }
  return 0;
}

async function runCodec(
  header: DicomHeader,
  data: Uint8Array,
  index: number,
): Promise<CodecOutput | Uint8Array> {
  const info = header.image!;
  const bytesPerSample = info.bitsAllocated <= 8 ? 1 : info.bitsAllocated / 8;
  switch (header.syntax.codec) {
    case 'rle':
      return decodeRle(data, info.rows * info.columns, info.samplesPerPixel, bytesPerSample, index);
    case 'jpeg-baseline':
    case 'jpeg-extended':
      return jpegPrecision(data) > 8 ? decodeJpeg12(data) : decodeWasm('libjpeg-turbo', data);
    case 'jpeg-lossless':
      return decodeJpegLossless(data, bytesPerSample);
    case 'jpeg-ls':
      return decodeWasm('charls', data);
    case 'j2k':
      return decodeWasm('openjpeg', data);
    case 'htj2k':
      return decodeWasm('openjph', data);
    default:
      return data;
  }
}

/** The photometric interpretation after the codec (see DecodedFrame.photometric). */
function decodedPhotometric(header: DicomHeader): string {
  const p = header.image!.photometric;
  const codec = header.syntax.codec;
  if (header.image!.samplesPerPixel !== 3) return p;
  const converts = ['jpeg-baseline', 'jpeg-extended', 'j2k', 'htj2k'].includes(codec);
  if (converts && /^YBR_(FULL|FULL_422|ICT|RCT)$/.test(p)) return 'RGB';
  return p;
}

/**
 * Decodes frame `index` (0-based) of an image.
 * @throws DicomError FRAME_OUT_OF_RANGE, TRUNCATED/CORRUPT (with tag, byte offset and frame),
 *   CODEC when a codec rejects the stream.
 */
export async function decodeFrame(header: DicomHeader, index: number): Promise<DecodedFrame> {
  const info = header.image;
  if (!info) {
    throw new DicomError('NO_PIXEL_DATA', header.nonImage ?? 'the file has no pixel data', {});
  }
  checkFrame(info, index);
  const pixels = info.rows * info.columns;
  const samples = info.samplesPerPixel;
  const type = sampleTypeOf(info);
  const base = { index, rows: info.rows, columns: info.columns, samples, sampleType: type };
  const native = header.syntax.codec === 'native';
  if (native && info.bitsAllocated === 1) {
    const { bytes, bitOffset } = nativeFrame(header, index);
    return {
      ...base,
      photometric: info.photometric,
      values: unpackBits(bytes, bitOffset, pixels * samples),
    };
  }
  let values: SampleArray;
  if (native) {
    values = fromBytes(nativeFrame(header, index).bytes, type, header.syntax.bigEndian);
    if (samples === 3 && info.planarConfiguration === 1) values = interleave(values, pixels);
  } else {
    const data = encapsulatedFrame(header, index);
    const out = await runCodec(header, data, index);
    if (out instanceof Uint8Array) {
      values = fromBytes(out, type);
      if (samples === 3 && info.planarConfiguration === 1 && header.syntax.codec !== 'rle') {
        values = interleave(values, pixels);
      }
    } else {
      if (out.width !== info.columns || out.height !== info.rows || out.components !== samples) {
        throw new DicomError(
          'CODEC',
          `frame ${index} decodes to ${out.width}×${out.height}×${out.components}, but the header declares ${info.columns}×${info.rows}×${samples} (Columns×Rows×SamplesPerPixel)`,
          { tag: '(7FE0,0010) PixelData', frame: index },
        );
      }
      const codecType =
        out.bitsPerSample <= 8 ? (out.signed ? 'int8' : 'uint8') : out.signed ? 'int16' : 'uint16';
      const decoded = fromBytes(out.bytes, codecType);
      values = codecType === type ? decoded : ARRAYS[type].from(decoded);
      // Kept as the codec gives them: a lossy codec may overshoot BitsStored (ringing), and
      // the reference decoders (GDCM, DCMTK) keep such values too rather than wrap or clamp.
      return {
        ...base,
        photometric: decodedPhotometric(header),
        values: fit(values, pixels * samples, index),
      };
    }
  }
  values = fit(values, pixels * samples, index);
  normalise(values, info);
  return { ...base, photometric: decodedPhotometric(header), values };
}

/** Exactly `n` samples, or a located error when the frame holds fewer. */
function fit(values: SampleArray, n: number, index: number): SampleArray {
  if (values.length < n) {
    throw new DicomError(
      'CORRUPT',
      `frame ${index} holds ${values.length} samples, expected ${n}`,
      {
        tag: '(7FE0,0010) PixelData',
        frame: index,
      },
    );
  }
  return values.length > n ? values.subarray(0, n) : values;
}
