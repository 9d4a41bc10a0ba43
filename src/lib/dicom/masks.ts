/**
 * Segmentation masks as COCO stores them (run-length encoded, the format of pycocotools and of
 * most segmentation tools' exports): `{"size": [height, width], "counts": [...]}` with counts
 * as numbers or as pycocotools' compressed string. Runs alternate background and foreground,
 * background first, over the pixels in column-major order (down each column, then the next).
 * A mask is kept as an opinion's value or in a record set's column, as text; here it becomes
 * one byte per pixel, row-major, for drawing over the frame.
 */
import { DicomError } from './errors.ts';

/** A decoded mask: `data[y * width + x]` is 1 inside, 0 outside. */
export interface Mask {
  width: number;
  height: number;
  data: Uint8Array;
  /** Pixels inside. */
  area: number;
}

/** pycocotools' compressed counts (rleFrString): 6-bit groups from '0', deltas after the second. */
export function decodeCompressedCounts(s: string): number[] {
  const counts: number[] = [];
  let p = 0;
  while (p < s.length) {
    let x = 0;
    let k = 0;
    let more = true;
    while (more) {
      if (p >= s.length) throw new DicomError('CORRUPT', `mask counts end inside a number`);
      const c = s.charCodeAt(p) - 48;
      if (c < 0 || c > 63) {
        throw new DicomError('CORRUPT', `mask counts hold "${s[p]}" at character ${p}`);
      }
      x |= (c & 0x1f) << (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (!more && c & 0x10) x |= -1 << (5 * k);
    }
    if (counts.length > 2) x += counts[counts.length - 2]!;
    counts.push(x);
  }
  return counts;
}

const bad = (why: string): never => {
  throw new DicomError('CORRUPT', `not a COCO run-length mask: ${why}`);
};

/**
 * A COCO RLE (the object, or its JSON text; `{mask: rle}` and `{segmentation: rle}` are
 * unwrapped) as a row-major mask. CORRUPT naming what is wrong when it is not one, or when its
 * runs do not add up to height × width.
 */
export function decodeRle(raw: unknown): Mask {
  let v = raw;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      bad('the text is not JSON');
    }
  }
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if (o.mask && typeof o.mask === 'object') v = o.mask;
    else if (o.segmentation && typeof o.segmentation === 'object') v = o.segmentation;
  }
  const o = (v && typeof v === 'object' ? v : {}) as { size?: unknown; counts?: unknown };
  const size = o.size;
  if (
    !Array.isArray(size) ||
    size.length !== 2 ||
    !size.every((n) => Number.isInteger(n) && (n as number) > 0)
  ) {
    bad('"size" must be [height, width]');
  }
  const [height, width] = size as [number, number];
  const counts =
    typeof o.counts === 'string'
      ? decodeCompressedCounts(o.counts)
      : Array.isArray(o.counts) && o.counts.every((n) => Number.isInteger(n) && (n as number) >= 0)
        ? (o.counts as number[])
        : bad('"counts" must be a list of run lengths or a compressed string');
  const total = counts.reduce((a, b) => a + b, 0);
  if (total !== width * height) {
    bad(`its runs cover ${total} pixels, but size ${height}×${width} has ${width * height}`);
  }
  const data = new Uint8Array(width * height);
  let i = 0;
  let area = 0;
  counts.forEach((run, r) => {
    if (r % 2 === 1) {
      for (let j = i; j < i + run; j++) {
        // Column-major index j: column j / height, row j % height.
        data[(j % height) * width + Math.floor(j / height)] = 1;
      }
      area += run;
    }
    i += run;
  });
  return { width, height, data, area };
}
