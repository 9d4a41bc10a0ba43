/**
 * Ingest's records → fragments: cells put column by column into a fragment's builders
 * (column-builders.ts), a fragment of FRAGMENT_ROWS rows built from them and written while the
 * next one's records are generated (its Parquet is encoded on the Parquet thread under Node,
 * parquet-thread.ts).
 */
import type { RecordRow } from '../croissant/index.ts';
import { TaskYield } from '../io/next-task.ts';
import type { ChunkStore } from '../store/types.ts';
import { FragmentBuilder } from './column-builders.ts';
import { putChunk } from './chunks.ts';
import { encodeBuilt, FRAGMENT_ROWS } from './fragments.ts';
import { appendCells } from './ingest-rows.ts';
import type { ColumnDef, FragmentRef } from './manifest.ts';
import type { ObjectWriter } from './objects.ts';
import { denseRowIds } from './row-ids.ts';

/**
 * Fragment writes run while the caller goes on generating records, at most two at once: a
 * write starts once the one before the previous has ended, so that one fragment's fsync does
 * not hold up the next while the Parquet thread encodes it, and memory holds at most two
 * fragments being written and the one being filled.
 */
export class FragmentQueue {
  private all: Promise<FragmentRef>[] = [];

  constructor(private readonly store: ChunkStore) {}

  /**
   * Waits for the write before the previous one (its failure is thrown here), then starts
   * encoding and writing the fragment `cells` holds (`_rowid` = `rowids`; the builder is then
   * reset). Returns its reference, known once it is encoded (a commit naming it may then be
   * written); its write is awaited by `stored()`, before the commit's ref moves.
   */
  async add(cells: FragmentBuilder, rowids: BigInt64Array): Promise<{ ref: Promise<FragmentRef> }> {
    const n = this.all.length;
    if (n >= 2) await this.all[n - 2];
    const { encoded } = await encodeBuilt(cells, rowids);
    const ref = encoded.then((e) => e.ref);
    const write = encoded.then(async (e) => {
      await putChunk(this.store, e.bytes, e.ref.chunk);
      return e.ref;
    });
    // Awaited later; until then a failure must not count as unhandled.
    for (const p of [ref, write]) p.catch(() => {});
    this.all.push(write);
    return { ref };
  }

  /** Waits for every write; throws the first failure once all have ended. */
  stored(): Promise<void> {
    return allStored(this.all);
  }

  /** Waits for every write, ignoring failures (the ingest is failing). */
  async settle(): Promise<void> {
    await Promise.allSettled(this.all);
  }
}

/** Waits for every write; throws the first failure once all have ended. */
export async function allStored(writes: readonly Promise<unknown>[]): Promise<void> {
  for (const r of await Promise.allSettled(writes)) if (r.status === 'rejected') throw r.reason;
}

/**
 * Writes a record set's records as fragments of FRAGMENT_ROWS rows (row ids from 0, in
 * order), through `queue`. Returns the record count and the fragments' references, in row
 * order, each known once its fragment is encoded: the caller awaits the queue's writes
 * (`stored()`) before the commit's ref moves.
 */
export async function storeRecords(
  columns: readonly ColumnDef[],
  records: AsyncIterable<RecordRow[]>,
  objects: ObjectWriter,
  queue: FragmentQueue,
  onRecord: () => void,
): Promise<{ fragments: Promise<FragmentRef>[]; rows: number }> {
  const fragments: Promise<FragmentRef>[] = [];
  let rows = 0;
  let first = 0;
  const cells = new FragmentBuilder(columns);
  const write = async () => {
    const rowids = denseRowIds(first, rows - first);
    first = rows;
    fragments.push((await queue.add(cells, rowids)).ref);
  };
  // Records made from bytes in memory never let the event loop turn by themselves: the
  // writes in flight (fragments, packs, parts) progress only when it does (next-task.ts).
  const clock = new TaskYield();
  for await (const batch of records) {
    for (const record of batch) {
      const stored = appendCells(columns, record, objects, cells);
      if (stored) await stored;
      rows++;
      onRecord();
      if (rows - first >= FRAGMENT_ROWS) await write();
      if (clock.due()) await clock.turn();
    }
    cells.endBatch();
  }
  if (rows > first) await write();
  return { fragments, rows };
}
