/**
 * A small image dataset for the dataloader tests, in any lake: `n` tiny PNGs (12×10 RGB, each
 * with its own pattern) packed by an ObjectWriter into the commit's object index, rows with an
 * image column and a text label. Optionally a corrupt PNG (stored, hashes fine, does not
 * decode) and a missing blob (an image cell whose object is not in the index) at given rows.
 */
import { encode } from 'fast-png';
import { createSHA256 } from 'hash-wasm';
import type { Batch, Loader } from '../../src/lib/pipeline/loader.ts';
import type { LakeRow } from '../../src/lib/versions/columns.ts';
import { putJson } from '../../src/lib/versions/chunks.ts';
import type { Lake } from '../../src/lib/versions/lake.ts';
import { emptyObjectIndex, type ColumnDef } from '../../src/lib/versions/manifest.ts';
import { ObjectWriter } from '../../src/lib/versions/objects.ts';
import { writeRows } from '../../src/lib/versions/write.ts';

export const DATASET = 'pics';
export const IMAGE = 'pics/image';
export const LABEL = 'pics/label';
export const W = 12;
export const H = 10;
const COLUMNS: ColumnDef[] = [
  { name: IMAGE, type: 'image' },
  { name: LABEL, type: 'utf8' },
];

/** A PNG whose pixels depend on `i`. */
export function tinyPng(i: number): Uint8Array {
  const data = new Uint8Array(W * H * 3);
  for (let p = 0; p < W * H; p++) {
    data[p * 3] = (i * 37 + p * 3) & 255;
    data[p * 3 + 1] = (i * 11 + (p % W) * 19) & 255;
    data[p * 3 + 2] = (i * 5 + Math.floor(p / W) * 23) & 255;
  }
  return encode({ width: W, height: H, data, channels: 3, depth: 8 });
}

/** What {@link buildImageDataset} committed. */
export interface ImageDataset {
  commit: string;
  rows: number;
}

/** Builds the dataset on `main` of a new dataset {@link DATASET}. */
export async function buildImageDataset(
  lake: Lake,
  opts: { n?: number; corrupt?: number[]; missing?: number[]; source?: string } = {},
): Promise<ImageDataset> {
  const n = opts.n ?? 64;
  await lake.backend.refs.cas(`dataset/${DATASET}`, 0, {
    id: DATASET,
    name: DATASET,
    source: opts.source ?? 'test',
    createdAt: new Date().toISOString(),
    rawBytes: 0,
  });
  const index = emptyObjectIndex();
  const writer = new ObjectWriter(lake.chunks, index);
  const rows: { rowid: bigint; row: LakeRow }[] = [];
  for (let i = 0; i < n; i++) {
    let bytes = tinyPng(i);
    if (opts.corrupt?.includes(i)) {
      bytes = bytes.slice(0, 40); // a PNG cut off in its first chunk: stored fine, not decodable
    }
    let sha = await writer.putBytes(bytes);
    if (opts.missing?.includes(i)) sha = 'f'.repeat(63) + (i % 10);
    const image = { sha256: sha, format: 'PNG', mode: 'RGB', width: W, height: H };
    rows.push({ rowid: BigInt(i), row: { [IMAGE]: image, [LABEL]: `class-${i % 4}` } });
  }
  await writer.flush();
  const objects = await putJson(lake.chunks, index);
  const { hash } = await lake.commit(
    DATASET,
    'main',
    async () => ({
      message: 'pictures',
      lineage: { op: 'commit', params: {} },
      document: null,
      objects,
      recordSets: {
        pics: {
          name: 'pics',
          columns: COLUMNS,
          rows: n,
          fragments: await writeRows(lake.chunks, COLUMNS, rows),
        },
      },
    }),
    { create: { protected: false } },
  );
  return { commit: hash, rows: n };
}

/** sha256 over every batch of an epoch (x, y, row ids and shape), and the batches' row ids. */
export async function epochHash(
  loader: Loader,
  epoch: number,
): Promise<{ hash: string; batches: Batch[] }> {
  const h = await createSHA256();
  h.init();
  const batches: Batch[] = [];
  for await (const b of loader.epoch(epoch)) {
    h.update(new Uint8Array(Int32Array.from(b.shape).buffer));
    h.update(new Uint8Array(b.x.buffer, b.x.byteOffset, b.x.byteLength));
    h.update(new Uint8Array(b.y.buffer, b.y.byteOffset, b.y.byteLength));
    h.update(new Uint8Array(b.rowIds.buffer, b.rowIds.byteOffset, b.rowIds.byteLength));
    batches.push(b);
  }
  return { hash: h.digest('hex'), batches };
}
