/**
 * The order a remote's branches and tags come in (fetch, push, clone and status print them so)
 * is the one the lake lists names in (ref-names.ts `compareRefNames`: code point order, as
 * `git branch` lists), in both ways refs are kept on a remote (remote-refs.ts). Not `<`, UTF-16
 * code units, which put a name past U+FFFF (😀, D83D DE00) before U+FFFD. The expected order is
 * written out by hand from the code points: m 6D, Ä C4, U+FFFD, 😀 1F600.
 */
import { describe, expect, it } from 'vitest';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { clone } from '../../src/lib/sync/pull.ts';
import { push } from '../../src/lib/sync/push.ts';
import type { PutOptions, Remote, RemoteObject } from '../../src/lib/sync/remote.ts';
import { openRemote } from '../../src/lib/sync/session.ts';
import { branchStatus } from '../../src/lib/sync/status.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { setup } from './lake-extend-fixture.ts';

const ORDER = ['main', 'Ä', '\ufffd', '😀'];

/** A remote in a map, honouring conditional writes or not; it lists keys in UTF-16 order. */
function mapRemote(conditional: boolean): Remote {
  const objects = new Map<string, { bytes: Uint8Array; etag: string }>();
  let n = 0;
  return {
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
      for (const key of [...objects.keys()].filter((k) => k.startsWith(prefix)).sort()) {
        const o = objects.get(key)!;
        yield { key, size: o.bytes.byteLength, etag: o.etag, lastModified: Date.now() };
      }
    },
  };
}

for (const [mode, conditional] of [
  ['compare-and-swap', true],
  ['claims', false],
] as const) {
  describe(`a remote's refs (${mode})`, () => {
    it('come in code point order, as the lake lists branches and tags', async () => {
      const remote = mapRemote(conditional);
      const { lake } = await setup();
      for (const name of ['😀', '\ufffd', 'Ä']) {
        await lake.createBranch('d', name, 'main');
        await lake.tag('d', `v${name}`, 'main');
      }
      expect((await lake.branches('d')).map((b) => b.name)).toEqual(ORDER);
      const session = await openRemote('origin', remote, { create: true });
      expect(session.format.refs).toBe(conditional ? 'cas' : 'claims');
      await push(lake, session, 'd');
      const listed = await session.refs.listAll('d');
      expect(listed.branch.map((r) => r.name)).toEqual(ORDER);
      expect(listed.tag.map((r) => r.name)).toEqual(ORDER.slice(1).map((n) => `v${n}`));
      expect((await session.refs.list('d', 'branch')).map((r) => r.name)).toEqual(ORDER);

      const other = await Lake.open(memoryBackend());
      const got = await clone(other, await openRemote('origin', remote), 'd');
      expect(got.branches.map((r) => r.name)).toEqual(ORDER);
      expect((await branchStatus(lake, 'd', 'origin')).map((s) => s.branch)).toEqual(ORDER);
    });
  });
}
