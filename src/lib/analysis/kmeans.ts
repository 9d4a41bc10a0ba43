/**
 * Seeded k-means (k-means++ seeding, Lloyd iterations, several restarts) and the choice of k
 * by the BIC of a spherical Gaussian mixture at the k-means partition (X-means' criterion,
 * Pelleg & Moore 2000). Random draws come from the pipeline's seeded streams, so a fit depends
 * only on (points, k, seed) and is the same in Node, on the page and in workers. Written here
 * rather than taken from a library: the npm k-means packages seed from Math.random, and
 * cluster ids must not depend on the restart that won (see {@link canonical}).
 */
import { randomInt, rngFor } from '../pipeline/rng.ts';
import { LakeError, checkAborted } from '../store/errors.ts';

/** Points in d dimensions, row-major: point i's coordinate a at `x[i * d + a]`. */
export interface Points {
  x: Float64Array;
  n: number;
  d: number;
}

/** One k-means partition. */
export interface KMeansFit {
  k: number;
  /** Cluster of each point, 0..k-1, numbered by each cluster's first point (see canonical). */
  assign: Int32Array;
  /** Row-major k × d means. */
  centroids: Float64Array;
  sizes: Int32Array;
  /** Sum of squared distances of the points to their centroids. */
  inertia: number;
}

/** How {@link kmeans} runs. */
export interface KMeansOptions {
  seed: number;
  /** Independent k-means++ starts; the lowest inertia wins, the first on a tie (default 4). */
  restarts?: number;
  /** Lloyd iterations per start (default 100). */
  maxIterations?: number;
  signal?: AbortSignal;
}

/** Lets a worker see a cancel message between long stretches of arithmetic. */
export const yieldToEvents = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/** Multiply-adds between two yields. */
const YIELD_WORK = 5e6;

function dist2(p: Points, i: number, c: Float64Array, j: number): number {
  let s = 0;
  const o = i * p.d;
  const q = j * p.d;
  for (let a = 0; a < p.d; a++) {
    const t = p.x[o + a]! - c[q + a]!;
    s += t * t;
  }
  return s;
}

/**
 * k-means++ seeding: each next centre drawn with probability ∝ its squared distance to the
 * nearest centre so far. Null when fewer than k points are distinct.
 */
function seedCentres(p: Points, k: number, seed: number, restart: number): Float64Array | null {
  const rng = rngFor(seed, restart, BigInt(k), 'kmeans++');
  const c = new Float64Array(k * p.d);
  const near = new Float64Array(p.n).fill(Infinity);
  let pick = randomInt(rng, p.n);
  for (let j = 0; j < k; j++) {
    c.set(p.x.subarray(pick * p.d, (pick + 1) * p.d), j * p.d);
    if (j === k - 1) break;
    let total = 0;
    for (let i = 0; i < p.n; i++) {
      near[i] = Math.min(near[i]!, dist2(p, i, c, j));
      total += near[i]!;
    }
    if (!(total > 0)) return null;
    let r = rng.next() * total;
    pick = -1;
    for (let i = 0; i < p.n; i++) {
      if (near[i]! <= 0) continue;
      pick = i;
      r -= near[i]!;
      if (r < 0) break;
    }
  }
  return c;
}

/** Renumbers clusters by their first point, so equal partitions get equal ids. */
function canonical(fit: KMeansFit, d: number): KMeansFit {
  const map = new Int32Array(fit.k).fill(-1);
  let next = 0;
  for (const a of fit.assign) if (map[a] === -1) map[a] = next++;
  const centroids = new Float64Array(fit.centroids.length);
  const sizes = new Int32Array(fit.k);
  for (let j = 0; j < fit.k; j++) {
    centroids.set(fit.centroids.subarray(j * d, (j + 1) * d), map[j]! * d);
    sizes[map[j]!] = fit.sizes[j]!;
  }
  return { ...fit, assign: fit.assign.map((a) => map[a]!), centroids, sizes };
}

async function lloyd(
  p: Points,
  c: Float64Array,
  k: number,
  maxIterations: number,
  signal: AbortSignal | undefined,
): Promise<KMeansFit> {
  const assign = new Int32Array(p.n).fill(-1);
  const sizes = new Int32Array(k);
  const dist = new Float64Array(p.n);
  let work = 0;
  for (let it = 0; it < maxIterations; it++) {
    let changed = false;
    for (let i = 0; i < p.n; i++) {
      let best = 0;
      let bd = Infinity;
      for (let j = 0; j < k; j++) {
        const dd = dist2(p, i, c, j);
        if (dd < bd) [best, bd] = [j, dd]; // ties go to the lower centre
      }
      dist[i] = bd;
      if (assign[i] !== best) [assign[i], changed] = [best, true];
    }
    if (!changed) break;
    c.fill(0);
    sizes.fill(0);
    for (let i = 0; i < p.n; i++) {
      const j = assign[i]!;
      sizes[j]!++;
      for (let a = 0; a < p.d; a++) c[j * p.d + a]! += p.x[i * p.d + a]!;
    }
    for (let j = 0; j < k; j++) {
      if (sizes[j]) for (let a = 0; a < p.d; a++) c[j * p.d + a]! /= sizes[j]!;
      else {
        // An empty cluster restarts at the point farthest from its centre (the first on a tie).
        let far = 0;
        for (let i = 1; i < p.n; i++) if (dist[i]! > dist[far]!) far = i;
        c.set(p.x.subarray(far * p.d, (far + 1) * p.d), j * p.d);
        dist[far] = 0;
      }
    }
    work += p.n * k * p.d;
    if (work > YIELD_WORK) {
      work = 0;
      await yieldToEvents();
      checkAborted(signal);
    }
  }
  sizes.fill(0);
  let inertia = 0;
  for (let i = 0; i < p.n; i++) {
    sizes[assign[i]!]!++;
    inertia += dist2(p, i, c, assign[i]!);
  }
  return { k, assign, centroids: c, sizes, inertia };
}

/**
 * The best of `restarts` seeded k-means fits. Null when the points have fewer than k distinct
 * values (no k non-empty clusters exist).
 * @throws LakeError ABORTED when `signal` fires.
 */
export async function kmeans(p: Points, k: number, opts: KMeansOptions): Promise<KMeansFit | null> {
  if (!Number.isInteger(k) || k < 1 || k > p.n) {
    throw new LakeError('BAD_INPUT', `k-means: k must be an integer in [1, ${p.n}], got ${k}`);
  }
  let best: KMeansFit | null = null;
  for (let r = 0; r < (opts.restarts ?? 4); r++) {
    checkAborted(opts.signal);
    const c = seedCentres(p, k, opts.seed, r);
    if (!c) return null;
    const fit = await lloyd(p, c, k, opts.maxIterations ?? 100, opts.signal);
    if (fit.sizes.some((s) => s === 0)) continue;
    if (!best || fit.inertia < best.inertia) best = fit;
  }
  return best && canonical(best, p.d);
}

/**
 * BIC (lower is better) of a spherical Gaussian mixture with one shared variance, at a hard
 * partition: log L = Σⱼ nⱼ ln(nⱼ/n) − (n·d/2)·ln(2πσ²) − n·d/2 with σ² = inertia / (n·d), and
 * (k − 1) + k·d + 1 free parameters. `floor` keeps σ² above 0 when every point sits on a centre.
 */
export function bic(fit: KMeansFit, n: number, d: number, floor: number): number {
  const s2 = Math.max(fit.inertia / (n * d), floor);
  let logL = -(n * d) / 2 - ((n * d) / 2) * Math.log(2 * Math.PI * s2);
  for (const nj of fit.sizes) logL += nj * Math.log(nj / n);
  const params = fit.k - 1 + fit.k * d + 1;
  return params * Math.log(n) - 2 * logL;
}

/** The k chosen, its fit, and each k's BIC (null: fewer distinct points than k). */
export interface KChoice {
  fit: KMeansFit;
  bics: { k: number; bic: number | null }[];
}

/**
 * Fits k = kMin..kMax and keeps the lowest BIC (the smaller k on a tie).
 * @throws LakeError BAD_INPUT when not even kMin distinct points exist; ABORTED.
 */
export async function chooseK(
  p: Points,
  kMin: number,
  kMax: number,
  opts: KMeansOptions & { onProgress?: (done: number, total: number) => void },
): Promise<KChoice> {
  let total = 0;
  for (let i = 0; i < p.x.length; i++) total += p.x[i]! ** 2;
  // Centred points: total / (n·d) is the variance per axis; σ² below 1e-12 of it is "zero".
  const floor = Math.max((total / (p.n * p.d)) * 1e-12, Number.MIN_VALUE);
  let best: { fit: KMeansFit; bic: number } | null = null;
  const bics: KChoice['bics'] = [];
  for (let k = kMin; k <= kMax; k++) {
    const fit = await kmeans(p, k, opts);
    const b = fit ? bic(fit, p.n, p.d, floor) : null;
    bics.push({ k, bic: b });
    if (fit && b !== null && (!best || b < best.bic)) best = { fit, bic: b };
    opts.onProgress?.(k - kMin + 1, kMax - kMin + 1);
    await yieldToEvents();
  }
  if (!best) {
    throw new LakeError(
      'BAD_INPUT',
      `the embeddings have fewer than ${kMin} distinct values; there is nothing to cluster`,
    );
  }
  return { fit: best.fit, bics };
}
