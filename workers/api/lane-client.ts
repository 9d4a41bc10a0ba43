/**
 * One lane of a worker pool on the page side, shared by the loader and the batch pipeline:
 * each `process` call hands a task's bytes (transferred) to a dedicated worker and resolves with
 * its result; every pending call rejects (WORKER_DIED / WORKER_TERMINATED) when the worker dies
 * or is closed, so a pool never waits on a worker that is gone.
 *
 * Tasks given in one turn of the event loop travel together: one `processMany` message per
 * lane (a loader batch's share, typically), every task's bytes in its transfer list, the
 * results back in one message. A message per item cost the page ~0.1 ms each way, which at
 * thousands of items a second is a good part of the page's time.
 */
import * as Comlink from 'comlink';
import { WorkerError } from './croissant.api.ts';

/** A worker API that processes tasks carrying transferable bytes, several per message. */
export interface LaneWorkerApi<T extends { bytes: Uint8Array }, R> {
  /** Processes `tasks` in order; one result each, errors as data. */
  processMany(tasks: T[]): Promise<R[]>;
}

interface Queued<T, R> {
  task: T;
  resolve(r: R): void;
  reject(e: Error): void;
}

/** A dedicated worker as one lane of a pool. `what` names it in errors ("a loader worker"). */
export class LaneClient<T extends { bytes: Uint8Array }, R> {
  readonly #worker: Worker;
  readonly #remote: Comlink.Remote<LaneWorkerApi<T, R>>;
  readonly #pending = new Set<(e: Error) => void>();
  readonly #what: string;
  #queue: Queued<T, R>[] = [];
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

  /**
   * Processes one task in the worker; its bytes are transferred (detached here) with the other
   * tasks given in the same turn.
   */
  process(task: T): Promise<R> {
    if (this.#dead) return Promise.reject(this.#dead);
    return new Promise<R>((resolve, reject) => {
      this.#pending.add(reject);
      if (!this.#queue.length) queueMicrotask(() => this.#send());
      this.#queue.push({ task, resolve, reject });
    });
  }

  /** Stops the worker; pending calls reject with WORKER_TERMINATED. */
  close(): void {
    this.#fail(new WorkerError('WORKER_TERMINATED', `the ${this.#what} worker was stopped`));
  }

  #send(): void {
    const group = this.#queue;
    this.#queue = [];
    if (this.#dead || !group.length) return;
    const settle = (q: Queued<T, R>, finish: () => void) => {
      if (this.#pending.delete(q.reject)) finish();
    };
    const tasks = group.map((q) => q.task);
    // Comlink's generic typing cannot follow T through `transfer`; the call is the API's own.
    const call = this.#remote.processMany as unknown as (t: T[]) => Promise<R[]>;
    // A set: a buffer listed twice is a DataCloneError.
    const buffers = [...new Set(tasks.map((t) => t.bytes.buffer))] as ArrayBuffer[];
    call(Comlink.transfer(tasks, buffers)).then(
      (results) => {
        group.forEach((q, i) => {
          const r = results[i];
          settle(q, () =>
            r === undefined
              ? q.reject(new WorkerError('INTERNAL', `the ${this.#what} worker lost a result`))
              : q.resolve(r),
          );
        });
      },
      (e: unknown) => {
        const err = e instanceof Error ? e : new WorkerError('INTERNAL', String(e));
        for (const q of group) settle(q, () => q.reject(err));
      },
    );
  }

  #fail(error: WorkerError): void {
    if (this.#dead) return;
    this.#dead = error;
    this.#worker.terminate();
    for (const reject of this.#pending) reject(error);
    this.#pending.clear();
    this.#queue = [];
  }
}
