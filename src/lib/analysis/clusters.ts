/**
 * Domino-style error clusters (issue 15 §3): the evaluated items' embeddings reduced by PCA to
 * at most 32 axes, partitioned by seeded k-means with k chosen by BIC, and each cluster ranked
 * by how much more often the model errs in it than overall (with a seeded bootstrap interval),
 * then described by the metadata values most over-represented in it. A cluster no metadata
 * explains is kept and marked `unexplained`: the "unknown unknowns" worth looking at.
 * Pure computation: no I/O, no Node-only imports, so it runs in a browser worker.
 */
import { shuffle } from '../pipeline/rng.ts';
import { LakeError, checkAborted } from '../store/errors.ts';
import type { FeatureTable, ReportCluster } from './blindspots-types.ts';
import { interval, replicateWeights } from './bootstrap.ts';
import { chooseK, kmeans, yieldToEvents, type Points } from './kmeans.ts';
import { DEFAULT_EXPLAIN, explainGroups, type ExplainThresholds } from './over-represented.ts';
import { pcaScores } from './pca.ts';
import { checkClusterInput } from './clusters-input.ts';

/** Axes kept by the PCA before clustering. */
export const CLUSTER_DIMS = 32;
/** Rows k is chosen on; above it, on a seeded sample of this many (then refit on all rows). */
export const CHOOSE_K_ROWS = 5000;
/** Error rows listed per cluster for its image grid. */
export const SAMPLE_ERRORS = 16;

/** What {@link clusterErrors} clusters. */
export interface ClusterInput {
  /** One vector per row, or one flat row-major array with `dims`. */
  embeddings: readonly Float32Array[] | Float32Array;
  /** Values per vector when `embeddings` is flat. */
  dims?: number;
  /** Per row, the error: 0/1 or a loss (finite, ≥ 0). */
  errors: Float64Array;
  /** The rows' coded metadata, rows in the same order as `rowIds`. */
  table: FeatureTable;
  /** `_rowid` of each row. */
  rowIds: BigInt64Array;
  /** Seed of k-means and the bootstrap. */
  seed: number;
  /** Range of k tried (default 2..12; kMax is capped at the number of rows). */
  kMin?: number;
  kMax?: number;
  /** Rows k is chosen on at most (default {@link CHOOSE_K_ROWS}). */
  chooseKRows?: number;
  /** Bootstrap replicates of the intervals (default 1000). */
  replicates?: number;
  /** Thresholds of the explanations (default {@link DEFAULT_EXPLAIN}). */
  explain?: Partial<ExplainThresholds>;
  signal?: AbortSignal;
  /** Progress through the stages: PCA, choosing k, the final fit, the bootstrap. */
  onProgress?: (stage: string, done: number, total: number) => void;
}

/** The clusters, best first, and how k was chosen. */
export interface ClusterResult {
  k: number;
  /** In words: "BIC over k = 2..12". */
  criterion: string;
  items: ReportCluster[];
}

/** A seeded subset of `sample` of the points, in row order. */
function subsample(p: Points, sample: number, seed: number): Points {
  const keep = Array.from(shuffle(p.n, seed, 0).subarray(0, sample)).sort((a, b) => a - b);
  const x = new Float64Array(sample * p.d);
  keep.forEach((r, i) => x.set(p.x.subarray(r * p.d, (r + 1) * p.d), i * p.d));
  return { x, n: sample, d: p.d };
}

/**
 * Clusters the rows' embeddings and ranks the clusters by error-rate lift.
 * @throws LakeError BAD_INPUT naming the bad row or argument (lengths, non-finite values,
 *   fewer rows than kMin, a feature table of other rows); ABORTED when `signal` fires.
 */
export async function clusterErrors(input: ClusterInput): Promise<ClusterResult> {
  const { vectors, n, kMin, kMax } = checkClusterInput(input);
  const progress = input.onProgress ?? (() => {});
  progress('pca', 0, 1);
  const pca = pcaScores(vectors, CLUSTER_DIMS);
  const points: Points = { x: pca.scores, n, d: pca.dims };
  progress('pca', 1, 1);
  await yieldToEvents();
  checkAborted(input.signal);
  const opts = { seed: input.seed, signal: input.signal };
  const sample = input.chooseKRows ?? CHOOSE_K_ROWS;
  const sampled = n > sample;
  const chosen = await chooseK(
    sampled ? subsample(points, sample, input.seed) : points,
    kMin,
    kMax,
    {
      ...opts,
      onProgress: (d, t) => progress('choose-k', d, t),
    },
  );
  const k = chosen.fit.k;
  let fit = chosen.fit;
  if (sampled) {
    progress('fit', 0, 1);
    const all = await kmeans(points, k, opts);
    if (!all)
      throw new LakeError('BAD_INPUT', `the embeddings have fewer than ${k} distinct values`);
    fit = all;
    progress('fit', 1, 1);
  }
  const range = `k = ${kMin}..${kMax}`;
  const criterion = sampled
    ? `BIC of a spherical Gaussian mixture at the k-means partition, over ${range} (chosen on a seeded sample of ${sample} of ${n} rows)`
    : `BIC of a spherical Gaussian mixture at the k-means partition, over ${range}`;
  const stats = await errorStats(fit.assign, k, input);
  const explanations = explainGroups(input.table, fit.assign, k, {
    ...DEFAULT_EXPLAIN,
    ...input.explain,
  });
  const items = Array.from({ length: k }, (_, id): ReportCluster => ({
    id,
    size: fit.sizes[id]!,
    errorRate: stats.rate[id]!,
    lift: stats.lift[id]!,
    explanations: explanations[id]!,
    unexplained: explanations[id]!.length === 0,
    sampleErrors: sampleErrors(fit.assign, id, input.errors, input.rowIds),
  }));
  items.sort(
    (a, b) => (b.lift.value ?? -1) - (a.lift.value ?? -1) || b.size - a.size || a.id - b.id,
  );
  return { k, criterion, items };
}

/** Up to {@link SAMPLE_ERRORS} of a cluster's errors: the largest first, then in row order. */
function sampleErrors(
  assign: Int32Array,
  id: number,
  errors: Float64Array,
  rowIds: BigInt64Array,
): string[] {
  const rows: number[] = [];
  for (let i = 0; i < assign.length; i++) if (assign[i] === id && errors[i]! > 0) rows.push(i);
  rows.sort((a, b) => errors[b]! - errors[a]! || a - b);
  return rows.slice(0, SAMPLE_ERRORS).map((i) => rowIds[i]!.toString());
}

/**
 * Per cluster, its mean error and its lift over the overall mean, each with a percentile
 * bootstrap interval over rows (one resample of all rows per replicate, so the cluster rate and
 * the overall rate move together, as they do between real samples).
 */
async function errorStats(assign: Int32Array, k: number, input: ClusterInput) {
  const { errors, seed } = input;
  const n = errors.length;
  const replicates = input.replicates ?? 1000;
  const level = 0.95;
  const once = (w: ArrayLike<number>) => {
    const sum = new Float64Array(k);
    const weight = new Float64Array(k);
    let all = 0;
    let allW = 0;
    for (let i = 0; i < n; i++) {
      if (!w[i]) continue;
      sum[assign[i]!]! += w[i]! * errors[i]!;
      weight[assign[i]!]! += w[i]!;
      all += w[i]! * errors[i]!;
      allW += w[i]!;
    }
    const rate = Array.from(sum, (s, j) => s / weight[j]!); // NaN where the cluster drew no row
    const overall = all / allW;
    return { rate, lift: rate.map((r) => r / overall) };
  };
  const point = once(new Float64Array(n).fill(1));
  const reps = Array.from({ length: k }, () => ({ rate: [] as number[], lift: [] as number[] }));
  let b = 0;
  for (const w of replicateWeights(n, replicates, seed)) {
    const r = once(w);
    for (let j = 0; j < k; j++) {
      reps[j]!.rate.push(r.rate[j]!);
      reps[j]!.lift.push(r.lift[j]!);
    }
    if (++b % 50 === 0) {
      input.onProgress?.('bootstrap', b, replicates);
      await yieldToEvents();
      checkAborted(input.signal);
    }
  }
  return {
    rate: point.rate.map((v, j) => interval(v, reps[j]!.rate, level)),
    lift: point.lift.map((v, j) => interval(v, reps[j]!.lift, level)),
  };
}
