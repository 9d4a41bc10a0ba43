/**
 * The page side of the lake protocol: {@link LakeClient} calls the operations of
 * {@link LakeMethods} by name, takes an AbortSignal and a progress callback, rebuilds errors, and
 * rejects every pending call when the worker dies or is terminated.
 */
import { LakeError } from '../../src/lib/store/errors.ts';
import { WorkerError } from './croissant.api.ts';
import { fromLakeWireError, lakeWorkerName } from './lake.api.ts';
import type {
  LakeArgs,
  LakeMethod,
  LakeProgressOf,
  LakeResult,
  LakeWireError,
} from './lake.api.ts';
import { OpClient } from './op-client.ts';
import { shareRefGeneration } from '../../src/lib/store/ref-generation.ts';

/** Options of a call of operation `K`. */
export interface LakeCallOptions<K extends LakeMethod = LakeMethod> {
  /**
   * Cancels the operation in the worker. The call then settles with what the worker says: a
   * write that had already committed when the abort arrived resolves normally (the lake, not
   * the button, is the truth); otherwise it rejects with ABORTED.
   */
  signal?: AbortSignal;
  onProgress?: (p: LakeProgressOf<K>) => void;
}

/** Page-side proxy of the lake worker. Create one per worker; terminate it when done. */
export class LakeClient {
  readonly #ops: OpClient<LakeWireError>;

  constructor(worker: Worker) {
    this.#ops = new OpClient(worker, {
      what: 'the lake worker',
      fromWireError: fromLakeWireError,
      aborted: () => new LakeError('ABORTED', 'cancelled by the user'),
      died: (message) => new WorkerError('WORKER_DIED', message),
      transport: (message) => new WorkerError('INTERNAL', message),
    });
  }

  /** False once the worker died or was terminated; make a new client then. */
  get alive(): boolean {
    return this.#ops.alive;
  }

  /** Runs one lake operation in the worker. */
  call<K extends LakeMethod>(
    method: K,
    args: LakeArgs<K>,
    opts: LakeCallOptions<K> = {},
  ): Promise<LakeResult<K>> {
    return this.#ops.call(method, args, opts as LakeCallOptions) as Promise<LakeResult<K>>;
  }

  /** Stops the worker; pending calls reject with WORKER_TERMINATED. */
  terminate(): void {
    this.#ops.stop(new WorkerError('WORKER_TERMINATED', 'the lake worker was stopped'));
  }
}

/**
 * Starts a lake worker over the browser lake `lakeName` (the app's is `default`; the bench and
 * tests use lakes of their own), named so that the worker knows which lake to open.
 */
export function spawnLakeWorker(lakeName = 'default'): LakeClient {
  const worker = new Worker(new URL('../lake.worker.ts', import.meta.url), {
    type: 'module',
    name: lakeWorkerName(lakeName),
  });
  shareRefGeneration(worker);
  return new LakeClient(worker);
}
