/**
 * Ingest's fragment builders (src/lib/versions/column-builders.ts) build, batch by batch, the
 * table `buildColumnsTable` builds from the same cells at once: the Arrow IPC bytes are
 * compared, so the Parquet fragments stored are the same. The cells cover what changes the
 * text path (ASCII and non-ASCII batches, a surrogate pair split across two strings, empty
 * strings and nulls), the number paths (ints from numbers, bigints and booleans; nulls past
 * the first grown array), and a column type kept as cells (bool).
 */
import { tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { FragmentBuilder } from '../../src/lib/versions/column-builders.ts';
import { buildColumnsTable, type Cell } from '../../src/lib/versions/columns.ts';
import { appendCells } from '../../src/lib/versions/ingest-rows.ts';
import type { ColumnDef } from '../../src/lib/versions/manifest.ts';
import type { ObjectWriter } from '../../src/lib/versions/objects.ts';

const columns: ColumnDef[] = [
  { name: 'text', type: 'utf8' },
  { name: 'int', type: 'int64' },
  { name: 'real', type: 'float64' },
  { name: 'flag', type: 'bool' },
];

/** No value here is binary, so nothing is stored as an object. */
const noObjects = {} as ObjectWriter;

/**
 * Both builds of `rows` (cells per column), the builder fed `batch` rows at a time: cell by
 * cell (`push`), or as ingest feeds it, records through `appendCells` (its `pushPlain` path).
 */
function both(
  rows: Cell[][],
  batch: number,
  how: 'push' | 'append' = 'push',
  via: 'table' | 'lend' = 'table',
): [Uint8Array, Uint8Array] {
  const ids = BigInt64Array.from(rows.map((_, i) => BigInt(i)));
  const cells = columns.map((_, j) => rows.map((r) => r[j]!));
  const expected = tableToIPC(buildColumnsTable(columns, ids, cells));
  const b = new FragmentBuilder(columns);
  rows.forEach((r, i) => {
    if (how === 'push') r.forEach((v, j) => b.push(j, v));
    else {
      const record = Object.fromEntries(columns.map((c, j) => [c.name, r[j]]));
      expect(appendCells(columns, record as never, noObjects, b)).toBeUndefined();
    }
    if ((i + 1) % batch === 0) b.endBatch();
  });
  const got = via === 'table' ? tableToIPC(b.table(ids)) : b.lend(ids, (t) => tableToIPC(t));
  return [got, expected];
}

/** Whether two byte arrays are equal (no Buffer: this file also runs in Chromium; toEqual on large typed arrays is slow). */
function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

describe('FragmentBuilder', () => {
  it('builds the table buildColumnsTable builds: text, numbers, nulls, in batches', () => {
    const words = ['a', '', 'naïve', '東京', 'plain', '😀', 'x'.repeat(40)];
    const rows: Cell[][] = [];
    for (let i = 0; i < 2500; i++) {
      rows.push([
        i % 11 === 3 ? null : words[i % words.length]!,
        i % 7 === 0
          ? null
          : i % 3 === 0
            ? BigInt(-i)
            : i % 5 === 0
              ? i % 2 === 0
              : i % 5 === 1
                ? -i - 0.75
                : i % 29 === 0
                  ? -(2 ** 53) - 2 * i // past the safe integers: BigInt's path
                  : i % 31 === 0
                    ? 2 ** 40 + i // above 32 bits
                    : i * 1000,
        i % 13 === 0 ? null : i % 17 === 0 ? NaN : i % 19 === 0 ? -Infinity : i / 7,
        i % 4 === 0 ? null : i % 2 === 0,
      ]);
    }
    for (const batch of [1, 100, 1024, 5000]) {
      for (const how of ['push', 'append'] as const) {
        for (const via of ['table', 'lend'] as const) {
          const [got, expected] = both(rows, batch, how, via);
          expect(same(got, expected), `${batch} ${how} ${via}`).toBe(true);
        }
      }
    }
  });

  it('encodes a surrogate pair split across two strings as each string alone', () => {
    const [hi, lo] = ['\ud83d', '\ude00'];
    const [got, expected] = both(
      [
        [`ab${hi}`, 1, 1, true],
        [`${lo}cd`, 2, 2, false],
      ],
      2,
    );
    expect(same(got, expected)).toBe(true);
  });

  it('gives every null past the first 1,024 rows a slot, and all-ASCII text its lengths', () => {
    const rows: Cell[][] = [];
    for (let i = 0; i < 3000; i++) rows.push(i < 10 ? ['t', i, i, true] : [null, null, null, null]);
    for (const via of ['table', 'lend'] as const) {
      const [got, expected] = both(rows, 1024, 'append', via);
      expect(same(got, expected), via).toBe(true);
    }
  });

  it('builds each later fragment alike after table() or lend() (its buffers reused)', () => {
    const b = new FragmentBuilder(columns);
    // Long non-ASCII text and numbers everywhere first, then fewer rows, nulls where values
    // were, and shorter text: nothing of a fragment may show in the next.
    const full = (i: number): Cell[] => [`ü${'x'.repeat(i % 50)}`, i * 3, i / 3, i % 2 === 0];
    const sparse = (i: number): Cell[] =>
      i % 3 === 0 ? [null, null, null, null] : ['a', i % 5 === 0 ? 2 ** 60 : -i, -i, null];
    let first = 0;
    let k = 0;
    for (const [n, make] of [
      [3000, full],
      [1500, sparse],
      [2200, full],
      [700, sparse],
      [2600, full],
      [900, sparse],
    ] as const) {
      const rows = Array.from({ length: n }, (_, i) => make(i));
      const ids = BigInt64Array.from(rows.map((_, i) => BigInt(first + i)));
      rows.forEach((r, i) => {
        r.forEach((v, j) => b.push(j, v));
        if ((i + 1) % 1024 === 0) b.endBatch();
      });
      const cells = columns.map((_, j) => rows.map((r) => r[j]!));
      const expected = tableToIPC(buildColumnsTable(columns, ids, cells));
      // table() and lend() in turn: a lent fragment's buffers hold the next one's rows.
      const got = k++ % 2 ? b.lend(ids, (t) => tableToIPC(t)) : tableToIPC(b.table(ids));
      expect(same(got, expected), `fragment of ${n} rows`).toBe(true);
      first += n;
    }
  });

  it('refuses a value its column cannot hold, as buildColumnsTable does', () => {
    const b = new FragmentBuilder(columns);
    expect(() => b.push(1, 'seven')).toThrow(/column int is int64, but a value is string: seven/);
    expect(() =>
      buildColumnsTable(columns, BigInt64Array.of(0n), [['x'], ['seven'], [1], [true]]),
    ).toThrow(/column int is int64, but a value is string: seven/);
  });
});
