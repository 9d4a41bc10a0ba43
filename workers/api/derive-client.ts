/**
 * The page side of the derive protocol: {@link DeriveWorkerClient} is one lane of a derive pool
 * over a dedicated worker (image bytes in, rows back; see lane-client.ts).
 */
import type { DeriveLane } from '../../src/lib/analysis/derive-item.ts';
import { LaneClient } from './lane-client.ts';
import type { DeriveResult, DeriveTask } from './derive.api.ts';

/** One derive worker, as a lane of the pool. */
export class DeriveWorkerClient extends LaneClient<DeriveTask, DeriveResult> implements DeriveLane {
  constructor(worker: Worker) {
    super(worker, 'derive');
  }
}

/** Starts one derive worker: pass as `spawn` to `writeImageStats` or `writeDicomTags`. */
export function spawnDeriveWorker(): DeriveWorkerClient {
  const worker = new Worker(new URL('../derive.worker.ts', import.meta.url), {
    type: 'module',
    name: 'derive',
  });
  return new DeriveWorkerClient(worker);
}
