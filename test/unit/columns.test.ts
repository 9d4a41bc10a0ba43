/**
 * Building record fragments (src/lib/versions/columns.ts): the typed fast paths for text and
 * numbers, read back through a Parquet round trip, against hand-written values — ASCII and
 * non-ASCII text, empty strings against nulls, and numbers with nulls; image columns against
 * the bytes of Arrow's generic builder.
 */
import { describe, expect, it } from 'vitest';
import { Table, makeVector, tableToIPC, vectorFromArray } from 'apache-arrow';
import {
  ROWID,
  arrowTypeOf,
  buildTable,
  toCell,
  type LakeRow,
} from '../../src/lib/versions/columns.ts';
import { fromParquet, toParquet } from '../../src/lib/versions/fragments.ts';
import type { ColumnDef } from '../../src/lib/versions/manifest.ts';

const columns: ColumnDef[] = [
  { name: 'text', type: 'utf8' },
  { name: 'int', type: 'int64' },
  { name: 'real', type: 'float64' },
];

async function roundTrip(rows: LakeRow[]): Promise<LakeRow[]> {
  const table = buildTable(
    columns,
    rows.map((_, i) => BigInt(i)),
    rows,
  );
  const back = await fromParquet(await toParquet(table), 'test fragment');
  return back.toArray().map((r: Record<string, unknown>) => {
    const out: LakeRow = {};
    for (const c of columns) out[c.name] = toCell(c.type, r[c.name]);
    return out;
  });
}

describe('buildTable', () => {
  it('keeps ASCII text, empty strings and nulls apart', async () => {
    const rows: LakeRow[] = [
      { text: 'alpha', int: 1n, real: 0.5 },
      { text: '', int: null, real: null },
      { text: null, int: -7n, real: -2.25 },
      { text: 'z', int: 9007199254740993n, real: 1e300 },
    ];
    expect(await roundTrip(rows)).toEqual(rows);
  });

  it('keeps non-ASCII text byte for byte', async () => {
    const rows: LakeRow[] = [
      { text: 'plain', int: 0n, real: 0 },
      { text: 'Zürich – Ωmega', int: 1n, real: 1 },
      { text: null, int: 2n, real: 2 },
      { text: '😀 emoji, 中文', int: 3n, real: 3 },
      { text: '', int: 4n, real: 4 },
    ];
    expect(await roundTrip(rows)).toEqual(rows);
  });

  it('gives an all-null text column nulls, and an empty table no rows', async () => {
    const rows: LakeRow[] = [
      { text: null, int: null, real: null },
      { text: null, int: null, real: null },
    ];
    expect(await roundTrip(rows)).toEqual(rows);
    expect(await roundTrip([])).toEqual([]);
  });

  it('writes non-string cells of a text column as text', async () => {
    const [row] = await roundTrip([{ text: 42, int: 1n, real: 1 }]);
    expect(row!.text).toBe('42');
  });
});

describe('image columns', () => {
  const image = { name: 'image', type: 'image' as const };
  /** The column as Arrow's generic builder makes it: what fragments always held. */
  const reference = (values: unknown[]) =>
    tableToIPC(
      new Table({
        [ROWID]: makeVector(BigInt64Array.from(values.map((_, i) => BigInt(i)))),
        image: vectorFromArray(values as never[], arrowTypeOf('image')),
      }),
      'stream',
    );
  const built = (values: LakeRow['image'][]) =>
    tableToIPC(
      buildTable(
        [image],
        values.map((_, i) => BigInt(i)),
        values.map((v) => ({ image: v })),
      ),
      'stream',
    );
  const same = (a: Uint8Array, b: Uint8Array) =>
    a.length === b.length && a.every((x, i) => x === b[i]);
  const img = (i: number) => ({
    sha256: i.toString(16).padStart(64, '0'),
    format: i % 2 ? 'PNG' : 'JPEG',
    mode: i % 3 ? 'RGB' : 'L',
    width: 32 + i,
    height: 2_000_000_000 - i,
  });

  it('are the bytes the generic builder gives, every row an image', () => {
    const values = Array.from({ length: 300 }, (_, i) => img(i));
    expect(same(built(values), reference(values))).toBe(true);
  });

  it('are the bytes the generic builder gives, with null images', () => {
    const values = Array.from({ length: 40 }, (_, i) => (i % 4 ? img(i) : null));
    expect(same(built(values), reference(values))).toBe(true);
  });
});
