/**
 * Checks on a PNG's structure that fast-png does not make, so a damaged file is refused with
 * its byte offset instead of decoded into wrong pixels.
 *
 * Why: fast-png (8.0) fills an image whose compressed data ends early with zeros and returns it
 * as if whole; a PNG cut one byte short of its last line decodes "fine" with a black last
 * pixel. For a lake whose users cannot lose data, a silently changed image is worse than an
 * error. The fast path (decode-png.ts) already declines such a file; this check stands before
 * fast-png for every PNG it decodes (palettes, interlaced images and the rest).
 */
import { unzlibSync } from 'fflate';
import { concat } from '../io/source.ts';
import { LakeError } from '../store/errors.ts';

/** Largest decoded image accepted, in samples (guards against absurd IHDR sizes). */
const MAX_SAMPLES = 1 << 28;

/** Samples per pixel of each PNG colour type (ISO/IEC 15948 §6.1). */
const SAMPLES: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Adam7's passes (§8.2): first column, first row, column step, row step. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

const bad = (message: string): LakeError => new LakeError('BAD_INPUT', message);

/**
 * The type of the chunk at `at` (its 4 bytes after the length), read byte by byte: spreading a
 * `subarray` of them made a view and an argument list for every chunk of every PNG decoded.
 */
const chunkType = (bytes: Uint8Array, at: number): string =>
  String.fromCharCode(bytes[at + 4]!, bytes[at + 5]!, bytes[at + 6]!, bytes[at + 7]!);

/** Walks the PNG chunks so truncation is reported with a byte offset rather than a DataView error. */
export function checkPngChunks(bytes: Uint8Array): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 8;
  let sawIhdr = false;
  while (at < bytes.length) {
    if (at + 8 > bytes.length) {
      throw bad(`truncated PNG at byte ${bytes.length}: a chunk header starts at byte ${at}`);
    }
    const length = view.getUint32(at);
    const type = chunkType(bytes, at);
    const end = at + 12 + length;
    if (end > bytes.length) {
      throw bad(
        `truncated PNG at byte ${bytes.length}: chunk ${type} at byte ${at} needs ${end - at} bytes`,
      );
    }
    if (!sawIhdr) {
      if (type !== 'IHDR' || length < 13) throw bad(`corrupt PNG: the first chunk is not IHDR`);
      sawIhdr = true;
      const samples = view.getUint32(at + 8) * view.getUint32(at + 12) * 4;
      if (samples > MAX_SAMPLES) throw bad(`PNG too large: ${samples / 4} pixels`);
    }
    if (type === 'IEND') return;
    at = end;
  }
  throw bad(`truncated PNG at byte ${bytes.length}: no IEND chunk`);
}

/** Bytes of filtered image data a PNG of this header holds once inflated (§7.2, §8.2). */
export function expectedDataBytes(
  width: number,
  height: number,
  bitsPerPixel: number,
  interlaced: boolean,
): number {
  const lines = (w: number, h: number) =>
    w && h ? h * (1 + Math.ceil((w * bitsPerPixel) / 8)) : 0;
  if (!interlaced) return lines(width, height);
  let total = 0;
  for (const [x0, y0, dx, dy] of ADAM7) {
    total += lines(
      Math.max(0, Math.ceil((width - x0) / dx)),
      Math.max(0, Math.ceil((height - y0) / dy)),
    );
  }
  return total;
}

/**
 * Refuses a PNG (its chunks already walked by {@link checkPngChunks}) whose image data inflates
 * to fewer bytes than its header needs, naming the first IDAT's byte offset. A zlib stream that
 * does not inflate at all is left to the decoder, which reports it in its own words.
 * @throws LakeError BAD_INPUT for image data that ends early.
 */
export function checkPngDataLength(bytes: Uint8Array): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const depth = bytes[24]!;
  const colour = bytes[25]!;
  const interlaced = bytes[28] === 1;
  const samples = SAMPLES[colour];
  if (!samples) return; // an invalid colour type: fast-png reports it
  const parts: Uint8Array[] = [];
  let firstIdat = -1;
  for (let at = 8; at + 8 <= bytes.length;) {
    const length = view.getUint32(at);
    const type = chunkType(bytes, at);
    if (type === 'IDAT') {
      if (firstIdat < 0) firstIdat = at;
      parts.push(bytes.subarray(at + 8, at + 8 + length));
    }
    if (type === 'IEND') break;
    at += 12 + length;
  }
  if (firstIdat < 0) throw bad('corrupt PNG: no IDAT chunk (no image data)');
  let inflated: number;
  try {
    inflated = unzlibSync(concat(parts)).length;
  } catch {
    return;
  }
  const expected = expectedDataBytes(width, height, depth * samples, interlaced);
  if (inflated < expected) {
    throw bad(
      `corrupt PNG: the image data (IDAT at byte ${firstIdat}) inflates to ${inflated} bytes, ` +
        `${expected} expected for ${width}×${height} at ${depth * samples} bits a pixel` +
        `${interlaced ? ', interlaced' : ''}: the image is truncated`,
    );
  }
}
