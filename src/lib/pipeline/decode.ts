/**
 * Image decoding and PNG encoding for the pipeline, in pure JavaScript (fast-png, jpeg-js) and,
 * for DICOM, the DICOM module (decode-dicom.ts: its codecs are wasm builds that give the same
 * samples everywhere).
 *
 * Why not `createImageBitmap`/`<canvas>` in the browser: they exist only on the page and in
 * workers (not Node), they return 8-bit RGBA only (16-bit PNGs lose their low byte, grayscale
 * gains three channels), and the browser may colour-manage (ICC/gamma), premultiply alpha or
 * use a platform JPEG decoder whose IDCT differs between builds — so the same file could give
 * different pixels on the page, in a worker, in Node or on another machine. Pure JS decoders
 * are integer/IEEE code that gives the same samples everywhere, which reproducibility needs.
 */
import { decode as decodePngRaw, encode as encodePngRaw, type DecodedPng } from 'fast-png';
import jpeg from 'jpeg-js';
import { LakeError } from '../store/errors.ts';
import { decodeDicomImage, isDicom } from './decode-dicom.ts';
import { decodePngFast } from './decode-png.ts';
import { checkPngChunks, checkPngDataLength } from './png-checks.ts';
import type { Image } from './image.ts';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const bad = (message: string, cause?: unknown): LakeError =>
  new LakeError('BAD_INPUT', message, { cause });

/** 'png', 'jpeg', 'dicom' (`DICM` at byte 128) or null, from the magic bytes. */
export function sniffImage(bytes: Uint8Array): 'png' | 'jpeg' | 'dicom' | null {
  if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return 'png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (isDicom(bytes)) return 'dicom';
  return null;
}

function hintedFormat(hint: string | undefined): 'png' | 'jpeg' | 'dicom' | null {
  const h = (hint ?? '').toLowerCase();
  if (/png$/.test(h)) return 'png';
  if (/(jpe?g|jpe)$/.test(h)) return 'jpeg';
  if (/(dicom|\.dcm)$/.test(h)) return 'dicom';
  return null;
}

function hexHead(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/**
 * Decodes a PNG, JPEG or DICOM (recognised by its magic bytes; `hint` — a MIME
 * type or file name — only sharpens the error message) into an `Image`. PNG: 8- and 16-bit
 * samples are kept, 1/2/4-bit grayscale is scaled to 8-bit, palettes become RGB (RGBA with a
 * tRNS chunk), grayscale stays 1 channel, gray+alpha becomes RGBA. JPEG: 1 (grayscale) or 3
 * channels. DICOM: see {@link decodeDicomImage} (stored values kept, frame 0, no rescale).
 * Async so a faster platform path can be added later without changing callers.
 * @throws LakeError BAD_INPUT for corrupt or truncated input, UNSUPPORTED_FORMAT otherwise.
 */
export async function decodeImage(bytes: Uint8Array, hint?: string): Promise<Image> {
  await Promise.resolve();
  const format = sniffImage(bytes);
  if (format === 'png') return decodePngImage(bytes);
  if (format === 'jpeg') return decodeJpegImage(bytes);
  if (format === 'dicom') return decodeDicomImage(bytes);
  const hinted = hintedFormat(hint);
  if (bytes.length === 0) throw bad(`not an image: the input is empty${hint ? ` (${hint})` : ''}`);
  if (hinted === 'png') {
    throw bad(`not a PNG (${hint}): the first bytes are ${hexHead(bytes)}, not the PNG signature`);
  }
  if (hinted === 'jpeg') {
    throw bad(`not a JPEG (${hint}): the first bytes are ${hexHead(bytes)}, not ff d8 ff`);
  }
  if (hinted === 'dicom') {
    throw bad(
      `not a DICOM file (${hint}): no DICM marker at byte 128` +
        (bytes.length < 132 ? ` (the input is only ${bytes.length} bytes)` : ''),
    );
  }
  throw new LakeError(
    'UNSUPPORTED_FORMAT',
    `unrecognised image format${hint ? ` (${hint})` : ''}: first bytes ${hexHead(bytes)}; ` +
      'PNG, JPEG and DICOM are supported',
  );
}

/** Unpacks 1/2/4-bit samples (rows padded to whole bytes) into one value per pixel. */
function unpackBits(data: Uint8Array, width: number, height: number, depth: number): Uint8Array {
  const out = new Uint8Array(width * height);
  const rowBytes = Math.ceil((width * depth) / 8);
  const mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      const byte = data[y * rowBytes + (bit >> 3)] ?? 0;
      out[y * width + x] = (byte >> (8 - depth - (bit & 7))) & mask;
    }
  }
  return out;
}

function pngToImage(png: DecodedPng): Image {
  const { width, height, depth } = png;
  const n = width * height;
  if (png.palette) {
    const idx = depth === 8 ? png.data : unpackBits(png.data as Uint8Array, width, height, depth);
    // fast-png 8 appends a tRNS chunk's alphas to the palette's entries (255 for the rest).
    const alpha = png.palette.some((e) => e.length === 4);
    const channels = alpha ? 4 : 3;
    const data = new Float32Array(n * channels);
    for (let i = 0; i < n; i++) {
      const k = idx[i] ?? 0;
      const entry = png.palette[k];
      if (!entry) throw bad(`corrupt PNG: palette index ${k} out of range (${png.palette.length})`);
      for (let c = 0; c < 3; c++) data[i * channels + c] = entry[c] ?? 0;
      if (alpha) data[i * channels + 3] = entry[3] ?? 255;
    }
    return { width, height, channels, bitDepth: 8, data };
  }
  if (depth < 8) {
    const raw = unpackBits(png.data as Uint8Array, width, height, depth);
    const scale = 255 / ((1 << depth) - 1);
    return {
      width,
      height,
      channels: 1,
      bitDepth: 8,
      data: Float32Array.from(raw, (v) => v * scale),
    };
  }
  const bitDepth = depth === 16 ? 16 : 8;
  if (png.channels === 2) {
    const data = new Float32Array(n * 4);
    for (let i = 0; i < n; i++) {
      const g = png.data[2 * i] ?? 0;
      data.set([g, g, g, png.data[2 * i + 1] ?? 0], 4 * i);
    }
    return { width, height, channels: 4, bitDepth, data };
  }
  if (png.channels !== 1 && png.channels !== 3 && png.channels !== 4) {
    throw bad(`corrupt PNG: ${png.channels} channels`);
  }
  // The constructor converts a typed array in one native pass (`from` iterates: ~1 µs more a
  // 64×64 item); the values are the same.
  return { width, height, channels: png.channels, bitDepth, data: new Float32Array(png.data) };
}

/** fast-png, after the check it does not make: image data that ends early (png-checks.ts). */
function decodeOtherPng(bytes: Uint8Array): DecodedPng {
  checkPngDataLength(bytes);
  return decodePngRaw(bytes, { checkCrc: true });
}

function decodePngImage(bytes: Uint8Array): Image {
  checkPngChunks(bytes);
  let png: DecodedPng;
  try {
    // The common PNG on the fast path (decode-png.ts); the rest, and its errors, by fast-png.
    png = decodePngFast(bytes) ?? decodeOtherPng(bytes);
  } catch (e) {
    if (e instanceof LakeError) throw e;
    throw bad(`corrupt PNG: ${e instanceof Error ? e.message : String(e)}`, e);
  }
  const image = pngToImage(png);
  if (image.data.length !== image.width * image.height * image.channels) {
    throw bad(`corrupt PNG: pixel data is ${image.data.length} samples, expected more`);
  }
  return image;
}

function decodeJpegImage(bytes: Uint8Array): Image {
  let raw: { width: number; height: number; data: Uint8Array };
  try {
    raw = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxResolutionInMP: 256 });
  } catch (e) {
    throw bad(`corrupt JPEG: ${e instanceof Error ? e.message : String(e)}`, e);
  }
  const { width, height } = raw;
  const channels = width * height > 0 ? raw.data.length / (width * height) : 0;
  if (channels !== 1 && channels !== 3) {
    throw bad(`corrupt JPEG: ${width}x${height} with ${raw.data.length} samples`);
  }
  return { width, height, channels, bitDepth: 8, data: Float32Array.from(raw.data) };
}

/**
 * Encodes an `Image` as PNG at its bit depth (8 or 16), rounding samples to the nearest
 * integer and clamping to [0, 255] / [0, 65535] (NaN → 0).
 */
export function encodePng(img: Image): Uint8Array {
  const max = img.bitDepth === 16 ? 65535 : 255;
  const n = img.width * img.height * img.channels;
  if (img.data.length !== n) {
    throw bad(`encodePng: data has ${img.data.length} samples, expected ${n}`);
  }
  const data = img.bitDepth === 16 ? new Uint16Array(n) : new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = img.data[i] ?? 0;
    data[i] = v > 0 ? Math.min(max, Math.round(v)) : 0;
  }
  return encodePngRaw({
    width: img.width,
    height: img.height,
    data,
    depth: img.bitDepth,
    channels: img.channels,
  });
}
