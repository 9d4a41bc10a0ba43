/**
 * The analysis worker's `deriveStatus` and `deriveFeatures` operations (workers/api/
 * analysis-service.ts) over a memory lake, items inline: on the hand-made scans of
 * ./analysis-features-fixture.ts (three PNGs, then a DICOM file), the Blind spots tab learns the
 * image column and that it holds DICOM, then gets `image_stats` and `dicom_tags` written onto
 * the evaluation branch, with progress by stage; a cancel writes nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Predictions } from '../../src/lib/model/predict.ts';
import { writePredictions } from '../../src/lib/model/predictions.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { readAllRows, recordSetOf } from '../../src/lib/versions/read.ts';
import type { AnalysisWorkerApi, BlindspotProgress } from '../../workers/api/analysis.api.ts';
import { createAnalysisService } from '../../workers/api/analysis-service.ts';
import { DS, SET, buildDataset } from './analysis-features-fixture.ts';

/** Predictions of rows 0-3 (what they say does not matter here, only that they exist). */
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
    target: Int32Array.from([0, 0, 1, 1]),
    loss: Float64Array.from([1, 1, 1, 1]),
    embeddings: null,
    skipped: 0,
  };
}

let lake: Lake;
let service: AnalysisWorkerApi;
beforeAll(async () => {
  lake = await Lake.open(memoryBackend());
  await buildDataset(lake);
  await lake.createBranch(DS, 'eval', 'main');
  await writePredictions(lake, DS, predictions(await lake.resolve(DS, 'eval')), {
    branch: 'eval',
  });
  service = createAnalysisService(() => Promise.resolve({ lake }));
});

const req = { dataset: DS, branch: 'eval' };

describe('the analysis worker derives features', () => {
  it('says where images are, and that nothing is derived yet', async () => {
    const r = await service.call(1, 'deriveStatus', [req]);
    expect(r).toEqual({
      ok: true,
      value: {
        recordSet: SET,
        imageColumn: 'scans/image',
        reason: null,
        dicom: true,
        imageStats: null,
        dicomTags: null,
      },
    });
  });

  it('a cancel writes nothing', async () => {
    const head = await lake.resolve(DS, 'eval');
    const pending = service.call(2, 'deriveFeatures', [
      { ...req, imageStats: true, dicomTags: true },
    ]);
    service.abort(2);
    const r = await pending;
    expect(r.ok ? null : r.error).toMatchObject({ code: 'ABORTED' });
    expect(await lake.resolve(DS, 'eval')).toBe(head);
  });

  it('writes image_stats and dicom_tags onto the branch, one commit each, by stage', async () => {
    const seen: BlindspotProgress[] = [];
    const r = await service.call(
      3,
      'deriveFeatures',
      [{ ...req, imageStats: true, dicomTags: true }],
      (p) => seen.push(p),
    );
    if (!r.ok) throw new Error(r.error.message);
    // Four items have statistics; only the fourth is DICOM.
    expect(r.value.imageStats?.rows).toBe(4);
    expect(r.value.dicomTags?.rows).toBe(1);
    expect(await lake.resolve(DS, 'eval')).toBe(r.value.dicomTags!.commit);
    const stages = [...new Set(seen.map((p) => p.stage))];
    expect(stages).toEqual(['image statistics', 'DICOM tags']);
    expect(seen.filter((p) => p.stage === 'image statistics').at(-1)).toEqual({
      stage: 'image statistics',
      done: 4,
      total: 4,
    });
    const commit = await lake.readCommit(r.value.imageStats!.commit);
    const [, rs] = recordSetOf(commit, 'image_stats');
    const rows = await readAllRows(lake.chunks, rs, 'image_stats');
    // Row 0 is a 3×3 PNG of 50s: mean 50, no contrast.
    expect(rows.find((x) => x.rowid === 0n)?.row).toMatchObject({ mean: 50, contrast: 0 });

    const status = await service.call(4, 'deriveStatus', [req]);
    expect(status.ok && status.value).toMatchObject({
      imageStats: { commit: r.value.imageStats!.commit, rows: 4 },
      dicomTags: { commit: r.value.dicomTags!.commit, rows: 1 },
    });
  });

  it('refuses a record set without an image column, with the reason', async () => {
    const r = await service.call(5, 'deriveFeatures', [
      { ...req, recordSet: 'predictions', imageStats: true, dicomTags: false },
    ]);
    expect(r.ok ? null : r.error).toMatchObject({
      code: 'BAD_INPUT',
      message: 'predictions has no image column',
    });
  });
});
