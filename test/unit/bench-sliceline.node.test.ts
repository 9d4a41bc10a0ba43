/**
 * The bench's `sliceline` group (bench/sliceline.ts) on one small size, so that it cannot rot:
 * every figure is printed, every top slice recounted, the brute force agrees with level 1. No
 * speed is asserted (the speed goals live in the bench). Also its generator's design.
 */
import { describe, expect, it } from 'vitest';
import { generateSynth } from '../../bench/gen/sliceline-synth.ts';
import { benchSize, bruteForceLevel1, runSlicelineFromArgv } from '../../bench/sliceline.ts';

describe('bench: sliceline (one small size)', () => {
  it('prints time, ratios, memory, levels, the top-4 and the planted ranks', () => {
    const lines: string[] = [];
    const r = benchSize(3000, { runs: 1, warmup: 0 }, (s) => lines.push(s));
    expect(r.problems).toEqual([]);
    expect(r.minSupport).toBe(30);
    expect(r.top).toHaveLength(4);
    expect(r.top.every((t) => t.recounted)).toBe(true);
    expect(r.levels.map((l) => l.level)).toEqual([1, 2, 3]);
    expect(r.ratioToBruteForce).toBeGreaterThan(0);
    expect(r.pythonSeconds).toBeNull(); // no published figure for 3,000 rows
    const text = lines.join('\n');
    expect(text).toMatch(/^sliceline 3,000 × 20 \(seed 20213640, /);
    expect(text).toMatch(/ratio SliceLine \/ brute force [\d.]+×/);
    expect(text).toMatch(/peak RSS of the process \d+ MiB/);
    expect(text).toMatch(/levels: L1 \d+ candidates \(\d+ valid\), L2 /);
    expect(text).toMatch(/\n {2}planted: /);
  });

  it('refuses a scale outside (0, 1]', () => {
    expect(() => runSlicelineFromArgv(['--sliceline-scale', '2'], { runs: 1, warmup: 0 })).toThrow(
      /--sliceline-scale expects a number in \(0, 1\], got 2/,
    );
  });
});

describe("bench: sliceline's generator (gen_synth.py's design)", () => {
  it('is seeded, draws 3..10 levels, and plants three slices on six distinct features', () => {
    const a = generateSynth(2000, 8);
    const b = generateSynth(2000, 8);
    expect(a.seed).toBe(20210620 + 2000 + 8);
    expect(Array.from(a.input.errors)).toEqual(Array.from(b.input.errors));
    expect(a.input.levels.every((d) => d >= 3 && d <= 10)).toBe(true);
    const features = a.planted.flatMap((p) => p.predicates.map((q) => q.feature));
    expect(a.planted.map((p) => p.predicates.length)).toEqual([1, 2, 3]);
    expect(new Set(features).size).toBe(6);
    // The three-predicate slice sits on the three features with the fewest levels.
    const smallest = [...a.input.levels.keys()]
      .sort((x, y) => a.input.levels[x]! - a.input.levels[y]! || x - y)
      .slice(0, 3);
    expect(a.planted[2]!.predicates.map((q) => q.feature)).toEqual(smallest.sort((x, y) => x - y));
    // Realised size and errors agree with the brute force's cell for a one-predicate slice.
    const p1 = a.planted[0]!.predicates[0]!;
    const col = a.input.levels.slice(0, p1.feature).reduce((s, d) => s + d, 0) + p1.code - 1;
    const level1 = bruteForceLevel1(a.input);
    expect([level1.size[col], level1.err[col]]).toEqual([
      a.planted[0]!.size,
      a.planted[0]!.errorSum,
    ]);
  });
});
