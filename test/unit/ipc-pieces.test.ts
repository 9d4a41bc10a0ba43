/**
 * ipcPieces gives the IPC stream apache-arrow's own `tableToIPC(table, 'stream')` writes (the
 * reference), only not joined: the same bytes once joined, for tables of one batch and of
 * several, with nulls, strings, an all-null Bool column (fragments.ts's hook) and no rows.
 */
import {
  Bool,
  Field,
  RecordBatch,
  Schema,
  Struct,
  Table,
  makeData,
  tableFromArrays,
  tableToIPC,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import '../../src/lib/versions/fragments.ts';
import { ipcPieces, joinPieces } from '../../src/lib/versions/ipc-pieces.ts';

const same = (t: Table) => {
  const want = tableToIPC(t, 'stream');
  const ipc = ipcPieces(t);
  expect(ipc.byteLength).toBe(want.byteLength);
  expect(joinPieces(ipc)).toEqual(want);
  // Into a larger buffer that held something else: only its start is the stream.
  const target = new Uint8Array(ipc.byteLength + 100).fill(7);
  expect(joinPieces(ipc, target)).toEqual(want);
};

describe('ipcPieces', () => {
  it('joins to the bytes of tableToIPC: numbers, strings with nulls', () => {
    same(
      tableFromArrays({
        n: Int32Array.from({ length: 3000 }, (_, i) => i * 7),
        s: Array.from({ length: 3000 }, (_, i) => (i % 5 ? `row ${i} é` : null)),
      }),
    );
  });

  it('joins to the bytes of tableToIPC: several batches, an all-null Bool, no rows', () => {
    const a = tableFromArrays({ n: Int32Array.from([1, 2, 3]) });
    const b = tableFromArrays({ n: Int32Array.from([4, 5]) });
    same(new Table([...a.batches, ...b.batches]));
    const schema = new Schema([new Field('b', new Bool(), true)]);
    const nulls = makeData({ type: new Bool(), length: 10, nullCount: 10 });
    const struct = makeData({ type: new Struct(schema.fields), length: 10, children: [nulls] });
    same(new Table(schema, [new RecordBatch(schema, struct)]));
    same(tableFromArrays({ n: new Int32Array(0), s: [] as string[] }));
  });

  it('refuses a target too small for the stream', () => {
    const ipc = ipcPieces(tableFromArrays({ n: Int32Array.from([1, 2, 3]) }));
    expect(() => joinPieces(ipc, new Uint8Array(ipc.byteLength - 1))).toThrow(RangeError);
  });
});
