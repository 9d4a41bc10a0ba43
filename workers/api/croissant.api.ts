/**
 * The Croissant worker's protocol, imported by both sides.
 *
 * - Worker side: {@link createCroissantService} adapts the core reader (injected, so this module
 *   never pulls the reader into the main bundle) to {@link CroissantWorkerApi};
 *   `workers/croissant.worker.ts` exposes it with Comlink.
 * - Main side: {@link CroissantClient} wraps the worker with a Promise API that takes an
 *   AbortSignal and a progress callback, rebuilds errors, and rejects every pending call when the
 *   worker dies or is terminated.
 *
 * Errors cross as plain {@link WireError} data inside a {@link Reply}; record values cross as
 * tagged {@link Cell}s, with image buffers transferred rather than copied.
 */
import * as Comlink from 'comlink';
import type {
  Progress,
  ReadOptions,
  RecordOptions,
  RecordRow,
  Value,
} from '../../src/lib/croissant/api.ts';
import { CroissantError, formatLocation } from '../../src/lib/croissant/errors.ts';
import type { CroissantErrorCode, ErrorLocation } from '../../src/lib/croissant/errors.ts';
import type { Issue, Metadata } from '../../src/lib/croissant/model.ts';
import type { Resolver } from '../../src/lib/io/source.ts';
import { resolveSource } from './dropped-source.ts';
import type { OpenSource } from './dropped-source.ts';

export type { DroppedFile, OpenSource } from './dropped-source.ts';

export interface OpenResult {
  /** Names the opened document in the worker, for {@link CroissantWorkerApi.records}. */
  handle: number;
  /** URL or path of the Croissant document that was read. */
  source: string;
  metadata: Metadata | null;
  errors: Issue[];
  warnings: Issue[];
}

/** A record value made structured-clone-safe and easy to render. */
export type Cell =
  | { t: 'null' }
  | { t: 'text'; v: string }
  | { t: 'number'; v: number }
  | { t: 'bigint'; v: bigint }
  | { t: 'bool'; v: boolean }
  | { t: 'date'; v: Date }
  | {
      t: 'image';
      mode: string;
      width: number;
      height: number;
      format: string;
      bytes: Uint8Array<ArrayBuffer>;
    }
  /** Bytes: `text` previews them (at most 10,000 characters) when they are text. */
  | { t: 'bytes'; byteLength: number; encodingFormat?: string; text?: string }
  | { t: 'list'; v: Cell[] }
  | { t: 'record'; v: Record<string, Cell> };

/** One record: field `@id` (or 0.8 name) → value. */
export type WireRow = Record<string, Cell>;

export interface RecordsResult {
  rows: WireRow[];
  /** True when the record set has more records than were asked for. */
  more: boolean;
}

/** An error as plain data. */
export interface WireError {
  name: string;
  code: string;
  message: string;
  location?: ErrorLocation;
}

export type Reply<T> = { ok: true; value: T } | { ok: false; error: WireError };
export type ProgressCallback = (p: Progress) => unknown;

/** The methods the worker exposes. `opId` names a call so that {@link abort} can cancel it. */
export interface CroissantWorkerApi {
  open(opId: number, source: OpenSource, onProgress?: ProgressCallback): Promise<Reply<OpenResult>>;
  records(
    opId: number,
    handle: number,
    recordSetUuid: string,
    limit: number,
    onProgress?: ProgressCallback,
  ): Promise<Reply<RecordsResult>>;
  abort(opId: number): void;
  close(handle: number): void;
}

/** The core reader functions the service needs (injected by the worker entry). */
export interface CroissantLib {
  readCroissant(
    urlOrPath: string,
    opts?: ReadOptions,
  ): Promise<{ metadata: Metadata | null; errors: Issue[]; warnings: Issue[] }>;
  recordRows(
    metadata: Metadata,
    recordSetUuid: string,
    opts?: RecordOptions,
  ): AsyncIterable<RecordRow>;
  toPlainJson(value: Value): unknown;
  fetchResolver(opts?: { timeoutMs?: number }): Resolver;
  filesResolver(files: Iterable<File | { path: string; file: Blob }>, rootName?: string): Resolver;
}

/** Codes of failures that belong to the worker rather than to the dataset. */
export type WorkerErrorCode = 'WORKER_DIED' | 'WORKER_TERMINATED' | 'INTERNAL';

/** A failure of the worker itself, or an unexpected error thrown inside it. */
export class WorkerError extends Error {
  readonly code: WorkerErrorCode;
  constructor(code: WorkerErrorCode, message: string, name = 'WorkerError') {
    super(message);
    this.code = code;
    this.name = name;
  }
}

/** Longest text shown for a bytes value. */
const MAX_TEXT = 10_000;
const PROGRESS_INTERVAL_MS = 80;

/** Any thrown value → plain data. */
export function toWireError(e: unknown): WireError {
  if (e instanceof CroissantError) return e.toJSON();
  if (e instanceof DOMException && e.name === 'AbortError') {
    return { name: 'CroissantError', code: 'ABORTED', message: 'cancelled by the user' };
  }
  if (e instanceof Error) return { name: e.name, code: 'INTERNAL', message: e.message };
  return { name: 'Error', code: 'INTERNAL', message: String(e) };
}

/** Plain data → a CroissantError (same code, message and location) or a WorkerError. */
export function fromWireError(w: WireError): CroissantError | WorkerError {
  if (w.name !== 'CroissantError') return new WorkerError('INTERNAL', w.message, w.name);
  const suffix = formatLocation(w.location);
  const base =
    suffix && w.message.endsWith(suffix) ? w.message.slice(0, -suffix.length) : w.message;
  return new CroissantError(w.code as CroissantErrorCode, base, { location: w.location });
}

/** Converts a record value to a {@link Cell}, collecting image buffers to transfer. */
export function toCell(
  value: Value | undefined,
  lib: Pick<CroissantLib, 'toPlainJson'>,
  transfers: ArrayBuffer[],
): Cell {
  if (value === null || value === undefined) return { t: 'null' };
  switch (typeof value) {
    case 'string':
      return { t: 'text', v: value };
    case 'number':
      return { t: 'number', v: value };
    case 'bigint':
      return { t: 'bigint', v: value };
    case 'boolean':
      return { t: 'bool', v: value };
  }
  if (value instanceof Date) return { t: 'date', v: value };
  if (Array.isArray(value)) return { t: 'list', v: value.map((v) => toCell(v, lib, transfers)) };
  if (value.kind === 'image' && value.bytes instanceof Uint8Array) {
    // A copy owns exactly its bytes, so transferring it neither ships nor detaches the archive
    // buffer that the image may be a view of.
    const bytes = value.bytes.slice();
    transfers.push(bytes.buffer);
    const { mode, width, height, format } = value;
    return {
      t: 'image',
      mode: String(mode),
      width: Number(width),
      height: Number(height),
      format: String(format),
      bytes,
    };
  }
  if (value.kind === 'bytes' && value.bytes instanceof Uint8Array) {
    const plain = lib.toPlainJson(value);
    const cell: Cell = { t: 'bytes', byteLength: value.bytes.byteLength };
    if (typeof value.encodingFormat === 'string') cell.encodingFormat = value.encodingFormat;
    // A preview, not the data: a whole text file would be copied into every table cell.
    if (typeof plain === 'string') {
      cell.text = plain.length > MAX_TEXT ? `${plain.slice(0, MAX_TEXT)}…` : plain;
    }
    return cell;
  }
  const out: Record<string, Cell> = {};
  for (const [k, v] of Object.entries(value as Record<string, Value>))
    out[k] = toCell(v, lib, transfers);
  return { t: 'record', v: out };
}

/** Calls `cb` at most every {@link PROGRESS_INTERVAL_MS}, and always when phase or file change. */
function throttled(cb: ProgressCallback | undefined): ((p: Progress) => void) | undefined {
  if (!cb) return undefined;
  let last = 0;
  let lastKey = '';
  return (p) => {
    const now = Date.now();
    const key = `${p.phase}\u0000${p.file ?? ''}`;
    if (key === lastKey && now - last < PROGRESS_INTERVAL_MS) return;
    last = now;
    lastKey = key;
    // The page may have gone away; a lost progress message is not an error.
    Promise.resolve(cb({ ...p })).catch(() => undefined);
  };
}

function release(cb: ProgressCallback | undefined): void {
  const remote = cb as Partial<Comlink.Remote<unknown>> | undefined;
  remote?.[Comlink.releaseProxy]?.();
}

/** The worker-side implementation of {@link CroissantWorkerApi} over the core reader. */
export function createCroissantService(lib: CroissantLib): CroissantWorkerApi {
  const sessions = new Map<number, { metadata: Metadata; resolver: Resolver }>();
  const running = new Map<number, AbortController>();
  let nextHandle = 1;

  async function run<T>(
    opId: number,
    cb: ProgressCallback | undefined,
    work: (signal: AbortSignal) => Promise<T>,
  ) {
    const controller = new AbortController();
    running.set(opId, controller);
    try {
      return { ok: true, value: await work(controller.signal) } as Reply<T>;
    } catch (e) {
      return { ok: false, error: toWireError(e) } as Reply<T>;
    } finally {
      running.delete(opId);
      release(cb);
    }
  }

  return {
    open(opId, source, cb) {
      return run(opId, cb, async (signal) => {
        const onProgress = throttled(cb);
        const { path, resolver } = await resolveSource(source, lib);
        const read = await lib.readCroissant(path, { resolver, signal, onProgress });
        const handle = nextHandle++;
        if (read.metadata) sessions.set(handle, { metadata: read.metadata, resolver });
        const result: OpenResult = {
          handle,
          source: path,
          metadata: read.metadata,
          errors: read.errors,
          warnings: read.warnings,
        };
        return result;
      });
    },

    async records(opId, handle, recordSetUuid, limit, cb) {
      const reply = await run(opId, cb, async (signal) => {
        const session = sessions.get(handle);
        if (!session)
          throw new WorkerError('INTERNAL', `dataset handle ${handle} is not open in the worker`);
        const transfers: ArrayBuffer[] = [];
        const rows: WireRow[] = [];
        let more = false;
        const opts: RecordOptions = {
          resolver: session.resolver,
          signal,
          onProgress: throttled(cb),
          limit: limit + 1,
        };
        for await (const row of lib.recordRows(session.metadata, recordSetUuid, opts)) {
          if (rows.length === limit) {
            more = true;
            break;
          }
          const cells: WireRow = {};
          for (const [k, v] of Object.entries(row)) cells[k] = toCell(v, lib, transfers);
          rows.push(cells);
        }
        return { result: { rows, more } satisfies RecordsResult, transfers };
      });
      if (!reply.ok) return reply;
      return Comlink.transfer({ ok: true, value: reply.value.result }, reply.value.transfers);
    },

    abort(opId) {
      running.get(opId)?.abort(new CroissantError('ABORTED', 'cancelled by the user'));
    },

    close(handle) {
      sessions.delete(handle);
    },
  };
}

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
