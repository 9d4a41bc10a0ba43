/**
 * The ziggurat normal sampler behind `gaussian-noise` (src/lib/pipeline/gauss.ts): hand-checked
 * draws against Marsaglia and Tsang's published constants, and the distribution's moments and
 * tail masses against the standard normal's known values. Runs in Node and Chromium, so equal
 * results on both show the samples are the same bits there.
 */
import { describe, expect, it } from 'vitest';
import { intSourceFrom, normal, type IntSource } from '../../src/lib/pipeline/gauss.ts';
import { rngFor } from '../../src/lib/pipeline/rng.ts';

/** Marsaglia and Tsang (2000), 128 layers: the tail start r and the layer area v. */
const R = 3.442619855899;
const V = 9.91256303526217e-3;
const ints = (...xs: number[]): IntSource => ({
  next: () => {
    const v = xs.shift();
    if (v === undefined) throw new Error('drained');
    return v | 0;
  },
});

describe('ziggurat normal', () => {
  it('maps a draw in the base strip to u · v / f(r), its sign from bit 24', () => {
    const base = V / Math.exp((-R * R) / 2); // ≈ 3.7130862
    expect(normal(ints(0))).toBe(0);
    expect(normal(ints(0x800000))).toBeCloseTo(0.5 * base, 9); // u = 0.5, layer 0, +
    expect(normal(ints(0x1800000))).toBeCloseTo(-0.5 * base, 9); // the same, −
    expect(normal(ints(0x400000))).toBeCloseTo(0.25 * base, 9);
  });

  it('goes to the tail beyond r when the base strip overshoots it', () => {
    // u ≈ 0.999 in layer 0 lands past r; the tail then draws pairs until one is accepted.
    const z = normal(ints(0xfff000, 0x800000, 0x800000));
    expect(z).toBeGreaterThan(R);
    // x = −ln(0.5)/r, y = −ln(0.5): 2y ≥ x², accepted at once
    expect(z).toBeCloseTo(R + Math.LN2 / R, 9);
  });

  it('has the standard normal moments and tail masses', () => {
    const src = intSourceFrom(rngFor(11, 0, 42n));
    const n = 400_000;
    let s = 0;
    let s2 = 0;
    let s4 = 0;
    const within = [0, 0, 0];
    let beyond4 = 0;
    for (let i = 0; i < n; i++) {
      const x = normal(src);
      s += x;
      s2 += x * x;
      s4 += x ** 4;
      const a = Math.abs(x);
      for (let k = 0; k < 3; k++) if (a < k + 1) within[k]!++;
      if (a > 4) beyond4++;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.006);
    expect(s2 / n).toBeGreaterThan(0.99);
    expect(s2 / n).toBeLessThan(1.01);
    expect(s4 / n).toBeGreaterThan(2.93); // kurtosis 3
    expect(s4 / n).toBeLessThan(3.07);
    // P(|Z| < 1, 2, 3) = 0.682689, 0.954500, 0.997300
    expect(within[0]! / n).toBeCloseTo(0.682689, 2);
    expect(within[1]! / n).toBeCloseTo(0.9545, 2);
    expect(within[2]! / n).toBeCloseTo(0.9973, 3);
    // P(|Z| > 4) = 6.33e-5: about 25 of 400k
    expect(beyond4).toBeGreaterThan(8);
    expect(beyond4).toBeLessThan(50);
  });

  it('gives the same stream for the same seed draws and another for others', () => {
    const take = (src: IntSource) => Array.from({ length: 50 }, () => normal(src));
    expect(take(intSourceFrom(rngFor(1, 2, 3n)))).toEqual(take(intSourceFrom(rngFor(1, 2, 3n))));
    expect(take(intSourceFrom(rngFor(1, 2, 3n)))).not.toEqual(
      take(intSourceFrom(rngFor(1, 2, 4n))),
    );
  });
});
