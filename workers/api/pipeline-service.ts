/**
 * The worker side of the pipeline protocol: {@link createPipelineService} runs
 * `processBatchItem` on each task and transfers the resulting PNGs back. Worker code only.
 */
import * as Comlink from 'comlink';
import { processBatchItem } from '../../src/lib/pipeline/batch-item.ts';
import type { BatchResult, BatchTask, PipelineWorkerApi } from './pipeline.api.ts';

async function one(task: BatchTask): Promise<BatchResult> {
  try {
    return await processBatchItem(task);
  } catch (e) {
    // processBatchItem reports errors as data; this is a bug, still reported per item.
    return { ok: false, code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) };
  }
}

/** The worker-side implementation of {@link PipelineWorkerApi}. */
export function createPipelineService(): PipelineWorkerApi {
  return {
    async processMany(tasks) {
      const results: BatchResult[] = [];
      for (const t of tasks) results.push(await one(t));
      const buffers = new Set(results.flatMap((r) => (r.ok ? [r.png.buffer] : [])));
      return Comlink.transfer(results, [...buffers]);
    },
  };
}
