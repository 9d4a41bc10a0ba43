/**
 * Helpers of the batch pipeline tests: a dataset of given PNGs (one row each, ids 0…n-1, an
 * image column and a text column) in any lake, and reading a branch's images back.
 */
import { decode } from 'fast-png';
import type { ImageRef, LakeRow } from '../../src/lib/versions/columns.ts';
import { putJson } from '../../src/lib/versions/chunks.ts';
import type { Lake } from '../../src/lib/versions/lake.ts';
import { emptyObjectIndex, type ColumnDef } from '../../src/lib/versions/manifest.ts';
import { ObjectWriter } from '../../src/lib/versions/objects.ts';
import { readObject } from '../../src/lib/versions/objects-read.ts';
import { readAllRows, recordSetOf } from '../../src/lib/versions/read.ts';
import { writeRows } from '../../src/lib/versions/write.ts';

export const SET = 'shots';
export const IMG = 'shots/image';
export const NOTE = 'shots/note';
const COLUMNS: ColumnDef[] = [
  { name: IMG, type: 'image' },
  { name: NOTE, type: 'utf8' },
];

/** Commits `pngs` as record set {@link SET} on `main` of a new dataset `dataset`. */
export async function buildPngDataset(
  lake: Lake,
  dataset: string,
  pngs: Uint8Array[],
): Promise<string> {
  await lake.backend.refs.cas(`dataset/${dataset}`, 0, {
    id: dataset,
    name: dataset,
    source: 'test',
    createdAt: new Date().toISOString(),
    rawBytes: 0,
  });
  const index = emptyObjectIndex();
  const writer = new ObjectWriter(lake.chunks, index);
  const rows: { rowid: bigint; row: LakeRow }[] = [];
  for (let i = 0; i < pngs.length; i++) {
    const png = decode(pngs[i]!);
    const sha = await writer.putBytes(pngs[i]!);
    const mode = png.channels === 1 ? (png.depth === 16 ? 'I;16' : 'L') : 'RGB';
    const image: ImageRef = {
      sha256: sha,
      format: 'PNG',
      mode,
      width: png.width,
      height: png.height,
    };
    rows.push({ rowid: BigInt(i), row: { [IMG]: image, [NOTE]: `note ${i}` } });
  }
  await writer.flush();
  const objects = await putJson(lake.chunks, index);
  const { hash } = await lake.commit(
    dataset,
    'main',
    async () => ({
      message: 'shots',
      lineage: { op: 'commit', params: {} },
      document: null,
      objects,
      recordSets: {
        [SET]: {
          name: SET,
          columns: COLUMNS,
          rows: pngs.length,
          fragments: await writeRows(lake.chunks, COLUMNS, rows),
        },
      },
    }),
    { create: { protected: false } },
  );
  return hash;
}

/** Rows of `recordSet` at `rev`, each with its image's bytes (null for a null cell). */
export async function readImages(
  lake: Lake,
  dataset: string,
  rev: string,
  recordSet: string,
  column: string,
): Promise<{ rowid: bigint; row: LakeRow; bytes: Uint8Array | null }[]> {
  const commit = await lake.readCommit(await lake.resolve(dataset, rev));
  const [, rs] = recordSetOf(commit, recordSet);
  const index = await lake.readObjects(commit);
  const out = [];
  for (const r of await readAllRows(lake.chunks, rs, 'test')) {
    const cell = r.row[column];
    const sha =
      typeof cell === 'string' ? cell : cell && typeof cell === 'object' ? cell.sha256 : null;
    out.push({ ...r, bytes: sha ? await readObject(lake.chunks, index, sha) : null });
  }
  return out;
}
