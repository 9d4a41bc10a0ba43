/**
 * Checks what `clusterErrors` is given before any arithmetic, so bad input fails at once
 * with the row or argument at fault instead of producing clusters of misaligned rows.
 */
import { LakeError } from '../store/errors.ts';
import type { FeatureTable } from './blindspots-types.ts';
import type { ClusterInput } from './clusters.ts';

const bad = (message: string) => new LakeError('BAD_INPUT', `clusters: ${message}`);

/** The embeddings as one view per row. */
function rowsOf(input: ClusterInput): Float32Array[] {
  const e = input.embeddings;
  if (!(e instanceof Float32Array)) return [...e];
  const dims = input.dims;
  if (!dims || !Number.isInteger(dims) || dims < 1) {
    throw bad(`a flat embeddings array needs dims, a positive integer (got ${String(dims)})`);
  }
  if (e.length % dims) {
    throw bad(`${e.length} embedding values are not a whole number of rows of ${dims}`);
  }
  return Array.from({ length: e.length / dims }, (_, i) => e.subarray(i * dims, (i + 1) * dims));
}

/**
 * Checks that the table describes exactly these rows, in this order, with valid codes.
 * @param what names `rowIds` in messages; `part` the analysis that was given them.
 * @throws LakeError BAD_INPUT naming the first bad row or feature.
 */
export function checkTable(
  table: FeatureTable,
  rowIds: BigInt64Array,
  what: string,
  part = 'clusters',
): void {
  const bad = (message: string) => new LakeError('BAD_INPUT', `${part}: ${message}`);
  const n = rowIds.length;
  if (table.rowIds.length !== n) {
    throw bad(`the feature table has ${table.rowIds.length} rows where ${what} has ${n}`);
  }
  for (let i = 0; i < n; i++) {
    if (table.rowIds[i] !== rowIds[i]) {
      throw bad(
        `row ${i}: the feature table has _rowid ${table.rowIds[i]} where ${what} has ${rowIds[i]}; build the table for the same rows in the same order`,
      );
    }
  }
  for (const f of table.features) {
    if (f.codes.length !== n) {
      throw bad(`feature ${f.name} has ${f.codes.length} codes for ${n} rows`);
    }
    for (let i = 0; i < n; i++) {
      const c = f.codes[i]!;
      if (c < 1 || c > f.levels.length) {
        throw bad(`feature ${f.name}, row ${i}: code ${c} is not in 1..${f.levels.length}`);
      }
    }
  }
}

/**
 * The checked input: one vector per row, the row count, and the k range (kMax capped at the
 * rows).
 * @throws LakeError BAD_INPUT naming the first bad row or argument.
 */
export function checkClusterInput(input: ClusterInput): {
  vectors: Float32Array[];
  n: number;
  kMin: number;
  kMax: number;
} {
  const vectors = rowsOf(input);
  const n = vectors.length;
  const kMin = input.kMin ?? 2;
  if (!Number.isInteger(kMin) || kMin < 1)
    throw bad(`kMin must be a positive integer, got ${kMin}`);
  const kMax = Math.min(input.kMax ?? 12, n);
  if (!Number.isInteger(input.kMax ?? 12) || (input.kMax ?? 12) < kMin) {
    throw bad(`kMax must be an integer ≥ kMin (${kMin}), got ${String(input.kMax)}`);
  }
  if (n < kMin)
    throw bad(`${n} rows; clustering into at least ${kMin} clusters needs ${kMin} rows or more`);
  if (input.errors.length !== n) throw bad(`${input.errors.length} errors for ${n} embeddings`);
  if (input.rowIds.length !== n) throw bad(`${input.rowIds.length} row ids for ${n} embeddings`);
  const dims = vectors[0]!.length;
  if (dims < 1) throw bad('row 0: an empty embedding');
  vectors.forEach((v, row) => {
    if (v.length !== dims) {
      throw bad(
        `row ${row} (_rowid ${input.rowIds[row]}): ${v.length} values where row 0 has ${dims}`,
      );
    }
    for (let a = 0; a < dims; a++) {
      if (!Number.isFinite(v[a])) {
        throw bad(`row ${row} (_rowid ${input.rowIds[row]}): embedding value ${a} is ${v[a]}`);
      }
    }
  });
  input.errors.forEach((e, row) => {
    if (!(e >= 0) || !Number.isFinite(e)) {
      throw bad(
        `row ${row} (_rowid ${input.rowIds[row]}): error ${e}; errors must be finite and ≥ 0`,
      );
    }
  });
  const sample = input.chooseKRows;
  if (sample !== undefined && !(Number.isInteger(sample) && sample >= kMax)) {
    throw bad(`chooseKRows must be an integer ≥ kMax (${kMax}), got ${sample}`);
  }
  if (!Number.isSafeInteger(input.seed))
    throw bad(`the seed must be a safe integer, got ${input.seed}`);
  checkTable(input.table, input.rowIds, 'rowIds');
  return { vectors, n, kMin, kMax };
}
