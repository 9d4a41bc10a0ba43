/**
 * The page side of the pipeline protocol: {@link PipelineWorkerClient} is one lane of a batch
 * pipeline's pool over a dedicated worker (image bytes in, PNG bytes back; see lane-client.ts).
 */
import type { BatchLane } from '../../src/lib/pipeline/batch-item.ts';
import { LaneClient } from './lane-client.ts';
import type { BatchResult, BatchTask } from './pipeline.api.ts';

/** One pipeline worker, as a lane of the pipeline's pool. */
export class PipelineWorkerClient extends LaneClient<BatchTask, BatchResult> implements BatchLane {
  constructor(worker: Worker) {
    super(worker, 'pipeline');
  }
}

/** Starts one pipeline worker: pass as `spawn` to `runPipelineToBranch` to transform in workers. */
export function spawnPipelineWorker(): PipelineWorkerClient {
  const worker = new Worker(new URL('../pipeline.worker.ts', import.meta.url), {
    type: 'module',
    name: 'pipeline',
  });
  return new PipelineWorkerClient(worker);
}
