/**
 * The worker side of the loader protocol: {@link createLoaderService} runs `processItem` on
 * each task and transfers the resulting floats back. Worker code only.
 */
import * as Comlink from 'comlink';
import { processItem } from '../../src/lib/pipeline/loader-item.ts';
import type { ItemResult, LoaderWorkerApi } from './loader.api.ts';

/** The worker-side implementation of {@link LoaderWorkerApi}. */
export function createLoaderService(): LoaderWorkerApi {
  return {
    async process(task) {
      let result: ItemResult;
      try {
        result = await processItem(task);
      } catch (e) {
        // processItem reports errors as data; this is a bug, still reported per item.
        const message = e instanceof Error ? e.message : String(e);
        result = { ok: false, code: 'INTERNAL', message, verifyMs: 0, decodeMs: 0, augmentMs: 0 };
      }
      return result.ok ? Comlink.transfer(result, [result.data.buffer]) : result;
    },
  };
}
