/**
 * Reads an image's header to describe it as PIL does (format, mode, size) without decoding
 * pixels: JPEG, PNG, GIF, BMP, WebP, TIFF and DICOM. Unknown bytes give null.
 */

import { dicomInfo } from './dicom-info.ts';

export interface ImageInfo {
  format: string;
  mode: string;
  width: number;
  height: number;
}

const be16 = (b: Uint8Array, o: number) => ((b[o] ?? 0) << 8) | (b[o + 1] ?? 0);
const le16 = (b: Uint8Array, o: number) => (b[o] ?? 0) | ((b[o + 1] ?? 0) << 8);
const be32 = (b: Uint8Array, o: number) => ((be16(b, o) << 16) >>> 0) + be16(b, o + 2);
const le32 = (b: Uint8Array, o: number) => le16(b, o) + le16(b, o + 2) * 65536;

function png(b: Uint8Array): ImageInfo {
  const depth = b[24] ?? 8;
  const colour = b[25] ?? 0;
  const modes: Record<number, string> = {
    0: depth === 16 ? 'I;16' : depth === 1 ? '1' : 'L',
    2: 'RGB',
    3: 'P',
    4: 'LA',
    6: 'RGBA',
  };
  return { format: 'PNG', mode: modes[colour] ?? 'RGB', width: be32(b, 16), height: be32(b, 20) };
}

function jpeg(b: Uint8Array): ImageInfo | null {
  let o = 2;
  while (o + 9 < b.length) {
    if (b[o] !== 0xff) {
      o++;
      continue;
    }
    const marker = b[o + 1] ?? 0;
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      o += 2;
      continue;
    }
    const len = be16(b, o + 2);
    const isSof =
      marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      const comps = b[o + 9] ?? 3;
      const mode = comps === 1 ? 'L' : comps === 4 ? 'CMYK' : 'RGB';
      return { format: 'JPEG', mode, width: be16(b, o + 7), height: be16(b, o + 5) };
    }
    o += 2 + len;
  }
  return null;
}

function webp(b: Uint8Array): ImageInfo | null {
  const chunk = String.fromCharCode(...b.subarray(12, 16));
  if (chunk === 'VP8 ')
    return {
      format: 'WEBP',
      mode: 'RGB',
      width: le16(b, 26) & 0x3fff,
      height: le16(b, 28) & 0x3fff,
    };
  if (chunk === 'VP8L') {
    const bits = le32(b, 21);
    return {
      format: 'WEBP',
      mode: 'RGBA',
      width: (bits & 0x3fff) + 1,
      height: ((bits >> 14) & 0x3fff) + 1,
    };
  }
  if (chunk === 'VP8X') {
    const alpha = ((b[20] ?? 0) & 0x10) !== 0;
    const w = 1 + ((b[24] ?? 0) | ((b[25] ?? 0) << 8) | ((b[26] ?? 0) << 16));
    const h = 1 + ((b[27] ?? 0) | ((b[28] ?? 0) << 8) | ((b[29] ?? 0) << 16));
    return { format: 'WEBP', mode: alpha ? 'RGBA' : 'RGB', width: w, height: h };
  }
  return null;
}

function bmp(b: Uint8Array): ImageInfo {
  const bpp = le16(b, 28);
  const mode = bpp === 1 ? '1' : bpp <= 8 ? 'P' : 'RGB';
  const h = le32(b, 22);
  return { format: 'BMP', mode, width: le32(b, 18), height: h > 0x7fffffff ? 0x100000000 - h : h };
}

/** Describes an image from its first bytes, or null when the format is not recognised. */
export function imageInfo(b: Uint8Array): ImageInfo | null {
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return png(b);
  if (b[0] === 0xff && b[1] === 0xd8) return jpeg(b);
  if (b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46) {
    return { format: 'GIF', mode: 'P', width: le16(b, 6), height: le16(b, 8) };
  }
  if (b[0] === 0x42 && b[1] === 0x4d) return bmp(b);
  if (
    String.fromCharCode(...b.subarray(0, 4)) === 'RIFF' &&
    String.fromCharCode(...b.subarray(8, 12)) === 'WEBP'
  ) {
    return webp(b);
  }
  if (String.fromCharCode(...b.subarray(128, 132)) === 'DICM') return dicomInfo(b);
  return null;
}
