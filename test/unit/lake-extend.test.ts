/**
 * Extending a record set in length (append) and in width (add-columns), on a memory lake:
 * exact rows, row ids, errors that name row and column, protected branches, concurrent writers,
 * and old commits left untouched. Runs in Node and in Chromium.
 */
import { describe, expect, it } from 'vitest';
import { bytesSource } from '../../src/lib/io/source.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { addColumns, addColumnsCsv } from '../../src/lib/versions/add-columns.ts';
import { appendCsv, appendRows } from '../../src/lib/versions/append.ts';
import type { Cell, LakeRow } from '../../src/lib/versions/columns.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import type { ColumnDef } from '../../src/lib/versions/manifest.ts';
import { readAllRows, recordSetOf } from '../../src/lib/versions/read.ts';
import { rowIdTag, rowIds, writeRows } from '../../src/lib/versions/write.ts';

const P = 'people/';
const COLUMNS: ColumnDef[] = [
  { name: P + 'name', type: 'utf8' },
  { name: P + 'age', type: 'int64' },
  { name: P + 'score', type: 'float64' },
  { name: P + 'ok', type: 'bool' },
  { name: P + 'born', type: 'timestamp' },
];
const row = (
  name: string | null,
  age: bigint | null,
  score: number | null,
  ok: boolean | null,
  born: number | null,
): LakeRow => ({
  [P + 'name']: name,
  [P + 'age']: age,
  [P + 'score']: score,
  [P + 'ok']: ok,
  [P + 'born']: born,
});
const BASE = [
  row('Ann', 30n, 1.5, true, Date.UTC(1994, 0, 2)),
  row('Bob', 41n, null, false, null),
  row('Cid', null, 2.25, null, Date.UTC(2001, 6, 3, 12)),
  row('Ann', 25n, 0, true, 0),
];
const OTHER: ColumnDef[] = [
  { name: 'other/a/id', type: 'int64' },
  { name: 'other/b/id', type: 'int64' },
];

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
  const { hash } = await lake.commit(
    'd',
    'main',
    async () => ({
      message: 'ingest',
      lineage: { op: 'ingest', params: {} },
      document: null,
      objects: null,
      recordSets: {
        people: {
          name: 'people',
          columns: COLUMNS,
          rows: BASE.length,
          fragments: await writeRows(
            lake.chunks,
            COLUMNS,
            BASE.map((r, i) => ({ rowid: BigInt(i), row: r })),
          ),
        },
        other: { name: 'other', columns: OTHER, rows: 0, fragments: [] },
      },
    }),
    { create: { protected: false } },
  );
  return { lake, base: hash };
}

/** Records the heads each build starts from, to show a commit really was rebuilt on a moved head. */
/**
 * Records the head each build starts from. The first two builds wait for each other, so two
 * concurrent operations really race for the ref whatever the timing of the machine.
 */
function watchBuilds(lake: Lake): (string | null)[] {
  const heads: (string | null)[] = [];
  let release: () => void = () => {};
  const bothStarted = new Promise<void>((r) => (release = r));
  const commit = lake.commit.bind(lake);
  lake.commit = (dataset, branch, build, opts) =>
    commit(
      dataset,
      branch,
      async (head) => {
        heads.push(head);
        if (heads.length === 2) release();
        if (heads.length <= 2) await bothStarted;
        return build(head);
      },
      opts,
    );
  return heads;
}

/** Live rows of a record set at a revision, as `{_rowid, ...row}`. */
async function rowsAt(lake: Lake, rev: string, rs = 'people') {
  const commit = await lake.readCommit(await lake.resolve('d', rev));
  const [, m] = recordSetOf(commit, rs);
  return (await readAllRows(lake.chunks, m, 'test')).map((r): Record<string, Cell> => ({
    _rowid: r.rowid,
    ...r.row,
  }));
}
const withIds = (rows: LakeRow[], ids: bigint[]) => rows.map((r, i) => ({ _rowid: ids[i], ...r }));
const csv = (name: string, text: string) => bytesSource(name, new TextEncoder().encode(text));

async function rejects(p: Promise<unknown>, code: string, ...parts: string[]) {
  const e = await p.then(
    () => null,
    (x: unknown) => x as { code?: string; message: string },
  );
  expect(e, 'should have failed').not.toBeNull();
  expect(e!.code, e!.message).toBe(code);
  for (const s of parts) expect(e!.message).toContain(s);
  return e!;
}

describe('append', () => {
  it('adds rows as new fragments with deterministic new ids, leaving old fragments and commits alone', async () => {
    const { lake, base } = await setup();
    const before = await lake.readCommit(base);
    const added = [
      row('Dee', 19n, 3.5, false, Date.UTC(2005, 1, 1)),
      { [P + 'name']: 'Eve', [P + 'age']: 7 },
    ];
    const r = await appendRows(lake, 'd', { branch: 'main', recordSet: 'people', rows: added });
    expect(r.rows).toBe(2);
    const tag = await rowIdTag(base, {
      op: 'append',
      recordSet: 'people',
      sha256: r.commit.lineage.params.sha256,
    });
    const expected = [
      ...withIds(BASE, [0n, 1n, 2n, 3n]),
      { _rowid: (tag << 32n) | 0n, ...row('Dee', 19n, 3.5, false, Date.UTC(2005, 1, 1)) },
      { _rowid: (tag << 32n) | 1n, ...row('Eve', 7n, null, null, null) },
    ];
    expect(await rowsAt(lake, 'main')).toEqual(expected);
    expect(tag).toBeGreaterThan(0n);
    const rs = r.commit.recordSets.people!;
    expect(rs.rows).toBe(6);
    expect(rs.fragments.slice(0, -1)).toEqual(before.recordSets.people!.fragments);
    expect(r.commit.lineage).toMatchObject({
      op: 'append',
      params: { recordSet: 'people', rows: 2 },
    });
    expect(r.commit.parents).toEqual([base]);
    expect(await rowsAt(lake, base)).toEqual(withIds(BASE, [0n, 1n, 2n, 3n]));
    // The same append on the same parent numbers its rows the same way.
    await lake.createBranch('d', 'twin', base);
    await appendRows(lake, 'd', { branch: 'twin', recordSet: 'people', rows: added });
    expect(await rowsAt(lake, 'twin')).toEqual(expected);
  });

  it('streams batches when the source content hash is given', async () => {
    const { lake, base } = await setup();
    async function* batches() {
      yield [row('F', 1n, 1, true, 1)];
      yield [row('G', 2n, 2, false, 2), row('H', 3n, 3, null, 3)];
    }
    const source = {
      kind: 'croissant' as const,
      url: 'https://example.org/more.json',
      sha256: 'ab'.repeat(32),
    };
    const r = await appendRows(lake, 'd', {
      branch: 'main',
      recordSet: 'people',
      rows: batches(),
      source,
    });
    const tag = await rowIdTag(base, { op: 'append', recordSet: 'people', sha256: source.sha256 });
    expect((await rowsAt(lake, 'main')).slice(4)).toEqual(
      withIds(
        [row('F', 1n, 1, true, 1), row('G', 2n, 2, false, 2), row('H', 3n, 3, null, 3)],
        rowIds(tag, 3),
      ),
    );
    expect(r.commit.lineage.params).toMatchObject({ source, rows: 3 });
  });

  it('refuses unknown columns and wrong types, naming row, column and record set', async () => {
    const { lake } = await setup();
    const bad = [row('ok', 1n, 1, true, 1), { [P + 'name']: 'x', [P + 'height']: 2 }];
    await rejects(
      appendRows(lake, 'd', { branch: 'main', recordSet: 'people', rows: bad }),
      'SCHEMA_MISMATCH',
      'row 2',
      `"${P}height"`,
      'people',
    );
    const wrong = [row('ok', 1n, 1, true, 1), row('ok', 1n, 1, true, 1), { [P + 'age']: 'forty' }];
    await rejects(
      appendRows(lake, 'd', { branch: 'main', recordSet: 'people', rows: wrong }),
      'SCHEMA_MISMATCH',
      'row 3',
      `"${P}age"`,
      '"forty"',
    );
    await rejects(
      appendRows(lake, 'd', { branch: 'main', recordSet: 'people', rows: [{ [P + 'age']: 1.5 }] }),
      'SCHEMA_MISMATCH',
      'row 1',
      'age',
    );
    await rejects(
      appendRows(lake, 'd', { branch: 'main', recordSet: 'people', rows: [] }),
      'BAD_INPUT',
      'nothing to append',
    );
    expect(await rowsAt(lake, 'main')).toHaveLength(4);
  });

  it('refuses a protected branch', async () => {
    const { lake } = await setup();
    await lake.protect('d', 'main');
    await rejects(
      appendRows(lake, 'd', {
        branch: 'main',
        recordSet: 'people',
        rows: [row('x', 1n, 1, true, 1)],
      }),
      'PROTECTED_BRANCH',
      'main',
    );
    await rejects(
      appendCsv(lake, 'd', { branch: 'main', recordSet: 'people', csv: csv('x.csv', 'name\nx\n') }),
      'PROTECTED_BRANCH',
    );
  });

  it('lands two concurrent appends of the same rows, with distinct ids', async () => {
    const { lake, base } = await setup();
    const heads = watchBuilds(lake);
    const same = [row('Z', 9n, 9, true, 9)];
    const [a, b] = await Promise.all([
      appendRows(lake, 'd', { branch: 'main', recordSet: 'people', rows: same }),
      appendRows(lake, 'd', { branch: 'main', recordSet: 'people', rows: same }),
    ]);
    const [first, second] = a.commit.parents[0] === base ? [a, b] : [b, a];
    expect(second.commit.parents).toEqual([first.hash]);
    // Both staged on the base; the loser of the ref update was rebuilt on the winner.
    expect(heads).toEqual([base, base, first.hash]);
    const all = await rowsAt(lake, 'main');
    expect(all).toHaveLength(6);
    expect(new Set(all.map((r) => r._rowid)).size).toBe(6);
    const sha = a.commit.lineage.params.sha256;
    const tag1 = await rowIdTag(base, { op: 'append', recordSet: 'people', sha256: sha });
    const tag2 = await rowIdTag(first.hash, { op: 'append', recordSet: 'people', sha256: sha });
    expect(all.slice(4)).toEqual(withIds([same[0]!, same[0]!], [tag1 << 32n, tag2 << 32n]));
  });

  it('appends a CSV, matching headers by full or short column name and converting cells', async () => {
    const { lake } = await setup();
    const text = `name,age,people/score,ok,born\nDee,19,3.5,true,2005-02-01\n"Eve, Jr",,NaN,0,2005-02-01T10:00:00Z\n`;
    const r = await appendCsv(lake, 'd', {
      branch: 'main',
      recordSet: 'people',
      csv: csv('more.csv', text),
    });
    const tag = await rowIdTag(r.commit.parents[0]!, {
      op: 'append',
      recordSet: 'people',
      sha256: r.commit.lineage.params.sha256,
    });
    expect((await rowsAt(lake, 'main')).slice(4)).toEqual(
      withIds(
        [
          row('Dee', 19n, 3.5, true, Date.UTC(2005, 1, 1)),
          row('Eve, Jr', null, null, false, Date.UTC(2005, 1, 1, 10)),
        ],
        rowIds(tag, 2),
      ),
    );
    expect(r.commit.lineage.params.source).toMatchObject({ kind: 'csv', url: 'more.csv' });
  });

  it('refuses bad CSV values, unknown and ambiguous headers, naming file, row, column and value', async () => {
    const { lake } = await setup();
    const app = (name: string, text: string, recordSet = 'people') =>
      appendCsv(lake, 'd', { branch: 'main', recordSet, csv: csv(name, text) });
    await rejects(
      app('bad.csv', 'name,age\nA,1\nB,x1\n'),
      'SCHEMA_MISMATCH',
      'bad.csv',
      'row 3',
      '"age"',
      '"x1"',
    );
    await rejects(
      app('bad.csv', 'name,born\nA,yesterday\n'),
      'SCHEMA_MISMATCH',
      'row 2',
      'born',
      '"yesterday"',
    );
    await rejects(
      app('u.csv', 'name,height\nA,1\n'),
      'SCHEMA_MISMATCH',
      'u.csv',
      'row 1',
      '"height"',
      'people',
    );
    await rejects(
      app('amb.csv', 'id\n1\n', 'other'),
      'SCHEMA_MISMATCH',
      'ambiguous',
      'other/a/id',
      'other/b/id',
    );
    await app('ok.csv', 'a/id,other/b/id\n1,2\n', 'other');
    expect(await rowsAt(lake, 'main', 'other')).toMatchObject([
      { 'other/a/id': 1n, 'other/b/id': 2n },
    ]);
  });
});

describe('add-columns', () => {
  it('adds columns by row id as an extension fragment; other rows read null; the old commit is unchanged', async () => {
    const { lake, base } = await setup();
    const height: ColumnDef = { name: P + 'height', type: 'float64' };
    const r = await addColumns(lake, 'd', {
      branch: 'main',
      recordSet: 'people',
      columns: [height, { name: P + 'tag', type: 'utf8' }],
      key: { by: 'rowid' },
      rows: [
        { _rowid: 2n, [P + 'height']: 1.8, [P + 'tag']: 'c' },
        { _rowid: '0', [P + 'height']: 1.6 },
      ],
    });
    expect(r.updated).toBe(2);
    const ext = r.commit.recordSets.people!.fragments.at(-1)!;
    expect(ext).toMatchObject({
      extension: true,
      columns: ['_rowid', P + 'height', P + 'tag'],
      rows: 2,
    });
    expect(r.commit.features).toContain('column-groups');
    expect(r.commit.lineage).toMatchObject({
      op: 'add-columns',
      params: { recordSet: 'people', key: { by: 'rowid' }, rows: 2 },
    });
    const extra = [
      { [P + 'height']: 1.6, [P + 'tag']: null },
      { [P + 'height']: null, [P + 'tag']: null },
      { [P + 'height']: 1.8, [P + 'tag']: 'c' },
      { [P + 'height']: null, [P + 'tag']: null },
    ];
    expect(await rowsAt(lake, 'main')).toEqual(
      withIds(
        BASE.map((b, i) => ({ ...b, ...extra[i] })),
        [0n, 1n, 2n, 3n],
      ),
    );
    expect(await rowsAt(lake, base)).toEqual(withIds(BASE, [0n, 1n, 2n, 3n]));
    await rejects(
      addColumns(lake, 'd', {
        branch: 'main',
        recordSet: 'people',
        columns: [height],
        key: { by: 'rowid' },
        rows: [],
      }),
      'SCHEMA_MISMATCH',
      `"${P}height" already exists`,
      'people',
    );
  });

  it('adds columns keyed by a field: every row with the key gets the values; unmatched keys are reported', async () => {
    const { lake } = await setup();
    const nick: ColumnDef = { name: P + 'nick', type: 'utf8' };
    const rows = [
      { name: 'Ann', [P + 'nick']: 'annie' },
      { name: 'Zed', [P + 'nick']: 'z' },
      { name: 'Bob', [P + 'nick']: 'bobby' },
    ];
    const opts = {
      branch: 'main',
      recordSet: 'people',
      columns: [nick],
      key: { by: 'field' as const, column: 'name' },
      rows,
    };
    const e = await rejects(
      addColumns(lake, 'd', opts),
      'BAD_INPUT',
      '1 key value(s)',
      '"Zed" (row 2)',
      'ignoreUnmatched',
    );
    expect(e).toMatchObject({ detail: { unmatched: [{ key: '"Zed"', row: 'row 2' }] } });
    const r = await addColumns(lake, 'd', { ...opts, ignoreUnmatched: true });
    expect(r.unmatched).toEqual([{ key: '"Zed"', row: 'row 2' }]);
    expect(r.updated).toBe(3);
    expect((await rowsAt(lake, 'main')).map((x) => x[P + 'nick'])).toEqual([
      'annie',
      'bobby',
      null,
      'annie',
    ]);
    await rejects(
      addColumns(lake, 'd', {
        ...opts,
        columns: [{ name: P + 'n2', type: 'utf8' }],
        rows: [
          { name: 'Ann', [P + 'n2']: 'a' },
          { name: 'Ann', [P + 'n2']: 'b' },
        ],
      }),
      'BAD_INPUT',
      'row 1 and row 2',
    );
    await rejects(
      addColumns(lake, 'd', {
        ...opts,
        columns: [{ name: P + 'n3', type: 'int64' }],
        rows: [{ name: 'Ann', [P + 'n3']: 'x' }],
      }),
      'SCHEMA_MISMATCH',
      'row 1',
      `"${P}n3"`,
    );
    await rejects(
      addColumns(lake, 'd', {
        ...opts,
        columns: [{ name: P + 'n4', type: 'int64' }],
        rows: [{ name: 'Ann', weight: 1 }],
      }),
      'SCHEMA_MISMATCH',
      'row 1',
      '"weight"',
    );
  });

  it('adds columns from a CSV keyed by a field, inferring types and naming unmatched CSV rows', async () => {
    const { lake } = await setup();
    await appendRows(lake, 'd', {
      branch: 'main',
      recordSet: 'people',
      rows: [row('Dee', 19n, 1, true, 1)],
    });
    const text =
      'name,height,member,since\nBob,1.9,true,2020-01-01\nDee,,false,\nNope,1,true,2020-01-02\n';
    const opts = {
      branch: 'main',
      recordSet: 'people',
      key: { by: 'field' as const, column: 'people/name' },
    };
    await rejects(
      addColumnsCsv(lake, 'd', { ...opts, csv: csv('h.csv', text) }),
      'BAD_INPUT',
      '"Nope" (h.csv row 4)',
    );
    const r = await addColumnsCsv(lake, 'd', {
      ...opts,
      csv: csv('h.csv', text),
      ignoreUnmatched: true,
    });
    expect(r.commit.recordSets.people!.columns.slice(5)).toEqual([
      { name: P + 'height', type: 'float64' },
      { name: P + 'member', type: 'bool' },
      { name: P + 'since', type: 'timestamp' },
    ]);
    const got = (await rowsAt(lake, 'main')).map((x) => [
      x[P + 'name'],
      x[P + 'height'],
      x[P + 'member'],
      x[P + 'since'],
    ]);
    expect(got).toEqual([
      ['Ann', null, null, null],
      ['Bob', 1.9, true, Date.UTC(2020, 0, 1)],
      ['Cid', null, null, null],
      ['Ann', null, null, null],
      ['Dee', null, false, null],
    ]);
    expect(r.commit.lineage.params).toMatchObject({
      source: { kind: 'csv', url: 'h.csv' },
      rows: 3,
      updated: 2,
    });
    await rejects(
      addColumnsCsv(lake, 'd', {
        ...opts,
        csv: csv('t.csv', 'name,w\nAnn,yes\n'),
        columns: [{ name: P + 'w', type: 'bool' }],
      }),
      'SCHEMA_MISMATCH',
      't.csv',
      'row 2',
      '"w"',
      '"yes"',
    );
  });

  it('adds columns from a CSV keyed by _rowid', async () => {
    const { lake } = await setup();
    await addColumnsCsv(lake, 'd', {
      branch: 'main',
      recordSet: 'people',
      key: { by: 'rowid' },
      csv: csv('r.csv', '_rowid,rank\n3,1\n1,2\n'),
    });
    expect((await rowsAt(lake, 'main')).map((x) => x[P + 'rank'])).toEqual([null, 2n, null, 1n]);
    await rejects(
      addColumnsCsv(lake, 'd', {
        branch: 'main',
        recordSet: 'people',
        key: { by: 'rowid' },
        csv: csv('r.csv', '_rowid,r2\n99,1\n'),
      }),
      'BAD_INPUT',
      '99 (r.csv row 2)',
    );
  });

  it('lands an add-columns racing an append; appended rows matching the key get values when it rebases', async () => {
    const { lake, base } = await setup();
    const heads = watchBuilds(lake);
    const [app, add] = await Promise.all([
      appendRows(lake, 'd', {
        branch: 'main',
        recordSet: 'people',
        rows: [row('Ann', 5n, 5, true, 5)],
      }),
      addColumns(lake, 'd', {
        branch: 'main',
        recordSet: 'people',
        columns: [{ name: P + 'vip', type: 'bool' }],
        key: { by: 'field', column: 'name' },
        rows: [{ name: 'Ann', [P + 'vip']: true }],
      }),
    ]);
    const all = await rowsAt(lake, 'main');
    expect(all).toHaveLength(5);
    const rebased = add.commit.parents[0] === app.hash;
    expect(heads).toEqual([base, base, rebased ? app.hash : add.hash]);
    expect(all.map((x) => x[P + 'vip'])).toEqual([true, null, null, true, rebased ? true : null]);
  });
});
