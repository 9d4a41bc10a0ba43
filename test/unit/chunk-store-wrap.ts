/**
 * A chunk store that forwards every call to `inner`, but for the methods in `overrides`: tests
 * that hold, count or fail writes. Each method is forwarded explicitly (a store's methods may
 * live on its prototype, which a spread would not copy).
 */
import type { ChunkStore } from '../../src/lib/store/types.ts';

export function wrapChunks(inner: ChunkStore, overrides: Partial<ChunkStore>): ChunkStore {
  return {
    has: (h) => inner.has(h),
    put: (h, b) => inner.put(h, b),
    get: (h) => inner.get(h),
    getRange: (h, o, n) => inner.getRange(h, o, n),
    delete: (h) => inner.delete(h),
    list: () => inner.list(),
    sweepTemporary: () => inner.sweepTemporary(),
    ...overrides,
  };
}
