/**
 * Which result columns hold embeddings, and their vectors (the embeddings view's input; pure, so
 * unit-tested without a page).
 */
import type { Table } from 'apache-arrow';
import { LakeError } from '../lib/store/errors.ts';

/** What {@link readVectors} reads: a query result's columns and Arrow table. */
export interface ResultTable {
  columns: { name: string; type: string }[];
  table: Table;
  rows: number;
}

/** The most rows projected; the rest of a longer result are left out (and said so). */
export const EMBEDDING_MAX_POINTS = 5000;

/**
 * A column of floats per row: `FLOAT[]` (the `predictions` record set's embedding), `DOUBLE[]`
 * or a fixed-size `FLOAT[128]`; or a text column named like `embedding` holding JSON arrays
 * (predictions written before float list columns, docs/format.md).
 */
export function isEmbeddingColumn(c: { name: string; type: string }): boolean {
  const type = c.type.trim();
  return (
    /^(FLOAT|DOUBLE|REAL)\[\d*\]$/i.test(type) ||
    (/^(VARCHAR|JSON)$/i.test(type) && /embedding/i.test(c.name))
  );
}

/** A cell as numbers: an Arrow list, or JSON text of an array. */
function vectorOf(cell: unknown, name: string, row: number): ArrayLike<number> | null {
  if (cell === null || cell === undefined) return null;
  if (typeof cell !== 'string') return (cell as { toArray(): ArrayLike<number> }).toArray();
  let v: unknown;
  try {
    v = JSON.parse(cell);
  } catch {
    v = null;
  }
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'number')) {
    throw new LakeError('BAD_INPUT', `${name}, row ${row}: not a JSON array of numbers`);
  }
  return v as number[];
}

/** The vectors of column `col` in the first rows of `result`; rows without one are skipped. */
export function readVectors(
  result: ResultTable,
  col: number,
  limit = EMBEDDING_MAX_POINTS,
): { rows: number[]; vectors: Float64Array[] } {
  const child = result.table.getChildAt(col);
  const name = result.columns[col]?.name ?? 'embedding';
  const rows: number[] = [];
  const vectors: Float64Array[] = [];
  for (let r = 0; r < Math.min(result.rows, limit); r++) {
    const v = vectorOf(child?.get(r), name, r);
    if (!v) continue;
    rows.push(r);
    vectors.push(Float64Array.from(v));
  }
  return { rows, vectors };
}
