/**
 * Image statistics (src/lib/analysis/image-stats.ts) on tiny images worked by hand below.
 */
import { describe, expect, it } from 'vitest';
import { imageStats } from '../../src/lib/analysis/image-stats.ts';
import type { Image } from '../../src/lib/pipeline/image.ts';

const gray = (width: number, height: number, v: number[], bitDepth: 8 | 16 = 8): Image => ({
  width,
  height,
  channels: 1,
  bitDepth,
  data: Float32Array.from(v),
});

describe('imageStats', () => {
  it('measures a 4×3 gray image', () => {
    // 0 0 0 0 / 0 8 4 0 / 0 0 0 0. Mean 12/12 = 1; E[x²] = 80/12, variance 80/12 − 1 = 17/3.
    // Interior pixels (1,1) = 8 and (2,1) = 4.
    //   Laplacian: (1,1): 0 + 0 + 0 + 4 − 32 = −28; (2,1): 8 − 16 = −8 → mean −18, variance
    //   (10² + 10²)/2 = 100.
    //   Immerkær: (1,1): corners 0, edges −2·4, centre 4·8 → 24; (2,1): edges −2·8, centre
    //   4·4 → 0. σ = √(π/2) · 24 / (6 · 2 · 1) = 2√(π/2).
    // Saturated: the ten zeros of twelve.
    const s = imageStats(gray(4, 3, [0, 0, 0, 0, 0, 8, 4, 0, 0, 0, 0, 0]));
    expect(s.mean).toBeCloseTo(1, 12);
    expect(s.contrast).toBeCloseTo(Math.sqrt(17 / 3), 12);
    expect(s.sharpness).toBeCloseTo(100, 9);
    expect(s.noise).toBeCloseTo(2 * Math.sqrt(Math.PI / 2), 12);
    expect(s.saturated).toBeCloseTo(10 / 12, 12);
    expect([s.width, s.height, s.bitDepth]).toEqual([4, 3, 8]);
  });

  it('gives a flat image no contrast, noise or sharpness', () => {
    const s = imageStats(gray(3, 3, Array(9).fill(100)));
    expect([s.mean, s.contrast, s.noise, s.sharpness, s.saturated]).toEqual([100, 0, 0, 0, 0]);
  });

  it('counts 16-bit saturation at 0 and 65535, and has no interior measures under 3×3', () => {
    const s = imageStats(gray(2, 2, [0, 65535, 100, 200], 16));
    expect(s.saturated).toBe(0.5);
    expect(s.bitDepth).toBe(16);
    expect(s.noise).toBeNull();
    expect(s.sharpness).toBeNull();
    // Mean (0 + 65535 + 100 + 200)/4 = 16458.75.
    expect(s.mean).toBeCloseTo(16458.75, 9);
  });

  it('converts colour to Rec. 601 luma, ignoring alpha', () => {
    // Red 255 → 0.299·255 = 76.245; blue 255 → 0.114·255 = 29.07; mean 52.6575; std is half
    // the difference, 23.5875 (values stored as float32, hence 4 digits). Neither is 0 or 255.
    const img: Image = {
      width: 2,
      height: 1,
      channels: 4,
      bitDepth: 8,
      data: Float32Array.from([255, 0, 0, 7, 0, 0, 255, 255]),
    };
    const s = imageStats(img);
    expect(s.mean).toBeCloseTo(52.6575, 4);
    expect(s.contrast).toBeCloseTo(23.5875, 4);
    expect(s.saturated).toBe(0);
  });
});
