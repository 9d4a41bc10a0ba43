/**
 * What push and fetch send alongside each other instead of one after the other (issue 17 §5),
 * and the rules that overlap must keep: a ref moves only once its ref log entry is written, a
 * claim whose entry failed is withdrawn, and the signing key is derived once, not per request
 * (s3-sign.node.test.ts checks the signatures themselves).
 * The remote here is a map whose writes can be held back; the remote suite (remote-suite.ts)
 * runs the same code against s3rver, with and without conditional writes.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LakeError, checkAborted } from '../../src/lib/store/errors.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { clone } from '../../src/lib/sync/pull.ts';
import { push } from '../../src/lib/sync/push.ts';
import { openRemote } from '../../src/lib/sync/session.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { row, setup } from './lake-extend-fixture.ts';
import { appendRows } from '../../src/lib/versions/append.ts';
import { ClaimRefs } from '../../src/lib/sync/claim-refs.ts';
import { CasRefs } from '../../src/lib/sync/cas-refs.ts';
import type { PutOptions, Remote, RemoteObject } from '../../src/lib/sync/remote.ts';
import { loggedUpdate, type RemoteRefs } from '../../src/lib/sync/remote-refs.ts';
import { deadEndpointRemote } from '../s3/target.ts';

/** A held-back promise, released by hand. */
function gate() {
  let open!: () => void;
  let fail!: (e: Error) => void;
  const p = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { p, open, fail };
}

/**
 * A remote in a map; a write to a key starting with `held` waits for `release`. Its clock is
 * `clock.now` (moved by hand); `puts` lists the keys written, in order.
 */
function mapRemote(held: string, release: Promise<void>) {
  const objects = new Map<string, { bytes: Uint8Array; etag: string; at: number }>();
  const clock = { now: Date.now() };
  const puts: string[] = [];
  let n = 0;
  const remote: Remote = {
    label: 'map',
    serverNow: () => clock.now,
    async get(key) {
      const o = objects.get(key);
      return o ? { bytes: o.bytes, etag: o.etag } : null;
    },
    async head(key) {
      const o = objects.get(key);
      return o ? { key, size: o.bytes.byteLength, etag: o.etag, lastModified: o.at } : null;
    },
    async put(key: string, bytes: Uint8Array, opts: PutOptions = {}) {
      puts.push(key);
      if (key.startsWith(held)) await release;
      const had = objects.get(key);
      if ((opts.ifNoneMatch && had) || (opts.ifMatch && had?.etag !== opts.ifMatch))
        return { ok: false };
      const etag = `"${++n}"`;
      objects.set(key, { bytes, etag, at: clock.now });
      return { ok: true, etag };
    },
    async delete(key) {
      objects.delete(key);
    },
    async *list(prefix: string): AsyncIterable<RemoteObject> {
      for (const key of [...objects.keys()].filter((k) => k.startsWith(prefix)).sort()) {
        const o = objects.get(key)!;
        yield { key, size: o.bytes.byteLength, etag: o.etag, lastModified: o.at };
      }
    },
  };
  return { remote, clock, puts, keys: () => [...objects.keys()] };
}

const value = { commit: 'c'.repeat(64), protected: false, who: 'a@test', time: '' };
const entry = {
  dataset: 'd',
  kind: 'branch' as const,
  name: 'main',
  action: 'create' as const,
  old: null,
  new: value.commit,
  who: 'a@test',
  time: '2026-12-05T00:00:00.000Z',
};
const move = (refs: RemoteRefs) => (ready: Promise<unknown>) =>
  refs.update('d', 'branch', 'main', null, value, undefined, ready);

describe('a ref move and its log entry', () => {
  it('claims: the claim goes out while the entry is written, and is confirmed only after it', async () => {
    const entryWritten = gate();
    const { remote, keys } = mapRemote('reflog/', entryWritten.p);
    const moving = loggedUpdate(remote, entry, move(new ClaimRefs(remote)));
    // One after the other, the claim would wait for the entry: here it is there before.
    await vi.waitFor(() => expect(keys().some((k) => k.endsWith('.json'))).toBe(true));
    expect(keys().filter((k) => k.startsWith('reflog/'))).toEqual([]);
    expect(keys().some((k) => k.endsWith('.ok'))).toBe(false);
    entryWritten.open();
    expect(await moving).toBe(true);
    expect(keys().filter((k) => k.startsWith('reflog/'))).toHaveLength(1);
    expect(keys().filter((k) => k.endsWith('.ok'))).toHaveLength(1);
    expect((await new ClaimRefs(remote).read('d', 'branch', 'main'))!.commit).toBe(value.commit);
  });

  it('claims: a claim that waited near the age of a dead writer is made again, not confirmed', async () => {
    const entryWritten = gate();
    const { remote, clock, puts, keys } = mapRemote('reflog/', entryWritten.p);
    const moving = loggedUpdate(remote, entry, move(new ClaimRefs(remote)));
    await vi.waitFor(() => expect(keys().some((k) => k.endsWith('.json'))).toBe(true));
    // The push's last uploads took 40 s: others would take the claim for a dead writer's soon.
    clock.now += 40_000;
    entryWritten.open();
    expect(await moving).toBe(true);
    const claims = puts.filter((k) => k.startsWith('refs/') && k.endsWith('.json'));
    expect(claims).toHaveLength(2);
    // The first claim is withdrawn; the second is the one confirmed.
    const left = keys().filter((k) => k.startsWith('refs/'));
    expect(left.sort()).toEqual([claims[1]!, claims[1]!.replace(/\.json$/, '.ok')].sort());
  });

  it('claims: a move cancelled between its claim and its confirmation leaves no claim', async () => {
    // Cancelled while the claim's position is listed (the claim is on the server): before, the
    // claim stayed pending, and the next push to that ref waited a minute for it to go stale.
    for (const at of ['list', 'put'] as const) {
      const { remote, keys } = mapRemote('nothing-held/', Promise.resolve());
      const controller = new AbortController();
      const list = remote.list.bind(remote);
      const put = remote.put.bind(remote);
      // The listing fails as the transport's does once its signal is aborted.
      remote.list = (prefix, opts) => {
        if (at !== 'list') return list(prefix, opts);
        controller.abort();
        return (async function* () {
          checkAborted(opts?.signal);
          yield* list(prefix, opts);
        })();
      };
      // Or as the claim's own PUT returns: stored on the server, the caller told ABORTED.
      remote.put = async (key, bytes, opts) => {
        const r = await put(key, bytes, opts);
        if (at === 'put' && key.endsWith('.json')) {
          controller.abort();
          throw new LakeError('ABORTED', 'cancelled by the user');
        }
        return r;
      };
      const moving = new ClaimRefs(remote).update(
        'd',
        'branch',
        'main',
        null,
        value,
        controller.signal,
        Promise.resolve(),
      );
      await expect(moving, at).rejects.toMatchObject({ code: 'ABORTED' });
      expect(keys(), at).toEqual([]);
    }
  });

  for (const [mode, make] of [
    ['claims', (r: Remote) => new ClaimRefs(r)],
    ['compare-and-swap', (r: Remote) => new CasRefs(r)],
  ] as const) {
    it(`${mode}: an entry that cannot be written moves no ref and leaves no claim`, async () => {
      const entryWritten = gate();
      const { remote, keys } = mapRemote('reflog/', entryWritten.p);
      const moving = loggedUpdate(remote, entry, move(make(remote)));
      entryWritten.fail(new Error('403 on the ref log'));
      await expect(moving).rejects.toThrow('403 on the ref log');
      expect(await make(remote).read('d', 'branch', 'main')).toBeNull();
      expect(keys()).toEqual([]);
    });
  }
});

describe('clone', () => {
  it('reads the catalog entry alongside the refs, and downloads nothing when it is missing', async () => {
    const { remote, keys } = mapRemote('\0', Promise.resolve());
    const { lake } = await setup();
    await push(lake, await openRemote('origin', remote, { create: true }), 'd');
    expect(keys()).toContain('datasets/d.json');
    // A first push that stopped between its refs and its catalog entry.
    await remote.delete('datasets/d.json');
    const other = await Lake.open(memoryBackend());
    const e = await clone(other, await openRemote('origin', remote), 'd').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LakeError);
    expect((e as LakeError).code).toBe('UNKNOWN_DATASET');
    const stored: string[] = [];
    for await (const c of other.chunks.list()) stored.push(c.hash);
    expect(stored).toEqual([]);
    expect(await other.backend.refs.list('ref/')).toEqual([]);
  });
});

describe('push', () => {
  it('reads (and verifies) the next chunk while the current one uploads', async () => {
    const uploaded = gate();
    const { remote, puts } = mapRemote('chunks/', uploaded.p);
    const { lake } = await setup();
    const session = await openRemote('origin', remote, { create: true });
    const readToUpload: string[] = [];
    let transfer = false;
    const get = lake.chunks.get.bind(lake.chunks);
    vi.spyOn(lake.chunks, 'get').mockImplementation((hash: string) => {
      if (transfer) readToUpload.push(hash);
      return get(hash);
    });
    // One lane: its first upload is held; the chunk after it is read meanwhile.
    const pushing = push(lake, session, 'd', {
      concurrency: 1,
      onProgress: (p) => (transfer ||= p.phase === 'transfer'),
    });
    await vi.waitFor(() => expect(readToUpload).toHaveLength(2));
    expect(puts.filter((k) => k.startsWith('chunks/'))).toHaveLength(1);
    uploaded.open();
    const r = await pushing;
    expect(r.uploaded).toBeGreaterThan(1);
    vi.restoreAllMocks();
  });

  it("sends the first wave's uploads before reading the chunks after them", async () => {
    const { remote } = mapRemote('\0', Promise.resolve());
    const { lake } = await setup();
    // Two more commits: a few more chunks to send than two lanes take at once.
    for (const n of [1n, 2n])
      await appendRows(lake, 'd', {
        branch: 'main',
        recordSet: 'people',
        rows: [row('N', n, 1, true, 1)],
      });
    const session = await openRemote('origin', remote, { create: true });
    const events: string[] = [];
    let transfer = false;
    const get = lake.chunks.get.bind(lake.chunks);
    vi.spyOn(lake.chunks, 'get').mockImplementation((hash: string) => {
      if (transfer) events.push(`read ${hash}`);
      return get(hash);
    });
    const put = remote.put.bind(remote);
    vi.spyOn(remote, 'put').mockImplementation((key, bytes, opts) => {
      if (key.startsWith('chunks/')) events.push(`put ${key}`);
      return put(key, bytes, opts);
    });
    // Two lanes: each reads its chunk, sends it, and only then reads the one after it (reading
    // verifies the chunk's hash, synchronous work that would hold the other lane's request).
    const r = await push(lake, session, 'd', {
      concurrency: 2,
      onProgress: (p) => (transfer ||= p.phase === 'transfer'),
    });
    vi.restoreAllMocks();
    expect(r.uploaded).toBeGreaterThan(2);
    const reads = events.filter((e) => e.startsWith('read '));
    const puts = events.filter((e) => e.startsWith('put '));
    expect(reads).toHaveLength(r.uploaded);
    expect(puts).toHaveLength(r.uploaded);
    // Both first uploads are sent before the third chunk is read.
    expect(events.indexOf(puts[1]!)).toBeLessThan(events.indexOf(reads[2]!));
  });
});

describe('signing', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  it('derives the signing key once per remote, not at every request', async () => {
    vi.stubGlobal('fetch', async () => new Response(null, { status: 200 }));
    // The derived key is stored under "secret,date,region,service" (aws4fetch's cache key) once
    // made: WebCrypto's HMACs in a browser, node:crypto's in Node (s3-sign.ts). A signer given
    // no cache makes its own map and derives the key at every request.
    const stored = vi.spyOn(Map.prototype, 'set');
    const derived = () =>
      stored.mock.calls.filter(
        ([k]) => typeof k === 'string' && /^secret,\d{8},us-east-1,s3$/.test(k),
      ).length;
    const s3 = deadEndpointRemote();
    await s3.delete('a');
    expect(derived()).toBe(1);
    await s3.delete('b');
    await s3.delete('c');
    expect(derived()).toBe(1);
  });
});
