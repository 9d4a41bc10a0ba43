/**
 * Seeded streams, shuffles, spec validation/hashing and the deterministic maths; runs in Node
 * and Chromium.
 */
import { describe, expect, it } from 'vitest';
import { detExp, detLog, sinCosDegrees, sinCosTurns } from '../../src/lib/pipeline/detmath.ts';
import type { Rng } from '../../src/lib/pipeline/image.ts';
import { rngFor, shuffle } from '../../src/lib/pipeline/rng.ts';
import { specHash, validateSpec } from '../../src/lib/pipeline/transforms.ts';

const take = (rng: Rng, n = 8): number[] => Array.from({ length: n }, () => rng.next());

describe('rngFor', () => {
  it('is reproducible and in [0, 1)', () => {
    const a = take(rngFor(1, 2, 3n), 1000);
    expect(a).toEqual(take(rngFor(1, 2, 3n), 1000));
    expect(a.every((v) => v >= 0 && v < 1)).toBe(true);
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.05);
  });
  it('changes with seed, epoch, row id and salt', () => {
    const base = take(rngFor(1, 2, 3n));
    for (const other of [
      rngFor(2, 2, 3n),
      rngFor(1, 3, 3n),
      rngFor(1, 2, 4n),
      rngFor(1, 2, 3n, 'x'),
      rngFor(3, 2, 1n),
      rngFor(1, 2, 3n + (1n << 40n)),
    ]) {
      expect(take(other)).not.toEqual(base);
    }
    expect(take(rngFor(0, 0, 0n))).not.toEqual(take(rngFor(0, 0, 0n, '\0')));
  });
  it('accepts negative seeds and row ids, rejects non-integers', () => {
    expect(take(rngFor(-1, 0, -5n))).toEqual(take(rngFor(-1, 0, -5n)));
    expect(() => rngFor(1.5, 0, 0n)).toThrow(/seed must be a safe integer/);
    expect(() => rngFor(1, NaN, 0n)).toThrow(/epoch must be a safe integer/);
  });
});

describe('shuffle', () => {
  it('is a permutation', () => {
    const p = shuffle(1000, 7, 0);
    expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(Array.from(p)).not.toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });
  it('is reproducible and differs by epoch and seed', () => {
    expect(Array.from(shuffle(100, 7, 0))).toEqual(Array.from(shuffle(100, 7, 0)));
    expect(Array.from(shuffle(100, 7, 1))).not.toEqual(Array.from(shuffle(100, 7, 0)));
    expect(Array.from(shuffle(100, 8, 0))).not.toEqual(Array.from(shuffle(100, 7, 0)));
  });
  it('handles 0 and 1 and rejects bad n', () => {
    expect(shuffle(0, 1, 1).length).toBe(0);
    expect(Array.from(shuffle(1, 1, 1))).toEqual([0]);
    expect(() => shuffle(-1, 1, 1)).toThrow(/n must be an integer/);
  });
});

describe('validateSpec', () => {
  it('fills defaults and keeps valid specs', () => {
    expect(
      validateSpec([
        { op: 'flip', axis: 'horizontal' },
        { op: 'rotate', degrees: 10 },
        { op: 'resize', width: 4, height: 2 },
      ]),
    ).toEqual([
      { op: 'flip', axis: 'horizontal', p: 0.5 },
      { op: 'rotate', degrees: 10, random: false },
      { op: 'resize', width: 4, height: 2 },
    ]);
  });
  it('names the index and the problem', () => {
    expect(() => validateSpec({})).toThrow(/^pipeline: must be an array/);
    expect(() => validateSpec([{ op: 'resize', width: 2, height: 2 }, { op: 'blur' }])).toThrow(
      /^pipeline\[1\] \(blur\): unknown op "blur"; known ops: resize/,
    );
    expect(() => validateSpec([{ op: 'rotate', degrees: 'x' }])).toThrow(
      'pipeline[0] (rotate): degrees must be a finite number, got "x"',
    );
    expect(() => validateSpec([{ op: 'resize', width: 0, height: 2 }])).toThrow(
      /pipeline\[0\] \(resize\): width must be an integer/,
    );
    expect(() => validateSpec([{ op: 'flip', axis: 'diagonal' }])).toThrow(
      /axis must be "horizontal" or "vertical"/,
    );
    expect(() => validateSpec([{ op: 'flip', axis: 'vertical', prob: 1 }])).toThrow(
      /unknown parameter "prob"/,
    );
    expect(() => validateSpec([{ op: 'normalize', mean: [0.5, 0.5], std: [1] }])).toThrow(
      /same length/,
    );
    expect(() => validateSpec([{ op: 'window-level', center: 1, width: 0 }])).toThrow(
      /width must be a number > 0/,
    );
    expect(() => validateSpec([null])).toThrow(/^pipeline\[0\]: must be an object/);
    expect(() => validateSpec([{ width: 1 }])).toThrow(/missing "op"/);
  });
  it('rejects native-range ops after normalize', () => {
    const spec = [
      { op: 'normalize', mean: [0.5], std: [0.5] },
      { op: 'flip', axis: 'horizontal', p: 1 },
      { op: 'brightness-contrast', brightness: 0.1, contrast: 0 },
    ];
    expect(() => validateSpec(spec)).toThrow(
      /^pipeline\[2\] \(brightness-contrast\): .*cannot follow normalize \(pipeline\[0\]\)/,
    );
  });
  it('errors are LakeError BAD_INPUT', () => {
    expect(() => validateSpec('x')).toThrow(
      expect.objectContaining({ code: 'BAD_INPUT', name: 'LakeError' }),
    );
  });
});

describe('specHash', () => {
  it('is a sha256 that ignores key order and spelled-out defaults', async () => {
    const a = await specHash([{ op: 'flip', axis: 'horizontal' }]);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(await specHash([{ axis: 'horizontal', p: 0.5, op: 'flip' }])).toBe(a);
    expect(await specHash([{ op: 'flip', axis: 'horizontal', p: 0.4 }])).not.toBe(a);
  });
  it('rejects invalid specs', async () => {
    await expect(specHash([{ op: 'nope' }])).rejects.toThrow(/unknown op/);
  });
});

describe('deterministic maths', () => {
  it('exp and log agree with Math to ~1 ulp', () => {
    for (const x of [-700, -50, -3.7, -1, -0.25, 0, 1e-9, 0.5, 1, 2.5, 10, 100, 700]) {
      expect(Math.abs(detExp(x) - Math.exp(x))).toBeLessThanOrEqual(4e-16 * Math.exp(x));
    }
    for (const x of [2 ** -53, 1e-300, 1e-5, 0.1, 0.5, 0.7071, 1, 1.5, 2, 10, 1e10, 1e300]) {
      expect(Math.abs(detLog(x) - Math.log(x))).toBeLessThanOrEqual(
        4e-16 * Math.max(1, Math.abs(Math.log(x))),
      );
    }
    expect(detLog(1)).toBe(0);
    expect(detExp(0)).toBe(1);
    expect(detLog(0)).toBe(-Infinity);
  });
  it('sin/cos are exact at quarter turns and close elsewhere', () => {
    expect(sinCosDegrees(90)).toEqual([1, -0]);
    expect(sinCosDegrees(180)).toEqual([-0, -1]);
    expect(sinCosDegrees(-90)).toEqual([-1, 0]);
    expect(sinCosTurns(0)).toEqual([0, 1]);
    for (let t = -1; t <= 1; t += 0.0137) {
      const [s, c] = sinCosTurns(t);
      expect(Math.abs(s - Math.sin(2 * Math.PI * t))).toBeLessThan(1e-14);
      expect(Math.abs(c - Math.cos(2 * Math.PI * t))).toBeLessThan(1e-14);
    }
  });
});
