/**
 * Lake rows back into Croissant record values, as the reader produced them at ingest: images
 * and binary values with their bytes (read from the stored objects, verified), dates as Date,
 * nested and repeated values parsed from their JSON text.
 */
import type { RecordRow, Value } from '../croissant/api.ts';
import type { ChunkStore } from '../store/types.ts';
import type { Cell, ImageRef, LakeRow } from './columns.ts';
import type { ColumnDef, ObjectIndex, RecordSetManifest } from './manifest.ts';
import { readObject } from './objects-read.ts';
import { scanRows } from './read.ts';

/** Converts one lake row; `bytesOf` reads an object by sha256. */
export async function fromLakeRow(
  columns: readonly ColumnDef[],
  row: LakeRow,
  bytesOf: (sha: string, what: string) => Promise<Uint8Array>,
): Promise<RecordRow> {
  const out: RecordRow = {};
  for (const c of columns) {
    const v: Cell = row[c.name] ?? null;
    if (v === null) out[c.name] = null;
    else if (c.type === 'image' && typeof v === 'object') {
      const img = v as ImageRef;
      out[c.name] = {
        kind: 'image',
        format: img.format,
        mode: img.mode,
        width: img.width,
        height: img.height,
        bytes: await bytesOf(img.sha256, `image of ${c.name}`),
      };
    } else if (c.type === 'blob' && typeof v === 'string') {
      out[c.name] = { kind: 'bytes', bytes: await bytesOf(v, `value of ${c.name}`) };
    } else if (c.type === 'timestamp' && typeof v === 'number') out[c.name] = new Date(v);
    else if (c.json && typeof v === 'string') out[c.name] = JSON.parse(v) as Value;
    else out[c.name] = v as Value;
  }
  return out;
}

/** Streams a record set's live rows as Croissant records. */
export async function* lakeRecords(
  store: ChunkStore,
  rs: RecordSetManifest,
  index: ObjectIndex,
  what: string,
): AsyncGenerator<RecordRow & { _rowid: string }> {
  const bytesOf = (sha: string, w: string) => readObject(store, index, sha, `${what}, ${w}`);
  for await (const batch of scanRows(store, rs, what)) {
    for (const r of batch) {
      yield { _rowid: String(r.rowid), ...(await fromLakeRow(rs.columns, r.row, bytesOf)) };
    }
  }
}
