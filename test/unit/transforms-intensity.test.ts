/**
 * Normalize, window/level, background subtraction, pipelines and tensors, against hand-checked
 * values; runs in Node and Chromium.
 */
import { describe, expect, it } from 'vitest';
import type { Image, PipelineSpec, Rng } from '../../src/lib/pipeline/image.ts';
import { gaussianKernel } from '../../src/lib/pipeline/intensity.ts';
import { rngFor } from '../../src/lib/pipeline/rng.ts';
import { applyPipeline, applyTransform, toTensor } from '../../src/lib/pipeline/transforms.ts';
import { img } from './image-fixture.ts';

const none: Rng = {
  next: () => {
    throw new Error('no draws expected');
  },
};
const vals = (im: Image): number[] => Array.from(im.data);

describe('normalize', () => {
  it('scales to [0, 1] by full scale, then (v − mean) / std', () => {
    const out = applyTransform(
      { op: 'normalize', mean: [0.5], std: [0.25] },
      img(3, 1, [0, 51, 255]),
      none,
    );
    expect(out.data[0]).toBe(-2);
    expect(out.data[1]).toBeCloseTo(-1.2, 6);
    expect(out.data[2]).toBe(2);
  });
  it('uses one mean/std per channel', () => {
    const rgb = img(1, 1, [255, 0, 127.5], 3);
    const out = applyTransform(
      { op: 'normalize', mean: [0.5, 0.5, 0.5], std: [0.5, 0.25, 1] },
      rgb,
      none,
    );
    expect(vals(out)).toEqual([1, -2, 0]);
  });
  it('uses 65535 as full scale for 16-bit', () => {
    const out = applyTransform(
      { op: 'normalize', mean: [0], std: [1] },
      img(2, 1, [65535, 0], 1, 16),
      none,
    );
    expect(vals(out)).toEqual([1, 0]);
  });
  it('rejects a mean/std count that matches neither 1 nor the channels', () => {
    expect(() =>
      applyTransform({ op: 'normalize', mean: [0, 0], std: [1, 1] }, img(1, 1, [1, 2, 3], 3), none),
    ).toThrow(/need 1 or 3/);
  });
});

describe('window/level', () => {
  const im = img(6, 1, [0, 1000, 1500, 1999, 2000, 3000], 1, 16);
  it('maps [c − w/2, c + w/2] onto [0, 255], clamps outside, becomes 8-bit', () => {
    const out = applyTransform({ op: 'window-level', center: 1500, width: 1000 }, im, none);
    expect(out.bitDepth).toBe(8);
    expect(out.data[0]).toBe(0); // below the window
    expect(out.data[1]).toBe(0); // lower boundary
    expect(out.data[2]).toBe(127.5); // centre
    expect(out.data[3]).toBeCloseTo(254.745, 3); // just inside the upper boundary
    expect(out.data[4]).toBe(255); // upper boundary
    expect(out.data[5]).toBe(255); // above
  });
  it('scales a 16-bit alpha channel to 8-bit instead of windowing it', () => {
    const out = applyTransform(
      { op: 'window-level', center: 100, width: 200 },
      img(1, 1, [0, 100, 200, 65535], 4, 16),
      none,
    );
    expect(vals(out)).toEqual([0, 127.5, 255, 255]);
  });
});

describe('background subtraction', () => {
  it('the gaussian kernel sums to 1 and is symmetric', () => {
    const k = gaussianKernel(2);
    expect(k.length).toBe(13);
    expect(k.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    expect(k[0]).toBe(k[12]);
  });
  it('turns a constant image into ~0', () => {
    const out = applyTransform(
      { op: 'background-subtract', sigma: 2 },
      img(5, 3, Array<number>(15).fill(100)),
      none,
    );
    for (const v of out.data) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1e-3);
    }
  });
  it('keeps a spike (minus its own blurred share) and zeroes the rest', () => {
    const data = Array<number>(81).fill(0);
    data[40] = 1000;
    const out = applyTransform({ op: 'background-subtract', sigma: 1 }, img(9, 9, data), none);
    // 1-D weights exp(−i²/2), i = −3..3, normalised; the centre of the 2-D blur is w0².
    const w0 = 1 / [-3, -2, -1, 0, 1, 2, 3].reduce((s, i) => s + Math.exp(-(i * i) / 2), 0);
    expect(out.data[40]).toBeCloseTo(1000 * (1 - w0 * w0), 2);
    expect(out.data[40]).toBeGreaterThan(840);
    expect(vals(out).filter((v, i) => i !== 40 && v !== 0)).toEqual([]);
  });
  it('removes a smooth ramp background far more than a small feature', () => {
    const w = 32;
    const data = Array.from({ length: w * w }, (_, i) => 50 + (i % w));
    data[16 * w + 16] = (data[16 * w + 16] as number) + 100;
    const out = applyTransform({ op: 'background-subtract', sigma: 4 }, img(w, w, data), none);
    expect(out.data[16 * w + 16]).toBeGreaterThan(85);
    expect(out.data[8 * w + 8]).toBeLessThan(2);
  });
});

describe('pipelines', () => {
  it('applies transforms in order', () => {
    const specs: PipelineSpec = [
      { op: 'resize', width: 4, height: 4 },
      { op: 'center-crop', width: 2, height: 2 },
      { op: 'flip', axis: 'horizontal', p: 1 },
    ];
    const out = applyPipeline(specs, img(2, 2, [0, 10, 20, 30]), { next: () => 0 });
    expect(vals(out)).toEqual([12.5, 7.5, 22.5, 17.5]);
  });
  it('is reproducible per (seed, epoch, row) and differs across epochs', () => {
    const specs: PipelineSpec = [
      { op: 'random-crop', width: 8, height: 8 },
      { op: 'rotate', degrees: 30, random: true },
      { op: 'brightness-contrast', brightness: 0.2, contrast: 0.2, random: true },
      { op: 'gaussian-noise', std: 3 },
    ];
    const src = img(
      12,
      10,
      Array.from({ length: 120 }, (_, i) => (i * 37) % 256),
    );
    const run = (epoch: number): number[] => vals(applyPipeline(specs, src, rngFor(42, epoch, 9n)));
    expect(run(0)).toEqual(run(0));
    expect(run(0)).not.toEqual(run(1));
    expect(vals(src)).toEqual(Array.from({ length: 120 }, (_, i) => (i * 37) % 256)); // input untouched
  });
});

describe('toTensor', () => {
  it('packs [B, C, H, W] planar', () => {
    const a = img(2, 1, [1, 2, 3, 4, 5, 6], 3);
    const b = img(2, 1, [7, 8, 9, 10, 11, 12], 3);
    expect(Array.from(toTensor([a, b]))).toEqual([1, 4, 2, 5, 3, 6, 7, 10, 8, 11, 9, 12]);
  });
  it('converts gray → RGB, RGBA → RGB and RGB → gray', () => {
    expect(Array.from(toTensor([img(2, 1, [1, 2])], 3))).toEqual([1, 2, 1, 2, 1, 2]);
    expect(Array.from(toTensor([img(1, 1, [1, 2, 3, 255], 4)], 3))).toEqual([1, 2, 3]);
    expect(toTensor([img(1, 1, [100, 200, 50], 3)], 1)[0]).toBeCloseTo(
      0.299 * 100 + 0.587 * 200 + 0.114 * 50,
      4,
    );
  });
  it('rejects mixed sizes, empty input and impossible conversions', () => {
    expect(() => toTensor([img(1, 1, [0]), img(2, 1, [0, 0])])).toThrow(/image 1 is 2×1/);
    expect(() => toTensor([])).toThrow(/no images/);
    expect(() => toTensor([img(1, 1, [0])], 4)).toThrow(/cannot convert 1 channels to 4/);
  });
});
