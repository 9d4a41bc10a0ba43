/**
 * An Arrow table as an IPC stream in pieces: the writer's own output (its messages, and views of
 * the table's column buffers), not joined into one new buffer as `tableToIPC` does. The caller
 * copies them once into a buffer it reuses (the Parquet thread's), where a fresh buffer of a
 * fragment's size would cost a page fault per 4 KiB on first write (bench/README, "fresh pages").
 */
import { AsyncByteQueue, RecordBatchStreamWriter, type Table } from 'apache-arrow';

/** A writer's sink that keeps what it is given, in order. */
class Pieces extends AsyncByteQueue {
  readonly pieces: Uint8Array[] = [];
  byteLength = 0;
  override write(value: unknown): void {
    // The writer gives Uint8Arrays (its `_write` has made them so); empty ones are padding.
    const piece = value as Uint8Array;
    if (!piece.byteLength) return;
    this.pieces.push(piece);
    this.byteLength += piece.byteLength;
  }
}

export interface IpcPieces {
  pieces: Uint8Array[];
  byteLength: number;
}

/** The IPC stream `tableToIPC(table, 'stream')` gives, as the pieces it joins. */
export function ipcPieces(table: Table): IpcPieces {
  const sink = new Pieces();
  const writer = new RecordBatchStreamWriter();
  writer.reset(sink, table.schema);
  for (const batch of table.batches) writer.write(batch);
  writer.finish();
  return { pieces: sink.pieces, byteLength: sink.byteLength };
}

/** The pieces copied into `target` (from its start; it must hold them), or a new buffer. */
export function joinPieces(ipc: IpcPieces, target = new Uint8Array(ipc.byteLength)): Uint8Array {
  if (target.byteLength < ipc.byteLength) throw new RangeError('target too small');
  let at = 0;
  for (const p of ipc.pieces) {
    target.set(p, at);
    at += p.byteLength;
  }
  return target.subarray(0, ipc.byteLength);
}
