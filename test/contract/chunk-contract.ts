/** The chunk-store part of the store contract (see store-contract.ts). */
import { beforeEach, describe, expect, it } from 'vitest';
import type { LakeBackend } from '../../src/lib/store/types.ts';
import { bytesOf, digest, lakeError, listAll, sleep, store } from './contract-helpers.ts';
import type { ContractSubject } from './contract-helpers.ts';

/** Registers the ChunkStore tests; `subject()` gives the current test's fresh lake. */
export function chunkContract(
  subject: () => ContractSubject,
  opts: { temporaryFiles: boolean },
): void {
  // Hooks registered here run after storeContract's, which makes the subject.
  let s: ContractSubject;
  let b: LakeBackend;
  beforeEach(() => {
    s = subject();
    b = s.backend;
  });

  describe('chunks', () => {
    it('round-trips small, empty and ~3 MB chunks', async () => {
      for (const bytes of [new TextEncoder().encode('hello'), new Uint8Array(0), bytesOf(3e6)]) {
        const hash = await store(b, bytes);
        const back = await b.chunks.get(hash);
        expect(back.length).toBe(bytes.length);
        expect(await digest(back)).toBe(hash);
      }
    });

    it('keeps its own copy of the bytes it was given', async () => {
      const bytes = bytesOf(1000, 7);
      const hash = await store(b, bytes);
      bytes.fill(0);
      expect(await digest(await b.chunks.get(hash))).toBe(hash);
    });

    it('put is idempotent, also when the same chunk is written concurrently', async () => {
      const bytes = bytesOf(300_000, 2);
      const hash = await digest(bytes);
      // Concurrent first writes (two tabs ingesting one file) race to the same final name.
      await Promise.all([1, 2, 3].map(() => b.chunks.put(hash, bytes)));
      await b.chunks.put(hash, bytes);
      expect(await digest(await b.chunks.get(hash))).toBe(hash);
      expect((await listAll(b)).map((c) => c.hash)).toEqual([hash]);
      expect(await b.chunks.sweepTemporary()).toBe(0);
    });

    it('has', async () => {
      const bytes = bytesOf(10, 3);
      const hash = await digest(bytes);
      expect(await b.chunks.has(hash)).toBe(false);
      await b.chunks.put(hash, bytes);
      expect(await b.chunks.has(hash)).toBe(true);
    });

    it('getRange reads a slice', async () => {
      const bytes = bytesOf(100_000, 4);
      const hash = await store(b, bytes);
      expect(await b.chunks.getRange(hash, 1234, 5000)).toEqual(bytes.slice(1234, 6234));
      expect(await b.chunks.getRange(hash, 99_990, 10)).toEqual(bytes.slice(99_990));
      expect((await b.chunks.getRange(hash, 500, 0)).length).toBe(0);
    });

    it('getRange past the end is CORRUPT_CHUNK, of a missing chunk MISSING_CHUNK', async () => {
      const hash = await store(b, bytesOf(100, 5));
      const e = await lakeError(b.chunks.getRange(hash, 90, 20));
      expect(e.code).toBe('CORRUPT_CHUNK');
      expect(e.message).toContain(hash);
      const absent = await digest(bytesOf(100, 6));
      expect((await lakeError(b.chunks.getRange(absent, 0, 1))).code).toBe('MISSING_CHUNK');
    });

    it('delete removes a chunk; deleting an absent one is a no-op', async () => {
      const hash = await store(b, bytesOf(64, 8));
      await b.chunks.delete(hash);
      expect(await b.chunks.has(hash)).toBe(false);
      expect((await lakeError(b.chunks.get(hash))).code).toBe('MISSING_CHUNK');
      await b.chunks.delete(hash);
      await b.chunks.delete(await digest(bytesOf(64, 9)));
      expect(await listAll(b)).toEqual([]);
    });

    it('list gives every chunk with its size and mtime', async () => {
      const before = Date.now();
      const sizes = [0, 1, 4096, 70_000];
      const hashes = await Promise.all(sizes.map((n, i) => store(b, bytesOf(n, 10 + i))));
      const after = Date.now();
      const listed = await listAll(b);
      const expected = hashes.map((hash, i) => ({ hash, size: sizes[i] }));
      expect(listed.map(({ hash, size }) => ({ hash, size }))).toEqual(
        expected.sort((x, y) => (x.hash < y.hash ? -1 : 1)),
      );
      for (const { mtime } of listed) {
        // Filesystem timestamps may be coarser than Date.now(): allow 2 s either side.
        expect(mtime).toBeGreaterThanOrEqual(before - 2000);
        expect(mtime).toBeLessThanOrEqual(after + 2000);
      }
    });

    it('list never shows a chunk that is not whole, even during writes', async () => {
      const blobs = Array.from({ length: 12 }, (_, i) => bytesOf(200_000 + i, 20 + i));
      const writes = Promise.all(blobs.map((bytes) => store(b, bytes)));
      let done = false;
      void writes.finally(() => (done = true));
      do {
        for (const info of await listAll(b)) {
          const bytes = await b.chunks.get(info.hash);
          expect(bytes.length).toBe(info.size);
        }
        // Yield to the event loop: a backend answering from memory would otherwise spin
        // on microtasks and starve the writes (their hashing completes as a task).
        await sleep(1);
      } while (!done);
      expect((await listAll(b)).length).toBe(12);
      await writes;
    });

    // A memory backend has no temporary files; the test is registered only where they exist.
    if (opts.temporaryFiles) {
      it('leftover temporary files are never listed, and sweepTemporary removes them', async () => {
        const hash = await store(b, bytesOf(10, 30));
        if (!s.leaveTemporary)
          throw new Error('the subject must be able to leave a temporary file');
        await s.leaveTemporary();
        expect((await listAll(b)).map((c) => c.hash)).toEqual([hash]);
        expect(await b.chunks.sweepTemporary()).toBeGreaterThanOrEqual(1);
        expect(await b.chunks.sweepTemporary()).toBe(0);
        expect(await digest(await b.chunks.get(hash))).toBe(hash);
      });
    }

    it('get of a missing chunk is MISSING_CHUNK naming it', async () => {
      const hash = await digest(bytesOf(10, 31));
      const e = await lakeError(b.chunks.get(hash));
      expect(e.code).toBe('MISSING_CHUNK');
      expect(e.message).toContain(hash);
    });

    it('get of a corrupted chunk is CORRUPT_CHUNK naming it, never the wrong bytes', async () => {
      const bytes = bytesOf(50_000, 32);
      const hash = await store(b, bytes);
      await s.corrupt(hash);
      const e = await lakeError(b.chunks.get(hash));
      expect(e.code).toBe('CORRUPT_CHUNK');
      expect(e.message).toContain(hash);
      expect(e.message).toMatch(/hash(es)? to [0-9a-f]{64}/);
    });

    it('rejects a name that is not a sha256 with BAD_INPUT', async () => {
      for (const bad of ['../../escape', 'ABC', 'e3b0c442']) {
        expect((await lakeError(b.chunks.put(bad, new Uint8Array(1)))).code).toBe('BAD_INPUT');
        expect((await lakeError(b.chunks.get(bad))).code).toBe('BAD_INPUT');
      }
    });
  });
}
