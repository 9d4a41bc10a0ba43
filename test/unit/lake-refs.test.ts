/**
 * Refs that cannot lose data (issue 11): the import branch cannot be deleted, nor the last
 * branch; every ref change is in the append-only ref log; a deleted branch is restored at its
 * last commit; garbage collection keeps what the ref log can restore for 30 days.
 */
import { describe, expect, it } from 'vitest';
import { LakeError } from '../../src/lib/store/errors.ts';
import { appendRows } from '../../src/lib/versions/append.ts';
import { collectGarbage } from '../../src/lib/versions/gc.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import {
  REFLOG_RETENTION_MS,
  deletedBranches,
  type RefLogEntry,
} from '../../src/lib/versions/reflog.ts';
import { row, rowsAt, setup } from './lake-extend-fixture.ts';

async function refused(p: Promise<unknown>, code: string): Promise<LakeError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(LakeError);
  expect((e as LakeError).code).toBe(code);
  return e as LakeError;
}

/** The chunks a branch's head adds over main: one appended fragment. */
async function branchWithRows(lake: Lake, name: string): Promise<string> {
  await lake.createBranch('d', name, 'main');
  const r = await appendRows(lake, 'd', {
    branch: name,
    recordSet: 'people',
    rows: [row('Eve', 9n, 9, true, 9)],
  });
  return r.hash;
}

describe('branches that cannot be lost', () => {
  it('refuses to delete the import branch, even unprotected, and the last branch', async () => {
    const { lake } = await setup();
    expect((await lake.branches('d')).find((b) => b.name === 'main')?.protected).toBe(false);
    const e = await refused(lake.deleteBranch('d', 'main'), 'IMPORT_BRANCH');
    expect(e.message).toMatch(/"main" is the import branch of d/);
    await lake.createBranch('d', 'work', 'main');
    await refused(lake.deleteBranch('d', 'main'), 'IMPORT_BRANCH');
    expect((await lake.branches('d')).map((b) => b.name)).toEqual(['main', 'work']);

    // The import branch is the catalog's, not a hard-coded name.
    const entry = (await lake.backend.refs.get<Record<string, unknown>>('dataset/d'))!;
    await lake.backend.refs.cas('dataset/d', entry.version, {
      ...entry.value,
      importBranch: 'work',
    });
    await refused(lake.deleteBranch('d', 'work'), 'IMPORT_BRANCH');
    await lake.deleteBranch('d', 'main');
    // With `work` the only branch left, it is the dataset's head: never deleted.
    await lake.backend.refs.cas('dataset/d', entry.version + 1, {
      ...entry.value,
      importBranch: 'x',
    });
    await refused(lake.deleteBranch('d', 'work'), 'LAST_BRANCH');
    expect((await lake.branches('d')).map((b) => b.name)).toEqual(['work']);
  });

  it('records every ref change in the ref log: who, when, old and new commit', async () => {
    const { lake: first, base } = await setup();
    const lake = await Lake.open(first.backend, { actor: 'ana@lab' });
    await lake.createBranch('d', 'work', 'main');
    const moved = await branchWithRows(lake, 'extra');
    await lake.protect('d', 'work', true);
    await lake.protect('d', 'work', true); // no change, no entry
    await lake.protect('d', 'work', false);
    await lake.tag('d', 'v1', 'extra');
    await lake.deleteTag('d', 'v1');
    await lake.deleteBranch('d', 'extra');
    await lake.restoreBranch('d', 'extra');
    await refused(lake.createBranch('d', 'work', 'main'), 'REF_EXISTS'); // not made: not logged
    const log = await lake.refLog('d');
    expect(log.map((e) => [e.kind, e.name, e.action, e.old, e.new])).toEqual([
      ['branch', 'main', 'create', null, base],
      ['branch', 'work', 'create', null, base],
      ['branch', 'extra', 'create', null, base],
      ['branch', 'extra', 'move', base, moved],
      ['branch', 'work', 'protect', base, base],
      ['branch', 'work', 'unprotect', base, base],
      ['tag', 'v1', 'create', null, moved],
      ['tag', 'v1', 'delete', moved, null],
      ['branch', 'extra', 'delete', moved, null],
      ['branch', 'extra', 'restore', null, moved],
    ]);
    // `main` was created by the fixture's lake (its default actor); the rest by ana.
    expect(log.slice(1).every((e) => e.who === 'ana@lab')).toBe(true);
    expect(log[3]!.message).toMatch(/^Append 1 row/);
    const times = log.map((e) => Date.parse(e.time));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(log.at(-1)!.message).toMatch(/^restored "extra", deleted .* by ana@lab$/);
  });

  it('restores a deleted branch at its last commit, under another name when taken', async () => {
    const { lake } = await setup();
    const head = await branchWithRows(lake, 'extra');
    await lake.deleteBranch('d', 'extra');
    expect((await lake.deletedBranches('d')).map((d) => [d.name, d.commit, d.retained])).toEqual([
      ['extra', head, true],
    ]);
    await lake.createBranch('d', 'extra', 'main'); // the name is taken by something else now
    expect(await lake.deletedBranches('d')).toEqual([]);
    await lake.deleteBranch('d', 'extra');
    const [latest] = await lake.deletedBranches('d');
    expect(latest!.commit).not.toBe(head); // the latest deletion is what restores

    await refused(lake.restoreBranch('d', 'nothing'), 'UNKNOWN_REF');
    await lake.createBranch('d', 'extra', 'main');
    await refused(lake.restoreBranch('d', 'extra'), 'REF_EXISTS');
    await lake.deleteBranch('d', 'extra');
    await lake.createBranch('d', 'taken', 'main');
    const e = await refused(lake.restoreBranch('d', 'extra', 'taken'), 'REF_EXISTS');
    expect(e.message).toMatch(/restore "extra" under another name/);
    const back = await lake.restoreBranch('d', 'extra', 'extra-again');
    expect(back).toMatchObject({ name: 'extra-again', protected: false });
    expect(await rowsAt(lake, 'extra-again')).toEqual(await rowsAt(lake, 'main'));
  });

  it('gc keeps what the ref log can restore for 30 days, then may free it', async () => {
    const { lake } = await setup();
    const head = await branchWithRows(lake, 'extra');
    const [fragment] = (await lake.readCommit(head)).recordSets['people']!.fragments.slice(-1);
    await lake.deleteBranch('d', 'extra');
    const kept = await collectGarbage(lake, { graceMs: 0 });
    expect(kept.deleted).toBe(0);
    expect(await lake.chunks.has(fragment!.chunk)).toBe(true);
    await lake.restoreBranch('d', 'extra');
    expect(await rowsAt(lake, 'extra')).toHaveLength(5);

    // 31 days later (entries aged by hand: the lake never rewrites them).
    await lake.deleteBranch('d', 'extra');
    const old = new Date(Date.now() - REFLOG_RETENTION_MS - 86_400_000).toISOString();
    for (const e of await lake.backend.refs.list<RefLogEntry>('reflog/d/')) {
      await lake.backend.refs.cas(e.key, e.version, { ...e.value, time: old });
    }
    expect((await lake.deletedBranches('d'))[0]).toMatchObject({ name: 'extra', retained: false });
    const freed = await collectGarbage(lake, { graceMs: 0 });
    expect(freed.deleted).toBeGreaterThan(0);
    expect(await lake.chunks.has(fragment!.chunk)).toBe(false);
    const e = await refused(lake.restoreBranch('d', 'extra'), 'MISSING_CHUNK');
    expect(e.message).toMatch(/cannot be restored: its data is gone/);
    expect((await lake.branches('d')).map((b) => b.name)).toEqual(['main']);
  });

  it('gc refuses a grace period that is no number of milliseconds, and deletes nothing', async () => {
    const { lake } = await setup();
    for (const graceMs of [Number.NaN, -1, Infinity]) {
      const e = await refused(collectGarbage(lake, { graceMs }), 'BAD_INPUT');
      expect(e.message).toContain(`got ${String(graceMs)}; nothing was deleted`);
    }
  });

  it('refuses an empty revision by name instead of reading it as main', async () => {
    const { lake } = await setup();
    // What `?query=d@` asks for: a link cut after its `@` (view-address.ts keeps the '').
    const e = await refused(lake.resolve('d', ''), 'UNKNOWN_REF');
    expect(e.message).toBe('dataset d has no branch, tag or commit ""; branches: main');
  });

  it('a commit that loses its compare-and-set leaves no ref-log entry', async () => {
    const { lake, base } = await setup();
    const before = (await lake.refLog('d')).length;
    await lake.createBranch('d', 'work', 'main');
    await appendRows(lake, 'd', {
      branch: 'work',
      recordSet: 'people',
      rows: [row('A', 1n, 1, true, 1)],
    });
    const e = await refused(
      lake.commit(
        'd',
        'work',
        async () => ({
          message: 'stale',
          lineage: { op: 'commit', params: {} },
          ...(({ document, objects, recordSets }) => ({ document, objects, recordSets }))(
            await lake.readCommit(base),
          ),
        }),
        { expectedHead: base, rebase: false },
      ),
      'REF_CONFLICT',
    );
    expect(e.message).toMatch(/moved/);
    expect((await lake.refLog('d')).map((x) => x.action)).toEqual([
      ...Array<string>(before).fill('create'),
      'create',
      'move',
    ]);
  });
});

describe('deleted branches', () => {
  it('deleted at one time are in code point order, as the lake lists names', () => {
    const time = new Date().toISOString();
    const log: RefLogEntry[] = ['😀', 'a', '\ufffd', 'B', 'Ä'].map((name) => ({
      dataset: 'd',
      kind: 'branch',
      name,
      action: 'delete',
      old: 'c'.repeat(64),
      new: null,
      who: 'test',
      time,
    }));
    // By hand from the code points: B 42, a 61, Ä C4, U+FFFD, 😀 1F600 (a locale puts a before B).
    const names = deletedBranches(log, new Set()).map((d) => d.name);
    expect(names).toEqual(['B', 'a', 'Ä', '\ufffd', '😀']);
  });
});
