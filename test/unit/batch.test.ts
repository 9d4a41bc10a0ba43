/**
 * The batch pipeline (runPipelineToBranch) with the inline pool: exact output pixels for
 * deterministic specs (8- and 16-bit), a random crop and flip found on each row's pixels and
 * drawn per row from the seed, lineage and spec hash, the parent untouched, a protected derived
 * branch, cancel + resume (the second run does only the remaining items), a corrupt item (stop
 * with its row id, or skip), bad options; a run over the rows a query selected (only those rows,
 * lineage `where`, its own resume journal).
 */
import { decode, encode } from 'fast-png';
import { beforeAll, describe, expect, it } from 'vitest';
import pkg from '../../package.json';
import {
  runPipelineToBranch,
  type PipelineProgress,
  type PipelineRunOptions,
} from '../../src/lib/pipeline/batch.ts';
import { batchJournalPrefix } from '../../src/lib/pipeline/batch-journal.ts';
import type { PipelineSpec } from '../../src/lib/pipeline/image.ts';
import { specHash } from '../../src/lib/pipeline/transforms.ts';
import { LakeError } from '../../src/lib/store/errors.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import type { ImageRef } from '../../src/lib/versions/columns.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { IMG, NOTE, SET, buildPngDataset, readImages } from './batch-fixture.ts';
import { DATASET, H, IMAGE, W, buildImageDataset, tinyPng } from './loader-fixture.ts';

const RANDOM: PipelineSpec = [
  { op: 'random-crop', width: 8, height: 8 },
  { op: 'flip', axis: 'horizontal', p: 0.5 },
  { op: 'brightness-contrast', brightness: 0.2, contrast: 0.2, random: true },
  { op: 'gaussian-noise', std: 3 },
];

/** Random crop, then random flip: where each output came from can be found on its pixels. */
const CROP_FLIP: PipelineSpec = [
  { op: 'random-crop', width: 8, height: 8 },
  { op: 'flip', axis: 'horizontal', p: 0.5 },
];

/** A crop's place in its W×H source (top-left corner) and whether it was mirrored. */
interface Crop {
  x: number;
  y: number;
  flipped: boolean;
}

/**
 * Every place in `src` (W×H RGB) that the 8×8 RGB `out` is a copy of, as it is or mirrored
 * left to right, found by trying them all. The fixture's pixels differ by column and by row, so
 * a crop of it is found at one place only.
 */
function cropsMatching(src: Uint8Array, out: Uint8Array): Crop[] {
  const found: Crop[] = [];
  for (let y = 0; y + 8 <= H; y++) {
    for (let x = 0; x + 8 <= W; x++) {
      for (const flipped of [false, true]) {
        let same = true;
        for (let j = 0; j < 8 && same; j++) {
          for (let i = 0; i < 8 && same; i++) {
            const from = ((y + j) * W + x + (flipped ? 7 - i : i)) * 3;
            const to = (j * 8 + i) * 3;
            for (let c = 0; c < 3; c++) same &&= out[to + c] === src[from + c];
          }
        }
        if (same) found.push({ x, y, flipped });
      }
    }
  }
  return found;
}

/** Decodes each row's PNG (fast-png) and finds its one crop of the row's source image. */
function cropsOf(rows: { rowid: bigint; bytes: Uint8Array | null }[]): Crop[] {
  return rows.map((r) => {
    const out = decode(r.bytes!);
    expect([out.width, out.height, out.channels, out.depth]).toEqual([8, 8, 3, 8]);
    const found = cropsMatching(
      decode(tinyPng(Number(r.rowid))).data as Uint8Array,
      out.data as Uint8Array,
    );
    expect(found, `row ${r.rowid}: an 8×8 crop of its image, as it is or mirrored`).toHaveLength(1);
    return found[0]!;
  });
}

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

  it('gives each row a crop and a flip of its own image, drawn per row from the seed', async () => {
    const res = await runPipelineToBranch(lake, DATASET, pics({ branch: 'rand', spec: CROP_FLIP }));
    expect(res).toMatchObject({ rows: 20, processed: 20, resumed: 0 });
    const rows = await readImages(lake, DATASET, 'rand', 'pics', IMAGE);
    expect(rows.map((r) => r.rowid)).toEqual(Array.from({ length: 20 }, (_, i) => BigInt(i)));
    const choices = cropsOf(rows);
    for (const r of rows) {
      expect(r.row[IMAGE]).toMatchObject({ width: 8, height: 8, mode: 'RGB', format: 'PNG' });
    }
    // Drawn per row: not one crop for every row, and both flips occur.
    expect(new Set(choices.map((c) => `${c.x},${c.y}`)).size).toBeGreaterThan(1);
    expect(new Set(choices.map((c) => c.flipped))).toEqual(new Set([false, true]));
    // From the seed: the same seed again gives the same bytes, another seed other draws.
    await runPipelineToBranch(lake, DATASET, pics({ branch: 'rand-again', spec: CROP_FLIP }));
    const again = await readImages(lake, DATASET, 'rand-again', 'pics', IMAGE);
    expect(again.map((r) => r.bytes)).toEqual(rows.map((r) => r.bytes));
    await runPipelineToBranch(lake, DATASET, pics({ branch: 'rand-7', spec: CROP_FLIP, seed: 7 }));
    const other = cropsOf(await readImages(lake, DATASET, 'rand-7', 'pics', IMAGE));
    expect(other).not.toEqual(choices);
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

describe('runPipelineToBranch: only the rows a query selected', () => {
  let lake: Lake;
  let main: string;
  const branchNames = async () => (await lake.branches(DATASET)).map((b) => b.name).sort();
  const journal = async (branch: string) =>
    lake.backend.refs.list(batchJournalPrefix(DATASET, branch));
  beforeAll(async () => {
    lake = await Lake.open(memoryBackend());
    main = (await buildImageDataset(lake, { n: 20 })).commit;
  });

  it('transforms and keeps only the selected rows, each as in a whole-branch run', async () => {
    const where = '_rowid IN (2, 11, 17)';
    const time = '2026-01-01T00:00:00.000Z';
    const res = await runPipelineToBranch(
      lake,
      DATASET,
      pics({ branch: 'some', rowIds: [11n, 2n, 17n], where, time }),
    );
    expect(res).toMatchObject({ rows: 3, processed: 3, resumed: 0, skipped: [] });
    const rows = await readImages(lake, DATASET, 'some', 'pics', IMAGE);
    expect(rows.map((r) => r.rowid)).toEqual([2n, 11n, 17n]);
    expect(res.commit.recordSets.pics!.rows).toBe(3);
    const full = await runPipelineToBranch(lake, DATASET, pics({ branch: 'all' }));
    const whole = await readImages(lake, DATASET, 'all', 'pics', IMAGE);
    expect(full.rows).toBe(20);
    for (const r of rows) {
      // The same bytes and cells as the row of the whole-branch run: a row's draws depend on
      // the seed and its id, not on which rows run with it.
      const w = whole.find((x) => x.rowid === r.rowid)!;
      expect(r.bytes).toEqual(w.bytes);
      expect(r.row).toEqual(w.row);
    }
    expect(res.commit.lineage).toEqual({
      op: 'transform',
      params: {
        from: main,
        recordSet: 'pics',
        column: IMAGE,
        spec: RANDOM,
        specHash: await specHash(RANDOM),
        seed: 5,
        where,
        rows: 3,
        skipped: 0,
      },
      code: { version: pkg.version },
    });
    expect(res.commit.message).toContain(`of 3 rows where ${where}`);
    expect(await lake.resolve(DATASET, 'main')).toBe(main);
    // The same ids in another order (and repeated): the same commit.
    const again = await runPipelineToBranch(
      lake,
      DATASET,
      pics({ branch: 'some-again', rowIds: [17n, 2n, 11n, 2n], where, time }),
    );
    expect(again.hash).toBe(res.hash);
    // Without where, the selection is still honoured; lineage then has no where.
    const bare = await runPipelineToBranch(lake, DATASET, pics({ branch: 'bare', rowIds: [4n] }));
    expect(bare.rows).toBe(1);
    expect(bare.commit.lineage.params).not.toHaveProperty('where');
  });

  it('refuses where without rowIds, no rows, and ids not in the record set', async () => {
    const before = await branchNames();
    const noIds = await errorOf(
      runPipelineToBranch(lake, DATASET, pics({ branch: 'bad', where: 'label = 1' })),
    );
    expect(noIds.code).toBe('BAD_INPUT');
    expect(noIds.message).toMatch(/^option where \(label = 1\) needs option rowIds/);
    const none = await errorOf(
      runPipelineToBranch(lake, DATASET, pics({ branch: 'bad', rowIds: [], where: 'false' })),
    );
    expect(none.code).toBe('BAD_INPUT');
    expect(none.message).toMatch(/^the query selected no rows \(where false\)/);
    const unknown = await errorOf(
      runPipelineToBranch(lake, DATASET, pics({ branch: 'bad', rowIds: [1n, 20n, 5n, 99n] })),
    );
    expect(unknown.code).toBe('BAD_INPUT');
    expect(unknown.message).toMatch(
      /^row id 20 is not a live row of record set pics of pics at [0-9a-f]{12} \(2 of the 4 selected row ids are missing\)/,
    );
    expect(unknown.detail).toEqual({ rowId: '20', missing: 2 });
    expect(await branchNames()).toEqual(before);
    expect(await journal('bad')).toEqual([]);
  });

  it('resumes only a journal of the same selection', async () => {
    /** Aborts a run once `n` items are done; `resumed` is what its progress reported. */
    const abortAt = (n: number) => {
      const ctl = new AbortController();
      const seen = { resumed: -1 };
      const opts = {
        signal: ctl.signal,
        checkpointEvery: 1,
        onProgress: (p: PipelineProgress) => {
          seen.resumed = p.resumed;
          if (p.done === n) ctl.abort();
        },
      };
      return { opts, seen };
    };
    const ten = Array.from({ length: 10 }, (_, i) => BigInt(i));
    const first = abortAt(4);
    const run1 = pics({ branch: 'pick', rowIds: ten, where: '_rowid < 10', ...first.opts });
    expect((await errorOf(runPipelineToBranch(lake, DATASET, run1))).code).toBe('ABORTED');
    expect((await journal('pick')).length).toBeGreaterThan(0);
    // Other ids (rows 0–3, done by the first run, among them), same text: nothing reused.
    const five = ten.slice(0, 5);
    const other = abortAt(3);
    const run2 = pics({ branch: 'pick', rowIds: five, where: '_rowid < 10', ...other.opts });
    expect((await errorOf(runPipelineToBranch(lake, DATASET, run2))).code).toBe('ABORTED');
    expect(other.seen.resumed).toBe(0);
    // The same ids from another predicate: nothing reused either (the journal is of run2).
    const res = await runPipelineToBranch(
      lake,
      DATASET,
      pics({ branch: 'pick', rowIds: five, where: '_rowid < 5' }),
    );
    expect(res).toMatchObject({ resumed: 0, processed: 5, rows: 5 });
    expect(await journal('pick')).toEqual([]);
    // The same selection (ids in another order) resumes, and gives the uninterrupted result.
    const sel = { rowIds: [7n, 3n, 12n, 1n, 9n, 15n], where: '_rowid IN (1, 3, 7, 9, 12, 15)' };
    const cut = pics({ branch: 'pick2', ...sel, ...abortAt(2).opts });
    expect((await errorOf(runPipelineToBranch(lake, DATASET, cut))).code).toBe('ABORTED');
    const resumed = await runPipelineToBranch(
      lake,
      DATASET,
      pics({ branch: 'pick2', ...sel, rowIds: [...sel.rowIds].reverse() }),
    );
    expect(resumed).toMatchObject({ resumed: 2, processed: 4, rows: 6 });
    const fresh = await runPipelineToBranch(lake, DATASET, pics({ branch: 'pick3', ...sel }));
    expect(resumed.commit.recordSets.pics).toEqual(fresh.commit.recordSets.pics);
  });
});
