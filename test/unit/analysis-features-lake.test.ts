/**
 * The evaluated rows read from a lake (src/lib/analysis/features-lake.ts), and the derived
 * record sets `image_stats` and `dicom_tags` written onto the evaluation branch
 * (src/lib/analysis/derive-lake.ts), on four items worked by hand: three PNGs and a DICOM file.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { writeDicomTags, writeImageStats } from '../../src/lib/analysis/derive-lake.ts';
import { buildFeatureTable } from '../../src/lib/analysis/features.ts';
import { readEvaluatedRows } from '../../src/lib/analysis/features-lake.ts';
import type { Predictions } from '../../src/lib/model/predict.ts';
import { writePredictions } from '../../src/lib/model/predictions.ts';
import { writeOpinions } from '../../src/lib/opinions/write.ts';
import { LakeError } from '../../src/lib/store/errors.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import type { LakeRow } from '../../src/lib/versions/columns.ts';
import { readAllRows, recordSetOf } from '../../src/lib/versions/read.ts';
import { DS, SET, buildDataset, items } from './analysis-features-fixture.ts';

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
  // Also writes the model's opinions about `class` on every row: opinion features leave them out.
  const w = await writePredictions(lake, DS, predictions(head), { branch: 'eval' });
  expect(w.opinions?.added).toBe(4);
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
  it('stops at an image that cannot be decoded, naming its row, or skips it when asked', async () => {
    // Row 1 is text, not an image.
    await buildDataset(lake, 'broken', [items[0]!, new TextEncoder().encode('not an image')]);
    const before = await lake.resolve('broken', 'main');
    const stop = await writeImageStats(lake, 'broken', { branch: 'main', recordSet: SET }).catch(
      (e: unknown) => e,
    );
    expect(stop).toBeInstanceOf(LakeError);
    expect((stop as LakeError).code).toBe('BAD_INPUT');
    expect((stop as LakeError).message).toMatch(
      /^row 1 of record set scans of broken on main, column scans\/image: /,
    );
    expect(await lake.resolve('broken', 'main')).toBe(before);
    const skip = await writeImageStats(lake, 'broken', {
      branch: 'main',
      recordSet: SET,
      onError: 'skip',
    });
    expect(skip.rows).toBe(1);
    expect(skip.skipped.map((x) => [x.rowId, x.code])).toEqual([[1n, 'BAD_INPUT']]);
    expect(skip.skipped[0]!.message).toMatch(/not a PNG/);
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
