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

/** Scratch space shared by the runs of one level. */
interface Scratch {
  nzIndex: Int32Array;
  nzWord: Int32Array;
  nzErr: Int32Array;
}

/**
 * Rows, error sum and largest error of every candidate. The rows shared by a run of candidates
 * (their first parent: the AND of its columns) are computed once, keeping only its non-zero
 * words; each candidate then ANDs those words with its last column's bitset and counts bits,
 * four candidates per pass over the words. A generator that pauses after each run of candidates,
 * so that an async caller can let other work in (and see a cancel).
 * @throws LakeError ABORTED when `signal` fires (checked between runs of candidates).
 */
export function* evaluateCandidates(
  oh: OneHot,
  cands: Candidates,
  signal?: AbortSignal,
): Generator<void, SliceStats> {
  const { words, bits, errorBits } = oh;
  const { width, count, ids, firstParent } = cands;
  const out: SliceStats = {
    size: new Float64Array(count),
    err: new Float64Array(count),
    max: new Float64Array(count),
  };
  const scratch: Scratch = {
    nzIndex: new Int32Array(words),
    nzWord: new Int32Array(words),
    nzErr: new Int32Array(words),
  };
  const { nzIndex, nzWord, nzErr } = scratch;
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
    byWords(oh, cands, start, end, nz, scratch, out);
    start = end;
    yield;
  }
  return out;
}

/** Each candidate of [start, end): the parent's words AND its last column, bits counted. */
function byWords(
  oh: OneHot,
  cands: Candidates,
  start: number,
  end: number,
  nz: number,
  { nzIndex, nzWord, nzErr }: Scratch,
  out: SliceStats,
): void {
  const { words, bits, binary, errors } = oh;
  const { width, ids } = cands;
  let c = start;
  if (binary) {
    // Four candidates per pass over the parent's words: each word is loaded once for all four.
    for (; c + 4 <= end; c += 4) {
      const l0 = ids[c * width + width - 1]! * words;
      const l1 = ids[(c + 1) * width + width - 1]! * words;
      const l2 = ids[(c + 2) * width + width - 1]! * words;
      const l3 = ids[(c + 3) * width + width - 1]! * words;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0,
        e0 = 0,
        e1 = 0,
        e2 = 0,
        e3 = 0;
      for (let k = 0; k < nz; k++) {
        const w = nzWord[k]!;
        const i = nzIndex[k]!;
        const er = nzErr[k]!;
        const x0 = w & bits[l0 + i]!;
        const x1 = w & bits[l1 + i]!;
        const x2 = w & bits[l2 + i]!;
        const x3 = w & bits[l3 + i]!;
        if (x0 !== 0) {
          s0 += popcount(x0);
          if ((x0 & er) !== 0) e0 += popcount(x0 & er);
        }
        if (x1 !== 0) {
          s1 += popcount(x1);
          if ((x1 & er) !== 0) e1 += popcount(x1 & er);
        }
        if (x2 !== 0) {
          s2 += popcount(x2);
          if ((x2 & er) !== 0) e2 += popcount(x2 & er);
        }
        if (x3 !== 0) {
          s3 += popcount(x3);
          if ((x3 & er) !== 0) e3 += popcount(x3 & er);
        }
      }
      out.size[c] = s0;
      out.size[c + 1] = s1;
      out.size[c + 2] = s2;
      out.size[c + 3] = s3;
      out.err[c] = e0;
      out.err[c + 1] = e1;
      out.err[c + 2] = e2;
      out.err[c + 3] = e3;
      for (let j = 0; j < 4; j++) out.max[c + j] = out.err[c + j]! > 0 ? 1 : 0;
    }
  }
  for (; c < end; c++) {
    const last = ids[c * width + width - 1]! * words;
    let s = 0;
    let e = 0;
    let m = 0;
    if (binary) {
      for (let k = 0; k < nz; k++) {
        // Most words of a slice of a slice are empty: skip them before counting.
        const x = nzWord[k]! & bits[last + nzIndex[k]!]!;
        if (x === 0) continue;
        s += popcount(x);
        const y = x & nzErr[k]!;
        if (y !== 0) e += popcount(y);
      }
      m = e > 0 ? 1 : 0;
    } else {
      for (let k = 0; k < nz; k++) {
        const x = nzWord[k]! & bits[last + nzIndex[k]!]!;
        if (x === 0) continue;
        s += popcount(x);
        let v = x & nzErr[k]!;
        const rowBase = nzIndex[k]! << 5;
        while (v !== 0) {
          const t = v & -v;
          const r = errors[rowBase + 31 - Math.clz32(t)]!;
          e += r;
          if (r > m) m = r;
          v ^= t;
        }
      }
    }
    out.size[c] = s;
    out.err[c] = e;
    out.max[c] = m;
  }
}
