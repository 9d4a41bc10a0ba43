/**
 * The data of a report's embedding scatter: the evaluated rows' embeddings (the predictions'
 * `embedding` column) projected to 2-D with the embeddings view's PCA, and per slice which
 * points are its rows, so the selected slice can be highlighted.
 */
import type { BlindspotReport } from '../lib/analysis/blindspots-types.ts';
import { project } from '../lib/analysis/projection.ts';
import { LakeError } from '../lib/store/errors.ts';
import { scatterSql } from './blindspots-query.ts';
import type { QueryHost } from './query-host.svelte.ts';

/** Projected points, and per slice rank its points (1: in the slice). */
export interface ScatterData {
  x: Float64Array;
  y: Float64Array;
  /** Only slices that are a query filter have an entry (the others cannot be highlighted). */
  inSlice: Map<number, Uint8Array>;
  points: number;
}

/** An `embedding` cell (a JSON list of numbers, or a list) as numbers. */
function vectorOf(cell: unknown, row: unknown): number[] {
  const v: unknown = typeof cell === 'string' ? JSON.parse(cell) : cell;
  if (!Array.isArray(v)) {
    throw new LakeError('BAD_INPUT', `predictions, row ${String(row)}: embedding is not a list`);
  }
  return v.map(Number);
}

/** Reads and projects the scatter of `report`; null when there are too few embeddings. */
export async function loadScatter(
  host: QueryHost,
  report: BlindspotReport,
  signal?: AbortSignal,
): Promise<ScatterData | null> {
  const { sql, ranks } = scatterSql(report);
  const rows = await host.rows(sql, signal);
  if (rows.length < 3) return null;
  const vectors = rows.map((r) => vectorOf(r.embedding, r._rowid));
  const p = await project(vectors, { method: 'pca', ...(signal ? { signal } : {}) }, 'embedding');
  const inSlice = new Map<number, Uint8Array>();
  for (const k of ranks)
    inSlice.set(
      k,
      Uint8Array.from(rows, (r) => (Number(r[`s${k}`]) ? 1 : 0)),
    );
  return { x: p.x, y: p.y, inSlice, points: rows.length };
}
