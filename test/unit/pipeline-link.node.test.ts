/**
 * Opening a loader link in a lake that lacks its dataset (src/app/pipeline-link.svelte.ts): the
 * link's pipeline, seed and loader settings are still taken, the state names the dataset and
 * the bundled example that saves as it (src/app/pipeline-example.ts, over the real
 * public/examples), and the source is left alone. Node only: it reads public/ from disk.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { LakeCatalog } from '../../src/app/lake-catalog.svelte.ts';
import { PipelineBuilder } from '../../src/app/pipeline-builder.svelte.ts';
import { bundledExample, type FetchJson } from '../../src/app/pipeline-example.ts';
import { LoaderLinkOpener } from '../../src/app/pipeline-link.svelte.ts';
import { LoaderSettings } from '../../src/app/pipeline-settings.svelte.ts';
import type { PipelineSource } from '../../src/app/pipeline-source.svelte.ts';
import { loaderPermalink, type LoaderConfig } from '../../src/lib/pipeline/loader-config.ts';
import { LakeError } from '../../src/lib/store/errors.ts';

/** The app's public folder, served as files: what the page fetches, read from disk. */
const PUBLIC = new URL('../../public/', import.meta.url);
const INDEX = new URL('examples/index.json', PUBLIC);
const fromDisk: FetchJson = async (url) => JSON.parse(await readFile(url, 'utf8')) as unknown;

describe('bundledExample', () => {
  it('finds the example that saves as a dataset by its Croissant name, not its id', async () => {
    // public/examples/synthetic-lesions/metadata.json is named "synthetic-chest-ct-lesions".
    expect(await bundledExample('synthetic-chest-ct-lesions', INDEX, fromDisk)).toEqual({
      id: 'synthetic-lesions',
      name: 'Synthetic chest CT lesions',
      url: new URL('examples/synthetic-lesions/metadata.json', PUBLIC).href,
    });
    // coco2014-mini's document is named "Mini-COCO".
    expect((await bundledExample('mini-coco', INDEX, fromDisk))?.id).toBe('coco2014-mini');
    expect((await bundledExample('titanic', INDEX, fromDisk))?.id).toBe('titanic');
  });

  it('says null for a dataset no example saves as, and throws when the index is unreadable', async () => {
    expect(await bundledExample('synthetic-lesions', INDEX, fromDisk)).toBeNull();
    const broken: FetchJson = () => Promise.resolve({ not: 'a list' });
    await expect(bundledExample('titanic', INDEX, broken)).rejects.toThrow(
      '/examples/index.json is not a JSON array',
    );
  });
});

describe('LoaderLinkOpener, dataset not in the lake', () => {
  const config: LoaderConfig = {
    dataset: 'synthetic-chest-ct-lesions',
    ref: 'main',
    recordSet: 'slices',
    fields: { image: 'slices/image', label: 'slices/lesion' },
    batchSize: 16,
    shuffle: { seed: 5 },
    augment: [
      { op: 'resize', width: 64, height: 64 },
      { op: 'flip', axis: 'vertical', p: 0.25 },
    ],
    workers: 4,
    prefetch: 3,
  };
  const permalink = loaderPermalink(config, 'a'.repeat(64));
  /**
   * A lake without the dataset, answering `commit` as the lake worker does (lake-handlers.ts
   * commitOf): a full hash is read as a commit object, which is not there (MISSING_CHUNK); a
   * ref is looked up in the dataset, which is not there (UNKNOWN_DATASET).
   */
  const asked: string[][] = [];
  const empty = {
    call: (method: string, [dataset, rev]: string[]) => {
      asked.push([method, dataset!, rev!]);
      return Promise.reject(
        /^[0-9a-f]{64}$/.test(rev!)
          ? new LakeError('MISSING_CHUNK', `no chunk ${rev}`)
          : new LakeError('UNKNOWN_DATASET', `no dataset "${dataset}" in this lake`),
      );
    },
  } as unknown as LakeCatalog;
  const source = (selected: string[]) =>
    ({
      select: (dataset: string) => (selected.push(dataset), Promise.resolve()),
    }) as unknown as PipelineSource;

  it('takes the pipeline, seed and settings, and names the dataset and its example', async () => {
    const builder = new PipelineBuilder();
    const settings = new LoaderSettings();
    const selected: string[] = [];
    const looked: string[] = [];
    const opener = new LoaderLinkOpener(empty, (dataset) => {
      looked.push(dataset);
      return bundledExample(dataset, INDEX, fromDisk);
    });
    const link = `http://localhost/?pipeline&loader=${encodeURIComponent(permalink)}`;
    expect(await opener.open(link, { source: source(selected), builder, settings })).toBe(false);
    expect(builder.steps).toEqual(config.augment);
    expect(builder.seed).toBe(5);
    expect([settings.batchSize, settings.workers, settings.prefetch]).toEqual([16, 4, 3]);
    expect(selected).toEqual([]);
    expect(asked.slice(-2)).toEqual([
      ['commit', 'synthetic-chest-ct-lesions', 'a'.repeat(64)],
      ['commit', 'synthetic-chest-ct-lesions', 'main'],
    ]);
    expect(looked).toEqual(['synthetic-chest-ct-lesions']);
    expect(opener.state).toEqual({
      status: 'missing',
      dataset: 'synthetic-chest-ct-lesions',
      permalink,
      source: null,
      example: {
        id: 'synthetic-lesions',
        name: 'Synthetic chest CT lesions',
        url: new URL('examples/synthetic-lesions/metadata.json', PUBLIC).href,
      },
      exampleError: null,
    });
  });

  it("names the dataset's source when the link carries one", async () => {
    const url = 'https://data.example.org/lesions/metadata.json';
    const withSource = loaderPermalink({ ...config, dataset: 'elsewhere' }, 'a'.repeat(64), url);
    const opener = new LoaderLinkOpener(empty, (dataset) =>
      bundledExample(dataset, INDEX, fromDisk),
    );
    const targets = {
      source: source([]),
      builder: new PipelineBuilder(),
      settings: new LoaderSettings(),
    };
    expect(await opener.open(withSource, targets)).toBe(false);
    expect(opener.state).toMatchObject({
      status: 'missing',
      dataset: 'elsewhere',
      source: url,
      example: null,
    });
  });

  it('says why the examples could not be searched, and still takes the pipeline', async () => {
    const builder = new PipelineBuilder();
    const opener = new LoaderLinkOpener(empty, () => Promise.reject(new Error('offline')));
    const settings = new LoaderSettings();
    expect(await opener.open(permalink, { source: source([]), builder, settings })).toBe(false);
    expect(builder.steps).toEqual(config.augment);
    expect(opener.state).toMatchObject({ status: 'missing', example: null });
    expect(opener.state.status === 'missing' && opener.state.exampleError).toContain('offline');
  });
});
