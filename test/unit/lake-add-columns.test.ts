/**
 * Extending a record set in width (add-columns, by row id or a key field, from rows or a CSV)
 * on a memory lake: extension fragments, nulls where no value came, unmatched keys reported,
 * old commits unchanged, and an add-columns racing an append. Runs in Node and in Chromium.
 */
import { describe, expect, it } from 'vitest';
import { addColumns, addColumnsCsv } from '../../src/lib/versions/add-columns.ts';
import { appendRows } from '../../src/lib/versions/append.ts';
import type { LakeRow } from '../../src/lib/versions/columns.ts';
import type { ColumnDef } from '../../src/lib/versions/manifest.ts';
import { scanRows } from '../../src/lib/versions/read.ts';
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
    // A scan of some columns (a base one and an extension one) holds only those, same values.
    const only: LakeRow[] = [];
    const rs = r.commit.recordSets.people!;
    for await (const b of scanRows(lake.chunks, rs, 'people', undefined, [P + 'tag', P + 'age']))
      only.push(...b.map((x) => x.row));
    expect(only).toEqual(
      BASE.map((b, i) => ({ [P + 'age']: b[P + 'age'], [P + 'tag']: extra[i]![P + 'tag'] })),
    );
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
