/**
 * One lane of a worker pool on the page side, shared by the loader and the batch pipeline:
 * each `process` call transfers a task's bytes to a dedicated worker and resolves with its
 * result; every pending call rejects (WORKER_DIED / WORKER_TERMINATED) when the worker dies or
 * is closed, so a pool never waits on a worker that is gone.
 */
import * as Comlink from 'comlink';
import { WorkerError } from './croissant.api.ts';

/** A worker API with one `process` operation over tasks that carry transferable bytes. */
export interface LaneWorkerApi<T extends { bytes: Uint8Array }, R> {
  process(task: T): Promise<R>;
}

/** A dedicated worker as one lane of a pool. `what` names it in errors ("a loader worker"). */
export class LaneClient<T extends { bytes: Uint8Array }, R> {
  readonly #worker: Worker;
  readonly #remote: Comlink.Remote<LaneWorkerApi<T, R>>;
  readonly #pending = new Set<(e: Error) => void>();
  readonly #what: string;
  #dead: WorkerError | null = null;

  constructor(worker: Worker, what: string) {
    this.#worker = worker;
    this.#what = what;
    this.#remote = Comlink.wrap<LaneWorkerApi<T, R>>(worker);
    worker.addEventListener('error', (e) => {
      e.preventDefault();
      const why = e.message || 'it could not start or crashed';
      this.#fail(new WorkerError('WORKER_DIED', `a ${what} worker failed: ${why}`));
    });
    worker.addEventListener('messageerror', () => {
      this.#fail(
        new WorkerError('WORKER_DIED', `a ${what} worker sent a message that could not be read`),
      );
    });
  }

  /** False once the worker died or was closed. */
  get alive(): boolean {
    return this.#dead === null;
  }

  /** Processes one task in the worker; its bytes are transferred (detached here). */
  process(task: T): Promise<R> {
    if (this.#dead) return Promise.reject(this.#dead);
    return new Promise<R>((resolve, reject) => {
      this.#pending.add(reject);
      const settle = (finish: () => void) => {
        if (this.#pending.delete(reject)) finish();
      };
      // Comlink's generic typing cannot follow T through `transfer`; the call is the API's own.
      const call = this.#remote.process as unknown as (t: T) => Promise<R>;
      call(Comlink.transfer(task, [task.bytes.buffer])).then(
        (r) => settle(() => resolve(r)),
        (e: unknown) =>
          settle(() => reject(e instanceof Error ? e : new WorkerError('INTERNAL', String(e)))),
      );
    });
  }

  /** Stops the worker; pending calls reject with WORKER_TERMINATED. */
  close(): void {
    this.#fail(new WorkerError('WORKER_TERMINATED', `the ${this.#what} worker was stopped`));
  }

  #fail(error: WorkerError): void {
    if (this.#dead) return;
    this.#dead = error;
    this.#worker.terminate();
    for (const reject of this.#pending) reject(error);
    this.#pending.clear();
  }
}
