/**
 * Writers and garbage collection (issue 11): a writer's chunks are safe from collection while
 * it runs, whatever the grace period; a lease of a writer that is gone does not block
 * collection; a commit never references a chunk that is not stored; a writer that fails removes
 * the chunks it wrote that nothing else uses, and only those.
 */
import { describe, expect, it } from 'vitest';
import { LakeError } from '../../src/lib/store/errors.ts';
import { putChunk } from '../../src/lib/versions/chunks.ts';
import { collectGarbage } from '../../src/lib/versions/gc.ts';
import type { Lake } from '../../src/lib/versions/lake.ts';
import { LEASE_TTL_MS, type LeaseEntry } from '../../src/lib/versions/lease.ts';
import { writeRows } from '../../src/lib/versions/write.ts';
import { COLUMNS, row, setup } from './lake-extend-fixture.ts';

const bytes = (s: string) => new TextEncoder().encode(s);

/** Runs `work` as a writer that stays live until the returned `finish` is called. */
function liveWriter(lake: Lake, work: (leased: Lake) => Promise<void>) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  const writer = lake.writing({ op: 'test', dataset: 'd' }, async (leased) => {
    await work(leased);
    started();
    await done;
  });
  return { running, finish, writer };
}

describe('writer leases', () => {
  it('gc deletes nothing while a writer runs, even with no grace period', async () => {
    const { lake } = await setup();
    let fresh = '';
    const w = liveWriter(lake, async (leased) => {
      fresh = await putChunk(leased.chunks, bytes('not committed yet'));
    });
    await w.running;
    const during = await collectGarbage(lake, { graceMs: 0 });
    expect(during.deleted).toBe(0);
    expect(during.deferred?.writers).toEqual([
      expect.stringMatching(/^test of d by croissant-lake/),
    ]);
    expect(await lake.chunks.has(fresh)).toBe(true);
    w.finish();
    await w.writer;
    // The writer ended without committing it: now it is garbage like any other.
    const after = await collectGarbage(lake, { graceMs: 0 });
    expect(after.deferred).toBeUndefined();
    expect(await lake.chunks.has(fresh)).toBe(false);
    expect(await lake.backend.refs.list('lease/')).toEqual([]);
  });

  it('a lease whose writer is gone, or that was not renewed, does not block gc', async () => {
    const { lake } = await setup();
    const orphan = await putChunk(lake.chunks, bytes('left by a dead writer'));
    const lease = (id: string, heartbeat: number): LeaseEntry => ({
      id,
      op: 'ingest',
      who: 'x',
      startedAt: new Date(heartbeat).toISOString(),
      heartbeat,
    });
    // Dead: nobody holds its lock (the process or tab that held it is gone).
    await lake.backend.refs.cas('lease/dead', 0, lease('dead', Date.now()));
    // Expired: its lock looks held (a shared folder's other machine, say), but it was not
    // renewed for longer than a lease lives.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = lake.backend.locks.withLock('lease:stale', async () => {
      locked();
      await held;
    });
    await isLocked;
    await lake.backend.refs.cas('lease/stale', 0, lease('stale', Date.now() - LEASE_TTL_MS - 1));
    const r = await collectGarbage(lake, { graceMs: 0 });
    expect(r.deferred).toBeUndefined();
    expect(await lake.chunks.has(orphan)).toBe(false);
    expect(await lake.backend.refs.list('lease/')).toEqual([]);
    release();
    await holder;
  });

  it('refuses to commit a chunk that is gone, and moves nothing', async () => {
    const { lake, base } = await setup();
    const before = await lake.refLog('d');
    const e = await lake
      .commit('d', 'main', async () => {
        const fragments = await writeRows(lake.chunks, COLUMNS, [
          { rowid: 99n, row: row('Gone', 1n, 1, true, 1) },
        ]);
        // What a collection running meanwhile would do to an unprotected writer.
        await lake.chunks.delete(fragments[0]!.chunk);
        const c = await lake.readCommit(base);
        return {
          message: 'refers to a deleted chunk',
          lineage: { op: 'commit', params: {} },
          document: c.document,
          objects: c.objects,
          recordSets: { ...c.recordSets, people: { ...c.recordSets['people']!, fragments } },
        };
      })
      .catch((err: unknown) => err);
    expect(e).toBeInstanceOf(LakeError);
    expect((e as LakeError).code).toBe('MISSING_CHUNK');
    expect((e as LakeError).message).toMatch(
      /nothing was committed to branch "main" of d: chunk [0-9a-f]{64} \(a fragment of record set people\)/,
    );
    expect((await lake.branches('d'))[0]!.commit).toBe(base);
    expect(await lake.refLog('d')).toEqual(before);
  });

  it('a failed writer removes the chunks it wrote that nothing uses, and no others', async () => {
    const { lake, base } = await setup();
    const shared = (await lake.readCommit(base)).recordSets['people']!.fragments[0]!.chunk;
    const unrelated = await putChunk(lake.chunks, bytes('another chunk nobody references'));
    let mine = '';
    const boom = new LakeError('BAD_INPUT', 'failed midway');
    await expect(
      lake.writing({ op: 'test', dataset: 'd' }, async (leased) => {
        mine = await putChunk(leased.chunks, bytes('written by the failing writer'));
        // Found stored already: not this writer's to remove.
        await putChunk(leased.chunks, await lake.chunks.get(shared));
        await putChunk(leased.chunks, bytes('another chunk nobody references'));
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await lake.chunks.has(mine)).toBe(false);
    expect(await lake.chunks.has(shared)).toBe(true);
    expect(await lake.chunks.has(unrelated)).toBe(true);
  });

  it('a failed writer keeps its chunks while another writer is live (it may use them)', async () => {
    const { lake } = await setup();
    const other = liveWriter(lake, async () => {});
    await other.running;
    let mine = '';
    await expect(
      lake.writing({ op: 'test', dataset: 'd' }, async (leased) => {
        mine = await putChunk(leased.chunks, bytes('maybe found stored by the other writer'));
        throw new LakeError('ABORTED', 'cancelled by the user');
      }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
    expect(await lake.chunks.has(mine)).toBe(true);
    other.finish();
    await other.writer;
  });
});
