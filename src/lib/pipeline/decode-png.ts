/**
 * The PNG decoder's fast path: the common PNG (one image, not interlaced, grey, grey+alpha, RGB
 * or RGBA, no palette) inflated in one call into a buffer of the exact size the header gives
 * (./inflate.ts: Node's native zlib in Node, fflate's one-shot `unzlibSync` in the browser),
 * then unfiltered in place. Anything else — and any PNG this path finds wrong in any way — is
 * left to fast-png (decode.ts), which then decodes it, or reports its error, exactly as before.
 *
 * Why: fast-png inflates with fflate's streaming `Unzlib`, which allocates an output buffer of
 * 128 KiB and more for every image and copies the result out of it: for a 64×64 grey PNG of
 * 4 KiB that was most of the decode (0.2–0.3 ms of 0.35 ms in Node) and most of the loader's
 * garbage. Here one array of the image's size is all a decode allocates besides the inflate's
 * own tables; `DecompressionStream` would be asynchronous, per item.
 *
 * The samples are the same bits as fast-png's: inflating a stream has one result, and the
 * unfiltering below is PNG's (ISO/IEC 15948 §9), as fast-png's own is; the result has fast-png's
 * shape (`DecodedPng`: packed rows for depths under 8, a `Uint16Array` in host order for 16),
 * so the same conversion to an `Image` follows. test/unit/decode-png.test.ts pins both against
 * fast-png on every filter type, colour type and depth.
 */
import type { DecodedPng } from 'fast-png';
import { concat } from '../io/source.ts';
import { inflateInto } from './inflate.ts';

/** The chunk types fast-png reads (the rest it skips, as this path does): see `fallback`. */
const PARSED_BY_FAST_PNG = new Set(['PLTE', 'tRNS', 'iCCP', 'tEXt', 'pHYs']);

/** Channels per colour type this path decodes (palette, type 3, is left to fast-png). */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** PNG's CRC-32 of `bytes[from, to)`. */
function crc32(bytes: Uint8Array, from: number, to: number): number {
  let c = -1;
  for (let i = from; i < to; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Decodes `bytes` (a whole PNG, its chunks already walked by decode.ts) on the fast path, or
 * returns null when it is not the common case or anything about it is wrong (a CRC, the zlib
 * stream, a filter type, too little data): fast-png then decodes it as it always did, errors
 * included.
 */
export function decodePngFast(bytes: Uint8Array): DecodedPng | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let width = 0;
  let height = 0;
  let depth = 0;
  let channels = 0;
  const idat: Uint8Array[] = [];
  let at = 8;
  for (;;) {
    if (at + 12 > bytes.length) return null;
    const length = view.getUint32(at);
    const end = at + 12 + length;
    if (end > bytes.length) return null;
    const type = String.fromCharCode(
      bytes[at + 4]!,
      bytes[at + 5]!,
      bytes[at + 6]!,
      bytes[at + 7]!,
    );
    if (crc32(bytes, at + 4, at + 8 + length) !== view.getUint32(at + 8 + length)) return null;
    if (type === 'IHDR') {
      if (width || length !== 13) return null;
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      depth = bytes[at + 16]!;
      const colour = bytes[at + 17]!;
      channels = CHANNELS[colour] ?? 0;
      const depthOk =
        depth === 8 ||
        depth === 16 ||
        (colour === 0 && (depth === 1 || depth === 2 || depth === 4));
      // Compression, filter method and interlace must all be 0 (deflate, adaptive, none).
      if (!channels || !depthOk || bytes[at + 18] || bytes[at + 19] || bytes[at + 20]) return null;
      if (!width || !height) return null;
    } else if (type === 'IDAT') {
      if (!width) return null;
      idat.push(bytes.subarray(at + 8, at + 8 + length));
    } else if (type === 'IEND') {
      if (length !== 0) return null;
      break;
    } else if (PARSED_BY_FAST_PNG.has(type)) {
      return null;
    }
    at = end;
  }
  if (!width || !idat.length) return null;
  const lineBytes = Math.ceil((depth * channels * width) / 8);
  const pixelBytes = Math.ceil(depth / 8) * channels;
  const size = height * (lineBytes + 1);
  let raw: Uint8Array<ArrayBuffer>;
  try {
    raw = inflateInto(concat(idat), size);
  } catch {
    return null;
  }
  // Every line must be there (an empty stream gives nothing).
  if (raw.length < size || !unfilter(raw, height, lineBytes, pixelBytes)) return null;
  const data = raw.subarray(0, height * lineBytes);
  if (depth !== 16)
    return { width, height, depth: depth as 1 | 2 | 4 | 8, channels, data, text: {} };
  // Native zlib's output may lie in Node's pool, whose slices start 8-byte aligned.
  const wide = new Uint16Array(data.buffer, data.byteOffset, data.length / 2);
  if (LITTLE_ENDIAN) {
    for (let i = 0; i < wide.length; i++) {
      const v = wide[i]!;
      wide[i] = ((v & 0xff) << 8) | (v >> 8);
    }
  }
  return { width, height, depth: 16, channels, data: wide, text: {} };
}

/**
 * Reverses PNG's per-line filters (§9.2: none, sub, up, average, Paeth; the line above the
 * first is zeros) in place: `buf` holds each line as a filter byte then `lineBytes` bytes, and
 * ends up holding the packed lines at its start (line y moves to `y · lineBytes`, before line
 * y + 1 is read: each write lands before what is still to be read, and the line above is read
 * where it moved). False for an unknown filter type. In place, one 4 KiB array an item less.
 */
function unfilter(buf: Uint8Array, height: number, lineBytes: number, pixelBytes: number): boolean {
  const n = pixelBytes;
  for (let y = 0; y < height; y++) {
    const src = y * (lineBytes + 1) + 1;
    const dst = y * lineBytes;
    const up = dst - lineBytes; // the line above, unfiltered (read only when y > 0)
    const filter = buf[src - 1]!;
    // On the first line the line above is zeros: up is none, Paeth predicts the left byte (sub).
    if (filter === 0 || (filter === 2 && y === 0)) {
      buf.copyWithin(dst, src, src + lineBytes);
    } else if (filter === 1 || (filter === 4 && y === 0)) {
      for (let i = 0; i < n; i++) buf[dst + i] = buf[src + i]!;
      for (let i = n; i < lineBytes; i++) buf[dst + i] = (buf[src + i]! + buf[dst + i - n]!) & 0xff;
    } else if (filter === 2) {
      for (let i = 0; i < lineBytes; i++) buf[dst + i] = (buf[src + i]! + buf[up + i]!) & 0xff;
    } else if (filter === 3 && y === 0) {
      for (let i = 0; i < n; i++) buf[dst + i] = buf[src + i]!;
      for (let i = n; i < lineBytes; i++) {
        buf[dst + i] = (buf[src + i]! + (buf[dst + i - n]! >> 1)) & 0xff;
      }
    } else if (filter === 3) {
      for (let i = 0; i < n; i++) buf[dst + i] = (buf[src + i]! + (buf[up + i]! >> 1)) & 0xff;
      for (let i = n; i < lineBytes; i++) {
        buf[dst + i] = (buf[src + i]! + ((buf[dst + i - n]! + buf[up + i]!) >> 1)) & 0xff;
      }
    } else if (filter === 4) {
      // a = left, b = above, c = above left; the first pixel's a and c are 0, so b is chosen.
      for (let i = 0; i < n; i++) buf[dst + i] = (buf[src + i]! + buf[up + i]!) & 0xff;
      for (let i = n; i < lineBytes; i++) {
        const a = buf[dst + i - n]!;
        const b = buf[up + i]!;
        const c = buf[up + i - n]!;
        const pa = b > c ? b - c : c - b; // |p − a| with p = a + b − c
        const pb = a > c ? a - c : c - a;
        const pc = a + b > c + c ? a + b - c - c : c + c - a - b;
        const pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        buf[dst + i] = (buf[src + i]! + pred) & 0xff;
      }
    } else {
      return false;
    }
  }
  return true;
}
