/**
 * What a push costs beyond its chunks (issue 17 §5: push against a plain PUT of the same bytes):
 * the refs of both kinds come from one listing (a first push's listing of the whole remote, where
 * it fits in a page), an unchanged catalog entry is not written again,
 * and each request body is handed to fetch once (as a Request). Against a map remote that honours
 * conditional writes (refs by compare-and-swap) and one that ignores them (claims, as s3rver);
 * the remote suite (remote-suite.ts) runs push and fetch against s3rver itself.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { addRemote, removeRemote } from '../../src/lib/sync/config.ts';
import { fetchDataset } from '../../src/lib/sync/fetch.ts';
import { clone } from '../../src/lib/sync/pull.ts';
import { push } from '../../src/lib/sync/push.ts';
import { chunkKey } from '../../src/lib/sync/layout.ts';
import { LakeError } from '../../src/lib/store/errors.ts';
import { appendRows } from '../../src/lib/versions/append.ts';
import type { PutOptions, Remote, RemoteObject } from '../../src/lib/sync/remote.ts';
import { deadEndpointRemote } from '../s3/target.ts';
import { openRemote } from '../../src/lib/sync/session.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { row, setup } from './lake-extend-fixture.ts';

/** A remote in a map that records the prefixes listed and the keys written. */
function mapRemote(conditional: boolean) {
  const objects = new Map<string, { bytes: Uint8Array; etag: string }>();
  const lists: string[] = [];
  const puts: string[] = [];
  let n = 0;
  const remote: Remote = {
    label: 'map',
    serverNow: () => Date.now(),
    async get(key) {
      return objects.get(key) ?? null;
    },
    async head(key) {
      const o = objects.get(key);
      return o ? { key, size: o.bytes.byteLength, etag: o.etag, lastModified: Date.now() } : null;
    },
    async put(key: string, bytes: Uint8Array, opts: PutOptions = {}) {
      puts.push(key);
      const had = objects.get(key);
      if (
        conditional &&
        ((opts.ifNoneMatch && had) || (opts.ifMatch && had?.etag !== opts.ifMatch))
      )
        return { ok: false };
      const etag = `"${++n}"`;
      objects.set(key, { bytes: bytes.slice(), etag });
      return { ok: true, etag };
    },
    async delete(key) {
      objects.delete(key);
    },
    async *list(prefix: string): AsyncIterable<RemoteObject> {
      lists.push(prefix);
      for (const key of [...objects.keys()].filter((k) => k.startsWith(prefix)).sort()) {
        const o = objects.get(key)!;
        yield { key, size: o.bytes.byteLength, etag: o.etag, lastModified: Date.now() };
      }
    },
  };
  return { remote, lists, puts, objects };
}

/** Listings of a dataset's refs as a whole or by kind (not a claims-mode ref's own claims). */
const refListings = (lists: string[]) =>
  lists.filter((p) => /^refs\/d\/((branch|tag)\/)?$/.test(p));

for (const [mode, conditional] of [
  ['compare-and-swap', true],
  ['claims', false],
] as const) {
  describe(`push and fetch (${mode})`, () => {
    it('list the branches and tags of a dataset in one request, and read both kinds', async () => {
      const { remote, lists } = mapRemote(conditional);
      const { lake, base } = await setup();
      await lake.createBranch('d', 'dev');
      await lake.tag('d', 'v1');
      const session = await openRemote('origin', remote, { create: true });
      expect(session.format.refs).toBe(conditional ? 'cas' : 'claims');
      lists.length = 0;
      await push(lake, session, 'd');
      // A first push to a small remote: one listing of the whole remote answers for both kinds.
      expect(refListings(lists)).toEqual([]);
      expect(lists.filter((p) => p === '')).toEqual(['']);
      // A later push (the lake tracks the remote's branches) lists the dataset's refs once.
      lists.length = 0;
      await push(lake, session, 'd');
      expect(refListings(lists)).toEqual(['refs/d/']);

      const other = await Lake.open(memoryBackend());
      lists.length = 0;
      const got = await clone(other, await openRemote('origin', remote), 'd');
      expect(refListings(lists)).toEqual(['refs/d/']);
      expect(got.branches.map((b) => [b.name, b.commit])).toEqual([
        ['dev', base],
        ['main', base],
      ]);
      expect(got.tags.map((t) => [t.name, t.commit])).toEqual([['v1', base]]);
      lists.length = 0;
      await fetchDataset(other, await openRemote('origin', remote), 'd');
      expect(refListings(lists)).toEqual(['refs/d/']);
    });

    it("a first push reads the remote's refs from its one listing: a diverged branch is refused", async () => {
      const { remote, lists } = mapRemote(conditional);
      const { lake: a } = await setup();
      await push(a, await openRemote('origin', remote, { create: true }), 'd');
      const remoteHead = await a.resolve('d', 'main');
      // Another lake, which tracks nothing of this remote, with a history of its own.
      const { lake: b } = await setup();
      await appendRows(b, 'd', {
        branch: 'main',
        recordSet: 'people',
        rows: [row('B', 1n, 1, true, 1)],
      });
      lists.length = 0;
      const e = await push(b, await openRemote('origin', remote), 'd').catch((x: unknown) => x);
      expect(lists[0]).toBe('');
      expect(refListings(lists)).toEqual([]);
      expect(e).toBeInstanceOf(LakeError);
      expect((e as LakeError).code).toBe('NON_FAST_FORWARD');
      const s = await openRemote('origin', remote);
      expect((await s.refs.read('d', 'branch', 'main'))!.commit).toBe(remoteHead);
    });

    it('a first push to a remote too large for one listing page lists what it needs instead', async () => {
      const { remote, lists, objects } = mapRemote(conditional);
      const session = await openRemote('origin', remote, { create: true });
      // 1,000 chunks of other datasets: the whole remote does not fit in a page.
      for (let i = 0; i < 1000; i++) {
        const hash = `e${i.toString(16).padStart(63, '0')}`;
        objects.set(chunkKey(hash), { bytes: new Uint8Array([i & 255]), etag: `"x${i}"` });
      }
      const { lake } = await setup();
      lists.length = 0;
      const r = await push(lake, session, 'd');
      expect(lists[0]).toBe('');
      expect(refListings(lists)).toEqual(['refs/d/']);
      expect(r.uploaded).toBeGreaterThan(0);
      const other = await Lake.open(memoryBackend());
      const got = await clone(other, await openRemote('origin', remote), 'd');
      expect(got.branches.map((x) => [x.name, x.commit])).toEqual([
        ['main', await lake.resolve('d', 'main')],
      ]);
    });

    it('write the catalog entry when the remote lacks it or it changed, not again unchanged', async () => {
      const { remote, puts, objects } = mapRemote(conditional);
      const { lake } = await setup();
      await addRemote(lake.backend.refs, 'origin', 's3://bucket/prefix');
      const catalogPuts = () => puts.filter((k) => k === 'datasets/d.json').length;
      await push(lake, await openRemote('origin', remote, { create: true }), 'd');
      expect(catalogPuts()).toBe(1);
      await lake.createBranch('d', 'dev');
      await push(lake, await openRemote('origin', remote), 'd');
      expect(catalogPuts()).toBe(1);

      // Changed (as an import changes it): written again, and the remote holds the new one.
      const e = (await lake.backend.refs.get<Record<string, unknown>>('dataset/d'))!;
      await lake.backend.refs.cas('dataset/d', e.version, { ...e.value, name: 'renamed' });
      await push(lake, await openRemote('origin', remote), 'd');
      expect(catalogPuts()).toBe(2);
      const stored = JSON.parse(new TextDecoder().decode(objects.get('datasets/d.json')!.bytes));
      expect(stored.name).toBe('renamed');

      // The bucket emptied under the same remote name: its first push writes the entry again.
      objects.clear();
      await push(lake, await openRemote('origin', remote, { create: true }), 'd');
      expect(catalogPuts()).toBe(3);
      expect(objects.has('datasets/d.json')).toBe(true);

      // A removed remote forgets what it was sent.
      await removeRemote(lake.backend.refs, 'origin');
      expect(await lake.backend.refs.list('remote-catalog/')).toEqual([]);
    });
  });
}

describe('S3Remote', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('hands fetch a Request holding the body, so that Node fetch does not copy it once more', async () => {
    const seen: unknown[] = [];
    vi.stubGlobal('fetch', async (input: unknown, init?: unknown) => {
      seen.push(input, init);
      return new Response(null, { status: 200, headers: { etag: '"1"' } });
    });
    const s3 = deadEndpointRemote('p');
    const bytes = new Uint8Array([1, 2, 3, 4]);
    const sha = '9f64a747e1b97f131fabb6b447296c9b6f0201e79fb3c5356e6c77e89b6a806a';
    await s3.put('chunks/9f/x', bytes, { sha256: sha });
    const [input, init] = seen;
    expect(input).toBeInstanceOf(Request);
    expect(init).toBeUndefined();
    const req = input as Request;
    expect(req.method).toBe('PUT');
    expect(req.url).toBe('http://127.0.0.1:1/b/p/chunks/9f/x');
    expect(req.headers.get('x-amz-content-sha256')).toBe(sha);
    expect(req.headers.get('authorization')).toMatch(/^AWS4-HMAC-SHA256 Credential=AKID\//);
    expect(new Uint8Array(await req.arrayBuffer())).toEqual(bytes);
  });
});
