/**
 * The page side of the analysis protocol: {@link AnalysisClient} calls the operations of
 * {@link AnalysisMethods} by name, with an AbortSignal (cancel a run) and a progress callback,
 * and rebuilds errors.
 */
import { LakeError } from '../../src/lib/store/errors.ts';
import { WorkerError } from './croissant.api.ts';
import { fromAnalysisWireError } from './analysis.api.ts';
import type {
  AnalysisArgs,
  AnalysisMethod,
  AnalysisProgressOf,
  AnalysisResult,
  AnalysisWireError,
} from './analysis.api.ts';
import { OpClient } from './op-client.ts';

/** Options of a call of operation `K`. */
export interface AnalysisCallOptions<K extends AnalysisMethod = AnalysisMethod> {
  signal?: AbortSignal;
  onProgress?: (p: AnalysisProgressOf<K>) => void;
}

/** Page-side proxy of the analysis worker. */
export class AnalysisClient {
  readonly #ops: OpClient<AnalysisWireError>;

  constructor(worker: Worker) {
    this.#ops = new OpClient(worker, {
      what: 'the analysis worker',
      fromWireError: fromAnalysisWireError,
      aborted: () => new LakeError('ABORTED', 'cancelled by the user'),
      died: (message) => new WorkerError('WORKER_DIED', message),
      transport: (message) => new WorkerError('INTERNAL', message),
    });
  }

  /** False once the worker died or was terminated; make a new client then. */
  get alive(): boolean {
    return this.#ops.alive;
  }

  /** Runs one analysis operation in the worker. */
  call<K extends AnalysisMethod>(
    method: K,
    args: AnalysisArgs<K>,
    opts: AnalysisCallOptions<K> = {},
  ): Promise<AnalysisResult<K>> {
    return this.#ops.call(method, args, opts as AnalysisCallOptions) as Promise<AnalysisResult<K>>;
  }

  /** Stops the worker; pending calls reject with WORKER_TERMINATED. */
  terminate(): void {
    this.#ops.stop(new WorkerError('WORKER_TERMINATED', 'the analysis worker was stopped'));
  }
}
