/**
 * The PNG fast path's inflate (src/lib/pipeline/inflate.ts): Node's native zlib under Node,
 * fflate in the browser, the same bytes from both. Runs in both projects: the Node project
 * checks native zlib against fflate and the bytes the test deflated; the browser project, where
 * only fflate exists, checks fflate against those bytes.
 */
import { zlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { INFLATER, inflateInto, type Inflater } from '../../src/lib/pipeline/inflate.ts';

/** Deterministic bytes with runs (so deflate finds matches) and noise. */
const sample = (n: number): Uint8Array =>
  Uint8Array.from({ length: n }, (_, i) => (i % 97 < 40 ? i % 7 : (i * 2654435761) >>> 24));

const inNode = typeof window === 'undefined' && typeof process !== 'undefined';
const BOTH: Inflater[] = ['node:zlib', 'fflate'];

describe('inflateInto', () => {
  it('is native zlib under Node and fflate in the browser', () => {
    expect(INFLATER).toBe(inNode ? 'node:zlib' : 'fflate');
  });

  it('gives the deflated bytes, no more than asked, with either implementation', () => {
    for (const use of BOTH) {
      for (const [n, level] of [
        [1, 6],
        [4160, 6],
        [4160, 0],
        [70_000, 9],
      ] as const) {
        const data = sample(n);
        const z = zlibSync(data, { level });
        const where = `${use}, ${n} bytes, level ${level}`;
        expect(Array.from(inflateInto(z, n, use)), where).toEqual(Array.from(data));
        // Fewer bytes than asked: all of them, for the caller to refuse; more: refused here.
        expect(inflateInto(z, n + 10, use).length, where).toBe(n);
        expect(() => inflateInto(z, n - 1, use), where).toThrow();
        expect(inflateInto(z, n, use)).toBeInstanceOf(Uint8Array);
      }
      expect(inflateInto(zlibSync(new Uint8Array(0)), 8, use).length, use).toBe(0);
    }
  });

  it('throws on a stream cut short; only native zlib checks the Adler-32', () => {
    const data = sample(300);
    const z = zlibSync(data);
    for (const use of BOTH) {
      expect(() => inflateInto(z.subarray(0, z.length - 9), 300, use), use).toThrow();
    }
    const bad = z.slice();
    bad[bad.length - 1]! ^= 1;
    expect(Array.from(inflateInto(bad, 300, 'fflate'))).toEqual(Array.from(data));
    if (INFLATER === 'node:zlib') expect(() => inflateInto(bad, 300, 'node:zlib')).toThrow();
    else expect(Array.from(inflateInto(bad, 300, 'node:zlib'))).toEqual(Array.from(data));
  });
});
