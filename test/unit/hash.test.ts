/**
 * sha256 on every path it takes (Node's crypto in Node; in a browser, hash-wasm for small buffers, WebCrypto for
 * large ones) against the FIPS 180-2 test vectors, and the paths against each other.
 */
import { describe, expect, it } from 'vitest';
import { sha256, sha256Now, sha256Parts, sha256Stream } from '../../src/lib/store/hash.ts';

const text = (s: string) => new TextEncoder().encode(s);

describe('sha256', () => {
  it('gives the FIPS 180-2 digests', async () => {
    expect(await sha256(text(''))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(await sha256(text('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(await sha256(text('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('gives one million "a" the FIPS digest (the large-buffer path)', async () => {
    const a = new Uint8Array(1_000_000).fill(0x61);
    expect(await sha256(a)).toBe(
      'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0',
    );
  });

  it('agrees with the incremental hasher on sizes either side of the large-buffer threshold', async () => {
    for (const n of [1, 1400, 64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1]) {
      const bytes = new Uint8Array(n).map((_, i) => (i * 31 + 7) & 255);
      const h = await sha256Stream();
      h.update(bytes);
      expect(await sha256(bytes)).toBe(h.digest('hex'));
    }
  });

  it('gives the digest of the whole and of each piece in one call (sha256Parts)', async () => {
    // One million "a" in pieces of 400,000: the whole is the FIPS digest; each piece's digest
    // is that of so many "a" alone, worked out here with the incremental hasher.
    const a = new Uint8Array(1_000_000).fill(0x61);
    const alone = async (n: number) => {
      const h = await sha256Stream();
      h.update(new Uint8Array(n).fill(0x61));
      return h.digest('hex');
    };
    const got = await sha256Parts(a, 400_000);
    expect(got.sha256).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
    expect(got.parts).toEqual([await alone(400_000), await alone(400_000), await alone(200_000)]);
    // One piece: it is the whole; none: the empty digest and no pieces.
    expect(await sha256Parts(text('abc'), 16)).toEqual({
      sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      parts: ['ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    });
    expect(await sha256Parts(text(''), 16)).toEqual({
      sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      parts: [],
    });
  });

  it("gives a small buffer's digest at once once loaded (sha256Now), in Node and the browser", async () => {
    await sha256(text('load'));
    expect(sha256Now(text('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(sha256Now(text(''))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    // Twice in a row on the same hasher: each digest is of its own bytes alone.
    const a = new Uint8Array(1400).fill(7);
    expect(sha256Now(a)).toBe(await sha256(a));
    expect(sha256Now(a)).toBe(await sha256(a));
  });
});
