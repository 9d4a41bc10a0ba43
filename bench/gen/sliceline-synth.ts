/**
 * The SliceLine benchmark's data: gen_synth.py's design (test/fixtures/sliceline/gen_synth.py)
 * in TypeScript, seeded, in memory. Feature j has d_j levels drawn uniformly from 3..10, values
 * uniform; a base error probability of 0.05; three planted slices on disjoint features (1
 * predicate at 0.30 on the remaining feature with the fewest levels, 2 predicates at 0.60 on the
 * next two smallest domains, 3 predicates at 0.85 on the three smallest), a row in several
 * taking the largest; errors Bernoulli. The random stream is xoroshiro128+ (pure-rand), not
 * numpy's PCG64, so the tables differ from the Python script's: the design is the same.
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { SliceLineInput } from '../../src/lib/analysis/blindspots-types.ts';

export const BASE_P = 0.05;
export const PLANT_P = [0.3, 0.6, 0.85] as const;

/** A planted slice: feature (0-based) → code, its error probability, realised size and errors. */
export interface Planted {
  predicates: { feature: number; code: number }[];
  errorProb: number;
  size: number;
  errorSum: number;
}

/** gen_synth.py's default seed for N rows and F features. */
export const defaultSeed = (n: number, f: number) => 20210620 + n + f;

/** Generates N rows of F integer-coded features (F ≥ 6) and a 0/1 error. */
export function generateSynth(
  n: number,
  f: number,
  seed = defaultSeed(n, f),
): { input: SliceLineInput; planted: Planted[]; seed: number } {
  if (f < 6) throw new Error('need F >= 6 (the planted slices use 6 disjoint features)');
  const g = xoroshiro128plus(seed);
  const uniform = () => (g.next() >>> 0) / 2 ** 32;
  const int = (lo: number, hi: number) => lo + Math.floor(uniform() * (hi - lo + 1));
  const doms = Array.from({ length: f }, () => int(3, 10));
  const codes = doms.map((d) => {
    const c = new Uint16Array(n);
    for (let i = 0; i < n; i++) c[i] = int(1, d);
    return c;
  });
  const bySize = (a: number, b: number) => doms[a]! - doms[b]! || a - b;
  const order = doms.map((_, j) => j).sort(bySize);
  const f3 = order.slice(0, 3);
  const f2 = order.slice(3, 5);
  const f1 = order.slice(5, 6);
  const p = new Float64Array(n).fill(BASE_P);
  const masks: Uint8Array[] = [];
  const planted: Planted[] = [f1, f2, f3].map((feats, level) => {
    const predicates = feats.map((feature) => ({ feature, code: int(1, doms[feature]!) }));
    const mask = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      if (predicates.every((q) => codes[q.feature]![i] === q.code)) {
        mask[i] = 1;
        p[i] = Math.max(p[i]!, PLANT_P[level]!);
      }
    }
    masks.push(mask);
    predicates.sort((a, b) => a.feature - b.feature);
    return { predicates, errorProb: PLANT_P[level]!, size: 0, errorSum: 0 };
  });
  const errors = new Float64Array(n);
  for (let i = 0; i < n; i++) errors[i] = uniform() < p[i]! ? 1 : 0;
  planted.forEach((s, k) => {
    for (let i = 0; i < n; i++) {
      if (masks[k]![i]) {
        s.size++;
        s.errorSum += errors[i]!;
      }
    }
  });
  return { input: { codes, levels: doms, errors }, planted, seed };
}
