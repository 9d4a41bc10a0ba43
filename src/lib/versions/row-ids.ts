/**
 * Row ids (`_rowid`, int64) without a BigInt per row: ingest makes and writeFragment scans
 * 65,536 of them per fragment, and a BigInt is a heap object, so the plain loops cost more
 * than the rest of a fragment's id handling together (and garbage for the collector). Ids
 * in [0, 2^31) are read and written as the low int32 half of each int64 (the high half 0);
 * anything else goes through BigInt as before, so the values are the same either way.
 */

/** Whether a BigInt64Array element is stored low int32 half first (Arrow's own layout). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const INT32_MAX = 0x7fffffff;

/** The ids first, first + 1, …, first + n - 1. */
export function denseRowIds(first: number, n: number): BigInt64Array {
  const ids = new BigInt64Array(n);
  if (LITTLE_ENDIAN && first >= 0 && first + n - 1 <= INT32_MAX) {
    const halves = new Int32Array(ids.buffer, ids.byteOffset, n * 2);
    for (let i = 0; i < n; i++) halves[2 * i] = first + i; // the high halves stay 0
  } else {
    for (let i = 0; i < n; i++) ids[i] = BigInt(first + i);
  }
  return ids;
}

/** The smallest and largest id, and whether each id is the one before it plus 1. */
export interface RowIdRange {
  min: bigint;
  max: bigint;
  /** True also for no ids. */
  dense: boolean;
}

/** min, max and density of `ids` (0n, 0n and dense for none). */
export function rowIdRange(ids: BigInt64Array): RowIdRange {
  return (LITTLE_ENDIAN && smallRange(ids)) || bigRange(ids);
}

/** The range when every id is in [0, 2^31), from the low halves; null otherwise. */
function smallRange(ids: BigInt64Array): RowIdRange | null {
  const n = ids.length;
  const halves = new Int32Array(ids.buffer, ids.byteOffset, n * 2);
  let min = 0;
  let max = 0;
  let dense = true;
  for (let i = 0; i < n; i++) {
    const v = halves[2 * i]!;
    if (halves[2 * i + 1] !== 0 || v < 0) return null;
    if (i === 0 || v < min) min = v;
    if (i === 0 || v > max) max = v;
    if (i > 0 && v !== halves[2 * i - 2]! + 1) dense = false;
  }
  return { min: BigInt(min), max: BigInt(max), dense };
}

function bigRange(ids: BigInt64Array): RowIdRange {
  let min = 0n;
  let max = 0n;
  let dense = true;
  let prev = 0n;
  for (let i = 0; i < ids.length; i++) {
    const v = ids[i]!;
    if (i === 0 || v < min) min = v;
    if (i === 0 || v > max) max = v;
    if (i > 0 && v !== prev + 1n) dense = false;
    prev = v;
  }
  return { min, max, dense };
}
