/**
 * The pipeline's fast paths give the same bits as the plain code they replace (issue 12 §2):
 * `applyPipeline` (fused runs of moves and sample steps, ./fused.ts) against `applyTransform`
 * one step after another; the noise's block of samples and its wedge bounds against `normal`
 * and `detExp`; `rngFor`'s 32-bit hash against the splitmix64 fold written here with BigInt and
 * pure-rand's generator. Runs in Node and Chromium.
 */
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { describe, expect, it } from 'vitest';
import { detExp } from '../../src/lib/pipeline/detmath.ts';
import {
  fillNormal,
  intSourceFrom,
  LAYER_EDGES,
  normal,
  underDensity,
  Xoroshiro128Plus,
} from '../../src/lib/pipeline/gauss.ts';
import type { Image, PipelineSpec, Rng, TransformSpec } from '../../src/lib/pipeline/image.ts';
import { rngFor } from '../../src/lib/pipeline/rng.ts';
import { applyPipeline, applyTransform } from '../../src/lib/pipeline/transforms.ts';

/** A small LCG for the test's own choices (not the code under test's rng). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 4294967296;
  };
}

const bits = (im: Image): number[] =>
  Array.from(new Uint32Array(im.data.buffer, im.data.byteOffset, im.data.length));

function randomImage(rnd: () => number): Image {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const width = pick([1, 2, 5, 9, 16]);
  const height = pick([1, 3, 7, 12]);
  const channels = pick([1, 1, 3, 4] as const);
  const bitDepth = pick([8, 16] as const);
  const max = bitDepth === 16 ? 65535 : 255;
  const whole = rnd() < 0.7;
  const data = Float32Array.from({ length: width * height * channels }, () =>
    whole ? Math.floor(rnd() * (max + 1)) : (rnd() * 1.2 - 0.1) * max,
  );
  return { width, height, channels, bitDepth, data };
}

function randomStep(rnd: () => number, channels: number): TransformSpec {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const size = () => pick([1, 2, 3, 6, 10, 20]);
  switch (pick(['crop', 'crop', 'flip', 'flip', 'rotate', 'bc', 'noise', 'norm', 'wl', 'other'])) {
    case 'crop':
      return { op: pick(['center-crop', 'random-crop'] as const), width: size(), height: size() };
    case 'flip':
      return { op: 'flip', axis: pick(['horizontal', 'vertical'] as const), p: pick([0, 0.5, 1]) };
    case 'rotate':
      return { op: 'rotate', degrees: pick([90, 180, 270, -90, 450, 0, 30]), random: rnd() < 0.2 };
    case 'bc':
      return rnd() < 0.5
        ? { op: 'brightness-contrast', brightness: rnd(), contrast: rnd() * 0.9, random: true }
        : { op: 'brightness-contrast', brightness: rnd() * 2 - 1, contrast: rnd() * 3 - 1 };
    case 'noise':
      return { op: 'gaussian-noise', std: pick([0, 0.5, 4, 300]) };
    case 'norm': {
      const n = rnd() < 0.6 ? 1 : channels;
      const mean = Array.from({ length: n }, () => rnd());
      return { op: 'normalize', mean, std: Array.from({ length: n }, () => rnd() + 0.05) };
    }
    case 'wl':
      return { op: 'window-level', center: rnd() * 40000, width: rnd() * 40000 + 1 };
    default:
      return pick([
        { op: 'resize', width: size(), height: size() },
        { op: 'background-subtract', sigma: 1.5 },
      ] as TransformSpec[]);
  }
}

/** The reference: every step on its own image, as `applyTransform` makes it. */
function stepByStep(specs: PipelineSpec, img: Image, rng: Rng): Image {
  return specs.reduce((im, spec) => applyTransform(spec, im, rng), img);
}

describe('applyPipeline', () => {
  it('gives the same bits and draws as applying the steps one by one', () => {
    const rnd = lcg(20261205);
    for (let n = 0; n < 400; n++) {
      const img = randomImage(rnd);
      const specs = Array.from({ length: 1 + Math.floor(rnd() * 5) }, () =>
        randomStep(rnd, img.channels),
      );
      const seed = Math.floor(rnd() * 1000);
      const fused = rngFor(seed, n, BigInt(n));
      const plain = rngFor(seed, n, BigInt(n));
      const run = () => applyPipeline(specs, img, fused);
      let want: Image;
      try {
        want = stepByStep(specs, img, plain);
      } catch (e) {
        expect(run).toThrow((e as Error).message);
        continue;
      }
      const got = run();
      const where = JSON.stringify({ n, specs, size: [img.width, img.height, img.channels] });
      expect([got.width, got.height, got.channels, got.bitDepth], where).toEqual([
        want.width,
        want.height,
        want.channels,
        want.bitDepth,
      ]);
      expect(bits(got), where).toEqual(bits(want));
      expect(fused.next(), `${where}: the draws that follow`).toBe(plain.next());
    }
  });

  it('gives the same bits when it may write over its input (consume), padding included', () => {
    const rnd = lcg(1205);
    let over = 0;
    for (let n = 0; n < 400; n++) {
      const img = randomImage(rnd);
      const specs = Array.from({ length: 1 + Math.floor(rnd() * 5) }, () =>
        randomStep(rnd, img.channels),
      );
      let want: Image;
      try {
        want = stepByStep(specs, img, rngFor(7, n, BigInt(n)));
      } catch {
        continue;
      }
      const given: Image = { ...img, data: img.data.slice() };
      const got = applyPipeline(specs, given, rngFor(7, n, BigInt(n)), { consume: true });
      expect(bits(got), JSON.stringify({ n, specs })).toEqual(bits(want));
      if (got.data.buffer === given.data.buffer) over++;
    }
    // The items above ran one after another, so a crop's padding after a larger item's samples
    // is checked too; and most of them did write over their input.
    expect(over).toBeGreaterThan(100);
  });

  it('writes over the input only with consume, and only the caller’s own samples', () => {
    const data = Float32Array.from({ length: 8 * 8 }, (_, i) => i);
    const img: Image = { width: 8, height: 8, channels: 1, bitDepth: 8, data };
    const specs: PipelineSpec = [
      { op: 'center-crop', width: 4, height: 4 },
      { op: 'normalize', mean: [0], std: [1] },
    ];
    const kept = applyPipeline(specs, img, rngFor(1, 0, 0n));
    expect(Array.from(data)).toEqual(Array.from({ length: 64 }, (_, i) => i));
    const given = applyPipeline(specs, img, rngFor(1, 0, 0n), { consume: true });
    expect(given.data.buffer).toBe(data.buffer);
    expect(bits(given)).toEqual(bits(kept));
    // After a step that made a new image, the caller's samples are not the ones written over.
    const again = Float32Array.from({ length: 64 }, (_, i) => i);
    const resized = applyPipeline(
      [{ op: 'resize', width: 6, height: 6 }, ...specs],
      { ...img, data: again },
      rngFor(1, 0, 0n),
      { consume: true },
    );
    expect(resized.data.buffer).not.toBe(again.buffer);
    expect(Array.from(again)).toEqual(Array.from({ length: 64 }, (_, i) => i));
  });

  it('passes the caller’s samples through a same-size resize with consume (training’s input)', () => {
    // Training's pipeline on an image already at the model's size: resize, then scale to [0, 1].
    const specs: PipelineSpec = [
      { op: 'resize', width: 4, height: 2 },
      { op: 'normalize', mean: [0], std: [1] },
    ];
    const data = Float32Array.from([0, 51, 102, 255, 17, 34, 68, 85]);
    const img: Image = { width: 4, height: 2, channels: 1, bitDepth: 8, data };
    const kept = applyPipeline(specs, img, rngFor(1, 0, 0n));
    expect(kept.data.buffer).not.toBe(data.buffer);
    const given = applyPipeline(specs, img, rngFor(1, 0, 0n), { consume: true });
    // No array made (the resize gave the image on), and no gather either: the very array.
    expect(given.data).toBe(data);
    expect(bits(given)).toEqual(bits(kept));
    const scaled = [0, 51, 102, 255, 17, 34, 68, 85].map((v) => Math.fround(v / 255));
    expect(Array.from(given.data)).toEqual(scaled);
    // A -0 or a NaN is not its own bilinear result (-0 + 0 = +0; NaN·0 spreads): resampled.
    const odd = Float32Array.from([-0, 51, NaN, 255, 17, 34, 68, 85]);
    const resampled = applyPipeline(specs, { ...img, data: odd }, rngFor(1, 0, 0n), {
      consume: true,
    });
    expect(resampled.data.buffer).not.toBe(odd.buffer);
    expect(Object.is(resampled.data[0], 0)).toBe(true);
  });

  it('gives the typical augmentation of a 64×64 image the step-by-step bits', () => {
    const data = Float32Array.from({ length: 64 * 64 }, (_, i) => (i * 37) % 256);
    const img: Image = { width: 64, height: 64, channels: 1, bitDepth: 8, data };
    const specs: PipelineSpec = [
      { op: 'random-crop', width: 56, height: 56 },
      { op: 'flip', axis: 'horizontal', p: 0.5 },
      { op: 'brightness-contrast', brightness: 0.2, contrast: 0.2, random: true },
      { op: 'gaussian-noise', std: 4 },
      { op: 'normalize', mean: [128], std: [64] },
    ];
    for (let row = 0n; row < 6n; row++) {
      const got = applyPipeline(specs, img, rngFor(1, 2, row));
      expect(bits(got)).toEqual(bits(stepByStep(specs, img, rngFor(1, 2, row))));
    }
    expect(Array.from(img.data)).toEqual(Array.from(data)); // the input is left as it was
  });
});

describe('noise samples', () => {
  it('Xoroshiro128Plus steps as pure-rand’s xoroshiro128+', () => {
    const state = [0x12345678, -0x6789abc, 0x7fffffff, -1] as const;
    const ours = new Xoroshiro128Plus(state);
    const theirs = xoroshiro128plusFromState([...state]);
    for (let i = 0; i < 1000; i++) expect(ours.next()).toBe(theirs.next());
  });

  it('fillNormal gives the samples of as many normal() calls, in order', () => {
    for (const row of [1n, 2n, 77n]) {
      const block = new Float64Array(20_000);
      fillNormal(intSourceFrom(rngFor(5, 0, row)), block, 12_000, 8_000);
      const one = intSourceFrom(rngFor(5, 0, row));
      const want = Array.from({ length: 12_000 }, () => normal(one));
      expect(Array.from(block.subarray(8_000))).toEqual(want);
    }
  });

  it('decides a wedge draw as fy < detExp(−z²/2), also within 1e-15 of it', () => {
    const rnd = lcg(99);
    let wrong = 0;
    for (let t = 0; t < 40_000; t++) {
      const i = 1 + Math.floor(rnd() * 127);
      // z in the wedge of layer i (between its edges), or anywhere one time in eight
      const a = LAYER_EDGES[i + 1] as number;
      const b = LAYER_EDGES[i] as number;
      const z = t % 8 === 0 ? rnd() * 3.45 : a + rnd() * (b - a);
      const fz = detExp(-0.5 * z * z);
      const fy = [fz, fz + (rnd() - 0.5) * 2e-15, fz * (1 + (rnd() - 0.5) * 1e-9), rnd()][t % 4]!;
      if (underDensity(i, z, fy) !== fy < fz) wrong++;
    }
    expect(wrong).toBe(0);
  });
});

/** splitmix64's finaliser and the fold rngFor documents, in BigInt. */
const M = (1n << 64n) - 1n;
const G = 0x9e3779b97f4a7c15n;
function mix(z: bigint): bigint {
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M;
  return z ^ (z >> 31n);
}
function referenceStream(seed: number, epoch: number, row: bigint, salt: string, n: number) {
  const bytes = new TextEncoder().encode(salt);
  const words = [BigInt(seed), BigInt(epoch), row, BigInt(bytes.length)].map((w) =>
    BigInt.asUintN(64, w),
  );
  for (let i = 0; i < bytes.length; i += 8) {
    let w = 0n;
    for (let j = 0; j < 8 && i + j < bytes.length; j++) w |= BigInt(bytes[i + j]!) << BigInt(8 * j);
    words.push(w);
  }
  let h = G;
  for (const w of words) h = mix((h + G) & M) ^ w;
  h = mix(h);
  const a = mix((h + G) & M);
  const b = mix((h + 2n * G) & M);
  const half = (x: bigint, hi: boolean) => Number(hi ? x >> 32n : x & 0xffffffffn) | 0;
  const gen = xoroshiro128plusFromState([
    half(a, true),
    half(a, false),
    half(b, true),
    half(b, false),
  ]);
  return Array.from({ length: n }, () => uniformFloat64(gen));
}

describe('rngFor', () => {
  it('is the splitmix64 fold of (seed, epoch, row id, salt) seeding xoroshiro128+', () => {
    const cases: [number, number, bigint, string][] = [
      [1, 2, 3n, ''],
      [0, 0, 0n, ''],
      [-1, 0, -5n, ''],
      [Number.MAX_SAFE_INTEGER, 7, (1n << 63n) + 12345n, 'augment'],
      [-(2 ** 40) - 3, 123456789, -(1n << 50n), 'shuffle'],
      [42, 1, 4294967296n, 'a salt longer than eight bytes, é'],
      [4294967295, 4294967296, 0xffffffffn, '\0'],
    ];
    for (const [seed, epoch, row, salt] of cases) {
      const rng = rngFor(seed, epoch, row, salt);
      const got = Array.from({ length: 6 }, () => rng.next());
      expect(got, JSON.stringify([seed, epoch, String(row), salt])).toEqual(
        referenceStream(seed, epoch, row, salt, 6),
      );
    }
  });
});
