/**
 * 2-D projections of embeddings for the embeddings view: PCA (pca.ts; exact, the default) or
 * UMAP (umap-js, seeded with the pipeline's random streams so a projection can be redone
 * exactly), and the nearest neighbours of an item in the embedding space itself.
 */
import { UMAP } from 'umap-js';
import { rngFor } from '../pipeline/rng.ts';
import { LakeError } from '../store/errors.ts';
import { pcaScores } from './pca.ts';

export type ProjectionMethod = 'pca' | 'umap';

/** The most points UMAP is asked to place (it is quadratic in places, and runs on the page). */
export const UMAP_MAX_POINTS = 5000;

export interface ProjectOptions {
  method: ProjectionMethod;
  /** UMAP's seed (default 0). */
  seed?: number;
  /** UMAP's neighbourhood size (default 15, at most points − 1). */
  nNeighbors?: number;
  signal?: AbortSignal;
  /** UMAP's progress: epochs done of the total. */
  onProgress?: (done: number, total: number) => void;
}

/** Points in 2-D, one per input vector. */
export interface Projection {
  x: Float64Array;
  y: Float64Array;
  /** PCA: the share of the variance each axis explains. */
  explained?: [number, number];
}

/**
 * Checks that `vectors` are all of one length, finite, and enough to project.
 * @param label names the vectors in errors (the column).
 * @throws LakeError BAD_INPUT naming the first bad row.
 */
export function checkVectors(vectors: readonly ArrayLike<number>[], label: string): number {
  if (vectors.length < 3) {
    throw new LakeError('BAD_INPUT', `${label}: ${vectors.length} vectors; a projection needs 3`);
  }
  const dim = vectors[0]!.length;
  if (dim < 2) throw new LakeError('BAD_INPUT', `${label}: vectors of ${dim} value(s); need 2`);
  vectors.forEach((v, row) => {
    if (v.length !== dim) {
      throw new LakeError(
        'BAD_INPUT',
        `${label}, row ${row}: ${v.length} values where the first row has ${dim}`,
      );
    }
    for (let i = 0; i < dim; i++) {
      if (!Number.isFinite(v[i])) {
        throw new LakeError('BAD_INPUT', `${label}, row ${row}: value ${i} is ${v[i]}`);
      }
    }
  });
  return dim;
}

const toRows = (vectors: readonly ArrayLike<number>[]) => vectors.map((v) => Array.from(v));

/**
 * Projects `vectors` onto two axes.
 * PCA axes have a fixed sign (each axis's largest loading is positive), so equal inputs give
 * equal pictures; UMAP with equal seeds gives equal points.
 * @throws LakeError BAD_INPUT (see {@link checkVectors}; UMAP beyond {@link UMAP_MAX_POINTS}),
 *   ABORTED when `signal` aborts.
 */
export async function project(
  vectors: readonly ArrayLike<number>[],
  opts: ProjectOptions,
  label = 'embedding',
): Promise<Projection> {
  checkVectors(vectors, label);
  return opts.method === 'pca' ? pca(vectors) : umap(vectors, opts, label);
}

function pca(vectors: readonly ArrayLike<number>[]): Projection {
  const { scores, dims, explained } = pcaScores(vectors, 2);
  const n = vectors.length;
  // Two or more values per row and three or more rows always give two axes.
  const axis = (c: number) => Float64Array.from({ length: n }, (_, i) => scores[i * dims + c]!);
  return { x: axis(0), y: axis(1), explained: [explained[0] ?? 0, explained[1] ?? 0] };
}

async function umap(
  vectors: readonly ArrayLike<number>[],
  opts: ProjectOptions,
  label: string,
): Promise<Projection> {
  if (vectors.length > UMAP_MAX_POINTS) {
    throw new LakeError(
      'BAD_INPUT',
      `${label}: ${vectors.length} points; UMAP here places at most ${UMAP_MAX_POINTS} (use PCA, or filter first)`,
    );
  }
  const rng = rngFor(opts.seed ?? 0, 0, 0n, 'umap');
  const model = new UMAP({
    nComponents: 2,
    nNeighbors: Math.min(opts.nNeighbors ?? 15, vectors.length - 1),
    random: () => rng.next(),
  });
  const rows = toRows(vectors);
  const total = model.initializeFit(rows);
  await model.fitAsync(rows, (epoch) => {
    opts.onProgress?.(epoch, total);
    return !opts.signal?.aborted;
  });
  if (opts.signal?.aborted) throw new LakeError('ABORTED', 'the projection was cancelled');
  const points = model.getEmbedding();
  return {
    x: Float64Array.from(points, (p) => p[0]!),
    y: Float64Array.from(points, (p) => p[1]!),
  };
}

/**
 * The `k` rows nearest to row `of` by cosine distance in the embedding space (not in the
 * projection), nearest first; ties go to the lower row. Zero vectors are at distance 1 from all.
 */
export function nearestNeighbours(
  vectors: readonly ArrayLike<number>[],
  of: number,
  k: number,
): number[] {
  const q = vectors[of];
  if (!q) throw new LakeError('BAD_INPUT', `no row ${of} among ${vectors.length}`);
  const norm = (v: ArrayLike<number>) => {
    let s = 0;
    for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
    return Math.sqrt(s);
  };
  const qn = norm(q);
  const dist: { row: number; d: number }[] = [];
  vectors.forEach((v, row) => {
    if (row === of) return;
    let dot = 0;
    for (let i = 0; i < v.length; i++) dot += v[i]! * q[i]!;
    const vn = norm(v);
    // Rounded, so that vectors of one direction tie (rounding differs in the last bits).
    const d = qn && vn ? 1 - dot / (qn * vn) : 1;
    dist.push({ row, d: Math.round(d * 1e12) / 1e12 });
  });
  dist.sort((a, b) => a.d - b.d || a.row - b.row);
  return dist.slice(0, k).map((e) => e.row);
}
