/**
 * Four items for the derived record set tests, worked by hand (see {@link items}): three PNGs
 * and a DICOM file, in record set `scans` of dataset `scans` on `main`, with a site and a kVp.
 */
import { encode } from 'fast-png';
import { putJson } from '../../src/lib/versions/chunks.ts';
import type { ImageRef, LakeRow } from '../../src/lib/versions/columns.ts';
import type { Lake } from '../../src/lib/versions/lake.ts';
import { emptyObjectIndex, type ColumnDef } from '../../src/lib/versions/manifest.ts';
import { ObjectWriter } from '../../src/lib/versions/objects.ts';
import { writeRows } from '../../src/lib/versions/write.ts';
import { dicomBytes, image, u16 } from './dicom-writer.ts';

export const DS = 'scans';
export const SET = 'scans';
const COLUMNS: ColumnDef[] = [
  { name: 'scans/image', type: 'image' },
  { name: 'scans/site', type: 'utf8' },
  { name: 'scans/kvp', type: 'float64' },
];
const png = (data: number[]) =>
  encode({ width: 3, height: 3, channels: 1, depth: 8, data: Uint8Array.from(data) });

/**
 * Row 0: flat 50 → mean 50, contrast 0, noise 0, sharpness 0, none saturated.
 * Row 1: zeros with 9 in the centre → mean 1; E[x²] = 9, so contrast √(9 − 1) = √8; the one
 *   interior pixel: Laplacian −36 (variance 0), Immerkær 4·9 = 36 → σ = √(π/2)·36/6 = 6√(π/2);
 *   8 of 9 pixels at 0 → saturated 8/9.
 * Row 2: all 255 → saturated 1.
 * Row 3: a DICOM file, 3×3 16-bit stored 12 bits, all 1000: mean 1000, bit depth 16; tags
 *   Manufacturer Kestrel, KVP 120, PixelSpacing 0.5\0.5, InstitutionName "North  " (padded).
 */
const dicom = dicomBytes(
  image({
    rows: 3,
    columns: 3,
    bits: 16,
    stored: 12,
    pixels: u16(Array(9).fill(1000)),
    extra: [
      [0x0008, 0x0060, 'CS', 'CR'],
      [0x0008, 0x0070, 'LO', 'Kestrel'],
      [0x0008, 0x0080, 'LO', 'North  '],
      [0x0018, 0x0060, 'DS', '120'],
      [0x0028, 0x0030, 'DS', ['0.5', '0.5']],
    ],
  }),
);
export const items: Uint8Array[] = [
  png(Array(9).fill(50)),
  png([0, 0, 0, 0, 9, 0, 0, 0, 0]),
  png(Array(9).fill(255)),
  dicom,
];

/** Commits `list` (default {@link items}) on `main` of a new dataset `dataset`. */
export async function buildDataset(
  lake: Lake,
  dataset = DS,
  list: readonly Uint8Array[] = items,
): Promise<void> {
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
  for (let i = 0; i < list.length; i++) {
    const sha = await writer.putBytes(list[i]!);
    const ref: ImageRef = {
      sha256: sha,
      format: i < 3 ? 'PNG' : 'DICOM',
      mode: 'L',
      width: 3,
      height: 3,
    };
    const row = {
      'scans/image': ref,
      'scans/site': i < 2 ? 'a' : 'b',
      'scans/kvp': 100 + i,
    };
    rows.push({ rowid: BigInt(i), row });
  }
  await writer.flush();
  const objects = await putJson(lake.chunks, index);
  await lake.commit(
    dataset,
    'main',
    async () => ({
      message: 'scans',
      lineage: { op: 'commit', params: {} },
      document: null,
      objects,
      recordSets: {
        [SET]: {
          name: SET,
          columns: COLUMNS,
          rows: list.length,
          fragments: await writeRows(lake.chunks, COLUMNS, rows),
        },
      },
    }),
    { create: { protected: false } },
  );
}
