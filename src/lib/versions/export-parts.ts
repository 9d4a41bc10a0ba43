/**
 * One Parquet part of an export: `_rowid`, then every column. Images and blobs are written as
 * their bytes (read from the lake's objects, each verified against its sha256); nested and
 * repeated values as Parquet structs and lists (export-nested.ts); the rest as the lake types.
 */
import { Binary, Table, vectorFromArray, type Vector } from 'apache-arrow';
import type { ChunkStore } from '../store/types.ts';
import { objectOf } from './cells.ts';
import { ROWID, buildTable } from './columns.ts';
import type { DocRecordSet } from './export-doc.ts';
import { nestedVector } from './export-nested.ts';
import type { ObjectIndex, RecordSetManifest } from './manifest.ts';
import { readObjects } from './objects-read.ts';
import type { LocatedRow } from './read.ts';

const binary = (t: string) => t === 'image' || t === 'blob';

/** Builds the Arrow table of one part; `what` names the record set and commit in errors. */
export async function partTable(
  store: ChunkStore,
  index: ObjectIndex,
  rs: RecordSetManifest,
  doc: DocRecordSet,
  rows: readonly LocatedRow[],
  what: string,
  signal?: AbortSignal,
): Promise<Table> {
  const ids = rows.map((r) => r.rowid);
  const plain = rs.columns.filter((c) => !binary(c.type) && !doc.shapes[c.name]);
  const base = buildTable(
    plain,
    ids,
    rows.map((r) => r.row),
  );
  const vectors: Record<string, Vector> = { [ROWID]: base.getChild(ROWID)! };
  for (const c of rs.columns) {
    const shape = doc.shapes[c.name];
    if (shape) {
      const cells = rows.map((r) => {
        const v = r.row[c.name] ?? null;
        return typeof v === 'string' ? v : v === null ? null : JSON.stringify(v);
      });
      vectors[c.name] = nestedVector(
        cells,
        shape,
        (i) => `${what}, row ${rows[i]!.rowid}, column ${c.name}`,
      );
      continue;
    }
    if (!binary(c.type)) {
      vectors[c.name] = base.getChild(c.name)!;
      continue;
    }
    // Read together: the images of a part are mostly slices of a few packs (objects-read.ts).
    const shas = rows.map((r) => objectOf(c.type, r.row[c.name] ?? null));
    const at = shas.flatMap((sha, i) => (sha ? [i] : []));
    const bytes = await readObjects(
      store,
      index,
      at.map((i) => shas[i]!),
      (k) => `${what}, row ${rows[at[k]!]!.rowid}, column ${c.name}: object ${shas[at[k]!]}`,
      signal,
    );
    const values: (Uint8Array | null)[] = rows.map(() => null);
    for (const [k, i] of at.entries()) values[i] = bytes[k]!;
    vectors[c.name] = vectorFromArray(values, new Binary());
  }
  return new Table(vectors);
}

/** Bytes of the objects a row refers to (known from the index without reading them). */
export function objectBytes(index: ObjectIndex, rs: RecordSetManifest, r: LocatedRow): number {
  let n = 0;
  for (const c of rs.columns) {
    const sha = objectOf(c.type, r.row[c.name] ?? null);
    if (sha) n += index.objects[sha]?.size ?? 0;
  }
  return n;
}
