/**
 * The page side of the DICOM protocol: {@link DicomClient} calls the operations of
 * {@link DicomMethods} by name in the decode worker, transfers file bytes and canvases, rebuilds
 * errors, and rejects every pending call when the worker dies or is stopped.
 */
import { WorkerError } from './croissant.api.ts';
import {
  fromDicomWireError,
  type DicomArgs,
  type DicomMethod,
  type DicomValue,
  type DicomWireError,
} from './dicom.api.ts';
import { OpClient } from './op-client.ts';

/** Page-side proxy of the DICOM worker. */
export class DicomClient {
  readonly #ops: OpClient<DicomWireError>;

  constructor(worker: Worker) {
    this.#ops = new OpClient(worker, {
      what: 'the DICOM worker',
      fromWireError: fromDicomWireError,
      aborted: () => new WorkerError('WORKER_TERMINATED', 'the DICOM operation was cancelled'),
      died: (message) => new WorkerError('WORKER_DIED', message),
      transport: (message) => new WorkerError('INTERNAL', message),
    });
  }

  /** Runs operation `method`; `transfer` lists buffers or canvases to move rather than copy. */
  call<K extends DicomMethod>(
    method: K,
    args: DicomArgs<K>,
    opts: { signal?: AbortSignal; transfer?: Transferable[] } = {},
  ): Promise<DicomValue<K>> {
    return this.#ops.call(method, args, opts) as Promise<DicomValue<K>>;
  }

  get alive(): boolean {
    return this.#ops.alive;
  }

  /** Terminates the worker. */
  stop(): void {
    this.#ops.stop(new WorkerError('WORKER_TERMINATED', 'the DICOM worker was stopped'));
  }
}
