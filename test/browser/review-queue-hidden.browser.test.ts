/**
 * The review queue commits its waiting decisions when the tab is hidden or closed (issue 13 §4:
 * a closed tab loses at most the last few seconds), in real Chromium: `visibilitychange` to
 * hidden and `pagehide` each start a commit at once, without waiting for the periodic one.
 * Timers are faked so that the periodic commit (every FLUSH_MS) cannot be what committed; it is
 * then checked on its own by moving the clock.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FLUSH_MS, ReviewQueue, type ReviewBackend } from '../../src/app/review-queue.svelte.ts';

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
  { subjectSet: 'images', subjectRow: '9', leaves: [leaf('e', '0'), leaf('f', '1')] },
];

type Batch = Parameters<ReviewBackend['resolve']>[0];

/** A loaded queue over a backend that records each batch it is asked to commit. */
async function loaded() {
  const batches: Batch[] = [];
  const backend: ReviewBackend = {
    page: () => Promise.resolve({ total: ITEMS.length, items: ITEMS }),
    resolve: (rs) => {
      batches.push(rs);
      return Promise.resolve({
        branch: 'labels',
        created: false,
        commit: `c${batches.length}`,
        added: rs.length,
        skipped: 0,
        ids: rs.map((r) => `consensus-${r.subjectRow}`),
      });
    },
  };
  const q = new ReviewQueue(backend, 'lesion', { rule: 'human-review', params: {} });
  await q.load();
  return { q, batches };
}

/** Makes the page report `state` and tells listeners, as Chromium does when a tab is hidden. */
function setVisibility(state: 'hidden' | 'visible') {
  Object.defineProperty(document, 'visibilityState', { value: state, configurable: true });
  document.dispatchEvent(new Event('visibilitychange'));
}

describe('review queue: a hidden or closed tab commits what waits', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
    // Back to the document's own getter.
    delete (document as { visibilityState?: unknown }).visibilityState;
  });

  it('commits waiting decisions when the tab is hidden, not when it shows again', async () => {
    const { q, batches } = await loaded();
    q.pick('1');
    q.pick('0');
    setVisibility('visible');
    expect(batches).toEqual([]);
    setVisibility('hidden');
    // The commit starts at once: the backend already has the batch.
    expect(batches.map((b) => b.map((r) => [r.subjectRow, r.value]))).toEqual([
      [
        ['3', '1'],
        ['7', '0'],
      ],
    ]);
    await q.flush();
    expect(q.committed).toBe(2);
    expect(q.pending).toEqual([]);
    await q.close();
  });

  it('commits on pagehide (the tab closing)', async () => {
    const { q, batches } = await loaded();
    q.pick('1');
    window.dispatchEvent(new Event('pagehide'));
    expect(batches.flat().map((r) => r.subjectRow)).toEqual(['3']);
    await q.close();
  });

  it('otherwise commits every FLUSH_MS, so at most the last few seconds wait', async () => {
    const { q, batches } = await loaded();
    q.pick('1');
    vi.advanceTimersByTime(FLUSH_MS - 1);
    expect(batches).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(batches.flat().map((r) => r.subjectRow)).toEqual(['3']);
    await q.close();
    // Closed: nothing listens any more.
    q.pick('0');
    setVisibility('hidden');
    vi.advanceTimersByTime(FLUSH_MS * 2);
    expect(batches).toHaveLength(1);
  });
});
