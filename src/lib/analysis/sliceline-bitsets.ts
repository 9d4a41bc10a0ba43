/**
 * SliceLine's data side: the one-hot matrix as bitsets, one per (feature, code) column, and the
 * evaluation of candidate slices as ANDs of those bitsets. Pure typed-array code, no Node
 * imports, so it runs in a worker as well as in the CLI.
 */
import { checkAborted } from '../store/errors.ts';
import type { SliceLineInput } from './blindspots-types.ts';

/** The one-hot columns of a coded table, and the level-1 statistics that come with building them. */
export interface OneHot {
  rows: number;
  /** 32-bit words per bitset: ceil(rows / 32). */
  words: number;
  /** One-hot columns: the sum of the features' levels (SystemDS's n2, codes never seen included). */
  cols: number;
  /** Per column, its feature (0-based) and code (1-based). Columns run by feature, then code. */
  colFeature: Int32Array;
  colCode: Int32Array;
  /** Column `c`'s rows are bits `c * words … (c + 1) * words` (row `i`: word `i >>> 5`, bit `i & 31`). */
  bits: Uint32Array;
  /** Rows whose error is positive: only their bits can add to an error sum. */
  errorBits: Uint32Array;
  /** True when every error is 0 or 1: an error sum is then a popcount. */
  binary: boolean;
  errors: Float64Array;
  /** Sum of all errors. */
  errorTotal: number;
  /** Level-1 statistics per column: rows, error sum, largest error. */
  colSize: Float64Array;
  colError: Float64Array;
  colMax: Float64Array;
}

/** Set bits of a 32-bit word (SWAR: no popcount instruction is reachable from JavaScript). */
export function popcount(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** Builds the bitsets of an input that `checkInput` accepted. */
export function buildOneHot(input: SliceLineInput): OneHot {
  const { codes, levels, errors } = input;
  const rows = errors.length;
  const words = (rows + 31) >>> 5;
  let cols = 0;
  for (const l of levels) cols += l;
  const colFeature = new Int32Array(cols);
  const colCode = new Int32Array(cols);
  const offset = new Int32Array(levels.length);
  for (let j = 0, c = 0; j < levels.length; j++) {
    offset[j] = c;
    for (let code = 1; code <= levels[j]!; code++, c++) {
      colFeature[c] = j;
      colCode[c] = code;
    }
  }
  const bits = new Uint32Array(cols * words);
  const errorBits = new Uint32Array(words);
  const colSize = new Float64Array(cols);
  const colError = new Float64Array(cols);
  const colMax = new Float64Array(cols);
  let binary = true;
  let errorTotal = 0;
  for (let i = 0; i < rows; i++) {
    const e = errors[i]!;
    errorTotal += e;
    if (e > 0) errorBits[i >>> 5]! |= 1 << (i & 31);
    if (e !== 0 && e !== 1) binary = false;
  }
  for (let j = 0; j < codes.length; j++) {
    const col = codes[j]!;
    const base = offset[j]! - 1;
    for (let i = 0; i < rows; i++) {
      const c = base + col[i]!;
      bits[c * words + (i >>> 5)]! |= 1 << (i & 31);
      const e = errors[i]!;
      colSize[c]!++;
      colError[c]! += e;
      if (e > colMax[c]!) colMax[c] = e;
    }
  }
  return {
    rows,
    words,
    cols,
    colFeature,
    colCode,
    bits,
    errorBits,
    binary,
    errors,
    errorTotal,
    colSize,
    colError,
    colMax,
  };
}

/** Candidate slices of one level: `ids` holds `width` column ids per slice, sorted. */
export interface Candidates {
  width: number;
  count: number;
  ids: Int32Array;
  /**
   * Per candidate, the index of its parent made of its first `width − 1` columns. Candidates of
   * one parent are consecutive, so that parent's rows are computed once for all of them.
   */
  firstParent: Int32Array;
}

/** Per-candidate statistics: rows, error sum, largest error. */
export interface SliceStats {
  size: Float64Array;
  err: Float64Array;
  max: Float64Array;
}

/**
 * Rows, error sum and largest error of every candidate. The rows shared by a run of candidates
 * (their first parent: the AND of its columns) are computed once, keeping only its non-zero
 * words; each candidate then ANDs that with its last column.
 * @throws LakeError ABORTED when `signal` fires (checked between runs of candidates).
 */
export function evaluateCandidates(
  oh: OneHot,
  cands: Candidates,
  signal?: AbortSignal,
): SliceStats {
  const { words, bits, errorBits, binary, errors } = oh;
  const { width, count, ids, firstParent } = cands;
  const size = new Float64Array(count);
  const err = new Float64Array(count);
  const max = new Float64Array(count);
  const nzIndex = new Int32Array(words);
  const nzWord = new Int32Array(words);
  const nzErr = new Int32Array(words);
  let start = 0;
  while (start < count) {
    checkAborted(signal);
    let end = start + 1;
    while (end < count && firstParent[end] === firstParent[start]) end++;
    // The first parent's rows, as its non-zero words (and their error bits).
    const at = start * width;
    const c0 = ids[at]! * words;
    let nz = 0;
    for (let w = 0; w < words; w++) {
      let v = bits[c0 + w]!;
      for (let p = 1; p < width - 1 && v !== 0; p++) v &= bits[ids[at + p]! * words + w]!;
      if (v !== 0) {
        nzIndex[nz] = w;
        nzWord[nz] = v;
        nzErr[nz] = v & errorBits[w]!;
        nz++;
      }
    }
    for (let c = start; c < end; c++) {
      const last = ids[c * width + width - 1]! * words;
      let s = 0;
      let e = 0;
      let m = 0;
      if (binary) {
        for (let k = 0; k < nz; k++) {
          const b = bits[last + nzIndex[k]!]!;
          s += popcount(nzWord[k]! & b);
          e += popcount(nzErr[k]! & b);
        }
        m = e > 0 ? 1 : 0;
      } else {
        for (let k = 0; k < nz; k++) {
          const b = bits[last + nzIndex[k]!]!;
          s += popcount(nzWord[k]! & b);
          let v = nzErr[k]! & b;
          const rowBase = nzIndex[k]! << 5;
          while (v !== 0) {
            const t = v & -v;
            const x = errors[rowBase + 31 - Math.clz32(t)]!;
            e += x;
            if (x > m) m = x;
            v ^= t;
          }
        }
      }
      size[c] = s;
      err[c] = e;
      max[c] = m;
    }
    start = end;
  }
  return { size, err, max };
}
