/**
 * Transforms against small hand-checked inputs. Runs in both projects (Node and Chromium), so
 * the same expected numbers passing in both shows the code gives the same results on each.
 */
import { describe, expect, it } from 'vitest';
import type { Image, Rng } from '../../src/lib/pipeline/image.ts';
import { rotateBilinear } from '../../src/lib/pipeline/geometry.ts';
import { rngFor } from '../../src/lib/pipeline/rng.ts';
import { applyTransform } from '../../src/lib/pipeline/transforms.ts';
import { img } from './image-fixture.ts';

/** An rng that replays fixed draws, then fails if asked for more. */
const fixed = (...draws: number[]): Rng => ({
  next: () => {
    const v = draws.shift();
    if (v === undefined) throw new Error('rng drained');
    return v;
  },
});
const none: Rng = fixed();
const seq = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const vals = (im: Image): number[] => Array.from(im.data);
const dims = (im: Image): number[] => [im.width, im.height, im.channels, im.bitDepth];

describe('resize (bilinear, pixel centres aligned)', () => {
  it('upscales 2×2 to 4×4', () => {
    const out = applyTransform(
      { op: 'resize', width: 4, height: 4 },
      img(2, 2, [0, 10, 20, 30]),
      none,
    );
    expect(dims(out)).toEqual([4, 4, 1, 8]);
    expect(vals(out)).toEqual([
      0, 2.5, 7.5, 10, 5, 7.5, 12.5, 15, 15, 17.5, 22.5, 25, 20, 22.5, 27.5, 30,
    ]);
  });
  it('downscales 4×4 to 2×2 by averaging 2×2 blocks', () => {
    const out = applyTransform({ op: 'resize', width: 2, height: 2 }, img(4, 4, seq(16)), none);
    expect(vals(out)).toEqual([2.5, 4.5, 10.5, 12.5]);
  });
  it('is the identity at the same odd size (5×3), per channel for RGB', () => {
    const rgb = img(5, 3, seq(45), 3);
    expect(vals(applyTransform({ op: 'resize', width: 5, height: 3 }, rgb, none))).toEqual(seq(45));
    const wide = applyTransform(
      { op: 'resize', width: 3, height: 1 },
      img(3, 1, [0, 1, 2, 10, 11, 12, 20, 21, 22], 3),
      none,
    );
    expect(vals(wide)).toEqual([0, 1, 2, 10, 11, 12, 20, 21, 22]);
  });
  it('at the same size gives a copy, and -0, ±Infinity and NaN as the bilinear sums do', () => {
    const src = img(3, 2, seq(6));
    const same = applyTransform({ op: 'resize', width: 3, height: 2 }, src, none);
    expect(same.data).not.toBe(src.data);
    expect(vals(same)).toEqual(seq(6));
    // Weights 0 still multiply a neighbour: top = s·1 + n·0, out = top·1 + bottom·0. With s = -0
    // and n = 5 that is -0 + 0 = +0; with s = ∞ the bottom term ∞·0 is NaN.
    const odd = applyTransform({ op: 'resize', width: 2, height: 1 }, img(2, 1, [-0, 5]), none);
    expect(Object.is(odd.data[0], 0)).toBe(true);
    const inf = applyTransform(
      { op: 'resize', width: 2, height: 1 },
      img(2, 1, [Infinity, 1]),
      none,
    );
    expect(vals(inf)).toEqual([NaN, 1]);
  });
});

describe('crops', () => {
  const im53 = img(5, 3, seq(15));
  it('centre-crops an odd 5×3 (offset floor((W−w)/2))', () => {
    expect(vals(applyTransform({ op: 'center-crop', width: 3, height: 1 }, im53, none))).toEqual([
      6, 7, 8,
    ]);
    expect(vals(applyTransform({ op: 'center-crop', width: 4, height: 2 }, im53, none))).toEqual([
      0, 1, 2, 3, 5, 6, 7, 8,
    ]);
  });
  it('pads with 0 when the centre crop is larger than the image', () => {
    const im = img(2, 2, [1, 2, 3, 4]);
    expect(vals(applyTransform({ op: 'center-crop', width: 4, height: 4 }, im, none))).toEqual([
      0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0,
    ]);
    expect(vals(applyTransform({ op: 'center-crop', width: 3, height: 3 }, im, none))).toEqual([
      0, 0, 0, 0, 1, 2, 0, 3, 4,
    ]);
  });
  it('random crop offsets follow the rng (x then y)', () => {
    const spec = { op: 'random-crop', width: 3, height: 2 } as const;
    expect(vals(applyTransform(spec, im53, fixed(0, 0)))).toEqual([0, 1, 2, 5, 6, 7]);
    expect(vals(applyTransform(spec, im53, fixed(0.99, 0.99)))).toEqual([7, 8, 9, 12, 13, 14]);
    expect(vals(applyTransform(spec, im53, fixed(0.5, 0)))).toEqual([1, 2, 3, 6, 7, 8]);
  });
  it('random crop larger than the image places the image inside a 0 border', () => {
    const im = img(2, 2, [1, 2, 3, 4]);
    const spec = { op: 'random-crop', width: 3, height: 3 } as const;
    expect(vals(applyTransform(spec, im, fixed(0, 0)))).toEqual([0, 0, 0, 0, 1, 2, 0, 3, 4]);
    expect(vals(applyTransform(spec, im, fixed(0.99, 0.99)))).toEqual([1, 2, 0, 3, 4, 0, 0, 0, 0]);
  });
  it('random crop covers every placement and stays inside the image', () => {
    const seen = new Set<number>();
    for (let row = 0n; row < 200n; row++) {
      const out = applyTransform(
        { op: 'random-crop', width: 3, height: 2 },
        im53,
        rngFor(1, 0, row),
      );
      seen.add(out.data[0] as number);
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([0, 1, 2, 5, 6, 7]);
  });
});

describe('flip', () => {
  const im = img(3, 2, [1, 2, 3, 4, 5, 6]);
  it('mirrors horizontally and vertically', () => {
    expect(vals(applyTransform({ op: 'flip', axis: 'horizontal', p: 1 }, im, fixed(0.3)))).toEqual([
      3, 2, 1, 6, 5, 4,
    ]);
    expect(vals(applyTransform({ op: 'flip', axis: 'vertical', p: 1 }, im, fixed(0.3)))).toEqual([
      4, 5, 6, 1, 2, 3,
    ]);
  });
  it('keeps each pixel’s channels together', () => {
    const rgb = img(2, 1, [1, 2, 3, 4, 5, 6], 3);
    expect(vals(applyTransform({ op: 'flip', axis: 'horizontal', p: 1 }, rgb, fixed(0)))).toEqual([
      4, 5, 6, 1, 2, 3,
    ]);
  });
  it('p = 0 never flips, p = 1 always does', () => {
    for (let row = 0n; row < 50n; row++) {
      expect(
        vals(applyTransform({ op: 'flip', axis: 'horizontal', p: 0 }, im, rngFor(3, 1, row))),
      ).toEqual(vals(im));
      expect(
        vals(applyTransform({ op: 'flip', axis: 'horizontal', p: 1 }, im, rngFor(3, 1, row))),
      ).toEqual([3, 2, 1, 6, 5, 4]);
    }
    expect(
      vals(applyTransform({ op: 'flip', axis: 'horizontal', p: 1 }, im, fixed(0.999999))),
    ).toEqual([3, 2, 1, 6, 5, 4]);
  });
  it('flips when the draw is below p (default p = 0.5)', () => {
    expect(vals(applyTransform({ op: 'flip', axis: 'vertical' }, im, fixed(0.49)))).toEqual([
      4, 5, 6, 1, 2, 3,
    ]);
    expect(vals(applyTransform({ op: 'flip', axis: 'vertical' }, im, fixed(0.5)))).toEqual(
      vals(im),
    );
  });
});

describe('rotate', () => {
  const im = img(3, 2, [1, 2, 3, 4, 5, 6]);
  it('rotates a 3×2 by 90° counter-clockwise exactly (2×3)', () => {
    const out = applyTransform({ op: 'rotate', degrees: 90 }, im, none);
    expect(dims(out)).toEqual([2, 3, 1, 8]);
    expect(vals(out)).toEqual([3, 6, 2, 5, 1, 4]);
  });
  it('handles −90, 270, 180 and 360', () => {
    expect(vals(applyTransform({ op: 'rotate', degrees: -90 }, im, none))).toEqual([
      4, 1, 5, 2, 6, 3,
    ]);
    expect(vals(applyTransform({ op: 'rotate', degrees: 270 }, im, none))).toEqual([
      4, 1, 5, 2, 6, 3,
    ]);
    expect(vals(applyTransform({ op: 'rotate', degrees: 180 }, im, none))).toEqual([
      6, 5, 4, 3, 2, 1,
    ]);
    expect(vals(applyTransform({ op: 'rotate', degrees: 360 }, im, none))).toEqual(vals(im));
  });
  it('bilinear rotation by 90° on a square matches the exact one', () => {
    const sq = img(3, 3, seq(9));
    expect(vals(rotateBilinear(sq, 90))).toEqual([2, 5, 8, 1, 4, 7, 0, 3, 6]);
    expect(vals(rotateBilinear(sq, 90))).toEqual(
      vals(applyTransform({ op: 'rotate', degrees: 90 }, sq, none)),
    );
  });
  it('rotates 45° about the centre with 0 fill', () => {
    const out = applyTransform(
      { op: 'rotate', degrees: 45 },
      img(3, 3, Array<number>(9).fill(10)),
      none,
    );
    expect(dims(out)).toEqual([3, 3, 1, 8]);
    expect(out.data[4]).toBe(10);
    // corner (0,0) samples (1, 1 − √2): 2 − √2 of the way from the 0 fill to the top row.
    expect(out.data[0]).toBeCloseTo(10 * (2 - Math.SQRT2), 4);
    expect(out.data[1]).toBeCloseTo(10, 4);
  });
  it('random rotation draws an angle in ±degrees; 0 degrees is the identity', () => {
    const sq = img(3, 3, seq(9));
    const spec = { op: 'rotate', degrees: 180, random: true } as const;
    expect(vals(applyTransform(spec, sq, fixed(0.75)))).toEqual(vals(rotateBilinear(sq, 90)));
    expect(vals(applyTransform(spec, sq, fixed(0.25)))).toEqual([6, 3, 0, 7, 4, 1, 8, 5, 2]);
    expect(
      vals(applyTransform({ op: 'rotate', degrees: 90, random: true }, sq, fixed(0.5))),
    ).toEqual(seq(9));
    expect(
      vals(applyTransform({ op: 'rotate', degrees: 0, random: true }, sq, fixed(0.8))),
    ).toEqual(seq(9));
  });
});

describe('brightness and contrast', () => {
  const im = img(4, 1, [0, 100, 255, 127.5]);
  it('brightness adds a fraction of full scale, clamped', () => {
    expect(
      vals(applyTransform({ op: 'brightness-contrast', brightness: 0.1, contrast: 0 }, im, none)),
    ).toEqual([25.5, 125.5, 255, 153]);
    expect(
      vals(applyTransform({ op: 'brightness-contrast', brightness: -1, contrast: 0 }, im, none)),
    ).toEqual([0, 0, 0, 0]);
  });
  it('contrast scales about mid-grey, clamped', () => {
    expect(
      vals(applyTransform({ op: 'brightness-contrast', brightness: 0, contrast: 1 }, im, none)),
    ).toEqual([0, 72.5, 255, 127.5]);
    expect(
      vals(applyTransform({ op: 'brightness-contrast', brightness: 0, contrast: -1 }, im, none)),
    ).toEqual([127.5, 127.5, 127.5, 127.5]);
  });
  it('uses the 16-bit full scale and leaves alpha alone', () => {
    const im16 = img(1, 1, [1000, 2000, 3000, 4000], 4, 16);
    expect(
      vals(applyTransform({ op: 'brightness-contrast', brightness: 0.5, contrast: 0 }, im16, none)),
    ).toEqual([33767.5, 34767.5, 35767.5, 4000]);
  });
  it('random variant draws brightness then contrast within ±', () => {
    const spec = {
      op: 'brightness-contrast',
      brightness: 0.2,
      contrast: 0.5,
      random: true,
    } as const;
    // draws 0.75 → brightness +0.1; 0.25 → contrast −0.25
    const out = applyTransform(spec, im, fixed(0.75, 0.25));
    expect(vals(out)).toEqual([57.375, 132.375, 248.625, 153]);
  });
});

describe('gaussian noise', () => {
  const im = img(5, 3, seq(15));
  it('std 0 is the identity and draws nothing', () => {
    expect(vals(applyTransform({ op: 'gaussian-noise', std: 0 }, im, none))).toEqual(seq(15));
  });
  it('draws exactly four numbers from the row stream, whatever the image size', () => {
    const out = applyTransform(
      { op: 'gaussian-noise', std: 2 },
      img(3, 2, [10, 10, 10, 10, 10, 10]),
      fixed(0.1, 0.2, 0.3, 0.4),
    );
    expect(out.data.length).toBe(6);
    expect(vals(out).every((v) => Number.isFinite(v) && v !== 10)).toBe(true);
    // and the same four draws give the same noise
    const again = applyTransform(
      { op: 'gaussian-noise', std: 2 },
      img(3, 2, [10, 10, 10, 10, 10, 10]),
      fixed(0.1, 0.2, 0.3, 0.4),
    );
    expect(vals(again)).toEqual(vals(out));
  });
  it('passes alpha through and noises the colour channels', () => {
    const out = applyTransform(
      { op: 'gaussian-noise', std: 5 },
      img(2, 1, [1, 2, 3, 200, 4, 5, 6, 100], 4),
      rngFor(3, 0, 9n),
    );
    expect([out.data[3], out.data[7]]).toEqual([200, 100]);
    const input = [1, 2, 3, 200, 4, 5, 6, 100];
    expect([0, 1, 2, 4, 5, 6].filter((i) => out.data[i] === input[i])).toEqual([]);
  });
  it('is reproducible for a seed and differs between seeds', () => {
    const a = applyTransform({ op: 'gaussian-noise', std: 5 }, im, rngFor(7, 0, 1n));
    const b = applyTransform({ op: 'gaussian-noise', std: 5 }, im, rngFor(7, 0, 1n));
    const c = applyTransform({ op: 'gaussian-noise', std: 5 }, im, rngFor(8, 0, 1n));
    expect(vals(a)).toEqual(vals(b));
    expect(vals(a)).not.toEqual(vals(c));
  });
  it('has mean ~0 and the requested std', () => {
    const out = applyTransform(
      { op: 'gaussian-noise', std: 10 },
      img(100, 100, Array<number>(10000).fill(0)),
      rngFor(1, 2, 3n),
    );
    const n = out.data.length;
    const mean = out.data.reduce((s, v) => s + v, 0) / n;
    const sd = Math.sqrt(out.data.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
    expect(Math.abs(mean)).toBeLessThan(0.5);
    expect(sd).toBeGreaterThan(9.7);
    expect(sd).toBeLessThan(10.3);
  });
});
