/**
 * A small learnable dataset for the training-on-the-lake tests, in any lake: `n` gray 16×16
 * PNGs with a bright 4×4 square in the left half (label `left`) or the right half (`right`),
 * a `split` column (every fourth row `val`, every eighth from row 3 `test`), two numeric
 * columns that also separate the classes, and a constant column (one class).
 */
import { encode } from 'fast-png';
import type { LakeRow } from '../../src/lib/versions/columns.ts';
import { putJson } from '../../src/lib/versions/chunks.ts';
import type { Lake } from '../../src/lib/versions/lake.ts';
import { emptyObjectIndex, type ColumnDef } from '../../src/lib/versions/manifest.ts';
import { ObjectWriter } from '../../src/lib/versions/objects.ts';
import { writeRows } from '../../src/lib/versions/write.ts';
import { seeded } from './seeded.ts';

export const TOY = 'toy';
const COLUMNS: ColumnDef[] = [
  { name: 'items/image', type: 'image' },
  { name: 'items/label', type: 'utf8' },
  { name: 'items/split', type: 'utf8' },
  { name: 'items/x1', type: 'float64' },
  { name: 'items/x2', type: 'float64' },
  { name: 'items/site', type: 'utf8' },
];

/** The split of row `i`: val for every fourth, test for every eighth from row 3, else train. */
export const splitOf = (i: number) => (i % 4 === 0 ? 'val' : i % 8 === 3 ? 'test' : 'train');

/** A 16×16 gray PNG: noise below 80 and a 4×4 square of 255 in the half of class `c`. */
function png(c: number, rng: () => number): Uint8Array {
  const data = new Uint8Array(256);
  for (let j = 0; j < 256; j++) data[j] = Math.floor(rng() * 80);
  const top = Math.floor(rng() * 12);
  const left = c * 8 + Math.floor(rng() * 4);
  for (let r = 0; r < 4; r++) for (let q = 0; q < 4; q++) data[(top + r) * 16 + left + q] = 255;
  return encode({ width: 16, height: 16, data, channels: 1, depth: 8 });
}

/** Builds {@link TOY} on `main` (unprotected); returns its commit. */
export async function buildToyDataset(lake: Lake, n = 128): Promise<string> {
  await lake.backend.refs.cas(`dataset/${TOY}`, 0, {
    id: TOY,
    name: TOY,
    source: 'test',
    createdAt: new Date().toISOString(),
    rawBytes: 0,
  });
  const rng = seeded(3);
  const index = emptyObjectIndex();
  const writer = new ObjectWriter(lake.chunks, index);
  const rows: { rowid: bigint; row: LakeRow }[] = [];
  for (let i = 0; i < n; i++) {
    const c = (i * 7) % 3 === 0 ? 1 : i % 2;
    const sha = await writer.putBytes(png(c, rng));
    rows.push({
      rowid: BigInt(i),
      row: {
        'items/image': { sha256: sha, format: 'PNG', mode: 'L', width: 16, height: 16 },
        'items/label': c ? 'right' : 'left',
        'items/split': splitOf(i),
        'items/x1': (c ? 2 : -2) + rng() * 2 - 1,
        'items/x2': rng() * 10,
        'items/site': 'only-site',
      },
    });
  }
  await writer.flush();
  const objects = await putJson(lake.chunks, index);
  const { hash } = await lake.commit(
    TOY,
    'main',
    async () => ({
      message: 'toy images',
      lineage: { op: 'commit', params: {} },
      document: null,
      objects,
      recordSets: {
        items: {
          name: 'items',
          columns: COLUMNS,
          rows: n,
          fragments: await writeRows(lake.chunks, COLUMNS, rows),
        },
      },
    }),
    { create: { protected: false } },
  );
  return hash;
}
