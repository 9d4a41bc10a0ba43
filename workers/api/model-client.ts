/**
 * The page side of the model protocol: {@link ModelClient} calls the operations of
 * {@link ModelMethods} by name, with an AbortSignal (cancel a training run: the worker writes a
 * checkpoint first) and a progress callback, and rebuilds errors.
 */
import { ModelError } from '../../src/lib/model/errors.ts';
import { WorkerError } from './croissant.api.ts';
import { fromModelWireError } from './model.api.ts';
import type {
  ModelArgs,
  ModelMethod,
  ModelProgressOf,
  ModelResult,
  ModelWireError,
} from './model.api.ts';
import { OpClient } from './op-client.ts';

/** Options of a call of operation `K`. */
export interface ModelCallOptions<K extends ModelMethod = ModelMethod> {
  signal?: AbortSignal;
  onProgress?: (p: ModelProgressOf<K>) => void;
}

/** Page-side proxy of the model worker. */
export class ModelClient {
  readonly #ops: OpClient<ModelWireError>;

  constructor(worker: Worker) {
    this.#ops = new OpClient(worker, {
      what: 'the model worker',
      fromWireError: fromModelWireError,
      aborted: () => new ModelError('ABORTED', 'cancelled by the user'),
      died: (message) => new WorkerError('WORKER_DIED', message),
      transport: (message) => new WorkerError('INTERNAL', message),
    });
  }

  /** False once the worker died or was terminated; make a new client then. */
  get alive(): boolean {
    return this.#ops.alive;
  }

  /** Runs one model operation in the worker. */
  call<K extends ModelMethod>(
    method: K,
    args: ModelArgs<K>,
    opts: ModelCallOptions<K> = {},
  ): Promise<ModelResult<K>> {
    return this.#ops.call(method, args, opts as ModelCallOptions) as Promise<ModelResult<K>>;
  }

  /** Stops the worker; pending calls reject with WORKER_TERMINATED. */
  terminate(): void {
    this.#ops.stop(new WorkerError('WORKER_TERMINATED', 'the model worker was stopped'));
  }
}
