/**
 * The worker side shared by the lake and query protocols (lake-service.ts, query-service.ts):
 * operations called by name with an operation id, each with its own AbortController, a
 * progress callback that may have lost its page, buffers marked for transfer, and every outcome
 * — value or error — sent back as plain data (`{ ok, value }` / `{ ok, error }`). The backend
 * (a lake, or an engine and catalog) is opened on the first call, and again after an opening
 * failed, so a transient failure is not permanent. Worker code only.
 */
import * as Comlink from 'comlink';

/** What every operation gets besides its arguments and the backend's own fields. */
export interface OpContext<P> {
  signal: AbortSignal;
  onProgress: (p: P) => void;
  /** Marks a buffer of the result to be transferred rather than copied. */
  transfer(buffer: ArrayBuffer): void;
}

/** An operation's outcome as it crosses to the page. */
export type OpReply<W> = { ok: true; value: unknown } | { ok: false; error: W };

/** How one protocol is served. */
export interface OpServiceSpec<B extends object, W> {
  /** Opens the backend; its fields are spread into every operation's context. */
  open: () => Promise<B>;
  /** The operations by name (typed by each protocol's `Handlers`). */
  handlers: object;
  /** The error for a name that is not an operation. */
  noSuchOp: (method: string) => Error;
  /** Any thrown value → the protocol's plain error data. */
  toWireError: (e: unknown) => W;
  /** The reason an aborted operation's signal carries (default: the platform's AbortError). */
  abortReason?: () => unknown;
}

/** The two calls every protocol's worker API has (`LakeWorkerApi`, `QueryWorkerApi`). */
export interface OpService<W> {
  call(
    opId: number,
    method: string,
    args: readonly unknown[],
    cb?: (p: never) => unknown,
  ): Promise<OpReply<W>>;
  abort(opId: number): void;
}

/** A progress callback proxy is released once its operation is over. */
function release(cb: unknown): void {
  const remote = cb as Partial<Comlink.Remote<unknown>> | undefined;
  remote?.[Comlink.releaseProxy]?.();
}

/** See the module comment. */
export function serveOps<B extends object, W>(spec: OpServiceSpec<B, W>): OpService<W> {
  const running = new Map<number, AbortController>();
  let backend: Promise<B> | null = null;
  const getBackend = () => {
    backend ??= spec.open().catch((e: unknown) => {
      backend = null;
      throw e;
    });
    return backend;
  };
  const handlers = spec.handlers as Record<string, unknown>;

  return {
    async call(opId, method, args, cb) {
      const controller = new AbortController();
      running.set(opId, controller);
      const transfers: ArrayBuffer[] = [];
      try {
        const handler = Object.hasOwn(handlers, method) ? handlers[method] : undefined;
        if (typeof handler !== 'function') throw spec.noSuchOp(String(method));
        const progress = cb as ((p: unknown) => unknown) | undefined;
        const ctx: B & OpContext<unknown> = {
          ...(await getBackend()),
          signal: controller.signal,
          // The page may have gone away; a lost progress message is not an error.
          onProgress: (p) => void Promise.resolve(progress?.({ ...(p as object) })).catch(() => {}),
          transfer: (b) => transfers.push(b),
        };
        const value: unknown = await (handler as (...a: unknown[]) => Promise<unknown>)(
          ctx,
          ...args,
        );
        return Comlink.transfer({ ok: true, value } as OpReply<W>, transfers);
      } catch (e) {
        return { ok: false, error: spec.toWireError(e) };
      } finally {
        running.delete(opId);
        release(cb);
      }
    },

    abort(opId) {
      running.get(opId)?.abort(spec.abortReason?.());
    },
  };
}
