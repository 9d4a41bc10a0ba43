/**
 * The page side of the Croissant protocol (croissant.api.ts): {@link CroissantClient} wraps the
 * worker with a Promise API that takes an AbortSignal and a progress callback, rebuilds errors,
 * and rejects every pending call when the worker dies or is terminated.
 */
import * as Comlink from 'comlink';
import type { Progress } from '../../src/lib/croissant/api.ts';
import { CroissantError } from '../../src/lib/croissant/errors.ts';
import type {
  CroissantWorkerApi,
  OpenResult,
  OpenSource,
  ProgressCallback,
  RecordsResult,
  Reply,
} from './croissant.api.ts';
import { WorkerError, fromWireError } from './worker-errors.ts';

/** Options of a client call. */
export interface CallOptions {
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
}

/** Main-thread proxy of the Croissant worker. Create one per worker; terminate it when done. */
export class CroissantClient {
  readonly #worker: Worker;
  readonly #remote: Comlink.Remote<CroissantWorkerApi>;
  readonly #pending = new Set<(e: Error) => void>();
  #dead: WorkerError | null = null;
  #nextOp = 1;

  constructor(worker: Worker) {
    this.#worker = worker;
    this.#remote = Comlink.wrap<CroissantWorkerApi>(worker);
    worker.addEventListener('error', (e) => {
      e.preventDefault();
      this.#fail(
        new WorkerError(
          'WORKER_DIED',
          `the Croissant worker failed: ${e.message || 'it could not start or crashed'}`,
        ),
      );
    });
    worker.addEventListener('messageerror', () => {
      this.#fail(
        new WorkerError(
          'WORKER_DIED',
          'the Croissant worker sent a message that could not be read',
        ),
      );
    });
  }

  /** False once the worker died or was terminated; make a new client then. */
  get alive(): boolean {
    return this.#dead === null;
  }

  /** Reads a Croissant document; its records are then available through {@link records}. */
  open(source: OpenSource, opts: CallOptions = {}): Promise<OpenResult> {
    return this.#call(opts, (opId, cb) => this.#remote.open(opId, source, cb));
  }

  /** The first `limit` records of a record set of an opened document. */
  records(
    handle: number,
    recordSetUuid: string,
    limit: number,
    opts: CallOptions = {},
  ): Promise<RecordsResult> {
    return this.#call(opts, (opId, cb) =>
      this.#remote.records(opId, handle, recordSetUuid, limit, cb),
    );
  }

  /** Forgets an opened document in the worker. */
  close(handle: number): void {
    if (this.alive) this.#remote.close(handle).catch(() => undefined);
  }

  /** Stops the worker; pending calls reject with WORKER_TERMINATED. */
  terminate(): void {
    this.#fail(new WorkerError('WORKER_TERMINATED', 'the Croissant worker was stopped'));
  }

  #fail(error: WorkerError): void {
    if (this.#dead) return;
    this.#dead = error;
    this.#worker.terminate();
    for (const reject of this.#pending) reject(error);
    this.#pending.clear();
  }

  #call<T>(
    opts: CallOptions,
    send: (opId: number, cb: ProgressCallback | undefined) => Promise<Reply<T>>,
  ): Promise<T> {
    if (this.#dead) return Promise.reject(this.#dead);
    const { signal, onProgress } = opts;
    if (signal?.aborted)
      return Promise.reject(new CroissantError('ABORTED', 'cancelled by the user'));
    const opId = this.#nextOp++;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        this.#remote.abort(opId).catch(() => undefined);
        settle(() => reject(new CroissantError('ABORTED', 'cancelled by the user')));
      };
      const settle = (finish: () => void) => {
        if (!this.#pending.delete(reject)) return;
        signal?.removeEventListener('abort', onAbort);
        finish();
      };
      this.#pending.add(reject);
      signal?.addEventListener('abort', onAbort, { once: true });
      send(opId, onProgress ? Comlink.proxy(onProgress) : undefined).then(
        (reply) =>
          settle(() => (reply.ok ? resolve(reply.value) : reject(fromWireError(reply.error)))),
        (e: unknown) =>
          settle(() => reject(e instanceof Error ? e : new WorkerError('INTERNAL', String(e)))),
      );
    });
  }
}
