/**
 * The page side of the loader protocol: {@link LoaderWorkerClient} is one lane of a loader's
 * pool over a dedicated worker (item bytes in, floats back; see lane-client.ts).
 */
import type { PoolLane } from '../../src/lib/pipeline/loader-item.ts';
import { LaneClient } from './lane-client.ts';
import type { ItemResult, ItemTask } from './loader.api.ts';

/** One loader worker, as a lane of the loader's pool. */
export class LoaderWorkerClient extends LaneClient<ItemTask, ItemResult> implements PoolLane {
  constructor(worker: Worker) {
    super(worker, 'loader');
  }
}

/** Starts one loader worker: pass as `spawn` to `createLoader` to process items in workers. */
export function spawnLoaderWorker(): LoaderWorkerClient {
  const worker = new Worker(new URL('../loader.worker.ts', import.meta.url), {
    type: 'module',
    name: 'loader',
  });
  return new LoaderWorkerClient(worker);
}
