/**
 * Diff and three-way merge between commits, keyed by row id. Every expectation is written out
 * from the rows the test itself wrote (fixtures: row i = { id: i, name: 'n<i>', score: i/2 }).
 */
import { describe, expect, it } from 'vitest';
import { LakeError } from '../../src/lib/store/errors.ts';
import { buildTable, type LakeRow } from '../../src/lib/versions/columns.ts';
import { putChunk, putJson } from '../../src/lib/versions/chunks.ts';
import { writeFragment } from '../../src/lib/versions/fragments.ts';
import { emptyObjectIndex } from '../../src/lib/versions/manifest.ts';
import { diffCommits, formatDiff, formatDiffRows } from '../../src/lib/versions/diff.ts';
import { mergeBase, mergeBranches, mergeRows } from '../../src/lib/versions/merge.ts';
import {
  COLS,
  DS,
  RS,
  addColumn,
  changeRows,
  commitOn,
  expected,
  idRow,
  newLake,
  range,
  recordSet,
  rowsAt,
} from './diff-merge-fixtures.ts';

async function caught(p: Promise<unknown>): Promise<LakeError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(LakeError);
  return e as LakeError;
}

/** A lake with main = rows 0..9 in two fragments (0-4, 5-9) and a branch "feature". */
async function base() {
  const t = await newLake();
  const c0 = await commitOn(t.lake, 'main', async () => ({
    [RS]: await recordSet(t.lake, [range(0, 5), range(5, 10)]),
  }));
  await t.lake.createBranch(DS, 'feature', 'main');
  return { ...t, c0 };
}

describe('diffCommits', () => {
  it('reports added, removed and modified rows, not identical rewrites', async () => {
    const { lake, c0 } = await base();
    const c1 = await changeRows(lake, 'main', {
      upserts: [idRow(3, { name: 'x3' }), idRow(4), idRow(10)],
      deletes: [7],
    });
    const d = await diffCommits(lake, c0, c1);
    const rs = d.recordSets[0]!;
    expect(rs).toMatchObject({ id: RS, status: 'changed', rowsBefore: 10, rowsAfter: 10 });
    expect(rs.counts).toEqual({ added: 1, removed: 1, modified: 1 });
    expect(rs.added).toEqual([{ rowid: '10', row: { id: '10', name: 'n10', score: 5 } }]);
    expect(rs.removed).toEqual([{ rowid: '7', row: { id: '7', name: 'n7', score: 3.5 } }]);
    expect(rs.modified).toEqual([
      { rowid: '3', changes: [{ column: 'name', before: 'n3', after: 'x3' }] },
    ]);
    expect(formatDiff(d)).toContain('+1 -1 ~1 rows (10 → 10)');
    // The rows themselves, one line each (the CLI's diff -n), from the detail checked above.
    const name = rs.name;
    expect(formatDiffRows(d)).toEqual([
      `  ${name} + _rowid 10: {"id":"10","name":"n10","score":5}`,
      `  ${name} - _rowid 7: {"id":"7","name":"n7","score":3.5}`,
      `  ${name} ~ _rowid 3: name "n3" → "x3"`,
    ]);
  });

  it('gives an empty diff for identical commits', async () => {
    const { lake, c0, gets } = await base();
    const c1 = await commitOn(lake, 'main', async (s) => s);
    gets.clear();
    const d = await diffCommits(lake, c0, c1);
    expect(d.recordSets).toEqual([expect.objectContaining({ status: 'unchanged', added: [] })]);
    expect(d.recordSets[0]!.counts).toEqual({ added: 0, removed: 0, modified: 0 });
    expect(formatDiff(d)).toContain('no differences');
    const frags = (await lake.readCommit(c0)).recordSets[RS]!.fragments;
    for (const f of frags) expect(gets.get(f.chunk) ?? 0).toBe(0);
  });

  it('reads only the fragment whose deletion vector changed', async () => {
    const { lake, c0, gets } = await base();
    const c1 = await changeRows(lake, 'main', { deletes: [1, 2] });
    gets.clear();
    const d = await diffCommits(lake, c0, c1);
    expect(d.recordSets[0]!.counts).toEqual({ added: 0, removed: 2, modified: 0 });
    expect(d.recordSets[0]!.removed.map((r) => r.rowid)).toEqual(['1', '2']);
    const [f0, f1] = (await lake.readCommit(c0)).recordSets[RS]!.fragments;
    expect(gets.get(f0!.chunk)).toBeGreaterThan(0);
    expect(gets.get(f1!.chunk) ?? 0).toBe(0);
  });

  it('caps the row detail at the limit, never the counts', async () => {
    const { lake, c0 } = await base();
    const c1 = await changeRows(lake, 'main', {
      upserts: range(0, 10).map((i) => idRow(i, { score: 100 + i })),
    });
    const rs = (await diffCommits(lake, c0, c1, { limit: 3 })).recordSets[0]!;
    expect(rs.counts.modified).toBe(10);
    expect(rs.modified.map((m) => m.rowid)).toEqual(['0', '1', '2']);
    expect(rs.truncated).toBe(true);
  });

  it('reports columns added and removed, and a type change as both', async () => {
    const { lake, c0 } = await base();
    const extra = { name: 'extra', type: 'utf8' as const };
    const c1 = await addColumn(lake, 'main', extra, new Map([[2, 'e2']]));
    const rs = (await diffCommits(lake, c0, c1)).recordSets[0]!;
    expect(rs).toMatchObject({ status: 'changed', columnsAdded: ['extra'], columnsRemoved: [] });
    expect(rs.counts).toEqual({ added: 0, removed: 0, modified: 0 });
    const back = (await diffCommits(lake, c1, c0)).recordSets[0]!;
    expect(back).toMatchObject({ columnsAdded: [], columnsRemoved: ['extra'] });
    // score as text: every row rewritten, but equal on the columns both sides have.
    const text = COLS.map((c) => (c.name === 'score' ? { ...c, type: 'utf8' as const } : c));
    const c2 = await commitOn(lake, 'main', async () => ({
      [RS]: await recordSet(lake, [range(0, 10)], text),
    }));
    const t = (await diffCommits(lake, c0, c2)).recordSets[0]!;
    expect(t).toMatchObject({ columnsAdded: ['score'], columnsRemoved: ['score'] });
    expect(t.counts).toEqual({ added: 0, removed: 0, modified: 0 });
    // The summary says the columns too, not only that no row differs.
    expect(
      formatDiff(await diffCommits(lake, c0, c2))
        .split('\n')
        .at(-1),
    ).toBe('0 row(s) differ, 1 column(s) added and 1 removed, in 1 record set(s)');
  });

  it('compares every row when extension fragments of a column differ', async () => {
    const { lake } = await base();
    const extra = { name: 'extra', type: 'utf8' as const };
    const c1 = await addColumn(
      lake,
      'main',
      extra,
      new Map([
        [1, 'e1'],
        [2, 'e2'],
      ]),
    );
    // A newer extension for the same column overrides row 2.
    const c2 = await commitOn(lake, 'main', async (s) => {
      const rs = s[RS]!;
      const table = buildTable([extra], [2n], [{ extra: 'z2' }]);
      const ext = await writeFragment(lake.chunks, table, true);
      return { ...s, [RS]: { ...rs, fragments: [...rs.fragments, ext] } };
    });
    const rs = (await diffCommits(lake, c1, c2)).recordSets[0]!;
    expect(rs.fullScan).toBe(true);
    expect(rs.counts).toEqual({ added: 0, removed: 0, modified: 1 });
    expect(rs.modified).toEqual([
      { rowid: '2', changes: [{ column: 'extra', before: 'e2', after: 'z2' }] },
    ]);
  });

  it('pairs a fragment chunk that occurs twice (a row written back to an old value)', async () => {
    const { lake } = await base();
    const v2 = await changeRows(lake, 'main', { upserts: [idRow(5, { name: 'v2' })] });
    const v3 = await changeRows(lake, 'main', { upserts: [idRow(5, { name: 'v3' })] });
    const back = await changeRows(lake, 'main', { upserts: [idRow(5, { name: 'v2' })] });
    const chunks = (await lake.readCommit(back)).recordSets[RS]!.fragments.map((f) => f.chunk);
    expect(new Set(chunks).size).toBe(chunks.length - 1);
    const same = (await diffCommits(lake, v2, back)).recordSets[0]!;
    expect(same.counts).toEqual({ added: 0, removed: 0, modified: 0 });
    const changed = (await diffCommits(lake, v3, back)).recordSets[0]!;
    expect(changed.modified).toEqual([
      { rowid: '5', changes: [{ column: 'name', before: 'v3', after: 'v2' }] },
    ]);
  });

  it('reports record sets added and removed whole', async () => {
    const { lake, c0 } = await base();
    const c1 = await commitOn(lake, 'main', async (s) => ({
      ...s,
      other: { ...(await recordSet(lake, [[100, 101]])), name: 'other' },
    }));
    const d = await diffCommits(lake, c0, c1);
    const other = d.recordSets.find((r) => r.id === 'other')!;
    expect(other).toMatchObject({ status: 'added', counts: { added: 2, removed: 0, modified: 0 } });
    expect(other.added[1]).toEqual({ rowid: '101', row: { id: '101', name: 'n101', score: 50.5 } });
    expect(d.recordSets.find((r) => r.id === RS)!.status).toBe('unchanged');
    const back = await diffCommits(lake, c1, c0, { recordSet: 'other' });
    expect(back.recordSets).toHaveLength(1);
    expect(back.recordSets[0]).toMatchObject({ status: 'removed', counts: { removed: 2 } });
  });
});

describe('mergeRows', () => {
  it('merges per column and flags rows added on both sides with different values', () => {
    const b = new Map([[1n, { a: 1n, b: 1n }]]);
    const ours = new Map([
      [1n, { a: 2n, b: 1n }],
      [5n, { a: 5n, b: 5n }],
    ]);
    const theirs = new Map([
      [1n, { a: 1n, b: 3n }],
      [5n, { a: 5n, b: 6n }],
    ]);
    const r = mergeRows({ recordSet: 'x', columns: ['a', 'b'], base: b, ours, theirs }, 'theirs');
    expect(r.upserts).toEqual([
      { rowid: 1n, row: { a: 2n, b: 3n } },
      { rowid: 5n, row: { a: 5n, b: 6n } },
    ]);
    expect(r.conflicts).toEqual([
      { recordSet: 'x', rowid: '5', column: 'b', ours: '5', base: null, theirs: '6' },
    ]);
  });
});

describe('mergeBranches', () => {
  it('merges disjoint changes into a two-parent merge commit', async () => {
    const { lake, c0 } = await base();
    const ours = await changeRows(lake, 'main', {
      upserts: [idRow(1, { name: 'o1' })],
      deletes: [2],
    });
    const theirs = await changeRows(lake, 'feature', {
      upserts: [idRow(5, { score: 99 }), idRow(20)],
      deletes: [8],
    });
    expect(await mergeBase(lake, DS, 'main', 'feature')).toBe(c0);
    const res = await mergeBranches(lake, DS, { into: 'main', from: 'feature' });
    expect(res.upToDate).toBe(false);
    expect(res.commit.parents).toEqual([ours, theirs]);
    expect(res.commit.lineage.op).toBe('merge');
    expect(res.commit.lineage.params).toMatchObject({ from: 'feature', into: 'main', base: c0 });
    expect(res.stats).toMatchObject({ upserted: 2, deleted: 1, conflicts: 0 });
    const ids = [0, 1, 3, 4, 5, 6, 7, 9, 20];
    expect(await rowsAt(lake, 'main')).toEqual(
      expected(ids, { 1: { name: 'o1' }, 5: { score: 99 } }),
    );
    expect((await lake.readCommit(res.hash)).recordSets[RS]!.rows).toBe(9);
    // Merging again: nothing to do, nothing committed.
    const again = await mergeBranches(lake, DS, { into: 'main', from: 'feature' });
    expect(again).toMatchObject({ upToDate: true, hash: res.hash });
    // The other way round, feature catches up: same rows.
    await mergeBranches(lake, DS, { into: 'feature', from: 'main' });
    expect(await rowsAt(lake, 'feature')).toEqual(await rowsAt(lake, 'main'));
  });

  it('counts the rows of a record set only theirs changed, taken whole', async () => {
    const { lake } = await base();
    // Ours touches another record set only; theirs adds row 20 and deletes row 8 of RS.
    await commitOn(lake, 'main', async (s) => ({ ...s, other: await recordSet(lake, [[50]]) }));
    await changeRows(lake, 'feature', { upserts: [idRow(20)], deletes: [8] });
    const res = await mergeBranches(lake, DS, { into: 'main', from: 'feature' });
    expect(res.stats).toMatchObject({ upserted: 1, deleted: 1, conflicts: 0 });
    expect(res.commit.lineage.params).toMatchObject({ upserted: 1, deleted: 1 });
    expect(await rowsAt(lake, 'main')).toEqual(expected([0, 1, 2, 3, 4, 5, 6, 7, 9, 20]));
  });

  it('merges changes to different columns of the same row', async () => {
    const { lake } = await base();
    await changeRows(lake, 'main', { upserts: [idRow(3, { name: 'o3' })] });
    await changeRows(lake, 'feature', { upserts: [idRow(3, { score: 7 })] });
    await mergeBranches(lake, DS, { into: 'main', from: 'feature' });
    expect(await rowsAt(lake, 'main')).toEqual(
      expected(range(0, 10), { 3: { name: 'o3', score: 7 } }),
    );
  });

  async function conflicting() {
    const t = await base();
    await changeRows(t.lake, 'main', { upserts: [idRow(4, { name: 'o4' })], deletes: [6] });
    await changeRows(t.lake, 'feature', {
      upserts: [idRow(4, { name: 't4' }), idRow(6, { score: 0 })],
    });
    return t;
  }

  it('refuses conflicts by default, naming each one', async () => {
    const { lake } = await conflicting();
    const head = await lake.resolve(DS, 'main');
    const e = await caught(mergeBranches(lake, DS, { into: 'main', from: 'feature' }));
    expect(e.code).toBe('MERGE_CONFLICT');
    expect(e.message).toContain('2 conflict(s)');
    expect(e.detail).toEqual([
      { recordSet: RS, rowid: '4', column: 'name', ours: 'o4', base: 'n4', theirs: 't4' },
      {
        recordSet: RS,
        rowid: '6',
        column: '*',
        ours: null,
        base: { id: '6', name: 'n6', score: 3 },
        theirs: { id: '6', name: 'n6', score: 0 },
      },
    ]);
    expect(await lake.resolve(DS, 'main')).toBe(head);
  });

  it('resolves conflicts with policy ours or theirs', async () => {
    const a = await conflicting();
    const r = await mergeBranches(a.lake, DS, { into: 'main', from: 'feature', policy: 'ours' });
    expect(r.conflicts).toHaveLength(2);
    const noSix = range(0, 10).filter((i) => i !== 6);
    expect(await rowsAt(a.lake, 'main')).toEqual(expected(noSix, { 4: { name: 'o4' } }));
    const b = await conflicting();
    await mergeBranches(b.lake, DS, { into: 'main', from: 'feature', policy: 'theirs' });
    const want = expected(range(0, 10), { 4: { name: 't4' }, 6: { score: 0 } });
    expect(await rowsAt(b.lake, 'main')).toEqual(want);
  });

  it('carries over columns and record sets only theirs has', async () => {
    const { lake } = await base();
    await changeRows(lake, 'main', { upserts: [idRow(1, { name: 'o1' })] });
    const extra = { name: 'extra', type: 'utf8' as const };
    await addColumn(
      lake,
      'feature',
      extra,
      new Map([
        [1, 'e1'],
        [2, 'e2'],
      ]),
    );
    await commitOn(lake, 'feature', async (s) => ({ ...s, other: await recordSet(lake, [[50]]) }));
    const res = await mergeBranches(lake, DS, { into: 'main', from: 'feature' });
    expect(res.stats).toMatchObject({ columnsAdded: 1, recordSetsAdded: 1 });
    const patches: Record<number, LakeRow> = Object.fromEntries(
      range(0, 10).map((i) => [i, { extra: null }]),
    );
    Object.assign(patches, { 1: { name: 'o1', extra: 'e1' }, 2: { extra: 'e2' } });
    expect(await rowsAt(lake, 'main')).toEqual(expected(range(0, 10), patches));
    expect(Object.keys(res.commit.recordSets).sort()).toEqual(['other', RS]);
  });

  it('keeps our column in rows only theirs changed', async () => {
    const { lake } = await base();
    await addColumn(lake, 'main', { name: 'extra', type: 'utf8' }, new Map([[2, 'e2']]));
    await changeRows(lake, 'feature', { upserts: [idRow(2, { score: 8 })] });
    await mergeBranches(lake, DS, { into: 'main', from: 'feature' });
    const patches: Record<number, LakeRow> = Object.fromEntries(
      range(0, 10).map((i) => [i, { extra: null }]),
    );
    patches[2] = { extra: 'e2', score: 8 };
    expect(await rowsAt(lake, 'main')).toEqual(expected(range(0, 10), patches));
  });

  it('carries a column theirs stores in base fragments', async () => {
    const { lake } = await base();
    await changeRows(lake, 'main', { upserts: [idRow(1, { name: 'o1' })], deletes: [9] });
    const cols = [...COLS, { name: 'flag', type: 'bool' as const }];
    await commitOn(lake, 'feature', async () => ({
      [RS]: await recordSet(lake, [range(0, 10)], cols),
    }));
    // recordSet() writes rows without "flag": set it on row 3 through a modification.
    await changeRows(lake, 'feature', { upserts: [idRow(3, { flag: true })] });
    await mergeBranches(lake, DS, { into: 'main', from: 'feature' });
    const patches: Record<number, LakeRow> = Object.fromEntries(
      range(0, 9).map((i) => [i, { flag: null }]),
    );
    Object.assign(patches, { 1: { name: 'o1', flag: null }, 3: { flag: true } });
    expect(await rowsAt(lake, 'main')).toEqual(expected(range(0, 9), patches));
  });

  it('unites the object indexes when theirs stores more objects', async () => {
    const { lake } = await base();
    // Objects of one byte each, stored: a commit may reference only stored chunks.
    const [a, b] = [
      await putChunk(lake.chunks, new Uint8Array([97])),
      await putChunk(lake.chunks, new Uint8Array([98])),
    ];
    const entry = (k: string) => ({
      [k]: { size: 1, parts: [[k, 0, 1]] as [string, number, number][] },
    });
    const index = (objects: object) => putJson(lake.chunks, { ...emptyObjectIndex(), objects });
    const withObjects = (branch: string, objects: Promise<string>) =>
      lake.commit(DS, branch, async (head) => ({
        ...(await lake.readCommit(head!)),
        lineage: { op: 'commit', params: {} },
        objects: await objects,
      }));
    await withObjects('main', index(entry(a)));
    await withObjects('feature', index({ ...entry(a), ...entry(b) }));
    const res = await mergeBranches(lake, DS, { into: 'main', from: 'feature' });
    expect(Object.keys((await lake.readObjects(res.commit)).objects).sort()).toEqual([a, b].sort());
  });

  it('refuses a column both sides added with different types', async () => {
    const { lake } = await base();
    await addColumn(lake, 'main', { name: 'extra', type: 'utf8' }, new Map([[1, 'x']]));
    await addColumn(lake, 'feature', { name: 'extra', type: 'int64' }, new Map([[1, 1n]]));
    const e = await caught(mergeBranches(lake, DS, { into: 'main', from: 'feature' }));
    expect(e.code).toBe('SCHEMA_MISMATCH');
    expect(e.message).toMatch(/record set rs.*column extra/);
  });

  it('refuses to merge into a protected branch', async () => {
    const { lake } = await base();
    await changeRows(lake, 'feature', { deletes: [0] });
    await lake.protect(DS, 'main');
    const e = await caught(mergeBranches(lake, DS, { into: 'main', from: 'feature' }));
    expect(e.code).toBe('PROTECTED_BRANCH');
  });
});

describe('diff on a large record set', () => {
  it('reads only the fragments that changed', async () => {
    const { lake, gets } = await newLake();
    const n = 200_000;
    const c0 = await commitOn(lake, 'main', async () => ({
      [RS]: await recordSet(lake, [range(0, n)]),
    }));
    const frags = (await lake.readCommit(c0)).recordSets[RS]!.fragments;
    expect(frags).toHaveLength(4);
    // 1% of the rows, all in the second fragment (ids 65536…131071), plus new rows.
    const c1 = await changeRows(lake, 'main', {
      upserts: [
        ...range(70_000, 71_000).map((i) => idRow(i, { name: 'm' })),
        ...range(n, n + 500).map((i) => idRow(i)),
      ],
      deletes: range(71_000, 71_500),
    });
    gets.clear();
    const rs = (await diffCommits(lake, c0, c1, { limit: 10 })).recordSets[0]!;
    expect(rs.counts).toEqual({ added: 500, removed: 500, modified: 1000 });
    expect(rs.modified[0]).toEqual({
      rowid: '70000',
      changes: [{ column: 'name', before: 'n70000', after: 'm' }],
    });
    expect(rs.added[0]!.row).toEqual({ id: String(n), name: `n${n}`, score: n / 2 });
    expect(frags.map((f) => gets.get(f.chunk) ?? 0)).toEqual([0, 1, 0, 0]);
  }, 120_000);
});
