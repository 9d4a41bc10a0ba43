/**
 * The page side of the lake protocol: {@link LakeClient} calls the operations of
 * {@link LakeMethods} by name, takes an AbortSignal and a progress callback, rebuilds errors, and
 * rejects every pending call when the worker dies or is terminated.
 */
import * as Comlink from 'comlink';
import { LakeError } from '../../src/lib/store/errors.ts';
import { WorkerError } from './croissant.api.ts';
import { fromLakeWireError } from './lake.api.ts';
import type {
  IngestProgress,
  LakeArgs,
  LakeMethod,
  LakeResult,
  LakeWorkerApi,
} from './lake.api.ts';

/** Options of a call. */
export interface LakeCallOptions {
  /**
   * Cancels the operation in the worker. The call then settles with what the worker says: a
   * write that had already committed when the abort arrived resolves normally (the lake, not
   * the button, is the truth); otherwise it rejects with ABORTED.
   */
  signal?: AbortSignal;
  onProgress?: (p: IngestProgress) => void;
}

/** Page-side proxy of the lake worker. Create one per worker; terminate it when done. */
export class LakeClient {
  readonly #worker: Worker;
  readonly #remote: Comlink.Remote<LakeWorkerApi>;
  readonly #pending = new Set<(e: Error) => void>();
  #dead: WorkerError | null = null;
  #nextOp = 1;

  constructor(worker: Worker) {
    this.#worker = worker;
    this.#remote = Comlink.wrap<LakeWorkerApi>(worker);
    worker.addEventListener('error', (e) => {
      e.preventDefault();
      const why = e.message || 'it could not start or crashed';
      this.#fail(new WorkerError('WORKER_DIED', `the lake worker failed: ${why}`));
    });
    worker.addEventListener('messageerror', () => {
      this.#fail(
        new WorkerError('WORKER_DIED', 'the lake worker sent a message that could not be read'),
      );
    });
  }

  /** False once the worker died or was terminated; make a new client then. */
  get alive(): boolean {
    return this.#dead === null;
  }

  /** Runs one lake operation in the worker. */
  call<K extends LakeMethod>(
    method: K,
    args: LakeArgs<K>,
    opts: LakeCallOptions = {},
  ): Promise<LakeResult<K>> {
    if (this.#dead) return Promise.reject(this.#dead);
    const { signal, onProgress } = opts;
    if (signal?.aborted) return Promise.reject(new LakeError('ABORTED', 'cancelled by the user'));
    const opId = this.#nextOp++;
    return new Promise<LakeResult<K>>((resolve, reject) => {
      const onAbort = () => void this.#remote.abort(opId).catch(() => undefined);
      const settle = (finish: () => void) => {
        if (!this.#pending.delete(reject)) return;
        signal?.removeEventListener('abort', onAbort);
        finish();
      };
      this.#pending.add(reject);
      signal?.addEventListener('abort', onAbort, { once: true });
      const cb = onProgress ? Comlink.proxy(onProgress) : undefined;
      this.#remote.call(opId, method, args, cb).then(
        (reply) =>
          settle(() =>
            reply.ok
              ? resolve(reply.value as LakeResult<K>)
              : reject(fromLakeWireError(reply.error)),
          ),
        (e: unknown) =>
          settle(() => reject(e instanceof Error ? e : new WorkerError('INTERNAL', String(e)))),
      );
    });
  }

  /** Stops the worker; pending calls reject with WORKER_TERMINATED. */
  terminate(): void {
    this.#fail(new WorkerError('WORKER_TERMINATED', 'the lake worker was stopped'));
  }

  #fail(error: WorkerError): void {
    if (this.#dead) return;
    this.#dead = error;
    this.#worker.terminate();
    for (const reject of this.#pending) reject(error);
    this.#pending.clear();
  }
}
