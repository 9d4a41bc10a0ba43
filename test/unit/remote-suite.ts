/**
 * The remote suite, a function of the server it runs against (test/s3/targets.ts): plain s3rver
 * (refs by claims) and the conditional proxy (refs by compare-and-swap) run the same tests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LakeError } from '../../src/lib/store/errors.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { sha256 } from '../../src/lib/store/hash.ts';
import { fetchDataset } from '../../src/lib/sync/fetch.ts';
import { chunkKey, readFormat } from '../../src/lib/sync/layout.ts';
import { clone, pull } from '../../src/lib/sync/pull.ts';
import { push } from '../../src/lib/sync/push.ts';
import { readRemoteRefLog } from '../../src/lib/sync/remote-refs.ts';
import { openRemote } from '../../src/lib/sync/session.ts';
import { branchStatus } from '../../src/lib/sync/status.ts';
import { appendRows } from '../../src/lib/versions/append.ts';
import { putJson } from '../../src/lib/versions/chunks.ts';
import { readRefLog } from '../../src/lib/versions/reflog.ts';
import { contentHash } from '../../src/lib/versions/content-hash.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { verifyLake } from '../../src/lib/versions/verify.ts';
import { remoteAt, type StartTarget, type Target } from '../s3/target.ts';
import { row, rowsAt, setup } from './lake-extend-fixture.ts';

let prefixes = 0;

/** A fresh prefix of the bucket: every test gets a remote of its own. */
export function freshPrefix(name: string): string {
  return `t${++prefixes}-${name}-${Date.now()}`;
}

export async function refused(p: Promise<unknown>, code: string): Promise<LakeError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, `expected ${code}`).toBeInstanceOf(LakeError);
  expect((e as LakeError).code, (e as Error).message).toBe(code);
  return e as LakeError;
}

/** Every chunk object under `prefix` hashes to its key: nothing half-written, nothing damaged. */
export async function remoteIsWhole(t: Target, prefix: string): Promise<number> {
  const remote = remoteAt(t, prefix);
  let n = 0;
  for await (const o of remote.list('chunks/')) {
    const hash = o.key.split('/').pop()!;
    const got = await remote.get(o.key);
    expect(await sha256(got!.bytes), o.key).toBe(hash);
    n++;
  }
  return n;
}

const empty = async () => Lake.open(memoryBackend(), { actor: 'b@test' });
const more = (lake: Lake, branch: string, name: string) =>
  appendRows(lake, 'd', { branch, recordSet: 'people', rows: [row(name, 1n, 1, true, 1)] });

/** Node reports a connection that failed as unreachable; a page cannot tell it from CORS. */
const NO_RESPONSE = typeof window === 'undefined' ? 'REMOTE_UNAVAILABLE' : 'REMOTE_CORS';

export function remoteSuite(startTarget: StartTarget, conditional: boolean) {
  describe(conditional ? 'a server with conditional writes' : 's3rver as it is', () => {
    let t: Target;
    beforeAll(async () => {
      t = await startTarget(conditional);
    });
    afterAll(async () => {
      await t.stop();
    });
    const session = async (prefix: string, create = true) =>
      openRemote('origin', remoteAt(t, prefix), { create });

    it('pushes, then clones into an empty lake with identical commits, content and data', async () => {
      const prefix = freshPrefix('clone');
      const { lake } = await setup();
      await lake.createBranch('d', 'work', 'main');
      await more(lake, 'work', 'Eve');
      await lake.tag('d', 'v1', 'work');
      const a = await session(prefix);
      const pushed = await push(lake, a, 'd');
      expect(pushed.refs.map((r) => `${r.kind}/${r.name}:${r.status}`).sort()).toEqual([
        'branch/main:created',
        'branch/work:created',
        'tag/v1:created',
      ]);
      expect((await readFormat(remoteAt(t, prefix)))!.refs).toBe(conditional ? 'cas' : 'claims');

      const b = await empty();
      await clone(b, await session(prefix, false), 'd');
      for (const name of ['main', 'work']) {
        const ra = await lake.resolve('d', name);
        expect(await b.resolve('d', name)).toBe(ra);
        expect(await contentHash(b, ra)).toBe(await contentHash(lake, ra));
        expect(await rowsAt(b, name)).toEqual(await rowsAt(lake, name));
      }
      expect(await b.resolve('d', 'v1')).toBe(await lake.resolve('d', 'v1'));
      expect((await b.dataset('d')).name).toBe('d');
      expect((await verifyLake(b, { dataset: 'd' })).problems).toEqual([]);
      expect(await remoteIsWhole(t, prefix)).toBe(pushed.uploaded);
    });

    it('moves only what changed: a one-row commit uploads its own few chunks', async () => {
      const prefix = freshPrefix('delta');
      const { lake } = await setup();
      const s = await session(prefix);
      const first = await push(lake, s, 'd');
      await more(lake, 'main', 'Zed');
      const second = await push(lake, s, 'd');
      expect(second.refs.find((r) => r.name === 'main')!.status).toBe('fast-forward');
      // The new commit and its appended fragment; nothing of the first push again.
      expect(second.uploaded).toBe(2);
      expect(second.present).toBe(0);
      expect(first.uploaded).toBeGreaterThan(0);
      const again = await push(lake, s, 'd');
      expect(again.uploaded).toBe(0);
      expect(again.refs.every((r) => r.status === 'up-to-date')).toBe(true);
    });

    it('pulls: fetch, then fast-forward or a three-way merge; ahead/behind counts', async () => {
      const prefix = freshPrefix('pull');
      const { lake: a } = await setup();
      await push(a, await session(prefix), 'd');
      const b = await empty();
      await clone(b, await session(prefix, false), 'd');
      await more(b, 'main', 'FromB');
      await push(b, await session(prefix, false), 'd');

      await more(a, 'main', 'FromA');
      const sa = await session(prefix, false);
      await fetchDataset(a, sa, 'd');
      const [st] = await branchStatus(a, 'd', 'origin');
      expect(st).toMatchObject({ branch: 'main', state: 'diverged', ahead: 1, behind: 1 });

      const pulled = await pull(a, sa, 'd');
      expect(pulled.branches).toMatchObject([{ branch: 'main', status: 'merged', conflicts: 0 }]);
      const names = (await rowsAt(a, 'main')).map((r) => r['people/name']);
      expect(names).toEqual(expect.arrayContaining(['FromA', 'FromB']));
      const head = await a.readCommit(await a.resolve('d', 'main'));
      expect(head.lineage.op).toBe('merge');
      expect(head.parents).toHaveLength(2);
      expect((await branchStatus(a, 'd', 'origin'))[0]).toMatchObject({
        state: 'ahead',
        ahead: 2,
        behind: 0,
      });

      await push(a, sa, 'd');
      const pb = await pull(b, await session(prefix, false), 'd');
      expect(pb.branches[0]).toMatchObject({ status: 'fast-forward' });
      expect(await b.resolve('d', 'main')).toBe(await a.resolve('d', 'main'));
      expect((await branchStatus(b, 'd', 'origin'))[0]).toMatchObject({ state: 'same' });
      const log = await b.refLog('d');
      expect(log.at(-1)).toMatchObject({ action: 'move', message: 'pull origin: fast-forward' });

      // A branch never pushed counts its commits the remote does not have: one, not 0.
      await b.createBranch('d', 'wip', 'main');
      await more(b, 'wip', 'Wip');
      const wip = (await branchStatus(b, 'd', 'origin')).find((s) => s.branch === 'wip');
      expect(wip).toMatchObject({ state: 'local-only', ahead: 1, behind: 0 });
    });

    it("a remote emptied behind the lake's back gets every chunk again, not bare refs", async () => {
      const prefix = freshPrefix('emptied');
      const { lake } = await setup();
      const first = await push(lake, await session(prefix), 'd');
      // Someone empties the bucket's prefix; the lake still tracks the heads it pushed there.
      const remote = remoteAt(t, prefix);
      const keys: string[] = [];
      for await (const o of remote.list('')) keys.push(o.key);
      for (const k of keys) await remote.delete(k);
      const again = await push(lake, await session(prefix), 'd');
      expect(again.uploaded).toBe(first.uploaded);
      const b = await empty();
      await clone(b, await session(prefix, false), 'd');
      expect(await rowsAt(b, 'main')).toEqual(await rowsAt(lake, 'main'));
    });

    it('refuses a push that is not a fast-forward, and loses nothing', async () => {
      const prefix = freshPrefix('nonff');
      const { lake: a } = await setup();
      await push(a, await session(prefix), 'd');
      const b = await empty();
      await clone(b, await session(prefix, false), 'd');
      await more(b, 'main', 'B');
      await push(b, await session(prefix, false), 'd');
      const remoteHead = await b.resolve('d', 'main');
      await more(a, 'main', 'A');
      const mine = await a.resolve('d', 'main');
      const e = await refused(push(a, await session(prefix, false), 'd'), 'NON_FAST_FORWARD');
      expect(e.message).toMatch(/not a fast-forward/);
      expect(e.message).toMatch(/fetch and pull/);
      const s = await session(prefix, false);
      expect((await s.refs.read('d', 'branch', 'main'))!.commit).toBe(remoteHead);
      expect(await a.resolve('d', 'main')).toBe(mine);
    });

    it('two pushers racing on one branch: exactly one wins, the other is told why', async () => {
      const prefix = freshPrefix('race');
      const { lake: a } = await setup();
      await push(a, await session(prefix), 'd');
      const b = await empty();
      await clone(b, await session(prefix, false), 'd');
      for (let round = 0; round < 3; round++) {
        await pull(a, await session(prefix, false), 'd');
        await pull(b, await session(prefix, false), 'd');
        await more(a, 'main', `A${round}`);
        await more(b, 'main', `B${round}`);
        const heads = [await a.resolve('d', 'main'), await b.resolve('d', 'main')];
        const results = await Promise.allSettled([
          push(a, await session(prefix, false), 'd'),
          push(b, await session(prefix, false), 'd'),
        ]);
        const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
        expect(
          won,
          JSON.stringify(results.map((r) => r.status === 'rejected' && String(r.reason))),
        ).toHaveLength(1);
        const lost = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!;
        expect((lost.reason as LakeError).code).toBe('NON_FAST_FORWARD');
        const now = await (await session(prefix, false)).refs.read('d', 'branch', 'main');
        expect(now!.commit).toBe(heads[won[0]!]);
        expect(now!.forks).toBeUndefined();
        // The loser merges and pushes: nothing of either is lost.
        const loser = won[0] === 0 ? b : a;
        await pull(loser, await session(prefix, false), 'd');
        await push(loser, await session(prefix, false), 'd');
      }
      await pull(a, await session(prefix, false), 'd');
      const names = (await rowsAt(a, 'main')).map((r) => r['people/name']);
      for (const n of ['A0', 'B0', 'A1', 'B1', 'A2', 'B2']) expect(names).toContain(n);
      const log = await readRemoteRefLog(remoteAt(t, prefix), 'd');
      expect(log.filter((e) => e.name === 'main').length).toBe(1 + 3 * 2);
    });

    it('keeps a protected branch protected on the remote', async () => {
      const prefix = freshPrefix('protected');
      const { lake } = await setup();
      await lake.protect('d', 'main', true);
      await push(lake, await session(prefix), 'd');
      const s = await session(prefix, false);
      expect((await s.refs.read('d', 'branch', 'main'))!.protected).toBe(true);
      await lake.protect('d', 'main', false);
      await more(lake, 'main', 'X');
      const e = await refused(push(lake, s, 'd'), 'PROTECTED_BRANCH');
      expect(e.message).toMatch(/moves only by new imports; commit [0-9a-f]{12} is a append/);
      // Unprotected here, the remote still says protected: push never unprotects it.
      expect((await s.refs.read('d', 'branch', 'main'))!.protected).toBe(true);
      const b = await empty();
      await clone(b, await session(prefix, false), 'd');
      expect((await b.branches('d')).find((r) => r.name === 'main')!.protected).toBe(true);
    });

    it('a pull that creates a branch keeps its protection and logs it, as clone does', async () => {
      const prefix = freshPrefix('pull-create');
      const { lake } = await setup();
      await push(lake, await session(prefix), 'd');
      const b = await empty();
      await clone(b, await session(prefix, false), 'd');
      await lake.createBranch('d', 'ro', 'main');
      await lake.protect('d', 'ro', true);
      await lake.createBranch('d', 'rw', 'main');
      await push(lake, await session(prefix, false), 'd');

      const pulled = await pull(b, await session(prefix, false), 'd', { branches: ['ro', 'rw'] });
      expect(pulled.branches.map((p) => [p.branch, p.status])).toEqual([
        ['ro', 'created'],
        ['rw', 'created'],
      ]);
      const refs = await b.branches('d');
      expect(refs.find((r) => r.name === 'ro')!.protected).toBe(true);
      expect(refs.find((r) => r.name === 'rw')!.protected).toBe(false);
      const head = await lake.resolve('d', 'main');
      const log = (await readRefLog(b.backend.refs, 'd')).filter((e) =>
        e.message?.startsWith('pull'),
      );
      expect(log.map((e) => [e.name, e.action, e.old, e.new, e.who])).toEqual([
        ['ro', 'create', null, head, 'b@test'],
        ['rw', 'create', null, head, 'b@test'],
      ]);
    });

    it('names a chunk damaged on the bucket, and stores nothing of it', async () => {
      const prefix = freshPrefix('corrupt');
      const { lake } = await setup();
      await more(lake, 'main', 'Dan');
      await push(lake, await session(prefix), 'd');
      const head = await lake.readCommit(await lake.resolve('d', 'main'));
      const frag = head.recordSets['people']!.fragments.at(-1)!.chunk;
      const remote = remoteAt(t, prefix);
      const bytes = (await remote.get(chunkKey(frag)))!.bytes.slice();
      bytes[bytes.length - 9] = bytes[bytes.length - 9]! ^ 0xff;
      await remote.put(chunkKey(frag), bytes);
      const b = await empty();
      const e = await refused(clone(b, await session(prefix, false), 'd'), 'CORRUPT_CHUNK');
      expect(e.message).toContain(frag);
      expect(e.message).toMatch(
        /fragment 1 of record set people \(dataset d, commit [0-9a-f]{12}\)/,
      );
      expect(e.message).toMatch(/it was not stored/);
      expect(await b.chunks.has(frag)).toBe(false);
      expect(await b.datasets()).toEqual([]);
    });

    it('retries HTTP 500 and 503 with backoff, and the push completes', async () => {
      const prefix = freshPrefix('retry');
      const { lake } = await setup();
      const s = await openRemote('origin', remoteAt(t, prefix, { viaProxy: true }), {
        create: true,
      });
      await t.proxy.setFaults([
        { kind: 'status', status: 500, count: 2, op: 'PutObject' },
        { kind: 'status', status: 503, count: 2, op: 'HeadObject' },
      ]);
      const r = await push(lake, s, 'd');
      await t.proxy.setFaults([]);
      expect(r.refs.find((x) => x.name === 'main')!.status).toBe('created');
      expect(await remoteIsWhole(t, prefix)).toBe(r.uploaded);
    });

    it('a push whose connection drops stops cleanly, then resumes where it stopped', async () => {
      const prefix = freshPrefix('drop');
      const { lake } = await setup();
      for (let i = 0; i < 4; i++) await more(lake, 'main', `R${i}`);
      const remote = remoteAt(t, prefix, { viaProxy: true });
      const s = await openRemote('origin', remote, { create: true });
      // Three chunk uploads go through, then every connection drops (beyond the retries).
      await t.proxy.setFaults([{ kind: 'drop', count: 1000, op: 'PutObject', after: 3 }]);
      await refused(push(lake, s, 'd'), NO_RESPONSE);
      // The faults stay until the remote is counted: a request the push wrote to its socket just
      // before it stopped reaches the proxy a little later, and must still be dropped.
      expect(await s.refs.read('d', 'branch', 'main')).toBeNull();
      const partial = await remoteIsWhole(t, prefix);
      expect(partial).toBe(3);
      await t.proxy.setFaults([]);
      const r = await push(lake, s, 'd');
      expect(r.present).toBe(3);
      expect(await remoteIsWhole(t, prefix)).toBe(partial + r.uploaded);
      expect((await s.refs.read('d', 'branch', 'main'))!.commit).toBe(
        await lake.resolve('d', 'main'),
      );
    });

    it('a push whose last upload fails after its claim went out moves no ref and leaves no claim', async () => {
      const { lake } = await setup();
      for (let i = 0; i < 4; i++) await more(lake, 'main', `R${i}`);
      // How many chunks a first push sends: the last of them is refused.
      const chunks = (await push(lake, await session(freshPrefix('count')), 'd')).uploaded;
      const prefix = freshPrefix('last');
      const remote = remoteAt(t, prefix, { viaProxy: true });
      const s = await openRemote('origin', remote, { create: true });
      const fault = { op: 'PutObject', path: '/chunks/', after: chunks - 1 };
      await t.proxy.setFaults([{ kind: 'status', status: 403, count: 1, ...fault }]);
      await refused(push(lake, s, 'd'), 'REMOTE_DENIED');
      await t.proxy.setFaults([]);
      expect(await s.refs.read('d', 'branch', 'main')).toBeNull();
      const left: string[] = [];
      for await (const o of remote.list('refs/')) left.push(o.key);
      expect(left).toEqual([]);
      expect(await readRemoteRefLog(remote, 'd')).toEqual([]);
      // Nor anything that names the commit's chunks (a Delta version, the Croissant document)
      // or the dataset (its catalog entry): all of those follow the move.
      const named: string[] = [];
      for await (const o of remote.list('')) if (!o.key.startsWith('chunks/')) named.push(o.key);
      expect(named).toEqual(['croissant-lake-remote.json']); // docs/format.md, "Remotes"
      expect(await remoteIsWhole(t, prefix)).toBe(chunks - 1);
      await push(lake, s, 'd');
      expect((await s.refs.read('d', 'branch', 'main'))!.commit).toBe(
        await lake.resolve('d', 'main'),
      );
    });

    it('a fetch whose connection drops mid-way resumes without downloading again what it stored', async () => {
      const prefix = freshPrefix('fetch-drop');
      const { lake } = await setup();
      for (let i = 0; i < 6; i++) await more(lake, 'main', `F${i}`);
      await push(lake, await session(prefix), 'd');
      const viaProxy = () => openRemote('origin', remoteAt(t, prefix, { viaProxy: true }), {});
      const chunkCount = async (l: Lake) => {
        let n = 0;
        for await (const _ of l.chunks.list()) n++;
        return n;
      };
      // An uninterrupted clone, for the counts: its GETs (refs and chunks) and chunks.
      await t.proxy.resetStats();
      const whole = await empty();
      const full = await clone(whole, await viaProxy(), 'd', { concurrency: 1 });
      const gets = (await t.proxy.stats()).requests['GetObject']!;
      expect(full.downloaded).toBe(await chunkCount(whole));

      // The same clone, with every GET from the fourth-last on dropped (beyond the retries).
      const b = await empty();
      await t.proxy.setFaults([{ kind: 'drop', count: 1000, op: 'GetObject', after: gets - 4 }]);
      await refused(clone(b, await viaProxy(), 'd', { concurrency: 1 }), NO_RESPONSE);
      await t.proxy.setFaults([]);
      const kept = await chunkCount(b);
      expect(kept).toBeGreaterThan(0);
      expect(kept).toBeLessThan(full.downloaded);
      expect(await b.datasets()).toEqual([]);

      await t.proxy.resetStats();
      const resumed = await clone(b, await viaProxy(), 'd', { concurrency: 1 });
      expect(resumed.downloaded).toBe(full.downloaded - kept);
      expect((await t.proxy.stats()).requests['GetObject']).toBe(gets - kept);
      expect(await b.resolve('d', 'main')).toBe(await lake.resolve('d', 'main'));
      expect(await rowsAt(b, 'main')).toEqual(await rowsAt(lake, 'main'));
      expect((await verifyLake(b, { dataset: 'd' })).problems).toEqual([]);
    });

    it('a slow server, then cancel: ABORTED, no ref moved, nothing half-written', async () => {
      const prefix = freshPrefix('slow');
      const { lake } = await setup();
      const s = await openRemote('origin', remoteAt(t, prefix, { viaProxy: true }), {
        create: true,
      });
      await t.proxy.setFaults([{ kind: 'delay', ms: 30_000, count: 1000, op: 'PutObject' }]);
      const controller = new AbortController();
      const started = push(lake, s, 'd', {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === 'transfer') controller.abort();
        },
      });
      await refused(started, 'ABORTED');
      await t.proxy.setFaults([]);
      expect(await s.refs.read('d', 'branch', 'main')).toBeNull();
      await remoteIsWhole(t, prefix);
    });

    it('uploads a large chunk in parts, resumes a multipart upload, and fetches it verified', async () => {
      const prefix = freshPrefix('multipart');
      const { lake } = await setup();
      // An 8.1 MiB object, one chunk of the lake: just over the multipart threshold (8 MiB), so
      // two parts of at most 5 MiB (S3's minimum but for the last). Not bigger: in Chromium, the
      // DevTools protocol that drives the page carries every upload's body inside its request
      // event (about 1 s of CPU per 3 MB sent, measured), and a dropped part is sent 4 times.
      const big = new Uint8Array(8 * 1024 * 1024 + 64 * 1024);
      for (let i = 0; i < big.length; i += 4096) big[i] = (i / 4096) & 0xff;
      const hash = await sha256(big);
      await lake.chunks.put(hash, big);
      await lake.commit('d', 'main', async (head) => {
        const c = await lake.readCommit(head!);
        const objects = await putJson(lake.chunks, {
          format: 'croissant-lake/objects',
          formatVersion: 1,
          objects: { [hash]: { size: big.length, parts: [[hash, 0, big.length]] } },
          files: [
            { id: 'big.bin', source: 'big.bin', name: 'big.bin', sha256: hash, size: big.length },
          ],
        });
        return {
          message: 'big',
          lineage: { op: 'commit', params: {} },
          document: null,
          objects,
          recordSets: c.recordSets,
        };
      });
      const s = await openRemote('origin', remoteAt(t, prefix, { viaProxy: true }), {
        create: true,
      });
      // The second part's upload drops for good: the first part is journaled.
      await t.proxy.setFaults([{ kind: 'drop', count: 1000, op: 'UploadPart', after: 1 }]);
      await refused(push(lake, s, 'd', { concurrency: 1 }), NO_RESPONSE);
      await t.proxy.setFaults([]);
      await t.proxy.resetStats();
      await push(lake, s, 'd', { concurrency: 1 });
      const stats = await t.proxy.stats();
      // Resumed: part 2 only, then one completion; no new upload.
      expect(stats.requests['UploadPart']).toBe(1);
      expect(stats.requests['CreateMultipartUpload']).toBeUndefined();
      expect(stats.requests['CompleteMultipartUpload']).toBe(1);
      const b = await empty();
      await clone(b, await openRemote('origin', remoteAt(t, prefix), {}), 'd');
      expect(await sha256(await b.chunks.get(hash))).toBe(hash);
    });
  });
}
