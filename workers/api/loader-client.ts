/**
 * The page side of the loader protocol: {@link LoaderWorkerClient} is one lane of a loader's
 * pool over a dedicated worker. Item bytes are transferred in, floats transferred back; every
 * pending call rejects (WORKER_DIED / WORKER_TERMINATED) when the worker dies or is closed, so
 * a loader never waits on a worker that is gone.
 */
import * as Comlink from 'comlink';
import type { PoolLane } from '../../src/lib/pipeline/loader-item.ts';
import { WorkerError } from './croissant.api.ts';
import type { ItemResult, ItemTask, LoaderWorkerApi } from './loader.api.ts';

/** One loader worker, as a lane of the loader's pool. */
export class LoaderWorkerClient implements PoolLane {
  readonly #worker: Worker;
  readonly #remote: Comlink.Remote<LoaderWorkerApi>;
  readonly #pending = new Set<(e: Error) => void>();
  #dead: WorkerError | null = null;

  constructor(worker: Worker) {
    this.#worker = worker;
    this.#remote = Comlink.wrap<LoaderWorkerApi>(worker);
    worker.addEventListener('error', (e) => {
      e.preventDefault();
      const why = e.message || 'it could not start or crashed';
      this.#fail(new WorkerError('WORKER_DIED', `a loader worker failed: ${why}`));
    });
    worker.addEventListener('messageerror', () => {
      this.#fail(
        new WorkerError('WORKER_DIED', 'a loader worker sent a message that could not be read'),
      );
    });
  }

  /** False once the worker died or was closed. */
  get alive(): boolean {
    return this.#dead === null;
  }

  /** Processes one item in the worker; its bytes are transferred (detached here). */
  process(task: ItemTask): Promise<ItemResult> {
    if (this.#dead) return Promise.reject(this.#dead);
    return new Promise<ItemResult>((resolve, reject) => {
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
    this.#fail(new WorkerError('WORKER_TERMINATED', 'the loader worker was stopped'));
  }

  #fail(error: WorkerError): void {
    if (this.#dead) return;
    this.#dead = error;
    this.#worker.terminate();
    for (const reject of this.#pending) reject(error);
    this.#pending.clear();
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
