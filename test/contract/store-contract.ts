/**
 * The one contract every storage backend passes (memory, Node filesystem, browser). Runners
 * call {@link storeContract} with a factory per backend. Expected hashes are computed with
 * WebCrypto, never with the code under test.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LakeError } from '../../src/lib/store/errors.ts';
import type { ChunkInfo, LakeBackend } from '../../src/lib/store/types.ts';

/** One fresh, empty lake of the backend under test, plus the hooks the contract needs. */
export interface ContractSubject {
  backend: LakeBackend;
  /** Overwrites the stored bytes of chunk `hash` with something else, keeping its name. */
  corrupt(hash: string): Promise<void>;
  /** Closes what is open and removes the lake's storage. */
  cleanup(): Promise<void>;
  /** A new backend over the same storage (persistent backends: as after a restart). */
  reopen?(): Promise<LakeBackend>;
  /** Leaves a temporary file as an interrupted write would (backends that have them). */
  leaveTemporary?(): Promise<void>;
}

/** Lowercase hex sha256, computed independently of the store's own hashing. */
export async function digest(bytes: Uint8Array): Promise<string> {
  const buf = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** `n` pseudo-random bytes from `seed` (getRandomValues caps at 64 KiB a call). */
export function bytesOf(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Stores `bytes` and returns its hash. */
async function store(b: LakeBackend, bytes: Uint8Array): Promise<string> {
  const hash = await digest(bytes);
  await b.chunks.put(hash, bytes);
  return hash;
}

async function listAll(b: LakeBackend): Promise<ChunkInfo[]> {
  const out: ChunkInfo[] = [];
  for await (const info of b.chunks.list()) out.push(info);
  return out.sort((x, y) => (x.hash < y.hash ? -1 : 1));
}

/** The LakeError `promise` rejects with (fails the test if it resolves or throws another). */
async function lakeError(promise: Promise<unknown>): Promise<LakeError> {
  const e: unknown = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, 'expected a LakeError').toBeInstanceOf(LakeError);
  return e as LakeError;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Registers the contract tests for backend `name`. */
export function storeContract(name: string, make: () => Promise<ContractSubject>): void {
  describe(`store contract: ${name}`, () => {
    let s: ContractSubject;
    let b: LakeBackend;
    beforeEach(async () => {
      s = await make();
      b = s.backend;
    });
    afterEach(async () => {
      await s.cleanup();
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

      it('put is idempotent', async () => {
        const bytes = bytesOf(5000, 2);
        const hash = await store(b, bytes);
        await b.chunks.put(hash, bytes);
        await Promise.all([b.chunks.put(hash, bytes), b.chunks.put(hash, bytes)]);
        expect(await digest(await b.chunks.get(hash))).toBe(hash);
        expect((await listAll(b)).map((c) => c.hash)).toEqual([hash]);
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
        } while (!done);
        expect((await listAll(b)).length).toBe(12);
        await writes;
      });

      it('leftover temporary files are never listed, and sweepTemporary removes them', async (ctx) => {
        if (!s.leaveTemporary) ctx.skip();
        const hash = await store(b, bytesOf(10, 30));
        await s.leaveTemporary!();
        expect((await listAll(b)).map((c) => c.hash)).toEqual([hash]);
        expect(await b.chunks.sweepTemporary()).toBeGreaterThanOrEqual(1);
        expect(await b.chunks.sweepTemporary()).toBe(0);
        expect(await digest(await b.chunks.get(hash))).toBe(hash);
      });

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

    describe('entries', () => {
      it('create, update, stale update, delete, re-create', async () => {
        const r = b.refs;
        const key = 'ref/titanic/branch/main';
        expect(await r.get(key)).toBeUndefined();
        expect(await r.cas(key, 0, { commit: 'a' })).toBe(true);
        expect(await r.get(key)).toEqual({ key, value: { commit: 'a' }, version: 1 });
        expect(await r.cas(key, 0, { commit: 'x' })).toBe(false);
        expect(await r.cas(key, 1, { commit: 'b' })).toBe(true);
        expect(await r.get(key)).toEqual({ key, value: { commit: 'b' }, version: 2 });
        expect(await r.cas(key, 1, { commit: 'stale' })).toBe(false);
        expect(await r.cas(key, 3, { commit: 'future' })).toBe(false);
        expect(await r.cas(key, 2, null)).toBe(true);
        expect(await r.get(key)).toBeUndefined();
        expect(await r.cas(key, 2, null)).toBe(false);
        expect(await r.cas(key, 0, { commit: 'c' })).toBe(true);
        expect((await r.get(key))?.version).toBe(1);
      });

      it('delete with a stale version changes nothing', async () => {
        expect(await b.refs.cas('k', 0, 1)).toBe(true);
        expect(await b.refs.cas('k', 1, 2)).toBe(true);
        expect(await b.refs.cas('k', 1, null)).toBe(false);
        expect(await b.refs.get('k')).toEqual({ key: 'k', value: 2, version: 2 });
      });

      it('the version goes up by one on every write', async () => {
        for (let v = 0; v < 5; v++) expect(await b.refs.cas('counter', v, v)).toBe(true);
        expect(await b.refs.get('counter')).toEqual({ key: 'counter', value: 4, version: 5 });
      });

      it('list(prefix) is sorted by key and holds only that prefix', async () => {
        const keys = [
          'ref/ds/branch/main',
          'ref/ds/branch/Main',
          'ref/ds/branch/dev',
          'ref/ds/branch/feat/x y%z',
          'ref/ds/branch/ünï',
          'ref/ds/tag/v1',
          'ref/dsx/branch/main',
          'dataset/ds',
          'lake',
        ];
        for (const key of keys) expect(await b.refs.cas(key, 0, { key })).toBe(true);
        const branches = await b.refs.list<{ key: string }>('ref/ds/branch/');
        expect(branches.map((e) => e.key)).toEqual([
          'ref/ds/branch/Main',
          'ref/ds/branch/dev',
          'ref/ds/branch/feat/x y%z',
          'ref/ds/branch/main',
          'ref/ds/branch/ünï',
        ]);
        for (const e of branches) expect(e).toEqual({ key: e.key, value: { key: e.key }, version: 1 });
        expect((await b.refs.list('ref/ds/')).length).toBe(6);
        expect((await b.refs.list('ref/')).length).toBe(7);
        expect((await b.refs.list('')).map((e) => e.key)).toEqual([...keys].sort());
        expect(await b.refs.list('nothing/')).toEqual([]);
      });

      it('keeps long keys and JSON values intact, and hands out copies', async () => {
        const key = `ingest/${'long-dataset-name-'.repeat(20)}`;
        const value = { files: [{ id: 'a.csv', size: 3 }], nested: { n: null, ok: true } };
        expect(await b.refs.cas(key, 0, value)).toBe(true);
        const got = await b.refs.get<typeof value>(key);
        expect(got?.value).toEqual(value);
        got!.value.files.push({ id: 'mutated', size: 0 });
        expect((await b.refs.get(key))?.value).toEqual(value);
        expect((await b.refs.list('ingest/')).map((e) => e.key)).toEqual([key]);
      });

      it('of N concurrent cas from one version, exactly one wins', async () => {
        expect(await b.refs.cas('ref/ds/branch/main', 0, 'base')).toBe(true);
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) => b.refs.cas('ref/ds/branch/main', 1, `w${i}`)),
        );
        expect(results.filter(Boolean).length).toBe(1);
        const winner = results.indexOf(true);
        expect(await b.refs.get('ref/ds/branch/main')).toEqual({
          key: 'ref/ds/branch/main',
          value: `w${winner}`,
          version: 2,
        });
      });

      it('concurrent read-modify-cas increments lose no update', async () => {
        const increment = async () => {
          for (;;) {
            const cur = await b.refs.get<number>('n');
            if (await b.refs.cas('n', cur?.version ?? 0, (cur?.value ?? 0) + 1)) return;
          }
        };
        await Promise.all(Array.from({ length: 20 }, increment));
        expect((await b.refs.get('n'))?.value).toBe(20);
      });
    });

    describe('locks', () => {
      it('overlapping withLock calls never interleave', async () => {
        let inside = 0;
        let maxInside = 0;
        const order: number[] = [];
        await Promise.all(
          Array.from({ length: 5 }, (_, i) =>
            b.locks.withLock('lake', async () => {
              inside++;
              maxInside = Math.max(maxInside, inside);
              order.push(i);
              await sleep(15);
              inside--;
            }),
          ),
        );
        expect(maxInside).toBe(1);
        expect(order.sort()).toEqual([0, 1, 2, 3, 4]);
      });

      it('returns what fn returns, passes its error on and releases the lock', async () => {
        expect(await b.locks.withLock('lake', async () => 42)).toBe(42);
        await expect(
          b.locks.withLock('lake', async () => {
            throw new Error('boom');
          }),
        ).rejects.toThrow('boom');
        expect(await b.locks.withLock('lake', async () => 'free', { timeoutMs: 2000 })).toBe(
          'free',
        );
      });

      it('times out with LOCKED while another holder has it; other names are free', async () => {
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        let entered!: () => void;
        const isHeld = new Promise<void>((resolve) => (entered = resolve));
        const holder = b.locks.withLock('lake', async () => {
          entered();
          await held;
        });
        await isHeld;
        let ran = false;
        const e = await lakeError(
          b.locks.withLock('lake', async () => (ran = true), { timeoutMs: 150 }),
        );
        expect(e.code).toBe('LOCKED');
        expect(ran).toBe(false);
        expect(await b.locks.withLock('other', async () => 'ok', { timeoutMs: 2000 })).toBe('ok');
        release();
        await holder;
        // The waiter that gave up must not be left in line.
        expect(await b.locks.withLock('lake', async () => 'ok', { timeoutMs: 2000 })).toBe('ok');
      });

      it('cas inside withLock does not deadlock', async () => {
        const ok = await b.locks.withLock(
          'lake',
          async () => (await b.refs.cas('ref/ds/branch/main', 0, 'c1')) && b.refs.get('ref/ds/branch/main'),
          { timeoutMs: 5000 },
        );
        expect(ok).toMatchObject({ value: 'c1', version: 1 });
      });
    });

    it('keeps chunks and entries across a reopen', async (ctx) => {
      if (!s.reopen) ctx.skip();
      const bytes = bytesOf(10_000, 40);
      const hash = await store(b, bytes);
      await b.refs.cas('ref/ds/branch/main', 0, { commit: hash });
      await b.refs.cas('ref/ds/branch/main', 1, { commit: hash, protected: true });
      await b.close?.();
      const again = await s.reopen!();
      expect(await digest(await again.chunks.get(hash))).toBe(hash);
      expect(await again.refs.get('ref/ds/branch/main')).toEqual({
        key: 'ref/ds/branch/main',
        value: { commit: hash, protected: true },
        version: 2,
      });
      expect((await listAll(again)).map((c) => c.hash)).toEqual([hash]);
    });
  });
}
