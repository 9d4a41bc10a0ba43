/**
 * Embedding clusters for the blind-spot report (src/lib/analysis/clusters.ts, kmeans.ts,
 * pca.ts): seeded blobs built here, so every expected assignment, error rate and lift is worked
 * out from how the test made them.
 */
import { describe, expect, it } from 'vitest';
import type { FeatureTable } from '../../src/lib/analysis/blindspots-types.ts';
import { clusterErrors, type ClusterInput } from '../../src/lib/analysis/clusters.ts';
import { chooseK, kmeans } from '../../src/lib/analysis/kmeans.ts';
import { binomialTail, explainGroups } from '../../src/lib/analysis/over-represented.ts';
import { pcaScores } from '../../src/lib/analysis/pca.ts';
import { rngFor } from '../../src/lib/pipeline/rng.ts';
import { codedFeature } from './analysis-fixture.ts';

const BLOBS = 4;
const PER_BLOB = 60;
const N = BLOBS * PER_BLOB;
const DIMS = 6;

/**
 * Row i belongs to blob i % 4, whose centre is 12 along axis (i % 4) (and 0 elsewhere); each
 * value gets standard normal noise from the row's own seeded stream. Centres are 17 apart, the
 * noise's spread per row about √6 ≈ 2.4, so every row is far nearer its own centre.
 */
function blobs(seed = 1): Float32Array[] {
  return Array.from({ length: N }, (_, i) => {
    const rng = rngFor(seed, 0, BigInt(i), 'blobs');
    const v = new Float32Array(DIMS);
    for (let a = 0; a < DIMS; a++) {
      const g = Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
      v[a] = (a === i % BLOBS ? 12 : 0) + g;
    }
    return v;
  });
}

const blobOf = (i: number) => i % BLOBS;
const rowIds = BigInt64Array.from({ length: N }, (_, i) => BigInt(1000 + i));

const feature = (name: string, levels: string[], code: (i: number) => number) =>
  codedFeature(
    name,
    levels,
    Array.from({ length: N }, (_, i) => code(i)),
  );

/** Blob 2 errs on its even-numbered rows (30 of 60); the others on their first 3 rows each. */
function plantedErrors(): Float64Array {
  const seen = new Int32Array(BLOBS);
  return Float64Array.from({ length: N }, (_, i) => {
    const b = blobOf(i);
    const nth = seen[b]!++;
    return b === 2 ? (nth % 2 === 0 ? 1 : 0) : nth < 3 ? 1 : 0;
  });
}

const base = (table: FeatureTable, errors = plantedErrors()): ClusterInput => ({
  embeddings: blobs(),
  errors,
  table,
  rowIds,
  seed: 7,
  kMin: 2,
  kMax: 8,
  replicates: 200,
});

describe('pcaScores', () => {
  // Row i = 5·a_i·u + b_i·w (+ an offset), u and w orthonormal in 5-D, a and b uncorrelated
  // (Σ a·b = 0) with 5·a the wider: centred, the first axis is 5·(a − mean a) and the second
  // b − mean b (signs: u's and w's largest loadings are positive).
  const u = [0.6, 0.8, 0, 0, 0];
  const w = [0, 0, 0, 0.8, -0.6];
  const vectors = (as: number[], bs: number[]) =>
    as.map((a, i) => u.map((uk, k) => 3 + 5 * a * uk + bs[i]! * w[k]!));
  const check = (as: number[], bs: number[]) => {
    const ma = as.reduce((x, y) => x + y) / as.length;
    const mb = bs.reduce((x, y) => x + y) / bs.length;
    const p = pcaScores(vectors(as, bs), 3);
    expect(p.dims).toBe(Math.min(3, as.length));
    as.forEach((a, i) => {
      expect(p.scores[i * p.dims]).toBeCloseTo(5 * (a - ma), 9);
      expect(p.scores[i * p.dims + 1]).toBeCloseTo(bs[i]! - mb, 9);
      if (p.dims > 2) expect(p.scores[i * p.dims + 2]).toBe(0); // no variance left
    });
    return p;
  };

  it('finds the axes from the 5 × 5 scatter matrix when rows outnumber values', () => {
    const p = check([2, -2, 1, -1, 0, 0, 2, -2], [1, 1, -1, -1, 1, -1, 0, 0]);
    expect(p.explained[0]! + p.explained[1]!).toBeCloseTo(1, 12);
  });

  it('finds the same axes from the rows × rows Gram matrix when values outnumber rows', () => {
    check([1, -1, 2, -2], [1, 1, -1, -1]);
  });
});

describe('over-represented levels', () => {
  it('computes the binomial tail as the sum written out here', () => {
    const choose = (m: number, x: number) => {
      let c = 1;
      for (let j = 1; j <= x; j++) c = (c * (m - x + j)) / j;
      return c;
    };
    const tail = (s: number) => {
      let t = 0;
      for (let x = s; x <= 20; x++) t += choose(20, x) * 0.25 ** x * 0.75 ** (20 - x);
      return t;
    };
    const lf = Float64Array.from({ length: 21 }, (_, i) => {
      let l = 0;
      for (let j = 2; j <= i; j++) l += Math.log(j);
      return l;
    });
    for (const s of [0, 5, 9, 12, 20])
      expect(binomialTail(s, 20, 0.25, lf)).toBeCloseTo(tail(s), 12);
  });

  it('keeps a level only when the excess is beyond chance over all the tests', () => {
    // 200 rows, groups 0 (rows 0..19) and 1 (the rest); level "x" on 50 rows overall
    // (P = 0.25). In group 0 it has 9 rows: lift 1.8, share 0.45, but P(X ≥ 9 | 20, 0.25) ≈
    // 0.041 exceeds 0.05 / 4 tests (2 levels × 2 groups). With 12 rows: P ≈ 0.00094 passes.
    const table = (inGroup: number): FeatureTable => ({
      rowIds: new BigInt64Array(200),
      features: [
        {
          name: 'f',
          source: 'croissant',
          column: null,
          levels: ['x', 'y'],
          predicates: [null, null],
          codes: Uint16Array.from({ length: 200 }, (_, i) =>
            i < inGroup || (i >= 20 && i < 20 + 50 - inGroup) ? 1 : 2,
          ),
        },
      ],
    });
    const group = Int32Array.from({ length: 200 }, (_, i) => (i < 20 ? 0 : 1));
    expect(explainGroups(table(9), group, 2)[0]).toEqual([]);
    expect(explainGroups(table(12), group, 2)[0]).toEqual([
      { feature: 'f', level: 'x', lift: 12 / 20 / 0.25, support: 12 },
    ]);
  });
});

describe('k-means and the choice of k', () => {
  it('recovers well-separated blobs exactly, ids numbered by first row', async () => {
    const v = blobs();
    const pca = pcaScores(v, 32);
    expect(pca.dims).toBe(DIMS); // min(32, 6 values per row, 240 rows)
    const fit = await kmeans({ x: pca.scores, n: N, d: pca.dims }, 4, { seed: 3 });
    // Rows 0..3 are blobs 0..3, so canonical ids are the blob numbers themselves.
    expect(Array.from(fit!.assign)).toEqual(Array.from({ length: N }, (_, i) => blobOf(i)));
    expect(Array.from(fit!.sizes)).toEqual([60, 60, 60, 60]);
  });

  it('chooses the true k on clear blobs, and returns the same fit for the same seed', async () => {
    const pca = pcaScores(blobs(), 32);
    const p = { x: pca.scores, n: N, d: pca.dims };
    const a = await chooseK(p, 2, 8, { seed: 11 });
    expect(a.fit.k).toBe(4);
    expect(a.bics.map((b) => b.k)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    const b = await chooseK(p, 2, 8, { seed: 11 });
    expect(Array.from(b.fit.assign)).toEqual(Array.from(a.fit.assign));
    expect(b.bics).toEqual(a.bics);
  });
});

describe('clusterErrors', () => {
  it('ranks a planted high-error cluster first, explained by its scanner', async () => {
    // Scanner C on every row of blob 2 and on the first 20 rows of blob 0 (80 of 240 rows);
    // A on the rest of blob 0 and on blob 3; B on blob 1.
    const seen = new Int32Array(BLOBS);
    const codes = Array.from({ length: N }, (_, i) => {
      const b = blobOf(i);
      const nth = seen[b]!++;
      if (b === 2 || (b === 0 && nth < 20)) return 3;
      return b === 1 ? 2 : 1;
    });
    const table: FeatureTable = {
      rowIds,
      features: [feature('scanner', ['A', 'B', 'C'], (i) => codes[i]!)],
    };
    const r = await clusterErrors(base(table));
    expect(r.k).toBe(4);
    expect(r.criterion).toContain('BIC');
    expect(r.criterion).toContain('k = 2..8');
    const top = r.items[0]!;
    expect(top.size).toBe(60);
    // Error rate 30/60 = 0.5; overall (30 + 3·3)/240 = 39/240; lift 0.5 / (39/240) = 120/39.
    expect(top.errorRate.value).toBeCloseTo(0.5, 12);
    expect(top.lift.value).toBeCloseTo(120 / 39, 12);
    expect(top.lift.lo!).toBeLessThan(120 / 39);
    expect(top.lift.hi!).toBeGreaterThan(120 / 39);
    expect(top.lift.lo!).toBeGreaterThan(1);
    // P(C | cluster) = 60/60, P(C) = 80/240: lift 3 with support 60.
    expect(top.unexplained).toBe(false);
    expect(top.explanations[0]).toEqual({ feature: 'scanner', level: 'C', lift: 3, support: 60 });
    // Its errors: blob 2's even-numbered rows, i = 2, 10, 18, … (every 8th row), first 16.
    expect(top.sampleErrors).toEqual(Array.from({ length: 16 }, (_, j) => String(1002 + 8 * j)));
    // The other clusters err at 3/60 each.
    for (const c of r.items.slice(1)) expect(c.errorRate.value).toBeCloseTo(0.05, 12);
  });

  it('reports a planted high-error cluster that no metadata explains as unexplained', async () => {
    // Scanner cycles over 3 levels and site over 5, independently of the blob (row i % 4): each
    // blob has exactly 20 rows of each scanner and 12 of each site, so every lift is exactly 1.
    const table: FeatureTable = {
      rowIds,
      features: [
        feature('scanner', ['A', 'B', 'C'], (i) => (i % 3) + 1),
        feature('site', ['s1', 's2', 's3', 's4', 's5'], (i) => (i % 5) + 1),
      ],
    };
    const r = await clusterErrors(base(table));
    const top = r.items[0]!;
    expect(top.errorRate.value).toBeCloseTo(0.5, 12);
    expect(top.unexplained).toBe(true);
    expect(top.explanations).toEqual([]);
    expect(top.sampleErrors.length).toBe(16);
  });

  it('chooses k on a seeded sample when asked to, then fits every row', async () => {
    const table: FeatureTable = { rowIds, features: [] };
    const r = await clusterErrors({ ...base(table), chooseKRows: 100 });
    expect(r.k).toBe(4);
    expect(r.criterion).toContain('chosen on a seeded sample of 100 of 240 rows');
    expect(r.items.map((c) => c.size)).toEqual([60, 60, 60, 60]);
  });

  it('reports progress, and stops with ABORTED when cancelled', async () => {
    const table: FeatureTable = { rowIds, features: [] };
    const stages = new Set<string>();
    await clusterErrors({ ...base(table), onProgress: (stage) => stages.add(stage) });
    expect([...stages]).toEqual(['pca', 'choose-k', 'bootstrap']);
    const ac = new AbortController();
    const run = clusterErrors({
      ...base(table),
      signal: ac.signal,
      onProgress: (stage) => stage === 'choose-k' && ac.abort(),
    });
    await expect(run).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('gives equal results for equal seeds', async () => {
    const table: FeatureTable = {
      rowIds,
      features: [feature('x', ['a', 'b'], (i) => (i % 2) + 1)],
    };
    const a = await clusterErrors(base(table));
    const b = await clusterErrors(base(table));
    expect(b).toEqual(a);
  });
});

describe('clusterErrors: bad input', () => {
  const table: FeatureTable = { rowIds, features: [feature('x', ['a'], () => 1)] };
  const fails = async (input: ClusterInput, message: RegExp) => {
    const e = await clusterErrors(input).catch((err: unknown) => err);
    expect(e).toMatchObject({ name: 'LakeError', code: 'BAD_INPUT' });
    expect((e as Error).message).toMatch(message);
  };

  it('refuses mismatched lengths, NaN, too few rows and a table of other rows', async () => {
    await fails(
      { ...base(table), errors: new Float64Array(N - 1) },
      /239 errors for 240 embeddings/,
    );
    const nan = blobs();
    nan[5]![2] = NaN;
    await fails(
      { ...base(table), embeddings: nan },
      /row 5 \(_rowid 1005\): embedding value 2 is NaN/,
    );
    const three = BigInt64Array.from([1n, 2n, 3n]);
    await fails(
      {
        ...base({ rowIds: three, features: [] }),
        embeddings: blobs().slice(0, 3),
        errors: new Float64Array(3),
        rowIds: three,
        kMin: 4,
      },
      /3 rows; clustering into at least 4 clusters needs 4 rows or more/,
    );
    const shuffled = { ...table, rowIds: rowIds.slice().reverse() };
    await fails(base(shuffled), /row 0: the feature table has _rowid 1239 where rowIds has 1000/);
    await fails(
      { ...base(table), embeddings: new Float32Array(10), dims: 3 },
      /not a whole number/,
    );
  });
});
