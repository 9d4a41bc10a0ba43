/**
 * The state of the embeddings view: the vectors of one list-of-floats column of a query
 * result, their 2-D projection (PCA, or seeded UMAP, on the page with progress and cancel), a
 * lasso selection, and one item's nearest neighbours in the embedding space.
 */
import { polygonContains } from 'd3-polygon';
import {
  nearestNeighbours,
  project,
  type Projection,
  type ProjectionMethod,
} from '../lib/analysis/projection.ts';
import { describeError, type ErrorInfo } from './format.ts';
import type { RunResult } from './query-run.svelte.ts';

/** The most rows projected; the rest of a longer result are left out (and said so). */
export const EMBEDDING_MAX_POINTS = 5000;

/** A column of floats per row: `FLOAT[]`, `DOUBLE[]` or a fixed-size `FLOAT[128]`. */
export function isEmbeddingType(type: string): boolean {
  return /^(FLOAT|DOUBLE|REAL)\[\d*\]$/i.test(type.trim());
}

/** The vectors of column `col` in the first rows of `result`; rows without one are skipped. */
export function readVectors(
  result: RunResult,
  col: number,
  limit = EMBEDDING_MAX_POINTS,
): { rows: number[]; vectors: Float64Array[] } {
  const child = result.table.getChildAt(col);
  const rows: number[] = [];
  const vectors: Float64Array[] = [];
  for (let r = 0; r < Math.min(result.rows, limit); r++) {
    const v = child?.get(r) as { toArray(): ArrayLike<number> } | null | undefined;
    if (!v) continue;
    rows.push(r);
    vectors.push(Float64Array.from(v.toArray()));
  }
  return { rows, vectors };
}

/** See the module comment. */
export class EmbeddingState {
  status = $state<'idle' | 'running' | 'done' | 'failed'>('idle');
  progress = $state<[number, number] | null>(null);
  error = $state.raw<ErrorInfo | null>(null);
  projection = $state.raw<Projection | null>(null);
  /** Result rows of the points (a point i is result row `rows[i]`). */
  rows = $state.raw<number[]>([]);
  /** Points inside the lasso. */
  selected = $state.raw<number[]>([]);
  /** The point whose neighbours are shown, and its neighbours (points, nearest first). */
  focus = $state<number | null>(null);
  neighbours = $state.raw<number[]>([]);
  #vectors: Float64Array[] = [];
  #controller: AbortController | null = null;

  /** Projects column `col` of `result`; a running projection is cancelled first. */
  async run(result: RunResult, col: number, method: ProjectionMethod, seed: number) {
    this.cancel();
    const controller = new AbortController();
    this.#controller = controller;
    this.status = 'running';
    this.error = null;
    this.progress = null;
    this.selected = [];
    this.focus = null;
    this.neighbours = [];
    try {
      const { rows, vectors } = readVectors(result, col);
      const name = result.columns[col]?.name ?? 'embedding';
      const p = await project(
        vectors,
        {
          method,
          seed,
          signal: controller.signal,
          onProgress: (done, total) => (this.progress = [done, total]),
        },
        name,
      );
      if (controller.signal.aborted) return;
      this.#vectors = vectors;
      this.rows = rows;
      this.projection = p;
      this.status = 'done';
    } catch (e) {
      if (controller.signal.aborted) return;
      this.error = describeError(e);
      this.status = 'failed';
    } finally {
      if (this.#controller === controller) this.#controller = null;
    }
  }

  /** Stops a running projection (the last one drawn stays). */
  cancel(): void {
    this.#controller?.abort();
    this.#controller = null;
    if (this.status === 'running') this.status = this.projection ? 'done' : 'idle';
  }

  /** Selects the points whose screen positions `at(i)` lie inside `polygon`. */
  lasso(polygon: [number, number][], at: (i: number) => [number, number]): void {
    const n = this.rows.length;
    this.selected =
      polygon.length < 3
        ? []
        : Array.from({ length: n }, (_, i) => i).filter((i) => polygonContains(polygon, at(i)));
  }

  /** Shows the `k` nearest neighbours of point `i` (in the embedding, not on screen). */
  showNeighbours(i: number, k = 8): void {
    this.focus = i;
    this.neighbours = nearestNeighbours(this.#vectors, i, k);
  }
}
