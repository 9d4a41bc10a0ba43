/**
 * Row ids without a BigInt per row (src/lib/versions/row-ids.ts): the ids and the ranges are
 * the ones the BigInt loops give, written out here, including ids past the int32 fast path
 * (2^31 and beyond, negative, not ascending).
 */
import { describe, expect, it } from 'vitest';
import { denseRowIds, rowIdRange } from '../../src/lib/versions/row-ids.ts';

describe('denseRowIds', () => {
  it('counts from first, small and past 2^31', () => {
    expect([...denseRowIds(0, 4)]).toEqual([0n, 1n, 2n, 3n]);
    expect([...denseRowIds(65_536, 3)]).toEqual([65_536n, 65_537n, 65_538n]);
    expect([...denseRowIds(2 ** 31 - 2, 4)]).toEqual([
      2147483646n,
      2147483647n,
      2147483648n,
      2147483649n,
    ]);
    expect([...denseRowIds(2 ** 40, 2)]).toEqual([1099511627776n, 1099511627777n]);
    expect(denseRowIds(7, 0).length).toBe(0);
  });
});

describe('rowIdRange', () => {
  const range = (ids: bigint[]) => rowIdRange(BigInt64Array.from(ids));
  it('dense ids, and none', () => {
    expect(range([5n, 6n, 7n])).toEqual({ min: 5n, max: 7n, dense: true });
    expect(range([])).toEqual({ min: 0n, max: 0n, dense: true });
    expect(range([42n])).toEqual({ min: 42n, max: 42n, dense: true });
  });
  it('gaps and disorder are not dense; min and max are over all ids', () => {
    expect(range([3n, 5n, 6n])).toEqual({ min: 3n, max: 6n, dense: false });
    expect(range([9n, 2n, 3n])).toEqual({ min: 2n, max: 9n, dense: false });
  });
  it('ids outside [0, 2^31): negative, 2^31 and beyond', () => {
    expect(range([2147483646n, 2147483647n, 2147483648n])).toEqual({
      min: 2147483646n,
      max: 2147483648n,
      dense: true,
    });
    expect(range([-1n, 0n, 1n])).toEqual({ min: -1n, max: 1n, dense: true });
    expect(range([4294967296n, 1n])).toEqual({ min: 1n, max: 4294967296n, dense: false });
    // low halves equal to a dense run, high halves not: not dense
    expect(range([0n, 4294967297n])).toEqual({ min: 0n, max: 4294967297n, dense: false });
  });
  it('reads a view into a larger buffer', () => {
    const all = BigInt64Array.from([100n, 7n, 8n, 9n, 100n]);
    expect(rowIdRange(all.subarray(1, 4))).toEqual({ min: 7n, max: 9n, dense: true });
  });
});
