/**
 * The worker side of the loader protocol: {@link createLoaderService} runs `processItem` on
 * each task and transfers the resulting floats back. Worker code only.
 */
import * as Comlink from 'comlink';
import { processItem } from '../../src/lib/pipeline/loader-item.ts';
import type { ItemResult, ItemTask, LoaderWorkerApi } from './loader.api.ts';

async function one(task: ItemTask): Promise<ItemResult> {
  try {
    return await processItem(task);
  } catch (e) {
    // processItem reports errors as data; this is a bug, still reported per item.
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, code: 'INTERNAL', message, verifyMs: 0, decodeMs: 0, augmentMs: 0 };
  }
}

/** The worker-side implementation of {@link LoaderWorkerApi}. */
export function createLoaderService(): LoaderWorkerApi {
  return {
    async processMany(tasks) {
      const results: ItemResult[] = [];
      for (const t of tasks) results.push(await one(t));
      const buffers = new Set(results.flatMap((r) => (r.ok ? [r.data.buffer] : [])));
      return Comlink.transfer(results, [...buffers]);
    },
  };
}
