/**
 * The page side shared by the lake and query protocols (lake-client.ts, query-client.ts), the
 * counterpart of op-service.ts: an operation is called by name with a fresh operation id, an
 * AbortSignal reaches the worker as `abort(opId)`, progress crosses as a Comlink proxy, a
 * `{ ok: false }` reply is rebuilt into the protocol's error, and every pending call rejects
 * when the worker dies or is stopped (so nothing waits on a worker that is gone).
 */
import * as Comlink from 'comlink';
import type { OpService } from './op-service.ts';

/** How one protocol names its worker and builds its errors. */
export interface OpClientSpec<W> {
  /** In messages: "the lake worker". */
  what: string;
  fromWireError: (e: W) => Error;
  /** A call whose signal was aborted before it started. */
  aborted: () => Error;
  /** The worker crashed, could not start, or sent an unreadable message. */
  died: (message: string) => Error;
  /** A call's transport failed with something that is not an Error. */
  transport: (message: string) => Error;
}

/** See the module comment. Create one per worker; `stop` it when done. */
export class OpClient<W> {
  readonly #worker: Worker;
  readonly #remote: Comlink.Remote<OpService<W>>;
  readonly #spec: OpClientSpec<W>;
  readonly #pending = new Set<(e: Error) => void>();
  #dead: Error | null = null;
  #nextOp = 1;

  constructor(worker: Worker, spec: OpClientSpec<W>) {
    this.#worker = worker;
    this.#spec = spec;
    this.#remote = Comlink.wrap<OpService<W>>(worker);
    worker.addEventListener('error', (e) => {
      e.preventDefault();
      const why = e.message || 'it could not start or crashed';
      this.stop(spec.died(`${spec.what} failed: ${why}`));
    });
    worker.addEventListener('messageerror', () => {
      this.stop(spec.died(`${spec.what} sent a message that could not be read`));
    });
  }

  /** False once the worker died or was stopped. */
  get alive(): boolean {
    return this.#dead === null;
  }

  /** Runs one operation in the worker; resolves with its value. */
  call(
    method: string,
    args: readonly unknown[],
    opts: {
      signal?: AbortSignal | undefined;
      onProgress?: ((p: never) => void) | undefined;
      /** Buffers or canvases in `args` to move to the worker rather than copy. */
      transfer?: Transferable[] | undefined;
    },
  ): Promise<unknown> {
    if (this.#dead) return Promise.reject(this.#dead);
    const { signal, onProgress } = opts;
    if (signal?.aborted) return Promise.reject(this.#spec.aborted());
    const opId = this.#nextOp++;
    return new Promise((resolve, reject) => {
      const onAbort = () => void this.#remote.abort(opId).catch(() => undefined);
      const settle = (finish: () => void) => {
        if (!this.#pending.delete(reject)) return;
        signal?.removeEventListener('abort', onAbort);
        finish();
      };
      this.#pending.add(reject);
      signal?.addEventListener('abort', onAbort, { once: true });
      const cb = onProgress ? Comlink.proxy(onProgress) : undefined;
      const sent = opts.transfer?.length ? Comlink.transfer(args, opts.transfer) : args;
      this.#remote.call(opId, method, sent, cb).then(
        (reply) =>
          settle(() =>
            reply.ok ? resolve(reply.value) : reject(this.#spec.fromWireError(reply.error)),
          ),
        (e: unknown) =>
          settle(() => reject(e instanceof Error ? e : this.#spec.transport(String(e)))),
      );
    });
  }

  /** Terminates the worker; pending and later calls reject with `error`. */
  stop(error: Error): void {
    if (this.#dead) return;
    this.#dead = error;
    this.#worker.terminate();
    for (const reject of this.#pending) reject(error);
    this.#pending.clear();
  }
}
