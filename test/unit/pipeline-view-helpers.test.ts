/**
 * The Pipeline tab's list and canvas helpers (src/app/pipeline-steps.ts: moveItem, toPixels,
 * batchItem) against hand-written expected values. Runs in Node and Chromium. The step
 * editor's helpers are in pipeline-steps.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { batchItem, defaultStep, moveItem, toPixels } from '../../src/app/pipeline-steps.ts';
import type { Image } from '../../src/lib/pipeline/image.ts';
import { img } from './image-fixture.ts';

describe('moveItem', () => {
  const abc = ['a', 'b', 'c'] as const;

  it('moves an item down and up', () => {
    expect(moveItem(abc, 0, 1)).toEqual(['b', 'a', 'c']);
    expect(moveItem(abc, 2, -1)).toEqual(['a', 'c', 'b']);
    expect(moveItem(abc, 1, 1)).toEqual(['a', 'c', 'b']);
  });

  it('clamps to the ends', () => {
    expect(moveItem(abc, 0, 5)).toEqual(['b', 'c', 'a']);
    expect(moveItem(abc, 2, -9)).toEqual(['c', 'a', 'b']);
    expect(moveItem(abc, 0, -1)).toEqual(['a', 'b', 'c']);
    expect(moveItem(abc, 2, 1)).toEqual(['a', 'b', 'c']);
  });

  it('returns a new array and leaves the input alone', () => {
    const list = ['a', 'b', 'c'];
    const out = moveItem(list, 1, 0);
    expect(out).toEqual(['a', 'b', 'c']);
    expect(out).not.toBe(list);
    moveItem(list, 0, 2);
    expect(list).toEqual(['a', 'b', 'c']);
  });

  it('handles an empty and a one-item list', () => {
    expect(moveItem([], 0, 1)).toEqual([]);
    expect(moveItem(['a'], 0, 1)).toEqual(['a']);
    expect(moveItem(['a'], 0, -1)).toEqual(['a']);
  });

  it('leaves the list unchanged when `from` is outside it', () => {
    expect(moveItem(abc, 3, -1)).toEqual(['a', 'b', 'c']);
    expect(moveItem(abc, -1, 0)).toEqual(['a', 'b', 'c']);
    expect(moveItem(abc, -1, 1)).toEqual(['a', 'b', 'c']);
  });

  it('keeps every item, undefined ones included', () => {
    expect(moveItem([undefined, 'x'], 0, 1)).toEqual(['x', undefined]);
    expect(moveItem(['x', undefined, 'y'], 1, -1)).toEqual([undefined, 'x', 'y']);
  });

  it('moves pipeline steps', () => {
    const steps = [defaultStep('resize'), defaultStep('flip'), defaultStep('rotate')];
    expect(moveItem(steps, 2, -2).map((s) => s.op)).toEqual(['rotate', 'resize', 'flip']);
  });
});

describe('toPixels', () => {
  const px = (im: Image): number[] => Array.from(toPixels(im));

  it('gray 8-bit: the value in r, g and b, opaque', () => {
    expect(px(img(3, 1, [0, 100, 255]))).toEqual([
      0, 0, 0, 255, 100, 100, 100, 255, 255, 255, 255, 255,
    ]);
  });

  it('RGB 8-bit: the channels, opaque', () => {
    expect(px(img(2, 1, [10, 20, 30, 200, 150, 100], 3))).toEqual([
      10, 20, 30, 255, 200, 150, 100, 255,
    ]);
  });

  it('RGBA 8-bit: alpha from the fourth channel', () => {
    expect(px(img(1, 1, [10, 20, 30, 128], 4))).toEqual([10, 20, 30, 128]);
  });

  it('16-bit colour: scaled from 0–65535', () => {
    expect(px(img(1, 1, [0, 25700, 65535], 3, 16))).toEqual([0, 100, 255, 255]);
    // 255 of 65535 is almost black, not white.
    expect(px(img(1, 1, [255, 255, 255], 3, 16))).toEqual([1, 1, 1, 255]);
  });

  it('16-bit grayscale: stretched from its own min to max (12-bit data is not black)', () => {
    // min 1000, max 2000: (v − 1000) × 0.255
    expect(px(img(3, 1, [1000, 1200, 2000], 1, 16))).toEqual([
      0, 0, 0, 255, 51, 51, 51, 255, 255, 255, 255, 255,
    ]);
    expect(px(img(3, 1, [0, 25700, 65535], 1, 16))).toEqual([
      0, 0, 0, 255, 100, 100, 100, 255, 255, 255, 255, 255,
    ]);
  });

  it('stretches values below 0 (after normalize) from their min to max', () => {
    // min −1, max 4: (v + 1) × 51
    expect(px(img(3, 1, [-1, 0, 4]))).toEqual([0, 0, 0, 255, 51, 51, 51, 255, 255, 255, 255, 255]);
    expect(px(img(1, 1, [-1, 0, 4], 3))).toEqual([0, 51, 255, 255]);
  });

  it('stretches values past 255 (noise) from their min to max', () => {
    // min 0, max 300: v × 0.85
    expect(px(img(3, 1, [0, 100, 300]))).toEqual([
      0, 0, 0, 255, 85, 85, 85, 255, 255, 255, 255, 255,
    ]);
  });

  it('draws a flat out-of-range image black, not NaN', () => {
    expect(px(img(2, 1, [-2, -2]))).toEqual([0, 0, 0, 255, 0, 0, 0, 255]);
  });

  it('draws a NaN sample black and ignores it for the range', () => {
    expect(px(img(2, 1, [Number.NaN, 255]))).toEqual([0, 0, 0, 255, 255, 255, 255, 255]);
  });

  it('gives an empty image no pixels', () => {
    const out = toPixels(img(0, 0, []));
    expect(out).toBeInstanceOf(Uint8ClampedArray);
    expect(out.length).toBe(0);
  });

  it('gives w × h × 4 bytes whatever the channels', () => {
    expect(toPixels(img(3, 2, new Array<number>(18).fill(7), 3)).length).toBe(24);
    expect(toPixels(img(3, 2, new Array<number>(6).fill(7))).length).toBe(24);
  });
});

describe('batchItem', () => {
  const seq = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);

  it('interleaves the planes of an RGB item', () => {
    // [B=2, C=3, H=1, W=2]: item 1's planes are r [7, 8], g [9, 10], b [11, 12].
    const x = Float32Array.from(seq(12, 1));
    const one = batchItem(x, [2, 3, 1, 2], 1);
    expect(one).toEqual({
      width: 2,
      height: 1,
      channels: 3,
      bitDepth: 8,
      data: Float32Array.from([7, 9, 11, 8, 10, 12]),
    });
    expect(Array.from(batchItem(x, [2, 3, 1, 2], 0).data)).toEqual([1, 3, 5, 2, 4, 6]);
  });

  it('takes width from W and height from H', () => {
    // [B=1, C=1, H=2, W=3]
    const im = batchItem(Float32Array.from(seq(6)), [1, 1, 2, 3], 0);
    expect([im.width, im.height, im.channels]).toEqual([3, 2, 1]);
    expect(Array.from(im.data)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('picks the right item of a gray batch', () => {
    // [B=3, C=1, H=2, W=2]
    expect(Array.from(batchItem(Float32Array.from(seq(12)), [3, 1, 2, 2], 2).data)).toEqual([
      8, 9, 10, 11,
    ]);
  });

  it('copies, so the preview does not alias the batch', () => {
    const x = Float32Array.from([1, 2]);
    const im = batchItem(x, [1, 1, 1, 2], 0);
    im.data[0] = 99;
    expect(Array.from(x)).toEqual([1, 2]);
  });

  it('gives an image toPixels can draw (normalised floats are stretched)', () => {
    // [B=1, C=3, H=1, W=1]: r −1, g 0, b 4 → min −1, max 4.
    const im = batchItem(Float32Array.from([-1, 0, 4]), [1, 3, 1, 1], 0);
    expect(Array.from(toPixels(im))).toEqual([0, 51, 255, 255]);
  });
});
