/**
 * A table read from one file: pandas-like column dtypes plus a stream of rows. Rows map column
 * names (or JSONPath expressions, or file properties) to values.
 */
import type { Dtype } from '../records/pandas.ts';

export interface Table {
  dtypes: Map<string, Dtype>;
  /** Rows in batches: one async step per batch, not per row, keeps the pipeline cheap. */
  rows: AsyncIterable<Record<string, unknown>[]>;
  /** Columns with one value for the whole file (file properties), kept out of each row. */
  constants?: Record<string, unknown>;
}

/** Rows per batch for tables read whole. */
export const BATCH = 2048;

/** A table over rows already in memory. */
export function memoryTable(dtypes: Map<string, Dtype>, rows: Record<string, unknown>[]): Table {
  return {
    dtypes,
    rows: (async function* () {
      for (let i = 0; i < rows.length; i += BATCH) yield rows.slice(i, i + BATCH);
    })(),
  };
}
