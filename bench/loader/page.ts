/**
 * The loader bench page (bench/loader/page.html), driven by bench/loader.ts in headless
 * Chromium. Settings come in the query string (types.ts); progress goes to the console as
 * `[bench] …` lines; the results (or the error) are posted as `window.__bench`.
 *
 * The dataset is ingested into a new browser lake (OPFS chunks, IndexedDB refs: the backend the
 * app uses) from the dev server, then each figure runs over it (figures.ts). The lake is removed
 * at the end.
 */
import Dexie from 'dexie';
import { fetchResolver } from '../../src/lib/io/fetch.ts';
import { openBrowserBackend } from '../../src/lib/store/browser.ts';
import { refDatabaseName } from '../../src/lib/store/dexie-refs.ts';
import { ingest } from '../../src/lib/versions/ingest.ts';
import { Lake } from '../../src/lib/versions/lake.ts';
import { spawnLakeWorker, type LakeClient } from '../../workers/api/lake-client.ts';
import { lakeWorkerChunks } from '../../workers/api/lake-chunks.ts';
import type { PagePost } from '../browser.ts';
import {
  DATASET,
  augmentFigure,
  ceilingFigure,
  firstItems,
  itemsOf,
  readFigure,
} from './figures.ts';
import type { Ctx } from './figures.ts';
import type { LoaderBenchResults, LoaderBenchSettings } from './types.ts';

const log = (msg: string) => console.log(`[bench] ${msg}`);
/** Hands the results to bench/browser.ts (which polls `window.__bench`). */
const post = (p: PagePost<LoaderBenchResults>) => {
  (window as { __bench?: PagePost<LoaderBenchResults> }).__bench = p;
};

function settings(): LoaderBenchSettings {
  const p = new URLSearchParams(location.search);
  const int = (name: string, def: number) => {
    const v = Number(p.get(name) ?? def);
    if (!Number.isInteger(v) || v < 0) throw new Error(`bad ${name}: ${p.get(name)}`);
    return v;
  };
  return {
    metadata: p.get('metadata') ?? '/examples/synthetic-lesions/metadata.json',
    images: int('images', 5000),
    batchSize: int('batchSize', 32),
    workers: int('workers', 2),
    prefetch: int('prefetch', 2),
    runs: int('runs', 3),
    warmup: int('warmup', 1),
    readItems: int('readItems', 640),
    subset: int('subset', 0),
  };
}

async function main(): Promise<LoaderBenchResults> {
  const s = settings();
  const name = `bench-loader-${Date.now()}`;
  const backend = await openBrowserBackend(name);
  let worker: LakeClient | undefined;
  try {
    const lake = await Lake.open(backend);
    log(`ingesting ${s.metadata} into the browser lake ${name}…`);
    const t0 = performance.now();
    const url = new URL(s.metadata, location.href).href;
    await ingest(lake, url, { resolver: fetchResolver(), dataset: DATASET });
    const ingestMs = performance.now() - t0;
    log(`ingested in ${(ingestMs / 1e3).toFixed(1)} s`);
    const all = await itemsOf(lake);
    const problems: string[] = [];
    if (all.shas.length !== s.images) {
      problems.push(`the dataset has ${all.shas.length} images, not ${s.images}`);
    }
    const items = s.subset ? firstItems(all, s.subset) : all;
    // The lake worker over this lake, started before the figures as the app's is.
    worker = spawnLakeWorker(name);
    const chunks = lakeWorkerChunks((m, a, o) => worker!.call(m, a, o));
    await worker.call('datasets', []);
    const packs = new Map<string, number>();
    for (const sha of items.shas) {
      const [chunk, offset, length] = items.index.objects[sha]!.parts[0]!;
      packs.set(chunk, Math.max(packs.get(chunk) ?? 0, offset + length));
    }
    const c: Ctx = {
      lake,
      chunks,
      ...(s.subset ? { rowIds: items.rowIds } : {}),
      s,
      problems,
      log,
    };
    const augment = await augmentFigure(c);
    const direct = await ceilingFigure(c, items);
    const reads = await readFigure(c, items);
    return {
      settings: s,
      env: {
        userAgent: navigator.userAgent,
        hardwareConcurrency: navigator.hardwareConcurrency,
        crossOriginIsolated: self.crossOriginIsolated,
      },
      setup: {
        ingestMs,
        items: items.shas.length,
        packs: packs.size,
        packBytes: [...packs.values()].reduce((a, b) => a + b, 0),
      },
      augment,
      ceiling: { direct, loader: augment.augmented },
      reads,
      problems,
    };
  } finally {
    worker?.terminate();
    await backend.close?.();
    await Dexie.delete(refDatabaseName(name));
    const root = await navigator.storage.getDirectory();
    await root.removeEntry(name, { recursive: true }).catch(() => undefined);
  }
}

main().then(
  (results) => {
    post({ ok: true, results });
  },
  (e: unknown) => {
    const error = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e);
    log(`failed: ${error}`);
    post({ ok: false, error });
  },
);
