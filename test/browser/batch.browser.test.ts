/**
 * The batch pipeline in the browser: a real browser lake (OPFS + IndexedDB) and real pipeline
 * workers. Inline, 1 and 3 workers give the same commit (same object index, same fragments,
 * hence the same hash at a fixed time), for every row or the rows a query selected; a corrupt
 * image stops the run with its row id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPipelineToBranch, type PipelineRunOptions } from '../../src/lib/pipeline/batch.ts';
import { LakeError } from '../../src/lib/store/errors.ts';
import { spawnPipelineWorker } from '../../workers/api/pipeline-client.ts';
import { DATASET, IMAGE, buildImageDataset } from '../unit/loader-fixture.ts';
import { openTestLake } from './browser-lake.ts';

const options = (over: Partial<PipelineRunOptions>): PipelineRunOptions => ({
  from: 'main',
  recordSet: 'pics',
  imageColumn: IMAGE,
  spec: [
    { op: 'random-crop', width: 8, height: 8 },
    { op: 'flip', axis: 'horizontal', p: 0.5 },
    { op: 'rotate', degrees: 15, random: true },
    { op: 'gaussian-noise', std: 2 },
  ],
  seed: 9,
  branch: 'silver',
  time: '2026-01-01T00:00:00.000Z',
  checkpointEvery: 10,
  ...over,
});

const openLake = (tag: string) => openTestLake('batch', tag);

describe('batch pipeline in workers', () => {
  let env: Awaited<ReturnType<typeof openLake>>;
  beforeAll(async () => {
    env = await openLake('good');
    await buildImageDataset(env.lake, { n: 40 });
  });
  afterAll(() => env.cleanup());

  it('gives the same commit inline and with 1 or 3 workers', async () => {
    const inline = await runPipelineToBranch(env.lake, DATASET, options({ branch: 'inline' }));
    const one = await runPipelineToBranch(
      env.lake,
      DATASET,
      options({ branch: 'one', workers: 1, spawn: spawnPipelineWorker }),
    );
    const three = await runPipelineToBranch(
      env.lake,
      DATASET,
      options({ branch: 'three', workers: 3, spawn: spawnPipelineWorker }),
    );
    expect(inline).toMatchObject({ rows: 40, processed: 40 });
    expect(one.hash).toBe(inline.hash);
    expect(three.hash).toBe(inline.hash);
    expect(three.commit.objects).toBe(inline.commit.objects);
  });

  it('gives the same commit for selected rows inline and with 3 workers', async () => {
    const sel = { rowIds: [31n, 4n, 17n, 0n, 39n], where: '_rowid IN (0, 4, 17, 31, 39)' };
    const inline = await runPipelineToBranch(
      env.lake,
      DATASET,
      options({ branch: 'sel-inline', ...sel }),
    );
    const three = await runPipelineToBranch(
      env.lake,
      DATASET,
      options({ branch: 'sel-three', ...sel, workers: 3, spawn: spawnPipelineWorker }),
    );
    expect(inline).toMatchObject({ rows: 5, processed: 5 });
    expect(inline.commit.lineage.params).toMatchObject({ where: sel.where, rows: 5 });
    expect(three.hash).toBe(inline.hash);
  });

  it('stops at a corrupt image with its row id', async () => {
    const bad = await openLake('bad');
    try {
      await buildImageDataset(bad.lake, { n: 12, corrupt: [5] });
      const e = await runPipelineToBranch(
        bad.lake,
        DATASET,
        options({ workers: 2, spawn: spawnPipelineWorker }),
      ).then(
        () => null,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(LakeError);
      expect((e as LakeError).detail).toEqual({ rowId: '5', code: 'BAD_INPUT' });
      expect((await bad.lake.branches(DATASET)).map((b) => b.name)).toEqual(['main']);
    } finally {
      await bad.cleanup();
    }
  });
});
