/**
 * push's check of which chunks a remote has (src/lib/sync/present.ts): a listing where it takes
 * fewer round trips than a HEAD per chunk, HEADs where the remote is large or the candidates few.
 * The remote here is a map that counts requests; the remote suite (remote-suite.ts) runs the same
 * code against s3rver, where a resumed push finds what an interrupted one uploaded.
 */
import { describe, expect, it } from 'vitest';
import { chunkKey } from '../../src/lib/sync/layout.ts';
import { listSmallRemote, presentChunks } from '../../src/lib/sync/present.ts';
import type { Remote, RemoteObject } from '../../src/lib/sync/remote.ts';

const hex = (i: number, shard = '') => shard + i.toString(16).padStart(64 - shard.length, '0');

/** A remote holding `objects` (key → size); counts HEAD requests and listing pages. */
function countingRemote(objects: Map<string, number>) {
  const calls = { head: 0, pages: 0 };
  const remote = {
    label: 'test',
    serverNow: () => Date.now(),
    async head(key: string) {
      calls.head++;
      const size = objects.get(key);
      return size === undefined ? null : { key, size, etag: '', lastModified: 0 };
    },
    async *list(prefix: string): AsyncIterable<RemoteObject> {
      const keys = [...objects.keys()].filter((k) => k.startsWith(prefix)).sort();
      for (let i = 0; i < keys.length; i++) {
        if (i % 1000 === 0) calls.pages++;
        yield { key: keys[i]!, size: objects.get(keys[i]!)!, etag: '', lastModified: 0 };
      }
      if (!keys.length) calls.pages++;
    },
  } as unknown as Remote;
  return { remote, calls };
}

describe('which chunks a remote has', () => {
  const candidates = Array.from({ length: 20 }, (_, i) => hex(i + 1, 'ab'));
  const sizes = new Map(candidates.map((h) => [h, 100]));

  it('lists a small remote instead of 20 HEADs, and takes a chunk of another size as absent', async () => {
    const objects = new Map<string, number>([
      [chunkKey(candidates[0]!), 100],
      [chunkKey(candidates[1]!), 100],
      [chunkKey(candidates[2]!), 7], // damaged or cut short: upload it again
      [chunkKey(hex(999)), 100], // another dataset's
    ]);
    const { remote, calls } = countingRemote(objects);
    const got = await presentChunks(remote, candidates, sizes, { concurrency: 8 });
    expect([...got].sort()).toEqual([candidates[0], candidates[1]].sort());
    // One page of the `chunks/00/` sample (empty), one page of `chunks/`; no HEAD.
    expect(calls).toEqual({ head: 0, pages: 2 });
  });

  it('sends HEADs where the remote is large (its sample shard is full)', async () => {
    const objects = new Map<string, number>();
    for (let i = 0; i < 1000; i++) objects.set(chunkKey(hex(i, '00')), 100);
    objects.set(chunkKey(candidates[3]!), 100);
    const { remote, calls } = countingRemote(objects);
    const got = await presentChunks(remote, candidates, sizes, { concurrency: 8 });
    expect([...got]).toEqual([candidates[3]]);
    expect(calls).toEqual({ head: 20, pages: 1 });
  });

  it("a first push's early listing of a small remote answers alone: no sample, no second listing", async () => {
    const objects = new Map<string, number>([
      [chunkKey(candidates[0]!), 100],
      [chunkKey(candidates[2]!), 7],
      [chunkKey(hex(999)), 100],
    ]);
    const { remote, calls } = countingRemote(objects);
    const listed = listSmallRemote(remote);
    const got = await presentChunks(remote, candidates, sizes, { concurrency: 8, listed });
    expect([...got]).toEqual([candidates[0]]);
    expect(calls).toEqual({ head: 0, pages: 1 });
  });

  it('an early listing of a large remote stops at its first page, then HEADs go as before', async () => {
    const objects = new Map<string, number>();
    for (let i = 0; i < 1500; i++) objects.set(chunkKey(hex(i, '00')), 100);
    objects.set(chunkKey(candidates[3]!), 100);
    const { remote, calls } = countingRemote(objects);
    const listed = listSmallRemote(remote);
    expect(await listed).toBeNull();
    expect(calls.pages).toBe(1); // the second page was never asked for
    const got = await presentChunks(remote, candidates, sizes, { concurrency: 8, listed });
    expect([...got]).toEqual([candidates[3]]);
    // Its sample shard (`chunks/00/`) is full: 1 page, then a HEAD per candidate.
    expect(calls).toEqual({ head: 20, pages: 2 });
  });

  it('sends HEADs when the candidates fit in one round of them', async () => {
    const { remote, calls } = countingRemote(new Map([[chunkKey(candidates[0]!), 100]]));
    const few = candidates.slice(0, 8);
    const got = await presentChunks(remote, few, sizes, { concurrency: 8 });
    expect([...got]).toEqual([candidates[0]]);
    expect(calls).toEqual({ head: 8, pages: 0 });
  });
});
