/**
 * The worker side of the pipeline protocol: {@link createPipelineService} runs
 * `processBatchItem` on each task and transfers the resulting PNG back. Worker code only.
 */
import * as Comlink from 'comlink';
import { processBatchItem } from '../../src/lib/pipeline/batch-item.ts';
import type { BatchResult, PipelineWorkerApi } from './pipeline.api.ts';

/** The worker-side implementation of {@link PipelineWorkerApi}. */
export function createPipelineService(): PipelineWorkerApi {
  return {
    async process(task) {
      let result: BatchResult;
      try {
        result = await processBatchItem(task);
      } catch (e) {
        // processBatchItem reports errors as data; this is a bug, still reported per item.
        result = {
          ok: false,
          code: 'INTERNAL',
          message: e instanceof Error ? e.message : String(e),
        };
      }
      return result.ok ? Comlink.transfer(result, [result.png.buffer]) : result;
    },
  };
}
