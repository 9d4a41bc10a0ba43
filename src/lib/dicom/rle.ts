/**
 * DICOM RLE Lossless (PS3.5 Annex G): a 64-byte header of segment offsets, then one PackBits
 * segment per byte plane (most significant byte first, per sample). Written here because no
 * codec package exports an RLE decoder; it is 40 lines of the standard's own algorithm.
 */
import { DicomError } from './errors.ts';

/**
 * Decodes one RLE frame into interleaved little-endian samples (`bytesPerSample` bytes each,
 * `samples` per pixel).
 */
export function decodeRle(
  data: Uint8Array,
  pixels: number,
  samples: number,
  bytesPerSample: number,
  frame: number,
): Uint8Array {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (data.length < 64) {
    throw new DicomError(
      'CORRUPT',
      `corrupt RLE frame ${frame}: ${data.length} bytes, shorter than its 64-byte header`,
      { frame },
    );
  }
  const segments = view.getUint32(0, true);
  const expected = samples * bytesPerSample;
  if (segments !== expected) {
    throw new DicomError(
      'CORRUPT',
      `corrupt RLE frame ${frame}: ${segments} segments, expected ${expected}`,
      { frame },
    );
  }
  const out = new Uint8Array(pixels * expected);
  for (let s = 0; s < segments; s++) {
    const start = view.getUint32(4 + s * 4, true);
    const end = s + 1 < segments ? view.getUint32(8 + s * 4, true) : data.length;
    if (start < 64 || start > end || end > data.length) {
      throw new DicomError(
        'CORRUPT',
        `corrupt RLE frame ${frame}: segment ${s} spans bytes ${start}–${end} of ${data.length}`,
        { frame },
      );
    }
    // Segment s holds byte (bytesPerSample - 1 - s % bytesPerSample) of sample floor(s / bytesPerSample).
    const sample = Math.floor(s / bytesPerSample);
    const byte = bytesPerSample - 1 - (s % bytesPerSample);
    const stride = expected;
    let o = sample * bytesPerSample + byte;
    let written = 0;
    let i = start;
    while (i < end && written < pixels) {
      const n = (data[i++]! << 24) >> 24;
      if (n >= 0) {
        for (let k = 0; k <= n && written < pixels && i < end; k++, written++, o += stride)
          out[o] = data[i++]!;
      } else if (n !== -128) {
        const v = data[i++]!;
        for (let k = 0; k < 1 - n && written < pixels; k++, written++, o += stride) out[o] = v;
      }
    }
    if (written < pixels) {
      throw new DicomError(
        'CORRUPT',
        `corrupt RLE frame ${frame}: segment ${s} decodes to ${written} of ${pixels} bytes`,
        { frame },
      );
    }
  }
  return out;
}
