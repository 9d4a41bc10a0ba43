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
import { readVectors } from './embedding-columns.ts';
import type { RunResult } from './query-run.svelte.ts';

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
