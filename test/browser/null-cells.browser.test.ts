/**
 * A SQL NULL and the empty string '' in one column, in every table that shows cell values: the
 * Query grid (ResultGrid), the Lake tab's rows (LakeRowsTable), the first screen's records
 * (RecordsTable's CellView) and Compare (DiffRecordSet). NULL is the one muted `NULL` mark
 * (NullMark: Compare's mark, no longer Python's `None` in the Lake tab nor an empty cell in the
 * Query grid); '' is an empty cell.
 */
import { Table, Utf8, vectorFromArray } from 'apache-arrow';
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import CellView from '../../src/app/components/CellView.svelte';
import DiffRecordSet from '../../src/app/components/lake/DiffRecordSet.svelte';
import LakeRowsTable from '../../src/app/components/lake/LakeRowsTable.svelte';
import ResultGrid from '../../src/app/components/query/ResultGrid.svelte';
import type { RunResult } from '../../src/app/query-run.svelte.ts';
import type { RecordSetDiff } from '../../src/lib/versions/diff.ts';

const mounted: { app: Record<string, unknown>; target: HTMLElement }[] = [];

afterEach(() => {
  for (const { app, target } of mounted.splice(0)) {
    void unmount(app);
    target.remove();
  }
});

/** Mounts a component (`start` mounts it in the element given) in a fresh element of the page. */
function render(start: (target: HTMLElement) => Record<string, unknown>): HTMLElement {
  const target = document.body.appendChild(document.createElement('div'));
  mounted.push({ app: start(target), target });
  flushSync();
  return target;
}

/** What a cell shows: its text, and the marks (NullMark's `.null`) in it. */
function shown(cell: Element | null | undefined) {
  expect(cell).toBeTruthy();
  return {
    text: cell!.textContent!.trim(),
    marks: [...cell!.querySelectorAll('.null')].map((m) => m.outerHTML),
  };
}

/** The mark Compare shows for NULL: the reference the other tables must show the same way. */
function compareMark(): string {
  const diff: RecordSetDiff = {
    id: 'rs',
    name: 'rs',
    status: 'changed',
    columnsAdded: [],
    columnsRemoved: [],
    rowsBefore: 1,
    rowsAfter: 1,
    counts: { added: 0, removed: 0, modified: 1 },
    added: [],
    removed: [],
    modified: [{ rowid: '0', changes: [{ column: 'rs/a', before: '', after: null }] }],
    truncated: false,
    fullScan: false,
  };
  const row = render((target) => mount(DiffRecordSet, { target, props: { diff } })).querySelector(
    'tr.modified',
  )!;
  const before = shown(row.querySelector('td.removed'));
  const after = shown(row.querySelector('td.added'));
  expect(before).toEqual({ text: '', marks: [] });
  expect(after.text).toBe('NULL');
  expect(after.marks).toHaveLength(1);
  return after.marks[0]!;
}

describe('NULL and the empty string in one column', () => {
  it('the Query grid shows NULL as the mark and the empty string as an empty cell', async () => {
    const mark = compareMark();
    const table = new Table({ a: vectorFromArray(['x', null, ''], new Utf8()) });
    const result: RunResult = {
      sql: "SELECT 'x' AS a UNION ALL SELECT NULL UNION ALL SELECT ''",
      columns: [{ name: 'a', type: 'VARCHAR' }],
      table,
      rows: 3,
      truncated: false,
      ms: 1,
      loaded: [],
    };
    const grid = render((target) => mount(ResultGrid, { target, props: { result } }));
    // The virtualiser lays the rows out once it has measured the grid.
    await expect.poll(() => grid.querySelectorAll('[role="row"][data-index]').length).toBe(3);
    const cell = (row: number) =>
      grid.querySelector(`[role="row"][data-index="${row}"] [role="gridcell"]`);
    expect(shown(cell(0))).toEqual({ text: 'x', marks: [] });
    expect(shown(cell(1))).toEqual({ text: 'NULL', marks: [mark] });
    expect(cell(1)!.getAttribute('title')).toBe('NULL');
    expect(shown(cell(2))).toEqual({ text: '', marks: [] });
    expect(cell(2)!.getAttribute('title')).toBe('');
  });

  it("the Lake tab's rows show NULL as the mark, not Python's None, and '' as an empty cell", () => {
    const mark = compareMark();
    const table = render((target) =>
      mount(LakeRowsTable, {
        target,
        props: {
          columns: [{ name: 'rs/a', type: 'utf8' }],
          rows: [
            { rowid: '0', row: { 'rs/a': null } },
            { rowid: '1', row: { 'rs/a': '' } },
          ],
          dataset: 'demo',
          rev: 'main',
        },
      }),
    );
    const cell = (rowid: string) =>
      table.querySelector(`tr[data-rowid="${rowid}"] td:nth-child(2)`);
    expect(shown(cell('0'))).toEqual({ text: 'NULL', marks: [mark] });
    expect(shown(cell('1'))).toEqual({ text: '', marks: [] });
  });

  it("the first screen's records show NULL as the mark and '' as an empty cell", () => {
    const mark = compareMark();
    expect(
      shown(render((target) => mount(CellView, { target, props: { cell: { t: 'null' } } }))),
    ).toEqual({
      text: 'NULL',
      marks: [mark],
    });
    expect(
      shown(render((target) => mount(CellView, { target, props: { cell: { t: 'text', v: '' } } }))),
    ).toEqual({
      text: '',
      marks: [],
    });
  });
});
