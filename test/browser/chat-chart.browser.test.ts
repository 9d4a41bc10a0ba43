/**
 * Chat's chart labels its bars as the Query grid shows cells: an INTERVAL category with its
 * days and time part (apache-arrow's `get()` reads DuckDB's MONTH_DAY_NANO interval as if it
 * were YEAR_MONTH: the days and the time part were lost; both tests fail on the chart before
 * it used `cellAt`), and a NULL category as the NULL mark's word rather than an empty label.
 */
import {
  Float64,
  Interval,
  IntervalUnit,
  Table,
  Utf8,
  Vector,
  makeData,
  vectorFromArray,
} from 'apache-arrow';
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import ChatChart from '../../src/app/components/chat/ChatChart.svelte';
import type { RunResult } from '../../src/app/query-run.svelte.ts';

const mounted: { app: Record<string, unknown>; target: HTMLElement }[] = [];
afterEach(() => {
  for (const { app, target } of mounted.splice(0)) {
    void unmount(app);
    target.remove();
  }
});

function bars(table: Table, xType: string): string[] {
  const result: RunResult = {
    sql: 'SELECT x, n FROM t',
    columns: [
      { name: 'x', type: xType },
      { name: 'n', type: 'DOUBLE' },
    ],
    table,
    rows: table.numRows,
    truncated: false,
    ms: 1,
    loaded: [],
  };
  const target = document.body.appendChild(document.createElement('div'));
  const app = mount(ChatChart, {
    target,
    props: { result, chart: { kind: 'bar', x: 'x', y: 'n' } },
  });
  mounted.push({ app, target });
  flushSync();
  return [...target.querySelectorAll('[data-bar]')].map((g) => g.getAttribute('data-bar')!);
}

describe('ChatChart', () => {
  it('labels INTERVAL categories as DuckDB prints them', () => {
    // DuckDB's INTERVAL: int32 months, int32 days, int64 nanoseconds (two int32 halves).
    const hour = 3_600_000_000_000;
    const x = new Vector([
      makeData({
        type: new Interval(IntervalUnit.MONTH_DAY_NANO),
        length: 3,
        nullCount: 0,
        data: Int32Array.from([
          0,
          3,
          0,
          0,
          0,
          0,
          hour % 2 ** 32,
          Math.floor(hour / 2 ** 32),
          14,
          0,
          0,
          0,
        ]),
      }),
    ]);
    const n = vectorFromArray([5, 7, 9], new Float64());
    expect(bars(new Table({ x, n }), 'INTERVAL')).toEqual([
      '3 days',
      '01:00:00',
      '1 year 2 months',
    ]);
  });

  it('labels a NULL category NULL, and keeps the empty text apart', () => {
    const x = vectorFromArray(['a', null, ''], new Utf8());
    const n = vectorFromArray([1, 2, 3], new Float64());
    expect(bars(new Table({ x, n }), 'VARCHAR')).toEqual(['a', 'NULL', '']);
  });
});
