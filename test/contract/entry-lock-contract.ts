/** The entries, locks and persistence parts of the store contract (see store-contract.ts). */
import { beforeEach, describe, expect, it } from 'vitest';
import type { LakeBackend } from '../../src/lib/store/types.ts';
import { bytesOf, digest, lakeError, listAll, sleep, store } from './contract-helpers.ts';
import type { ContractSubject } from './contract-helpers.ts';

/** Registers the RefStore, Locks and reopen tests; `subject()` gives the current test's lake. */
export function entryLockContract(subject: () => ContractSubject): void {
  // Hooks registered here run after storeContract's, which makes the subject.
  let s: ContractSubject;
  let b: LakeBackend;
  beforeEach(() => {
    s = subject();
    b = s.backend;
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
      for (const e of branches)
        expect(e).toEqual({ key: e.key, value: { key: e.key }, version: 1 });
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
      expect(await b.locks.withLock('lake', async () => 'free', { timeoutMs: 2000 })).toBe('free');
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

    it('held() is true exactly while a holder has the lock', async () => {
      expect(await b.locks.held('lease:x')).toBe(false);
      let release!: () => void;
      const until = new Promise<void>((resolve) => (release = resolve));
      let entered!: () => void;
      const inside = new Promise<void>((resolve) => (entered = resolve));
      const holder = b.locks.withLock('lease:x', async () => {
        entered();
        await until;
      });
      await inside;
      expect(await b.locks.held('lease:x')).toBe(true);
      expect(await b.locks.held('lease:y')).toBe(false);
      release();
      await holder;
      expect(await b.locks.held('lease:x')).toBe(false);
    });

    it('cas inside withLock does not deadlock', async () => {
      const ok = await b.locks.withLock(
        'lake',
        async () =>
          (await b.refs.cas('ref/ds/branch/main', 0, 'c1')) && b.refs.get('ref/ds/branch/main'),
        { timeoutMs: 5000 },
      );
      expect(ok).toMatchObject({ value: 'c1', version: 1 });
    });
  });

  it('keeps chunks and entries across a reopen', async () => {
    if (!s.reopen) throw new Error('every backend under contract must be reopenable');
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
}
