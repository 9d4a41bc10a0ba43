/**
 * Principal component scores of row vectors, to any number of axes: the embeddings view's 2-D
 * picture and the blind-spot clusters' 32-D reduction share this one implementation.
 *
 * It eigen-decomposes the smaller of the two Gram matrices (ml-matrix's symmetric EVD): the
 * p × p scatter matrix XᵀX of the centred rows when there are more rows than values per row,
 * else the n × n matrix XXᵀ, whose eigenvectors scaled by √λ are the scores themselves. Either
 * way the cost is cubic only in the smaller side, where an SVD of the n × p matrix (ml-pca)
 * took 22 s for 5,000 × 512.
 */
import { EVD, Matrix } from 'ml-matrix';

/** Scores of n rows on the leading principal axes. */
export interface PcaScores {
  /** Row-major n × dims: row i's coordinate on axis j at `i * dims + j`. */
  scores: Float64Array;
  /** Axes kept: min(asked, values per row, rows). */
  dims: number;
  /** Per kept axis, its share of the total variance. */
  explained: number[];
}

/** Eigenvalues at or below this fraction of the largest count as zero (their axes are noise). */
const ZERO = 1e-12;

/** Indices of `values` from largest to smallest; equal values keep their order. */
function descending(values: readonly number[]): number[] {
  return values.map((_, i) => i).sort((a, b) => values[b]! - values[a]! || a - b);
}

/** A Matrix from the upper triangle of a row-major m × m array. */
function symmetric(upper: Float64Array, m: number): Matrix {
  const out = new Matrix(m, m);
  for (let a = 0; a < m; a++) {
    for (let b = a; b < m; b++) {
      out.set(a, b, upper[a * m + b]!);
      out.set(b, a, upper[a * m + b]!);
    }
  }
  return out;
}

/**
 * Projects `vectors` (all of one length, finite: see `checkVectors` in projection.ts) onto
 * their `dims` leading principal axes, centred, not scaled. Each axis's sign is fixed (its
 * largest loading is positive, the first one on a tie), so equal inputs give equal scores.
 * Axes whose variance is zero score 0 everywhere.
 */
export function pcaScores(vectors: readonly ArrayLike<number>[], dims: number): PcaScores {
  const n = vectors.length;
  const p = n ? vectors[0]!.length : 0;
  const m = Math.max(0, Math.min(dims, p, n));
  const mean = new Float64Array(p);
  for (const v of vectors) for (let a = 0; a < p; a++) mean[a]! += v[a]! / n;
  const centred = vectors.map((v) => Float64Array.from({ length: p }, (_, a) => v[a]! - mean[a]!));
  const scores = new Float64Array(n * m);
  const loading = new Float64Array(p);
  let evd: EVD;
  if (p <= n) {
    const s = new Float64Array(p * p);
    for (const x of centred) {
      for (let a = 0; a < p; a++) {
        const xa = x[a]!;
        if (xa === 0) continue;
        for (let b = a; b < p; b++) s[a * p + b]! += xa * x[b]!;
      }
    }
    evd = new EVD(symmetric(s, p), { assumeSymmetric: true });
  } else {
    const g = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        let dot = 0;
        for (let a = 0; a < p; a++) dot += centred[i]![a]! * centred[j]![a]!;
        g[i * n + j] = dot;
      }
    }
    evd = new EVD(symmetric(g, n), { assumeSymmetric: true });
  }
  const lambdas = evd.realEigenvalues;
  const kept = descending(lambdas).slice(0, m);
  const total = lambdas.reduce((t, l) => t + Math.max(0, l), 0);
  const top = Math.max(0, lambdas[kept[0] ?? 0] ?? 0);
  const vecs = evd.eigenvectorMatrix;
  kept.forEach((e, j) => {
    const lambda = lambdas[e]!;
    if (!(lambda > ZERO * top)) return; // a zero-variance axis: scores stay 0
    // The axis in value space: the eigenvector itself, or Xᵀu/√λ from the row side.
    if (p <= n) for (let a = 0; a < p; a++) loading[a] = vecs.get(a, e);
    else {
      loading.fill(0);
      for (let i = 0; i < n; i++) {
        const u = vecs.get(i, e) / Math.sqrt(lambda);
        for (let a = 0; a < p; a++) loading[a]! += centred[i]![a]! * u;
      }
    }
    let big = 0;
    for (const v of loading) if (Math.abs(v) > Math.abs(big)) big = v;
    const sign = big < 0 ? -1 : 1;
    for (let i = 0; i < n; i++) {
      let dot = 0;
      for (let a = 0; a < p; a++) dot += centred[i]![a]! * loading[a]!;
      scores[i * m + j] = sign * dot;
    }
  });
  return {
    scores,
    dims: m,
    explained: kept.map((e) => (total > 0 ? Math.max(0, lambdas[e]!) / total : 0)),
  };
}
