/**
 * Extending a record set in length (append, from rows or a CSV) on a memory lake: exact rows,
 * deterministic row ids, errors that name row and column, protected branches, concurrent
 * writers, and old commits left untouched. Runs in Node and in Chromium.
 */
import { describe, expect, it } from 'vitest';
import { appendCsv, appendRows } from '../../src/lib/versions/append.ts';
import { rowIdTag, rowIds } from '../../src/lib/versions/write.ts';
import {
  P,
  row,
  BASE,
  setup,
  watchBuilds,
  rowsAt,
  withIds,
  csv,
  rejects,
} from './lake-extend-fixture.ts';

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
    // A spreadsheet's ';'-separated export reads as one column: the error says what it is.
    await rejects(
      app('semi.csv', 'name;age\nA;1\n'),
      'SCHEMA_MISMATCH',
      'semi.csv',
      'row 1',
      '"name;age"',
      '";"-separated: save it comma-separated',
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
