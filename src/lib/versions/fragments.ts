/**
 * Record fragments: Arrow tables written as Parquet (ZSTD, parquet-wasm) chunks, and their
 * deletion vectors (sorted uint32 positions).
 */
import {
  Data,
  DataType,
  Visitor,
  makeData,
  tableFromIPC,
  type Bool,
  type Table,
} from 'apache-arrow';
import { loadParquet } from '../croissant/formats/parquet.ts';
import { LakeError } from '../store/errors.ts';
import { sha256 } from '../store/hash.ts';
import type { ChunkStore } from '../store/types.ts';
import { getChunk, putChunk } from './chunks.ts';
import { ROWID } from './columns.ts';
import { ipcPieces, joinPieces } from './ipc-pieces.ts';
import type { FragmentBuilder } from './column-builders.ts';
import type { FragmentRef } from './manifest.ts';
import { PARQUET_SETTINGS, parquetThread } from './parquet-thread.ts';
import { rowIdRange } from './row-ids.ts';

/** Rows per fragment written by ingest and append. */
export const FRAGMENT_ROWS = 65_536;

/*
 * apache-arrow (17 here) writes an all-null Bool column to IPC with an empty values buffer
 * (apache/arrow-js#68, fixed upstream by apache/arrow-js#392), which parquet-wasm (arrow-rs)
 * refuses, so such a column could not be stored. The IPC writer's VectorAssembler is not
 * exported (and a deep import is a second copy under Vite's pre-bundling), so this hooks the
 * exported Visitor base class where the assembler looks up its Bool visit: an all-null Bool
 * gets a zero-filled values buffer. The validity bitmap, written before, still says null.
 */
type VisitFn = (this: unknown, data: unknown, ...rest: unknown[]) => unknown;
const visitor = Visitor.prototype as unknown as {
  getVisitFn(this: object, node: unknown, throwIfNotFound?: boolean): VisitFn;
};
const getVisitFn = visitor.getVisitFn;
visitor.getVisitFn = function (node, throwIfNotFound) {
  const fn = getVisitFn.call(this, node, throwIfNotFound);
  const isAssembler = 'bufferRegions' in this;
  if (!isAssembler || !(node instanceof Data) || !DataType.isBool(node.type)) return fn;
  return function (this: unknown, data: unknown, ...rest: unknown[]) {
    const d = data as Data<Bool>;
    if (d.length === 0 || d.nullCount < d.length) return fn.call(this, data, ...rest);
    const values = new Uint8Array((d.length + 7) >> 3);
    const filled = makeData({ type: d.type, length: d.length, nullCount: 0, data: values });
    return fn.call(this, filled, ...rest);
  };
};

/** Tables from this many rows on are encoded on the Parquet thread, where there is one. */
export const THREAD_FROM_ROWS = 1024;

/**
 * Encodes an Arrow table as Parquet bytes (PARQUET_SETTINGS: ZSTD, no dictionary). A table of
 * THREAD_FROM_ROWS rows or more is encoded on the Parquet thread under Node (the same bytes,
 * and the caller's thread is free meanwhile); a smaller one, or any elsewhere, here.
 */
export async function toParquet(table: Table): Promise<Uint8Array> {
  return (await encodeParquet(table)).bytes;
}

/**
 * toParquet's bytes, with their sha256 when the Parquet thread encoded them (it hashes what it
 * writes): a fragment stored from here is not hashed again on this thread.
 */
async function encodeParquet(table: Table): Promise<{ bytes: Uint8Array; sha256?: string }> {
  const encode = table.numRows >= THREAD_FROM_ROWS ? await parquetThread() : null;
  // The pieces are views of the table's buffers, copied before anything else runs.
  const ipc = ipcPieces(table);
  if (encode) return encode(ipc);
  const pq = await loadParquet();
  const props = new pq.WriterPropertiesBuilder()
    .setCompression(pq.Compression[PARQUET_SETTINGS.compression])
    .setDictionaryEnabled(PARQUET_SETTINGS.dictionary)
    .setCreatedBy(PARQUET_SETTINGS.createdBy)
    .build();
  return { bytes: pq.writeParquet(pq.Table.fromIPCStream(joinPieces(ipc)), props) };
}

/** Decodes Parquet bytes to an Arrow table. */
export async function fromParquet(bytes: Uint8Array, what: string): Promise<Table> {
  const pq = await loadParquet();
  try {
    return tableFromIPC(pq.readParquet(bytes).intoIPCStream());
  } catch (e) {
    throw new LakeError('CORRUPT_CHUNK', `${what} is not a readable Parquet file: ${String(e)}`, {
      cause: e,
    });
  }
}

/** Writes a table (its first column is `_rowid`) as a fragment. */
export async function writeFragment(
  store: ChunkStore,
  table: Table,
  extension = false,
): Promise<FragmentRef> {
  const { ref, bytes } = await encodeFragment(table, extension);
  await putChunk(store, bytes, ref.chunk);
  return ref;
}

/** A fragment encoded: its bytes, and the reference to it once stored. */
export interface EncodedFragment {
  ref: FragmentRef;
  bytes: Uint8Array;
}

/**
 * A table (its first column is `_rowid`) encoded as a fragment, and the reference to it once
 * stored (`putChunk(store, bytes, ref.chunk)`): a commit naming it may be written meanwhile.
 */
export async function encodeFragment(table: Table, extension = false): Promise<EncodedFragment> {
  const head = fragmentHead(table, extension);
  const encoded = await encodeParquet(table);
  return withChunk(head, encoded.bytes, encoded.sha256 ?? (await sha256(encoded.bytes)));
}

/**
 * encodeFragment of the fragment `cells` holds (then reset), with `_rowid` = `rowids`. Where
 * the Parquet thread encodes it, the builder's buffers are lent rather than copied into a table
 * (FragmentBuilder.lend): the IPC stream is copied out of them once, into the thread's buffer.
 */
export async function encodeBuilt(
  cells: FragmentBuilder,
  rowids: BigInt64Array,
): Promise<{ encoded: Promise<EncodedFragment> }> {
  const encode = rowids.length >= THREAD_FROM_ROWS ? await parquetThread() : null;
  if (!encode) return { encoded: encodeFragment(cells.table(rowids)) };
  // From here until `lend` returns, nothing awaits: the stream is copied out before the reset.
  return {
    encoded: cells.lend(rowids, (table) => {
      const head = fragmentHead(table, false);
      return encode(ipcPieces(table)).then((e) => withChunk(head, e.bytes, e.sha256));
    }),
  };
}

/** A fragment reference without its chunk: everything read from the table. */
function fragmentHead(table: Table, extension: boolean): Omit<FragmentRef, 'chunk'> {
  const ids = table.getChild(ROWID);
  if (!ids || table.schema.fields[0]?.name !== ROWID) {
    throw new LakeError('BAD_INPUT', `a fragment's first column must be ${ROWID}`);
  }
  // The ids as one array: a Vector's get() and a Table's numRows walk its batches at each call.
  const { min, max, dense } = rowIdRange(ids.toArray() as BigInt64Array);
  return {
    rows: table.numRows,
    columns: table.schema.fields.map((f) => f.name),
    minRowId: String(min),
    maxRowId: String(max),
    ...(extension ? { extension: true } : {}),
    ...(dense && table.numRows > 0 ? { dense: true } : {}),
  };
}

/** The reference with its chunk first, as manifests have always written it. */
function withChunk(
  head: Omit<FragmentRef, 'chunk'>,
  bytes: Uint8Array,
  chunk: string,
): EncodedFragment {
  return { ref: { chunk, ...head }, bytes };
}

/** Reads a fragment's table. */
export async function readFragment(
  store: ChunkStore,
  ref: FragmentRef,
  what: string,
): Promise<Table> {
  const bytes = await getChunk(store, ref.chunk, `${what}, fragment ${ref.chunk}`);
  const table = await fromParquet(bytes, `${what}, fragment ${ref.chunk}`);
  if (table.numRows !== ref.rows) {
    throw new LakeError(
      'CORRUPT_CHUNK',
      `${what}, fragment ${ref.chunk}: has ${table.numRows} rows where the commit says ${ref.rows}`,
    );
  }
  return table;
}

/** Writes sorted positions as a deletions chunk. */
export async function writeDeletions(
  store: ChunkStore,
  positions: Iterable<number>,
): Promise<string> {
  const sorted = Uint32Array.from(new Set(positions)).sort();
  const bytes = new Uint8Array(sorted.byteLength);
  const view = new DataView(bytes.buffer);
  sorted.forEach((p, i) => view.setUint32(i * 4, p, true));
  return putChunk(store, bytes);
}

/** Reads a fragment's deleted positions (empty when none). */
export async function readDeletions(
  store: ChunkStore,
  ref: FragmentRef,
  what: string,
): Promise<Set<number>> {
  if (!ref.deletions) return new Set();
  const bytes = await getChunk(store, ref.deletions, `${what}, deletions of fragment ${ref.chunk}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Set<number>();
  for (let o = 0; o + 4 <= bytes.byteLength; o += 4) out.add(view.getUint32(o, true));
  return out;
}

/** Adds deleted positions to a fragment reference (a new deletions chunk; nothing rewritten). */
export async function withDeletions(
  store: ChunkStore,
  ref: FragmentRef,
  positions: Iterable<number>,
  what: string,
): Promise<FragmentRef> {
  const all = await readDeletions(store, ref, what);
  for (const p of positions) all.add(p);
  if (all.size === (ref.deleted ?? 0)) return ref;
  return { ...ref, deletions: await writeDeletions(store, all), deleted: all.size };
}
