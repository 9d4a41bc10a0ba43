/**
 * The Labels tab's review queue (src/app/review-queue.svelte.ts) over a recording backend:
 * decisions become consensus opinions whose parents are the disagreeing leaves, wait until a
 * flush commits them as one batch, an undo of a waiting decision drops it, and an undo of a
 * committed one makes the next decision a correction of the first (nothing is deleted).
 */
import { describe, expect, it } from 'vitest';
import {
  ReviewQueue,
  type ReviewBackend,
  type ReviewJournal,
} from '../../src/app/review-queue.svelte.ts';
import { memoryStorage } from './memory-storage.ts';
import { LakeError } from '../../src/lib/store/errors.ts';

const leaf = (id: string, value: string) => ({
  id,
  value,
  actorKind: 'human',
  actorId: `ann_${id}`,
  createdAt: null,
});
const ITEMS = [
  { subjectSet: 'images', subjectRow: '3', leaves: [leaf('a', '0'), leaf('b', '1')] },
  { subjectSet: 'images', subjectRow: '7', leaves: [leaf('c', '0'), leaf('d', '1')] },
];

type Batch = Parameters<ReviewBackend['resolve']>[0];

function queue(fail = false, journal?: ReviewJournal) {
  const batches: Batch[] = [];
  let n = 0;
  const backend: ReviewBackend = {
    page: () => Promise.resolve({ total: ITEMS.length, items: ITEMS }),
    resolve: (rs) => {
      if (fail) return Promise.reject(new LakeError('LOCKED', 'another writer holds the lake'));
      batches.push(rs);
      return Promise.resolve({
        branch: 'labels',
        created: false,
        commit: `c${batches.length}`,
        added: rs.length,
        skipped: 0,
        ids: rs.map(() => `consensus-${++n}`),
      });
    },
  };
  const q = new ReviewQueue(backend, 'lesion', { rule: 'human-review', params: {} }, journal);
  q.items = ITEMS;
  q.total = ITEMS.length;
  return { q, batches };
}

describe('review queue', () => {
  it('commits decisions in one batch, each with the disagreeing leaves as parents', async () => {
    const { q, batches } = queue();
    q.pick('1');
    q.pick('0');
    expect(q.current).toBeNull();
    expect(q.decided).toBe(2);
    expect(batches).toEqual([]);
    await q.flush();
    expect(batches).toHaveLength(1);
    expect(batches[0]!.map((r) => [r.subjectRow, r.value, r.parents])).toEqual([
      ['3', '1', ['a', 'b']],
      ['7', '0', ['c', 'd']],
    ]);
    expect(q.committed).toBe(2);
    expect(q.pending).toEqual([]);
  });

  it('drops a waiting decision on undo, and skips write nothing', async () => {
    const { q, batches } = queue();
    q.pick('1');
    q.undo();
    expect(q.current?.subjectRow).toBe('3');
    q.skip();
    expect(q.current?.subjectRow).toBe('7');
    q.pick('0');
    await q.flush();
    expect(batches.flat().map((r) => [r.subjectRow, r.value])).toEqual([['7', '0']]);
  });

  it('writes a decision taken again after a commit as a correction of the first', async () => {
    const { q, batches } = queue();
    q.pick('1');
    await q.flush();
    q.undo();
    expect(q.current?.subjectRow).toBe('3');
    q.pick('0');
    await q.flush();
    expect(batches[1]!.map((r) => [r.subjectRow, r.value, r.parents])).toEqual([
      ['3', '0', ['consensus-1']],
    ]);
  });

  it('keeps the decisions waiting and shows the error when a commit fails', async () => {
    const { q } = queue(true);
    q.pick('1');
    await q.flush();
    expect(q.pending).toHaveLength(1);
    expect(q.committed).toBe(0);
    expect(q.failure?.code).toBe('LOCKED');
  });

  it('keeps waiting decisions in its journal, which the next queue commits first', async () => {
    const storage = memoryStorage();
    const journal = { key: 'review:lesions:labels:lesion', storage };
    const first = queue(false, journal);
    first.q.pick('1');
    first.q.pick('0');
    first.q.undo(); // the second, dropped before any commit
    // The page goes before a flush: the journal holds what waited, as plain JSON.
    const kept = JSON.parse(storage.getItem(journal.key)!) as { subjectRow: string }[];
    expect(kept.map((p) => p.subjectRow)).toEqual(['3']);

    // The next page's queue commits it before reading its own page, with the same decision time
    // (an opinion's id includes it, so one that reached the lake already is not written twice).
    const next = queue(false, journal);
    await next.q.load();
    expect(next.batches).toHaveLength(1);
    expect(next.batches[0]!.map((r) => [r.subjectRow, r.value, r.parents])).toEqual([
      ['3', '1', ['a', 'b']],
    ]);
    expect(next.batches[0]![0]!.at).toBe(first.q.pending[0]!.at);
    expect(next.q.saved).toMatch(/^1 decision taken before the page was reloaded or closed/);
    expect(storage.getItem(journal.key)).toBeNull();
    await next.q.close();

    // A commit that works empties the journal too.
    first.q.pick('0');
    expect(storage.getItem(journal.key)).not.toBeNull();
    await first.q.flush();
    expect(storage.getItem(journal.key)).toBeNull();
  });

  it('keeps the journal when committing what it holds fails, and opens no queue', async () => {
    const storage = memoryStorage();
    const journal = { key: 'k', storage };
    const first = queue(false, journal);
    first.q.pick('1');
    const next = queue(true, journal);
    await next.q.load();
    expect(next.q.status).toBe('failed');
    expect(next.q.failure?.code).toBe('LOCKED');
    expect(JSON.parse(storage.getItem('k')!)).toHaveLength(1);
  });
});
