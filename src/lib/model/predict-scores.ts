/**
 * Turning a model's scores into probabilities and losses, and label values into the model's
 * class indices: the arithmetic of predict.ts, in float64.
 */
import { LakeError } from '../store/errors.ts';

/** Softmax of each row of `v` ([rows, k]) in float64, stored as float32. */
export function softmaxRows(v: Float32Array, k: number): Float32Array {
  const out = new Float32Array(v.length);
  for (let r = 0; r < v.length / k; r++) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, v[r * k + c]!);
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(v[r * k + c]! - max);
    for (let c = 0; c < k; c++) out[r * k + c] = Math.exp(v[r * k + c]! - max) / sum;
  }
  return out;
}

/** True when every row is a probability vector (non-negative, summing to 1 within 1e-3). */
export function looksLikeProbabilities(v: Float32Array, k: number): boolean {
  for (let r = 0; r < v.length / k; r++) {
    let sum = 0;
    for (let c = 0; c < k; c++) {
      const p = v[r * k + c]!;
      if (!(p >= 0 && p <= 1)) return false;
      sum += p;
    }
    if (Math.abs(sum - 1) > 1e-3) return false;
  }
  return true;
}

/** Maps the loader's class indices (into `have`) to indices into `classes`. */
export function classMap(
  have: readonly string[],
  classes: readonly string[],
  where: string,
): Int32Array {
  const at = new Map(classes.map((c, i) => [c, i]));
  return Int32Array.from(have, (v) => {
    const i = at.get(v);
    if (i === undefined) {
      throw new LakeError(
        'BAD_INPUT',
        `${where}: label value "${v}" is not one of the model's classes (${classes.join(', ')})`,
      );
    }
    return i;
  });
}

/** ln Σ exp of row r, shifted by its maximum so that it cannot overflow. */
export function logSumExp(v: Float32Array, r: number, k: number): number {
  let max = -Infinity;
  for (let c = 0; c < k; c++) max = Math.max(max, v[r * k + c]!);
  let sum = 0;
  for (let c = 0; c < k; c++) sum += Math.exp(v[r * k + c]! - max);
  return max + Math.log(sum);
}
