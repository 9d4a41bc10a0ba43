/**
 * Lake rows back into Croissant record values, as the reader produced them at ingest: images
 * and binary values with their bytes (read from the stored objects, verified), dates as Date,
 * nested and repeated values parsed from their JSON text.
 */
import type { RecordRow, Value } from '../croissant/api.ts';
import type { ChunkStore } from '../store/types.ts';
import type { Cell, ImageRef, LakeRow } from './columns.ts';
import type { ColumnDef, ObjectIndex, RecordSetManifest } from './manifest.ts';
import { readObject, readObjects } from './objects-read.ts';
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

/** The objects row `row` refers to: `[sha256, what]` of each image and blob value. */
function objectsOf(columns: readonly ColumnDef[], row: LakeRow): [string, string][] {
  const out: [string, string][] = [];
  for (const c of columns) {
    const v: Cell = row[c.name] ?? null;
    if (c.type === 'image' && v !== null && typeof v === 'object') {
      out.push([(v as ImageRef).sha256, `image of ${c.name}`]);
    } else if (c.type === 'blob' && typeof v === 'string') out.push([v, `value of ${c.name}`]);
  }
  return out;
}

/** The objects of at most about this many bytes are held at once (see lakeRecords). */
const GROUP_BYTES = 32 * 1024 * 1024;

/**
 * Streams a record set's live rows as Croissant records. The objects of consecutive rows are
 * read together (objects-read.ts `readObjects`: the slices of one chunk as few ranges, each
 * object verified), not one read per image: 10,000 images cut from one archive took 10,000
 * opens of its chunk file. A group ends once its objects reach `groupBytes`, so that a fragment
 * of large images is not held in memory whole.
 */
export async function* lakeRecords(
  store: ChunkStore,
  rs: RecordSetManifest,
  index: ObjectIndex,
  what: string,
  groupBytes = GROUP_BYTES,
): AsyncGenerator<RecordRow & { _rowid: string }> {
  for await (const batch of scanRows(store, rs, what)) {
    for (let start = 0; start < batch.length;) {
      // The rows start…end-1 and the objects they refer to: `[sha256, what]`, each once.
      const wanted = new Map<string, string>();
      let size = 0;
      let end = start;
      while (end < batch.length && size < groupBytes) {
        for (const [sha, w] of objectsOf(rs.columns, batch[end]!.row)) {
          if (wanted.has(sha)) continue;
          wanted.set(sha, w);
          size += index.objects[sha]?.size ?? 0;
        }
        end++;
      }
      const shas = [...wanted.keys()];
      const whats = [...wanted.values()];
      const bytes = await readObjects(store, index, shas, (i) => `${what}, ${whats[i]}`);
      const read = new Map(shas.map((sha, i) => [sha, bytes[i]!]));
      // Every object of these rows is in `read`; readObject only if the two ever disagree.
      const bytesOf = async (sha: string, w: string) =>
        read.get(sha) ?? readObject(store, index, sha, `${what}, ${w}`);
      for (const r of batch.slice(start, end)) {
        yield { _rowid: String(r.rowid), ...(await fromLakeRow(rs.columns, r.row, bytesOf)) };
      }
      start = end;
    }
  }
}
