/**
 * The page side of the pipeline protocol: {@link PipelineWorkerClient} is one lane of a batch
 * pipeline's pool over a dedicated worker. Image bytes are transferred in, PNG bytes
 * transferred back; every pending call rejects (WORKER_DIED / WORKER_TERMINATED) when the
 * worker dies or is closed, so a run never waits on a worker that is gone.
 */
import * as Comlink from 'comlink';
import type { BatchLane } from '../../src/lib/pipeline/batch-item.ts';
import { WorkerError } from './croissant.api.ts';
import type { BatchResult, BatchTask, PipelineWorkerApi } from './pipeline.api.ts';

/** One pipeline worker, as a lane of the pipeline's pool. */
export class PipelineWorkerClient implements BatchLane {
  readonly #worker: Worker;
  readonly #remote: Comlink.Remote<PipelineWorkerApi>;
  readonly #pending = new Set<(e: Error) => void>();
  #dead: WorkerError | null = null;

  constructor(worker: Worker) {
    this.#worker = worker;
    this.#remote = Comlink.wrap<PipelineWorkerApi>(worker);
    worker.addEventListener('error', (e) => {
      e.preventDefault();
      const why = e.message || 'it could not start or crashed';
      this.#fail(new WorkerError('WORKER_DIED', `a pipeline worker failed: ${why}`));
    });
    worker.addEventListener('messageerror', () => {
      this.#fail(
        new WorkerError('WORKER_DIED', 'a pipeline worker sent a message that could not be read'),
      );
    });
  }

  /** False once the worker died or was closed. */
  get alive(): boolean {
    return this.#dead === null;
  }

  /** Transforms one image in the worker; its bytes are transferred (detached here). */
  process(task: BatchTask): Promise<BatchResult> {
    if (this.#dead) return Promise.reject(this.#dead);
    return new Promise<BatchResult>((resolve, reject) => {
      this.#pending.add(reject);
      const settle = (finish: () => void) => {
        if (this.#pending.delete(reject)) finish();
      };
      this.#remote.process(Comlink.transfer(task, [task.bytes.buffer])).then(
        (r) => settle(() => resolve(r)),
        (e: unknown) =>
          settle(() => reject(e instanceof Error ? e : new WorkerError('INTERNAL', String(e)))),
      );
    });
  }

  /** Stops the worker; pending calls reject with WORKER_TERMINATED. */
  close(): void {
    this.#fail(new WorkerError('WORKER_TERMINATED', 'the pipeline worker was stopped'));
  }

  #fail(error: WorkerError): void {
    if (this.#dead) return;
    this.#dead = error;
    this.#worker.terminate();
    for (const reject of this.#pending) reject(error);
    this.#pending.clear();
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
