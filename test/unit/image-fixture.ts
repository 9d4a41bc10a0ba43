/** A pipeline `Image` from plain numbers, for the transform and preview tests. */
import type { Image } from '../../src/lib/pipeline/image.ts';

export const img = (
  width: number,
  height: number,
  values: number[],
  channels: 1 | 3 | 4 = 1,
  bitDepth: 8 | 16 = 8,
): Image => ({ width, height, channels, bitDepth, data: Float32Array.from(values) });
