/**
 * Lake rows back into Croissant record values, as the reader produced them at ingest: images
 * and binary values with their bytes (read from the stored objects, verified), dates as Date,
 * nested and repeated values parsed from their JSON text.
 */
import type { RecordRow, Value } from '../croissant/api.ts';
import type { ChunkStore } from '../store/types.ts';
import type { Cell, ImageRef, LakeRow } from './columns.ts';
import type { ColumnDef, ObjectIndex, RecordSetManifest } from './manifest.ts';
import { readObjects } from './objects-read.ts';
import { scanRows } from './read.ts';

/** The object cell `v` of column `c` refers to, as `[sha256, what]`; null for any other cell. */
function objectRef(c: ColumnDef, v: Cell): [sha: string, what: string] | null {
  if (c.type === 'image' && v !== null && typeof v === 'object') {
    return [(v as ImageRef).sha256, `image of ${c.name}`];
  }
  if (c.type === 'blob' && typeof v === 'string') return [v, `value of ${c.name}`];
  return null;
}

/** Converts one lake row; `bytesOf` reads an object by sha256. */
export async function fromLakeRow(
  columns: readonly ColumnDef[],
  row: LakeRow,
  bytesOf: (sha: string, what: string) => Promise<Uint8Array>,
): Promise<RecordRow> {
  const out: RecordRow = {};
  for (const c of columns) {
    const v: Cell = row[c.name] ?? null;
    const ref = objectRef(c, v);
    if (v === null) out[c.name] = null;
    else if (ref && c.type === 'image') {
      const img = v as ImageRef;
      out[c.name] = {
        kind: 'image',
        format: img.format,
        mode: img.mode,
        width: img.width,
        height: img.height,
        bytes: await bytesOf(...ref),
      };
    } else if (ref) out[c.name] = { kind: 'bytes', bytes: await bytesOf(...ref) };
    else if (c.type === 'timestamp' && typeof v === 'number') out[c.name] = new Date(v);
    else if (c.json && typeof v === 'string') out[c.name] = JSON.parse(v) as Value;
    else out[c.name] = v as Value;
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
        for (const c of rs.columns) {
          const ref = objectRef(c, batch[end]!.row[c.name] ?? null);
          if (!ref || wanted.has(ref[0])) continue;
          wanted.set(...ref);
          size += index.objects[ref[0]]?.size ?? 0;
        }
        end++;
      }
      const shas = [...wanted.keys()];
      const whats = [...wanted.values()];
      const bytes = await readObjects(store, index, shas, (i) => `${what}, ${whats[i]}`);
      const read = new Map(shas.map((sha, i) => [sha, bytes[i]!]));
      // Every object of these rows is in `read`: fromLakeRow asks for those objectRef names.
      const bytesOf = async (sha: string) => read.get(sha)!;
      for (const r of batch.slice(start, end)) {
        yield { _rowid: String(r.rowid), ...(await fromLakeRow(rs.columns, r.row, bytesOf)) };
      }
      start = end;
    }
  }
}
