/**
 * Derived record sets (src/lib/analysis/derive-lake.ts) computed in real derive workers
 * (workers/derive.worker.ts through spawnDeriveWorker) give the rows computed inline.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { writeDicomTags, writeImageStats } from '../../src/lib/analysis/derive-lake.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import type { LakeRow } from '../../src/lib/versions/columns.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { readAllRows, recordSetOf } from '../../src/lib/versions/read.ts';
import { spawnDeriveWorker } from '../../workers/api/derive-client.ts';
import { DS, SET, buildDataset } from '../unit/analysis-features-fixture.ts';

let lake: Lake;
beforeAll(async () => {
  lake = await Lake.open(memoryBackend());
  await buildDataset(lake);
  await lake.createBranch(DS, 'inline', 'main');
  await lake.createBranch(DS, 'workers', 'main');
});

async function rows(branch: string, name: string): Promise<[bigint, LakeRow][]> {
  const commit = await lake.readCommit(await lake.resolve(DS, branch));
  const [, rs] = recordSetOf(commit, name);
  return (await readAllRows(lake.chunks, rs, name)).map((r) => [r.rowid, r.row]);
}

describe('derive workers', () => {
  it('write the same image statistics and DICOM tags as inline', async () => {
    const base = { recordSet: SET };
    const lanes = { workers: 2, spawn: spawnDeriveWorker };
    await writeImageStats(lake, DS, { ...base, branch: 'inline' });
    await writeImageStats(lake, DS, { ...base, branch: 'workers', ...lanes });
    await writeDicomTags(lake, DS, { ...base, branch: 'inline' });
    await writeDicomTags(lake, DS, { ...base, branch: 'workers', ...lanes });
    const stats = await rows('workers', 'image_stats');
    expect(stats.map(([id]) => id)).toEqual([0n, 1n, 2n, 3n]);
    expect(stats).toEqual(await rows('inline', 'image_stats'));
    const tags = await rows('workers', 'dicom_tags');
    expect(tags.map(([id, r]) => [id, r.Manufacturer])).toEqual([[3n, 'Kestrel']]);
    expect(tags).toEqual(await rows('inline', 'dicom_tags'));
  });
});
