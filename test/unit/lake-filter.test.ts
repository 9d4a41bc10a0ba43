/**
 * Curation: filterToBranch saves the rows a predicate selected as a new protected branch made
 * only of deletion vectors, on a memory lake. Runs in Node and in Chromium.
 */
import { describe, expect, it } from 'vitest';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import type { LakeBackend } from '../../src/lib/store/types.ts';
import { contentHash } from '../../src/lib/versions/content-hash.ts';
import { filterToBranch } from '../../src/lib/versions/filter.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import type { ColumnDef } from '../../src/lib/versions/manifest.ts';
import { readAllRows, recordSetOf } from '../../src/lib/versions/read.ts';
import { getRef } from '../../src/lib/versions/refs.ts';
import { writeRows } from '../../src/lib/versions/write.ts';

const COLUMNS: ColumnDef[] = [
  { name: 'people/name', type: 'utf8' },
  { name: 'people/age', type: 'int64' },
];
const NAMES = ['Ann', 'Bob', 'Cid', 'Dee', 'Eve', 'Fay'];
const SPARSE: ColumnDef[] = [{ name: 'pets/kind', type: 'utf8' }];

async function setup() {
  const backend = memoryBackend();
  const lake = await Lake.open(backend);
  await backend.refs.cas('dataset/d', 0, {
    id: 'd',
    name: 'd',
    source: 'test',
    createdAt: new Date().toISOString(),
    rawBytes: 0,
  });
  const people = NAMES.map((n, i) => ({
    rowid: BigInt(i),
    row: { 'people/name': n, 'people/age': BigInt(20 + 5 * i) },
  }));
  // Two dense fragments of people; pets has non-consecutive ids (not dense).
  const fragments = [
    ...(await writeRows(lake.chunks, COLUMNS, people.slice(0, 4))),
    ...(await writeRows(lake.chunks, COLUMNS, people.slice(4))),
  ];
  const pets = await writeRows(
    lake.chunks,
    SPARSE,
    [10n, 20n, 30n].map((rowid) => ({ rowid, row: { 'pets/kind': `k${rowid}` } })),
  );
  const { hash } = await lake.commit(
    'd',
    'main',
    async () => ({
      message: 'ingest',
      lineage: { op: 'ingest', params: {} },
      document: null,
      objects: null,
      recordSets: {
        people: { name: 'people', columns: COLUMNS, rows: 6, fragments },
        pets: { name: 'pets', columns: SPARSE, rows: 3, fragments: pets },
      },
    }),
    { create: { protected: true } },
  );
  return { backend, lake, base: hash };
}

async function chunkSet(backend: LakeBackend): Promise<Set<string>> {
  const out = new Set<string>();
  for await (const c of backend.chunks.list()) out.add(c.hash);
  return out;
}

async function rowsAt(lake: Lake, rev: string, rs: string) {
  const commit = await lake.readCommit(await lake.resolve('d', rev));
  const [id, m] = recordSetOf(commit, rs);
  return (await readAllRows(lake.chunks, m, id)).map((r) => [r.rowid, r.row]);
}

describe('filterToBranch', () => {
  it('keeps exactly the given rows, on a new protected branch, writing only deletions', async () => {
    const { backend, lake, base } = await setup();
    const before = await chunkSet(backend);
    const r = await filterToBranch(lake, 'd', {
      from: 'main',
      branch: 'adults',
      recordSet: 'people',
      predicate: '"people/age" >= 30',
      keep: [2n, 5n, 3n, 4n],
      time: '2026-01-01T00:00:00.000Z',
    });
    expect(r).toMatchObject({ branch: 'adults', recordSet: 'people', kept: 4, removed: 2 });
    expect((await rowsAt(lake, 'adults', 'people')).map(([id]) => id)).toEqual([2n, 3n, 4n, 5n]);
    expect((await rowsAt(lake, 'adults', 'people'))[0]![1]).toEqual({
      'people/name': 'Cid',
      'people/age': 30n,
    });
    // Commit: one parent (the filtered commit), lineage with the predicate and counts.
    expect(r.commit.parents).toEqual([base]);
    expect(r.commit.lineage).toEqual({
      op: 'filter',
      params: {
        from: base,
        recordSet: 'people',
        predicate: '"people/age" >= 30',
        kept: 4,
        removed: 2,
      },
    });
    expect(r.commit.features).toEqual(['deletions']);
    const rs = r.commit.recordSets.people!;
    expect(rs.rows).toBe(4);
    const old = (await lake.readCommit(base)).recordSets;
    expect(rs.fragments.map((f) => f.chunk)).toEqual(old.people!.fragments.map((f) => f.chunk));
    expect(r.commit.recordSets.pets).toEqual(old.pets);
    // New chunks: the commit and one deletions chunk (only the first fragment lost rows).
    const added = [...(await chunkSet(backend))].filter((h) => !before.has(h)).sort();
    expect(added).toEqual([r.hash, rs.fragments[0]!.deletions!].sort());
    expect(rs.fragments[1]!.deletions).toBeUndefined();
    // Protected, and main is untouched.
    const ref = await getRef(backend.refs, 'd', 'branch', 'adults');
    expect(ref).toMatchObject({ commit: r.hash, protected: true });
    expect(await lake.resolve('d', 'main')).toBe(base);
    expect(await rowsAt(lake, 'main', 'people')).toHaveLength(6);
    expect((await lake.branches('d')).map((b) => b.name)).toEqual(['adults', 'main']);
    await expect(
      lake.commit('d', 'adults', () => Promise.reject(new Error('not reached'))),
    ).rejects.toMatchObject({ code: 'PROTECTED_BRANCH' });
  });

  it('filters non-dense fragments and a filtered branch again (deletions accumulate)', async () => {
    const { lake } = await setup();
    const opts = { predicate: 'p', time: '2026-01-01T00:00:00.000Z' };
    await filterToBranch(lake, 'd', {
      ...opts,
      from: 'main',
      branch: 'a',
      recordSet: 'pets',
      keep: [10n, 30n],
    });
    expect((await rowsAt(lake, 'a', 'pets')).map(([id]) => id)).toEqual([10n, 30n]);
    const r = await filterToBranch(lake, 'd', {
      ...opts,
      from: 'a',
      branch: 'a/b',
      recordSet: 'pets',
      keep: [30n],
    });
    expect((await rowsAt(lake, 'a/b', 'pets')).map(([id]) => id)).toEqual([30n]);
    expect(r.commit.recordSets.pets).toMatchObject({ rows: 1 });
    expect(r.commit.recordSets.pets!.fragments[0]!.deleted).toBe(2);
    // A row deleted by the first filter is no longer live.
    await expect(
      filterToBranch(lake, 'd', {
        ...opts,
        from: 'a',
        branch: 'c',
        recordSet: 'pets',
        keep: [20n],
      }),
    ).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(/not live rows: 20;/),
    });
  });

  it('keeping nothing or everything is allowed; everything leaves the content unchanged', async () => {
    const { lake, base } = await setup();
    const opts = { from: 'main', recordSet: 'people', predicate: 'true' };
    const all = await filterToBranch(lake, 'd', {
      ...opts,
      branch: 'all',
      keep: NAMES.map((_, i) => BigInt(i)),
    });
    expect(all.removed).toBe(0);
    expect(await contentHash(lake, all.hash)).toBe(await contentHash(lake, base));
    const none = await filterToBranch(lake, 'd', {
      ...opts,
      branch: 'none',
      predicate: 'false',
      keep: [],
    });
    expect(none.commit.recordSets.people!.rows).toBe(0);
    expect(await rowsAt(lake, 'none', 'people')).toEqual([]);
    expect(await contentHash(lake, none.hash)).not.toBe(await contentHash(lake, base));
  });

  it('refuses a taken or invalid name, unknown rows, an unknown record set or revision', async () => {
    const { backend, lake } = await setup();
    const before = await chunkSet(backend);
    const opts = { from: 'main', recordSet: 'people', predicate: 'p', keep: [1n] };
    await filterToBranch(lake, 'd', { ...opts, branch: 'x' });
    const after = await chunkSet(backend);
    for (const branch of ['x', 'main']) {
      await expect(filterToBranch(lake, 'd', { ...opts, branch })).rejects.toMatchObject({
        code: 'REF_EXISTS',
        message: expect.stringContaining(`"${branch}" already exists`),
      });
    }
    await expect(filterToBranch(lake, 'd', { ...opts, branch: 'a b' })).rejects.toMatchObject({
      code: 'BAD_INPUT',
    });
    await expect(
      filterToBranch(lake, 'd', { ...opts, branch: 'y', keep: [1n, 99n, -1n] }),
    ).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(/2 row id.*99, -1/),
    });
    await expect(
      filterToBranch(lake, 'd', { ...opts, branch: 'y', recordSet: 'nope' }),
    ).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringContaining('people, pets'),
    });
    await expect(
      filterToBranch(lake, 'd', { ...opts, branch: 'y', from: 'zzz' }),
    ).rejects.toMatchObject({
      code: 'UNKNOWN_REF',
    });
    await expect(
      filterToBranch(lake, 'd', { ...opts, branch: 'y', predicate: ' ' }),
    ).rejects.toMatchObject({
      code: 'BAD_INPUT',
    });
    expect(await getRef(backend.refs, 'd', 'branch', 'y')).toBeUndefined();
    // The refused filters wrote nothing.
    expect(await chunkSet(backend)).toEqual(after);
    expect(after.size).toBeGreaterThan(before.size);
  });
});
