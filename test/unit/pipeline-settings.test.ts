/**
 * The Pipeline tab's loader settings and run (src/app/pipeline-settings.svelte.ts,
 * src/app/pipeline-loader.svelte.ts): a refused value is kept with its reason and makes no
 * configuration (so Start cannot run with another value than the one shown), and a run keeps
 * the settings it used, so its epoch hash is told with its own epoch, not one typed since.
 */
import { createSHA256 } from 'hash-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { LoaderRun } from '../../src/app/pipeline-loader.svelte.ts';
import { LoaderSettings } from '../../src/app/pipeline-settings.svelte.ts';
import type { PipelineSource } from '../../src/app/pipeline-source.svelte.ts';
import type { PipelineSpec } from '../../src/lib/pipeline/image.ts';
import { createLoader, type LoaderConfig } from '../../src/lib/pipeline/loader.ts';
import { memoryBackend } from '../../src/lib/store/memory.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { DATASET, IMAGE, LABEL, buildImageDataset } from './loader-fixture.ts';

/** The parts of a source `config` reads: a dataset with an image column, ready. */
const source = {
  dataset: 'pics',
  rev: 'main',
  recordSetInfo: { id: 'pics' },
  imageColumn: 'pics/image',
  labelColumn: null,
} as unknown as PipelineSource;
const spec: PipelineSpec = [{ op: 'flip', axis: 'horizontal', p: 0.5 }];

describe('LoaderSettings', () => {
  it('uses a valid value typed into a field', () => {
    const s = new LoaderSettings();
    s.set('batchSize', '16');
    s.set('prefetch', '0');
    s.set('epoch', ' 7 ');
    expect([s.batchSize, s.prefetch, s.epoch]).toEqual([16, 0, 7]);
    expect(s.problem).toBeNull();
    expect(s.config(source, spec, 3)).toMatchObject({ batchSize: 16, prefetch: 0 });
  });

  it('refuses a value out of bounds, keeps it shown with its reason, and makes no configuration', () => {
    const s = new LoaderSettings();
    expect(s.config(source, spec, 3)?.batchSize).toBe(32);
    s.set('batchSize', '-5');
    expect(s.shown('batchSize')).toBe('-5');
    expect(s.refused.batchSize?.message).toBe('Batch size must be an integer in [1, 4096], got -5');
    expect(s.problem).toBe('Batch size must be an integer in [1, 4096], got -5');
    // Not the 32 of before: no configuration at all while -5 is shown.
    expect(s.config(source, spec, 3)).toBeNull();
    s.set('batchSize', '8');
    expect(s.shown('batchSize')).toBe('8');
    expect(s.problem).toBeNull();
    expect(s.config(source, spec, 3)?.batchSize).toBe(8);
  });

  it('refuses prefetch, epoch, fractions and empty text the same way', () => {
    const s = new LoaderSettings();
    s.set('prefetch', '17');
    s.set('epoch', '1.5');
    expect(s.refused.prefetch?.message).toBe('Prefetch must be an integer in [0, 16], got 17');
    expect(s.refused.epoch?.message).toBe('Epoch must be an integer in [0, 1000000], got 1.5');
    expect(s.problem).toBe('Prefetch must be an integer in [0, 16], got 17');
    expect(s.config(source, spec, 3)).toBeNull();
    s.set('prefetch', '');
    expect(s.refused.prefetch?.message).toBe('Prefetch must be an integer in [0, 16], got nothing');
    s.set('prefetch', '4');
    expect(s.problem).toBe('Epoch must be an integer in [0, 1000000], got 1.5');
    expect([s.prefetch, s.epoch]).toEqual([4, 0]);
  });

  it("takes a permalink's batch size and prefetch over refused ones", () => {
    const s = new LoaderSettings();
    s.set('batchSize', '0');
    s.set('epoch', '-1');
    s.load({ batchSize: 32, workers: 4, prefetch: 3 } as LoaderConfig);
    expect(s.shown('batchSize')).toBe('32');
    expect(s.refused.batchSize).toBeUndefined();
    // A permalink names no epoch: the refused one stays refused.
    expect(s.shown('epoch')).toBe('-1');
  });
});

describe('LoaderRun', () => {
  let lake: Lake;
  const config: LoaderConfig = {
    dataset: DATASET,
    ref: 'main',
    fields: { image: IMAGE, label: LABEL },
    batchSize: 5,
    shuffle: { seed: 11 },
    augment: [{ op: 'flip', axis: 'horizontal', p: 0.5 }],
    workers: 0,
    prefetch: 1,
  };
  /** workers is 0: the items are processed inline and no lane is ever started. */
  const spawn = (): never => {
    throw new Error('no lanes: workers is 0');
  };
  beforeAll(async () => {
    lake = await Lake.open(memoryBackend());
    await buildImageDataset(lake, { n: 12 });
  });

  /** sha256 over x, y and row ids of every batch of `epoch`, as the panel's hash is defined. */
  async function reference(epoch: number): Promise<string> {
    const h = await createSHA256();
    h.init();
    const loader = createLoader(config, { lake, spawn });
    for await (const b of loader.epoch(epoch)) {
      h.update(new Uint8Array(b.x.buffer, b.x.byteOffset, b.x.byteLength));
      h.update(new Uint8Array(b.y.buffer, b.y.byteOffset, b.y.byteLength));
      h.update(new Uint8Array(b.rowIds.buffer, b.rowIds.byteOffset, b.rowIds.byteLength));
    }
    loader.close();
    return h.digest('hex');
  }

  it('keeps the epoch and settings it ran with beside its hash', async () => {
    const run = new LoaderRun({ openLake: () => Promise.resolve(lake), spawn });
    const settings = new LoaderSettings();
    settings.set('epoch', '3');
    await run.start(config, settings.epoch);
    // Typed after the run: not what the run used.
    settings.set('epoch', '7');
    settings.set('batchSize', '64');
    expect(run.status).toBe('done');
    expect(run.ran).toEqual({ epoch: 3, batchSize: 5, workers: 0, prefetch: 1, seed: 11 });
    const [epoch3, epoch7] = [await reference(3), await reference(7)];
    expect(epoch3).not.toBe(epoch7);
    expect(run.epochHash).toBe(epoch3);
    run.destroy();
  });
});
