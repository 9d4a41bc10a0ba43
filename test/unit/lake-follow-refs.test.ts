/**
 * The Lake tab follows ref changes made elsewhere on the page (run on LakeCatalog.refsChanged):
 * - the dataset panel (LakeDataset.refresh): a pull from the Remotes panel that moves the shown
 *   branch shows its new log and head; a commit picked by hand stays picked; a ref that vanished
 *   gives way to main;
 * - the Remotes panel's ahead/behind table (LakeRemotes.refreshStatus), without hiding a failure.
 * Over stub lake clients whose refs the test moves, as a pull in the worker would. The wiring in
 * the page is shown by test/e2e/remotes.e2e.ts.
 */
import { describe, expect, it } from 'vitest';
import { LakeCatalog } from '../../src/app/lake-catalog.svelte.ts';
import { LakeDataset } from '../../src/app/lake-dataset.svelte.ts';
import { LakeRemotes } from '../../src/app/lake-remotes.svelte.ts';
import { LakeError } from '../../src/lib/store/errors.ts';
import type { LakeClient } from '../../workers/api/lake-client.ts';
import type { LogItem, RefInfo } from '../../workers/api/lake.api.ts';

/** A lake of commits `c1 → c2 → …` (each a child of the one before) and named branches. */
function stubLake() {
  const heads = new Map<string, string>([['main', 'c2']]);
  const calls: string[] = [];
  const logOf = (head: string): LogItem[] => {
    const n = Number(head.slice(1));
    return Array.from({ length: n }, (_, i) => ({ hash: `c${n - i}` }) as LogItem);
  };
  const replies: Record<string, (args: unknown[]) => unknown> = {
    branches: () =>
      [...heads].map(([name, commit]): RefInfo => ({
        name,
        kind: 'branch',
        commit,
        protected: false,
        updatedAt: '2026-12-06T00:00:00Z',
      })),
    tags: () => [],
    log: (a) => logOf(heads.get(a[1] as string)!),
    commit: (a) => ({ hash: a[1], recordSets: [{ id: 'people' }] }),
    rows: (a) => ({ commit: a[1] }),
    pull: () => heads.set('main', 'c4'), // the pull moves main, in the worker
    appendCsv: (a) =>
      heads.set(a[1] as string, `c${Number(heads.get(a[1] as string)!.slice(1)) + 1}`),
    datasets: () => ({
      datasets: [{ id: 'titanic', lastCommit: heads.get('main') }],
      unfinished: [],
      running: [],
      totalBytes: 100 * Number(heads.get('main')!.slice(1)),
    }),
    createBranch: (a) => heads.set(a[1] as string, heads.get(a[2] as string) ?? (a[2] as string)),
  };
  const client = {
    alive: true,
    call: (method: string, args: unknown[]) => {
      calls.push(method);
      return Promise.resolve(replies[method]?.(args) ?? {});
    },
    terminate: () => undefined,
  } as unknown as LakeClient;
  return { lake: new LakeCatalog(() => client), heads, calls };
}

const hashes = (d: LakeDataset) =>
  d.log.status === 'ready' ? d.log.value.map((c) => c.hash) : d.log.status;

describe('the catalog table after an append in the dataset panel', () => {
  it('shows the new last commit and size without a reload', async () => {
    const { lake, calls } = stubLake();
    await lake.refresh();
    expect([lake.datasets, lake.totalBytes]).toEqual([[{ id: 'titanic', lastCommit: 'c2' }], 200]);
    const d = new LakeDataset(lake, 'titanic');
    await d.load();
    calls.length = 0;
    expect(await d.appendCsv(new File(['name\nx\n'], 'more.csv'))).toBe(true);
    expect(calls).toContain('datasets');
    expect([lake.datasets, lake.totalBytes]).toEqual([[{ id: 'titanic', lastCommit: 'c3' }], 300]);
    expect(hashes(d)).toEqual(['c3', 'c2', 'c1']);
  });
});

describe('the dataset panel after a ref change made elsewhere', () => {
  it('shows the new head and log of the shown branch after a pull moved it', async () => {
    const { lake } = stubLake();
    const d = new LakeDataset(lake, 'titanic');
    await d.load();
    expect([d.selected, hashes(d)]).toEqual(['c2', ['c2', 'c1']]);
    await lake.call('pull', ['origin', 'titanic', 'fail']);
    await d.refresh();
    expect(d.branches.map((b) => b.commit)).toEqual(['c4']);
    expect(hashes(d)).toEqual(['c4', 'c3', 'c2', 'c1']);
    // The head was selected: the selection follows the branch, and so do the rows shown.
    expect(d.selected).toBe('c4');
    expect(d.rows.status === 'ready' && d.rows.value).toEqual({ commit: 'c4' });
  });

  it('keeps a commit picked by hand, and reads nothing more when the shown ref did not move', async () => {
    const { lake, heads, calls } = stubLake();
    const d = new LakeDataset(lake, 'titanic');
    await d.load();
    await d.selectCommit('c1');
    heads.set('other', 'c1'); // a branch created elsewhere: main did not move
    calls.length = 0;
    await d.refresh();
    expect(calls.sort()).toEqual(['branches', 'tags']);
    expect(d.branches.map((b) => b.name)).toEqual(['main', 'other']);
    heads.set('main', 'c3');
    await d.refresh();
    expect(hashes(d)).toEqual(['c3', 'c2', 'c1']);
    expect(d.selected).toBe('c1');
  });

  it('shows main when the shown branch is gone', async () => {
    const { lake, heads } = stubLake();
    heads.set('work', 'c3');
    const d = new LakeDataset(lake, 'titanic');
    await d.load('work');
    expect(d.ref).toBe('work');
    heads.delete('work');
    await d.refresh();
    expect([d.ref, d.selected, hashes(d)]).toEqual(['main', 'c2', ['c2', 'c1']]);
  });

  it('leaves its own ref actions to load what they changed', async () => {
    const { lake, calls } = stubLake();
    const d = new LakeDataset(lake, 'titanic');
    await d.load();
    calls.length = 0;
    // A refresh while an action of this view runs (the lake's signal rises at the action's end,
    // before the action reads back) reads nothing: the action loads what it changed.
    const acting = d.createBranch('work');
    await d.refresh();
    await acting;
    expect(calls.filter((c) => c === 'branches')).toHaveLength(1);
    expect(d.ref).toBe('work');
  });
});

/** A Remotes panel's state over a stub lake client whose remote status the test sets. */
function stubRemotes(fail: ReadonlySet<string> = new Set()) {
  let status: unknown[] = [{ branch: 'main', state: 'same' }];
  const client = {
    alive: true,
    call: (method: string) => {
      if (fail.has(method))
        return Promise.reject(new LakeError('MERGE_CONFLICT', `${method} failed`));
      const replies: Record<string, unknown> = {
        remotes: [{ name: 'origin' }],
        vaultState: { exists: false, unlocked: false },
        remoteStatus: status,
      };
      return Promise.resolve(replies[method] ?? {});
    },
    terminate: () => undefined,
  } as unknown as LakeClient;
  const remotes = new LakeRemotes(new LakeCatalog(() => client));
  return { remotes, setStatus: (s: unknown[]) => (status = s) };
}

describe("the Remotes panel's ahead/behind table after a ref change made elsewhere", () => {
  it('reads the table again, and leaves a failure shown in place', async () => {
    const { remotes, setStatus } = stubRemotes(new Set(['pull']));
    await remotes.load('titanic');
    expect(remotes.status).toEqual([{ branch: 'main', state: 'same' }]);
    // A branch made in the ref bar: the table shows it.
    setStatus([
      { branch: 'curated', state: 'same' },
      { branch: 'main', state: 'same' },
    ]);
    await remotes.refreshStatus('titanic');
    expect(remotes.status.map((s) => s.branch)).toEqual(['curated', 'main']);
    // A pull that failed: its error stays shown, and the table is read again (a pull that failed
    // midway may have moved a branch).
    setStatus([{ branch: 'main', state: 'behind' }]);
    expect(await remotes.run('pull', 'titanic')).toBe(false);
    expect(remotes.failure?.code).toBe('MERGE_CONFLICT');
    expect(remotes.status).toEqual([{ branch: 'main', state: 'behind' }]);
    await remotes.refreshStatus('titanic');
    expect(remotes.failure?.code).toBe('MERGE_CONFLICT');
  });
});
