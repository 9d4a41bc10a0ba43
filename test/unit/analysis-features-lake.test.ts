/**
 * The evaluated rows read from a lake (src/lib/analysis/features-lake.ts), and the derived
 * record sets `image_stats` and `dicom_tags` written onto the evaluation branch
 * (src/lib/analysis/derive-lake.ts), on four items worked by hand: three PNGs and a DICOM file.
 */
import { encode } from 'fast-png';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeDicomTags, writeImageStats } from '../../src/lib/analysis/derive-lake.ts';
import { buildFeatureTable } from '../../src/lib/analysis/features.ts';
import { readEvaluatedRows } from '../../src/lib/analysis/features-lake.ts';
import type { Predictions } from '../../src/lib/model/predict.ts';
import { writePredictions } from '../../src/lib/model/predictions.ts';
import { writeOpinions } from '../../src/lib/opinions/write.ts';
import { LakeError } from '../../src/lib/store/errors.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { putJson } from '../../src/lib/versions/chunks.ts';
import type { ImageRef, LakeRow } from '../../src/lib/versions/columns.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { emptyObjectIndex, type ColumnDef } from '../../src/lib/versions/manifest.ts';
import { ObjectWriter } from '../../src/lib/versions/objects.ts';
import { readAllRows, recordSetOf } from '../../src/lib/versions/read.ts';
import { writeRows } from '../../src/lib/versions/write.ts';
import { dicomBytes, image, u16 } from './dicom-writer.ts';

const DS = 'scans';
const SET = 'scans';
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
const items: Uint8Array[] = [
  png(Array(9).fill(50)),
  png([0, 0, 0, 0, 9, 0, 0, 0, 0]),
  png(Array(9).fill(255)),
  dicom,
];

async function buildDataset(lake: Lake): Promise<void> {
  await lake.backend.refs.cas(`dataset/${DS}`, 0, {
    id: DS,
    name: DS,
    source: 'test',
    createdAt: new Date().toISOString(),
    rawBytes: 0,
  });
  const index = emptyObjectIndex();
  const writer = new ObjectWriter(lake.chunks, index);
  const rows: { rowid: bigint; row: LakeRow }[] = [];
  for (let i = 0; i < items.length; i++) {
    const sha = await writer.putBytes(items[i]!);
    const ref: ImageRef = {
      sha256: sha,
      format: i < 3 ? 'PNG' : 'DICOM',
      mode: 'L',
      width: 3,
      height: 3,
    };
    const row = {
      'scans/image': ref,
      'scans/site': ['a', 'a', 'b', 'b'][i]!,
      'scans/kvp': 100 + i,
    };
    rows.push({ rowid: BigInt(i), row });
  }
  await writer.flush();
  const objects = await putJson(lake.chunks, index);
  await lake.commit(
    DS,
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
          rows: 4,
          fragments: await writeRows(lake.chunks, COLUMNS, rows),
        },
      },
    }),
    { create: { protected: false } },
  );
}

/** Predictions of rows 0-3, classes a/b: predicted a b a b, targets a a (none) b. */
function predictions(commit: string): Predictions {
  return {
    dataset: DS,
    commit,
    recordSet: SET,
    model: { id: 'm1', name: 'tiny' },
    classes: ['a', 'b'],
    mapping: {} as Predictions['mapping'],
    output: 'logits',
    outputKind: 'logits',
    embeddingOutput: null,
    runtime: {} as Predictions['runtime'],
    label: 'class',
    rowIds: BigInt64Array.from([0n, 1n, 2n, 3n]),
    probs: Float32Array.from([0.75, 0.25, 0.25, 0.75, 0.5, 0.5, 0.25, 0.75]),
    predicted: Int32Array.from([0, 1, 0, 1]),
    target: Int32Array.from([0, 0, -1, 1]),
    loss: Float64Array.from([Math.log(4 / 3), Math.log(4), NaN, Math.log(4 / 3)]),
    embeddings: null,
    skipped: 0,
  };
}

let lake: Lake;
beforeAll(async () => {
  lake = await Lake.open(memoryBackend());
  await buildDataset(lake);
  await lake.createBranch(DS, 'eval', 'main');
  const head = await lake.resolve(DS, 'eval');
  await writePredictions(lake, DS, predictions(head), { branch: 'eval', question: null });
});

async function rowsOf(name: string): Promise<Map<bigint, LakeRow>> {
  const commit = await lake.readCommit(await lake.resolve(DS, 'eval'));
  const [, rs] = recordSetOf(commit, name);
  return new Map((await readAllRows(lake.chunks, rs, name)).map((r) => [r.rowid, r.row]));
}

describe('derived record sets', () => {
  it('writes image statistics, one row per item under its _rowid, with lineage', async () => {
    const seen: number[] = [];
    const r = await writeImageStats(lake, DS, {
      branch: 'eval',
      recordSet: SET,
      onProgress: (p) => seen.push(p.done),
    });
    expect(r.rows).toBe(4);
    expect(seen).toEqual([1, 2, 3, 4]);
    const rows = await rowsOf('image_stats');
    expect(rows.get(0n)).toMatchObject({
      mean: 50,
      contrast: 0,
      noise: 0,
      sharpness: 0,
      saturated: 0,
    });
    const one = rows.get(1n)!;
    expect(one.mean).toBeCloseTo(1, 12);
    expect(one.contrast).toBeCloseTo(Math.sqrt(8), 12);
    expect(one.noise).toBeCloseTo(6 * Math.sqrt(Math.PI / 2), 12);
    expect(one.saturated).toBeCloseTo(8 / 9, 12);
    expect(rows.get(2n)!.saturated).toBe(1);
    expect(rows.get(3n)).toMatchObject({ mean: 1000, width: 3n, height: 3n, bit_depth: 16n });
    const c = await lake.readCommit(r.commit);
    expect(c.lineage.op).toBe('image-stats');
    expect(c.lineage.params.source).toMatchObject({ recordSet: SET, column: 'scans/image' });
    expect(c.lineage.code?.version).toMatch(/\d/);
  });

  it('writes DICOM tags for the DICOM items only', async () => {
    const r = await writeDicomTags(lake, DS, { branch: 'eval', recordSet: SET });
    expect(r.rows).toBe(1);
    const rows = await rowsOf('dicom_tags');
    expect([...rows.keys()]).toEqual([3n]);
    expect(rows.get(3n)).toMatchObject({
      Modality: 'CR',
      Manufacturer: 'Kestrel',
      InstitutionName: 'North',
      KVP: 120,
      PixelSpacing: 0.5,
      BitsStored: 12n,
      ProtocolName: null,
    });
  });

  it('refuses a name holding another record set, and a cancelled run, moving nothing', async () => {
    const before = await lake.resolve(DS, 'eval');
    const clash = await writeImageStats(lake, DS, {
      branch: 'eval',
      recordSet: SET,
      name: 'predictions',
    }).catch((e: unknown) => e);
    expect(clash).toBeInstanceOf(LakeError);
    expect((clash as LakeError).code).toBe('SCHEMA_MISMATCH');
    const ac = new AbortController();
    ac.abort();
    const cancelled = await writeImageStats(lake, DS, {
      branch: 'eval',
      recordSet: SET,
      signal: ac.signal,
    }).catch((e: unknown) => e);
    expect((cancelled as LakeError).code).toBe('ABORTED');
    expect(await lake.resolve(DS, 'eval')).toBe(before);
  });
});

describe('readEvaluatedRows', () => {
  it('joins predictions, metadata, derived record sets and opinions by _rowid', async () => {
    // Row 0: ann1 says a, ann2 corrects it to b → 1 correction; leaves {b}, so 1 of 2 disagree.
    await writeOpinions(lake, DS, {
      branch: 'eval',
      source: { kind: 'test' },
      opinions: [
        {
          where: 'o1',
          ref: 'o1',
          subject: { set: SET, row: 0n },
          question: 'class',
          value: 'a',
          actor: { kind: 'human', id: 'ann1' },
          createdAt: '2026-01-01T00:00:00Z',
        },
        {
          where: 'o2',
          subject: { set: SET, row: 0n },
          question: 'class',
          value: 'b',
          actor: { kind: 'human', id: 'ann2' },
          parents: ['o1'],
          createdAt: '2026-01-02T00:00:00Z',
        },
        {
          where: 'o3',
          subject: { set: SET, row: 3n },
          question: 'class',
          value: 'b',
          actor: { kind: 'human', id: 'ann2' },
        },
      ],
    });
    const ev = await readEvaluatedRows(lake, { dataset: DS, branch: 'eval' });
    expect(ev.recordSet).toBe(SET);
    expect(ev.model).toBe('m1');
    expect(ev.imageColumn).toBe('image');
    // Row 2 has no target.
    expect([...ev.rowIds]).toEqual([0n, 1n, 3n]);
    expect(ev.left).toEqual({ unlabelled: 1, orphaned: 0 });
    expect(ev.errors.correct).toEqual([1, 0, 1]);
    expect(ev.errors.target).toEqual(['a', 'a', 'b']);
    const col = (name: string) => ev.columns.find((c) => c.name === name)!;
    expect(col('site')).toMatchObject({
      source: 'croissant',
      column: 'site',
      values: ['a', 'a', 'b'],
    });
    expect(col('image.mean')).toMatchObject({ source: 'image-stats', column: null });
    expect(col('image.mean').values).toEqual([50, 1, 1000]);
    expect(col('dicom.Manufacturer').values).toEqual([null, null, 'Kestrel']);
    expect(col('opinions.corrections').values).toEqual([1, 0, 0]);
    expect(col('opinions.disagreement').values).toEqual([0.5, null, 0]);
    expect(col('opinions.first_annotator').values).toEqual(['ann1', null, 'ann2']);
    const { table, skipped } = buildFeatureTable(ev);
    expect(table.rowIds).toEqual(ev.rowIds);
    expect(table.features.map((f) => f.name)).toContain('dicom.Manufacturer');
    expect(skipped.find((s) => s.name === 'image')?.reason).toBe('an image column');
  });
});
