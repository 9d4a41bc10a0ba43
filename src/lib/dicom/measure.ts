/**
 * Measurements on a frame: a length in mm from PixelSpacing, the mean and standard deviation of
 * a rectangle or ellipse (in modality units: HU for CT), and a probe. Points are in image
 * pixels, (0, 0) the top-left corner of the first pixel; a pixel belongs to a region when its
 * centre does.
 */
import type { DecodedFrame } from './decode.ts';
import type { DicomImageInfo } from './parse.ts';
import { modalityValue } from './pixels.ts';

/** A point in image pixel coordinates. */
export interface Point {
  x: number;
  y: number;
}

/**
 * The distance between two points in mm (PixelSpacing is [between rows, between columns]), or
 * in pixels with `unit: 'px'` when the file gives no spacing.
 */
export function lengthBetween(
  a: Point,
  b: Point,
  info: DicomImageInfo,
): { value: number; unit: 'mm' | 'px' } {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const s = info.pixelSpacing;
  if (!s) return { value: Math.hypot(dx, dy), unit: 'px' };
  return { value: Math.hypot(dx * s[1], dy * s[0]), unit: 'mm' };
}

/** A region: the rectangle between two corners, or the ellipse inscribed in it. */
export interface Region {
  shape: 'rect' | 'ellipse';
  a: Point;
  b: Point;
}

/** Statistics of a region, in modality units; `std` is the population standard deviation. */
export interface RegionStats {
  pixels: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  /** mm² when the file gives PixelSpacing, else pixels. */
  area: number;
  unit: string;
}

/** Mean, standard deviation, range and area of the greyscale pixels inside a region. */
export function regionStats(
  frame: DecodedFrame,
  info: DicomImageInfo,
  region: Region,
): RegionStats {
  const x0 = Math.min(region.a.x, region.b.x);
  const x1 = Math.max(region.a.x, region.b.x);
  const y0 = Math.min(region.a.y, region.b.y);
  const y1 = Math.max(region.a.y, region.b.y);
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const rx = (x1 - x0) / 2;
  const ry = (y1 - y0) / 2;
  let n = 0;
  let sum = 0;
  let sq = 0;
  let min = Infinity;
  let max = -Infinity;
  const xs = Math.max(0, Math.floor(x0));
  const xe = Math.min(frame.columns - 1, Math.ceil(x1));
  const ys = Math.max(0, Math.floor(y0));
  const ye = Math.min(frame.rows - 1, Math.ceil(y1));
  for (let y = ys; y <= ye; y++) {
    for (let x = xs; x <= xe; x++) {
      const px = x + 0.5;
      const py = y + 0.5;
      if (px < x0 || px > x1 || py < y0 || py > y1) continue;
      if (region.shape === 'ellipse' && ((px - cx) / rx) ** 2 + ((py - cy) / ry) ** 2 > 1) continue;
      const v = modalityValue(info, frame.values[(y * frame.columns + x) * frame.samples]!);
      n++;
      sum += v;
      sq += v * v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  const mean = n ? sum / n : NaN;
  const s = info.pixelSpacing;
  return {
    pixels: n,
    mean,
    std: n ? Math.sqrt(Math.max(0, sq / n - mean * mean)) : NaN,
    min: n ? min : NaN,
    max: n ? max : NaN,
    area: s ? n * s[0] * s[1] : n,
    unit: info.rescaleType || '',
  };
}
