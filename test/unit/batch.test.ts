/**
 * The batch pipeline (runPipelineToBranch) with the inline pool: exact output pixels for
 * deterministic specs (8- and 16-bit), random ops equal to the per-row stream, lineage and spec
 * hash, the parent untouched, a protected derived branch, cancel + resume (the second run does
 * only the remaining items), a corrupt item (stop with its row id, or skip), bad options.
 */
import { decode, encode } from 'fast-png';
import { beforeAll, describe, expect, it } from 'vitest';
import pkg from '../../package.json';
import { runPipelineToBranch, type PipelineRunOptions } from '../../src/lib/pipeline/batch.ts';
import { batchJournalPrefix } from '../../src/lib/pipeline/batch-journal.ts';
import { decodeImage, encodePng } from '../../src/lib/pipeline/decode.ts';
import type { PipelineSpec } from '../../src/lib/pipeline/image.ts';
import { rngFor } from '../../src/lib/pipeline/rng.ts';
import { applyPipeline, specHash } from '../../src/lib/pipeline/transforms.ts';
import { LakeError } from '../../src/lib/store/errors.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import type { ImageRef } from '../../src/lib/versions/columns.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { IMG, NOTE, SET, buildPngDataset, readImages } from './batch-fixture.ts';
import { DATASET, IMAGE, buildImageDataset, tinyPng } from './loader-fixture.ts';

const RANDOM: PipelineSpec = [
  { op: 'random-crop', width: 8, height: 8 },
  { op: 'flip', axis: 'horizontal', p: 0.5 },
  { op: 'brightness-contrast', brightness: 0.2, contrast: 0.2, random: true },
  { op: 'gaussian-noise', std: 3 },
];

async function errorOf(p: Promise<unknown>): Promise<LakeError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(LakeError);
  return e as LakeError;
}

const pics = (over: Partial<PipelineRunOptions> = {}): PipelineRunOptions => ({
  from: 'main',
  recordSet: 'pics',
  imageColumn: IMAGE,
  spec: RANDOM,
  seed: 5,
  branch: 'silver',
  ...over,
});

describe('runPipelineToBranch: exact pixels', () => {
  it('flips a 3×2 RGB image (hand-checked) and keeps the other columns', async () => {
    const lake = await Lake.open(memoryBackend());
    const rgb = Uint8Array.from({ length: 18 }, (_, i) => i + 1); // pixels (1,2,3) … (16,17,18)
    const main = await buildPngDataset(lake, 'tiny', [
      encode({ width: 3, height: 2, data: rgb, channels: 3, depth: 8 }),
    ]);
    const spec: PipelineSpec = [{ op: 'flip', axis: 'horizontal', p: 1 }];
    const res = await runPipelineToBranch(lake, 'tiny', {
      from: 'main',
      recordSet: SET,
      imageColumn: IMG,
      spec,
      seed: 1,
      branch: 'flipped',
    });
    expect(res).toMatchObject({ rows: 1, processed: 1, resumed: 0, skipped: [] });
    const [row] = await readImages(lake, 'tiny', 'flipped', SET, IMG);
    const png = decode(row!.bytes!);
    expect([png.width, png.height, png.channels, png.depth]).toEqual([3, 2, 3, 8]);
    expect([...png.data]).toEqual([7, 8, 9, 4, 5, 6, 1, 2, 3, 16, 17, 18, 13, 14, 15, 10, 11, 12]);
    expect(row!.rowid).toBe(0n);
    expect(row!.row[NOTE]).toBe('note 0');
    const cell = row!.row[IMG] as ImageRef;
    expect(cell).toMatchObject({ format: 'PNG', mode: 'RGB', width: 3, height: 2 });

    // lineage, spec hash, parents, code version; main untouched; the branch is protected
    const c = res.commit;
    expect(c.parents).toEqual([main]);
    expect(c.lineage).toEqual({
      op: 'transform',
      params: {
        from: main,
        recordSet: SET,
        column: IMG,
        spec,
        specHash: await specHash(spec),
        seed: 1,
        rows: 1,
        skipped: 0,
      },
      code: { version: pkg.version },
    });
    expect(res.specHash).toBe(await specHash(spec));
    expect(await lake.resolve('tiny', 'main')).toBe(main);
    const [orig] = await readImages(lake, 'tiny', 'main', SET, IMG);
    expect([...decode(orig!.bytes!).data]).toEqual([...rgb]);
    const ref = (await lake.branches('tiny')).find((b) => b.name === 'flipped');
    expect(ref).toMatchObject({ commit: res.hash, protected: true });
    const e = await errorOf(
      lake.commit('tiny', 'flipped', async () => ({ ...c, extraParents: [] })),
    );
    expect(e.code).toBe('PROTECTED_BRANCH');
  });

  it('keeps 16-bit samples (vertical flip of a 2×2 grayscale)', async () => {
    const lake = await Lake.open(memoryBackend());
    const gray = Uint16Array.from([1000, 65535, 0, 300]);
    await buildPngDataset(lake, 'deep', [
      encode({ width: 2, height: 2, data: gray, channels: 1, depth: 16 }),
    ]);
    await runPipelineToBranch(lake, 'deep', {
      from: 'main',
      recordSet: SET,
      imageColumn: IMG,
      spec: [{ op: 'flip', axis: 'vertical', p: 1 }],
      seed: 0,
      branch: 'v',
    });
    const [row] = await readImages(lake, 'deep', 'v', SET, IMG);
    const png = decode(row!.bytes!);
    expect([png.depth, png.channels]).toEqual([16, 1]);
    expect([...png.data]).toEqual([0, 300, 1000, 65535]);
    expect((row!.row[IMG] as ImageRef).mode).toBe('I;16');
  });
});

describe('runPipelineToBranch: random ops, resume, errors', () => {
  let lake: Lake;
  let main: string;
  beforeAll(async () => {
    lake = await Lake.open(memoryBackend());
    main = (await buildImageDataset(lake, { n: 20 })).commit;
  });

  it('gives each row applyPipeline(spec, image, rngFor(seed, 0, rowId))', async () => {
    const res = await runPipelineToBranch(lake, DATASET, pics({ branch: 'rand' }));
    expect(res).toMatchObject({ rows: 20, processed: 20, resumed: 0 });
    const rows = await readImages(lake, DATASET, 'rand', 'pics', IMAGE);
    expect(rows.map((r) => r.rowid)).toEqual(Array.from({ length: 20 }, (_, i) => BigInt(i)));
    for (const r of rows) {
      const src = await decodeImage(tinyPng(Number(r.rowid)));
      const want = encodePng(applyPipeline(RANDOM, src, rngFor(5, 0, r.rowid)));
      expect(r.bytes).toEqual(want);
      expect(r.row[IMAGE]).toMatchObject({ width: 8, height: 8, mode: 'RGB', format: 'PNG' });
    }
    expect(await lake.resolve(DATASET, 'main')).toBe(main);
  });

  it('cancels with nothing visible, then resumes only the remaining items', async () => {
    const ctl = new AbortController();
    let seen = 0;
    const e = await errorOf(
      runPipelineToBranch(
        lake,
        DATASET,
        pics({
          branch: 'resumed',
          checkpointEvery: 3,
          signal: ctl.signal,
          onProgress: (p) => {
            seen = p.done;
            expect(p.total).toBe(20);
            if (p.done === 7) ctl.abort();
          },
        }),
      ),
    );
    expect(e.code).toBe('ABORTED');
    expect(seen).toBe(7);
    expect((await lake.branches(DATASET)).map((b) => b.name)).not.toContain('resumed');
    expect(
      (await lake.backend.refs.list(batchJournalPrefix(DATASET, 'resumed'))).length,
    ).toBeGreaterThan(0);

    const progress: number[] = [];
    const res = await runPipelineToBranch(
      lake,
      DATASET,
      pics({ branch: 'resumed', onProgress: (p) => progress.push(p.done) }),
    );
    expect(res).toMatchObject({ resumed: 7, processed: 13, rows: 20 });
    expect(progress).toEqual(Array.from({ length: 13 }, (_, i) => 8 + i));
    expect(await lake.backend.refs.list(batchJournalPrefix(DATASET, 'resumed'))).toEqual([]);
    // Same rows, same images as an uninterrupted run.
    const fresh = await runPipelineToBranch(lake, DATASET, pics({ branch: 'fresh' }));
    expect(res.commit.recordSets.pics).toEqual(fresh.commit.recordSets.pics);
  });

  it('discards the journal of another job on the same branch name', async () => {
    const ctl = new AbortController();
    const first = pics({
      branch: 'other',
      signal: ctl.signal,
      checkpointEvery: 1,
      onProgress: (p) => p.done === 4 && ctl.abort(),
    });
    expect((await errorOf(runPipelineToBranch(lake, DATASET, first))).code).toBe('ABORTED');
    const res = await runPipelineToBranch(lake, DATASET, pics({ branch: 'other', seed: 6 }));
    expect(res).toMatchObject({ resumed: 0, processed: 20 });
  });

  it('stops at a corrupt image with its row id, or skips it', async () => {
    const bad = await Lake.open(memoryBackend());
    await buildImageDataset(bad, { n: 6, corrupt: [3] });
    const e = await errorOf(runPipelineToBranch(bad, DATASET, pics({ branch: 'x' })));
    expect(e.code).toBe('BAD_INPUT');
    expect(e.message).toMatch(/^row 3 of record set pics/);
    expect(e.detail).toEqual({ rowId: '3', code: 'BAD_INPUT' });
    expect((await bad.branches(DATASET)).map((b) => b.name)).toEqual(['main']);
    const res = await runPipelineToBranch(bad, DATASET, pics({ branch: 'x', onError: 'skip' }));
    expect(res.resumed).toBe(3); // rows 0–2 were journaled when the first run stopped
    expect(res.processed).toBe(2);
    expect(res.skipped.map((s) => s.rowId)).toEqual([3n]);
    expect(res.rows).toBe(5);
    const ids = (await readImages(bad, DATASET, 'x', 'pics', IMAGE)).map((r) => r.rowid);
    expect(ids).toEqual([0n, 1n, 2n, 4n, 5n]);
  });

  it('refuses a taken branch, normalize, a missing column and a bad seed', async () => {
    await runPipelineToBranch(lake, DATASET, pics({ branch: 'taken', spec: [] }));
    expect(
      (await errorOf(runPipelineToBranch(lake, DATASET, pics({ branch: 'taken' })))).code,
    ).toBe('REF_EXISTS');
    const norm = pics({ branch: 'n', spec: [{ op: 'normalize', mean: [0], std: [1] }] });
    expect((await errorOf(runPipelineToBranch(lake, DATASET, norm))).message).toMatch(/normalize/);
    const col = pics({ branch: 'n', imageColumn: 'pics/label' });
    expect((await errorOf(runPipelineToBranch(lake, DATASET, col))).code).toBe('BAD_INPUT');
    const seed = pics({ branch: 'n', seed: -1 });
    expect((await errorOf(runPipelineToBranch(lake, DATASET, seed))).code).toBe('BAD_INPUT');
  });
});
